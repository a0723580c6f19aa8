"""The server SIGKILLed in the middle of pushes and started again: nothing lost, nothing stored twice."""

from __future__ import annotations

import threading
import time
import uuid

import httpx

from tests.live_server import LiveServer
from tests.server.api import pull_all, record, register

BATCHES = 12
PER_BATCH = 400


def _push_until_acknowledged(http: httpx.Client, batch: dict, stop_at: float) -> dict:
    """What the sync engine does: resend the same batch id until an answer arrives."""
    while time.monotonic() < stop_at:
        try:
            answer = http.post("/v1/changes", json=batch)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        if answer.status_code >= 500:
            time.sleep(0.1)
            continue
        answer.raise_for_status()
        return answer.json()
    raise AssertionError(f"batch {batch['batch_id']} never acknowledged")


def test_sigkill_mid_push_loses_and_duplicates_nothing(live_server: LiveServer) -> None:
    account = register(live_server.url)
    batches = [
        {"batch_id": uuid.uuid4().hex, "records": [record(size=2000) for _ in range(PER_BATCH)]}
        for _ in range(BATCHES)
    ]
    answers: list[dict] = []
    first_answered = threading.Event()
    failure: list[BaseException] = []

    def pusher() -> None:
        try:
            with account.http() as http:
                for batch in batches:
                    answers.append(_push_until_acknowledged(http, batch, time.monotonic() + 120))
                    first_answered.set()
        except BaseException as error:  # reported by the main thread
            failure.append(error)
            first_answered.set()

    thread = threading.Thread(target=pusher)
    thread.start()
    assert first_answered.wait(60)
    time.sleep(0.15)  # let the next (large) batch get under way
    live_server.kill()
    killed_after = len(answers)
    live_server.start()
    thread.join(180)
    assert not failure, failure
    assert killed_after < BATCHES, "the pushes ended before the kill; make the batches larger"

    assert [a["batch_id"] for a in answers] == [b["batch_id"] for b in batches]
    assert all(r["status"] == "applied" for a in answers for r in a["results"])
    with account.http() as http:
        pulled, _ = pull_all(http)
    sent = {r["id"]: r["ciphertext"] for b in batches for r in b["records"]}
    assert len(pulled) == len(sent) == BATCHES * PER_BATCH
    assert {r["id"]: r["ciphertext"] for r in pulled} == sent
