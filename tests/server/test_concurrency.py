"""Concurrent pushes to one account: the newest clock wins every record, and a reader following the feed
with its cursor meanwhile misses nothing (the per-account sequence commits in order)."""

from __future__ import annotations

import threading
import time
import uuid

from tests.live_server import LiveServer
from tests.server.api import hlc, pull_all, record, register, sign_in

WRITERS = 4
ROUNDS = 12
IDS = [str(uuid.uuid4()) for _ in range(20)]


def test_concurrent_pushes_keep_the_newest_and_the_feed_complete(shared_server: LiveServer) -> None:
    first = register(shared_server.url)
    devices = [first] + [sign_in(shared_server.url, first.username, f"device-{i}") for i in range(1, WRITERS)]
    newest: dict[str, str] = {}
    lock = threading.Lock()
    failures: list[str] = []
    done = threading.Event()

    def writer(number: int) -> None:
        with devices[number].http() as http:
            for round_number in range(ROUNDS):
                records = [
                    record(record_id, stamp=hlc(round_number * 10, counter=number, node=f"node{number}"))
                    for record_id in IDS
                ]
                answer = http.post("/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": records})
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text}")
                    return
                with lock:
                    for r in records:
                        newest[r["id"]] = max(newest.get(r["id"], ""), r["hlc"])

    seen: dict[str, str] = {}

    def reader() -> None:
        cursor = None
        with first.http() as http:
            while True:
                finished = done.is_set()
                records, cursor = pull_all(http, cursor)
                for r in records:
                    seen[r["id"]] = r["hlc"]
                if finished:
                    return
                time.sleep(0.05)  # stay well under the per-device API rate limit

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    follower = threading.Thread(target=reader)
    follower.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    done.set()
    follower.join(60)

    assert not failures, failures
    with first.http() as http:
        final, _ = pull_all(http)
    assert {r["id"]: r["hlc"] for r in final} == newest
    assert seen == newest  # the reader, pulling only after its cursor, ended with every newest version
