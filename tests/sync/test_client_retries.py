"""Which sync requests are tried again, and how long the client waits in between.

The network is scripted (httpx's MockTransport) because a real server cannot be made to answer 503 or drop a
connection on cue; the waits are recorded instead of slept."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.sync.client import RetryPolicy, SyncClient
from app.sync.errors import SyncRateLimitedError, SyncTokenRevokedError, SyncUnavailableError

POLICY = RetryPolicy(attempts=4, base_delay=0.5, max_delay=8.0)
OK = {"ok": True}


class Script:
    """Answers requests in order: a status code, a (status, Retry-After) pair, or an httpx error class."""

    def __init__(self, *answers: object) -> None:
        self._answers: Iterator[object] = iter(answers)
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        answer = next(self._answers)
        if isinstance(answer, type) and issubclass(answer, httpx.TransportError):
            raise answer("scripted failure", request=request)
        status, retry_after = answer if isinstance(answer, tuple) else (answer, None)
        headers = {"Retry-After": retry_after} if retry_after else {}
        if status == 200:
            return httpx.Response(200, json=OK)
        return httpx.Response(status, headers=headers, json={"error": {"code": "x", "message": "No."}})


def _client(script: Script, waits: list[float]) -> SyncClient:
    return SyncClient(
        "http://sync.test", "token", retry=POLICY, transport=httpx.MockTransport(script), sleep=waits.append
    )


def test_a_read_is_retried_with_full_jitter_backoff_until_it_succeeds() -> None:
    script, waits = Script(503, 502, httpx.ReadError, 200), []
    assert _client(script, waits).health()
    assert script.calls == 4
    # Try n waits anywhere from 0 to base * 2**(n-1) seconds.
    assert len(waits) == 3 and all(0 <= w <= 0.5 * 2**n for n, w in enumerate(waits))


def test_the_tries_run_out_with_one_clear_sentence() -> None:
    script, waits = Script(503, 503, 503, 503), []
    with pytest.raises(SyncUnavailableError, match=r"server error 503.*Your local data is safe"):
        _client(script, waits).health()
    assert script.calls == POLICY.attempts and len(waits) == POLICY.attempts - 1


def test_a_write_that_may_have_arrived_is_not_sent_twice() -> None:
    script, waits = Script(httpx.ReadError, 200), []
    with pytest.raises(SyncUnavailableError, match="Cannot reach the sync server"):
        _client(script, waits).change_password("old", "new")
    assert script.calls == 1 and waits == []


def test_a_write_that_never_left_is_tried_again() -> None:
    script, waits = Script(httpx.ConnectError, 200), []
    _client(script, waits).change_password("old", "new")
    assert script.calls == 2 and len(waits) == 1


def test_retry_after_is_honoured_up_to_the_longest_backoff() -> None:
    script, waits = Script((429, "3"), 200), []
    assert _client(script, waits).health()
    assert waits == [3.0]

    script, waits = Script((429, "60"), 200), []
    with pytest.raises(SyncRateLimitedError, match="slow down"):
        _client(script, waits).health()
    assert script.calls == 1 and waits == []


def test_a_refusal_is_not_retried() -> None:
    script, waits = Script(401, 200), []
    with pytest.raises(SyncTokenRevokedError, match="no longer signed in"):
        _client(script, waits).health()
    assert script.calls == 1 and waits == []
