"""The sync API over real HTTP: accounts, devices, the change feed, isolation between accounts, limits."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx

from tests.live_server import LiveServer
from tests.server.api import PASSWORD, hlc, pull_all, record, register, sign_in


def _code(answer: httpx.Response) -> str:
    return answer.json()["error"]["code"]


def test_health_docs_and_metrics(shared_server: LiveServer) -> None:
    assert httpx.get(shared_server.url + "/health").json() == {
        "status": "ok",
        "database": "ok",
        "storage": "ok",
    }
    spec = httpx.get(shared_server.url + "/openapi.json").json()
    assert {"/v1/accounts", "/v1/sessions", "/v1/changes", "/v1/devices/{device_id}"} <= set(spec["paths"])
    assert httpx.get(shared_server.url + "/docs").status_code == 200
    account = register(shared_server.url)
    with account.http() as http:
        assert http.post("/v1/changes", json={"batch_id": "b" * 16, "records": [record()]}).is_success
        assert http.get("/v1/changes", params={"cursor": "nonsense!"}).status_code == 400
    assert httpx.get(shared_server.url + "/metrics").status_code == 404  # off unless an option turns it on


def test_metrics_behind_a_token_or_on_a_listener_of_their_own(tmp_path: Path) -> None:
    token = "metrics-token-for-the-scraper"
    server = LiveServer(
        f"sqlite:///{tmp_path / 'metrics.db'}",
        tmp_path,
        extra_args=["--metrics-token", token, "--metrics-bind", "127.0.0.1:0"],
    ).start()
    try:
        account = register(server.url)
        with account.http() as http:
            assert http.post("/v1/changes", json={"batch_id": "b" * 16, "records": [record()]}).is_success
            assert http.get("/v1/changes", params={"cursor": "nonsense!"}).status_code == 400
        assert httpx.get(server.url + "/metrics").status_code == 404
        assert (
            httpx.get(server.url + "/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        )
        text = httpx.get(server.url + "/metrics", headers={"Authorization": f"Bearer {token}"}).text
        port = next(r["port"] for r in server.log_lines() if r.get("event") == "metrics_listening")
        assert httpx.get(f"http://127.0.0.1:{port}/metrics").text.count("aris_sync_records_stored") >= 1
    finally:
        server.stop()
    assert 'aris_sync_http_requests_total{method="POST",route="/v1/changes",status="200"}' in text
    assert "aris_sync_http_request_duration_seconds_bucket" in text
    assert "aris_sync_records_applied_total" in text
    assert "aris_sync_records_stored" in text
    assert 'aris_sync_errors_total{code="invalid_cursor"}' in text


def test_request_ids_and_structured_access_log(shared_server: LiveServer) -> None:
    answer = httpx.get(shared_server.url + "/health", headers={"X-Request-Id": "trace-42"})
    assert answer.headers["x-request-id"] == "trace-42"
    deadline = time.monotonic() + 5  # the line is written once the response has gone out
    while not (lines := [r for r in shared_server.log_lines() if r.get("request_id") == "trace-42"]):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert lines and lines[0]["route"] == "/health" and lines[0]["status"] == 200


def test_register_sign_in_and_wrong_password(shared_server: LiveServer) -> None:
    account = register(shared_server.url)
    again = httpx.post(
        shared_server.url + "/v1/accounts", json={"username": account.username.upper(), "password": PASSWORD}
    )
    assert again.status_code == 409 and _code(again) == "username_taken"
    wrong = httpx.post(
        shared_server.url + "/v1/sessions", json={"username": account.username, "password": "not it at all"}
    )
    assert wrong.status_code == 401 and _code(wrong) == "invalid_credentials"
    unknown = httpx.post(
        shared_server.url + "/v1/sessions",
        json={"username": "nobody-" + uuid.uuid4().hex[:8], "password": PASSWORD},
    )
    assert unknown.status_code == 401 and _code(unknown) == "invalid_credentials"
    second = sign_in(shared_server.url, account.username)
    assert second.device_id != account.device_id and second.token != account.token


def test_devices_are_listed_and_a_revoked_token_stops_working(shared_server: LiveServer) -> None:
    laptop = register(shared_server.url, "laptop")
    desktop = sign_in(shared_server.url, laptop.username, "desktop")
    with laptop.http() as http:
        devices = http.get("/v1/devices").json()["devices"]
        assert [(d["name"], d["current"]) for d in devices] == [("laptop", True), ("desktop", False)]
        assert http.delete(f"/v1/devices/{desktop.device_id}").status_code == 204
    with desktop.http() as http:
        refused = http.get("/v1/changes")
        assert refused.status_code == 401 and _code(refused) == "token_revoked"
        refused = http.post("/v1/changes", json={"batch_id": "c" * 16, "records": [record()]})
        assert refused.status_code == 401
    with laptop.http() as http:
        assert [d["name"] for d in http.get("/v1/devices").json()["devices"]] == ["laptop"]
        assert pull_all(http)[0] == []  # the refused push stored nothing


def test_missing_or_unknown_token(shared_server: LiveServer) -> None:
    assert _code(httpx.get(shared_server.url + "/v1/changes")) == "invalid_token"
    answer = httpx.get(shared_server.url + "/v1/changes", headers={"Authorization": "Bearer aris_nope"})
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"


def test_push_then_pull_with_cursor(shared_server: LiveServer) -> None:
    account = register(shared_server.url)
    first = [record() for _ in range(3)]
    with account.http() as http:
        answer = http.post("/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": first})
        assert [r["status"] for r in answer.json()["results"]] == ["applied"] * 3
        pulled, cursor = pull_all(http)
        assert [(r["id"], r["ciphertext"]) for r in pulled] == [(r["id"], r["ciphertext"]) for r in first]
        assert {r["device_id"] for r in pulled} == {account.device_id}
        assert pull_all(http, cursor)[0] == []
        newer = record(first[0]["id"], stamp=hlc(1000))
        http.post("/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": [newer]})
        changed, _ = pull_all(http, cursor)
        assert [(r["id"], r["hlc"]) for r in changed] == [(newer["id"], newer["hlc"])]
        page = http.get("/v1/changes", params={"limit": 2}).json()
        assert len(page["records"]) == 2 and page["has_more"] is True


def test_retried_batch_is_answered_as_before_and_stores_nothing_twice(shared_server: LiveServer) -> None:
    account = register(shared_server.url)
    batch = {"batch_id": uuid.uuid4().hex, "records": [record() for _ in range(5)]}
    with account.http() as http:
        first = http.post("/v1/changes", json=batch).json()
        second = http.post("/v1/changes", json=batch).json()
        assert first == second
        pulled, _ = pull_all(http)
        assert len(pulled) == 5
        # The same versions under a new batch id (a client that lost the answer and re-sealed) change nothing.
        resent = http.post("/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": batch["records"]})
        assert {r["status"] for r in resent.json()["results"]} == {"applied"}
        assert len(pull_all(http)[0]) == 5
        reused = http.post("/v1/changes", json={"batch_id": batch["batch_id"], "records": [record()]})
        assert reused.status_code == 409 and _code(reused) == "batch_conflict"


def test_older_versions_come_back_stale_and_tombstones_are_kept(shared_server: LiveServer) -> None:
    account = register(shared_server.url)
    record_id = str(uuid.uuid4())
    with account.http() as http:
        http.post(
            "/v1/changes",
            json={"batch_id": uuid.uuid4().hex, "records": [record(record_id, stamp=hlc(5000))]},
        )
        tomb = record(record_id, stamp=hlc(6000), deleted=True)
        http.post("/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": [tomb]})
        older = http.post(
            "/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": [record(record_id, stamp=hlc(0))]}
        )
        assert older.json()["results"][0]["status"] == "stale"
        (stored,), _ = pull_all(http)
        assert stored["deleted"] is True and stored["hlc"] == tomb["hlc"]


def test_a_batch_is_stored_whole_or_not_at_all(shared_server: LiveServer) -> None:
    account = register(shared_server.url)
    good = record()
    far_future = record(stamp=hlc(3 * 3600 * 1000))
    with account.http() as http:
        answer = http.post("/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": [good, far_future]})
        assert answer.status_code == 422 and _code(answer) == "clock_skew"
        invalid = dict(good, ciphertext="not base64!!")
        answer = http.post("/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": [good, invalid]})
        assert answer.status_code == 422 and _code(answer) == "invalid_request"
        assert pull_all(http)[0] == []


def test_accounts_never_see_or_change_each_others_records(shared_server: LiveServer) -> None:
    alice, mallory = register(shared_server.url), register(shared_server.url)
    mine = record()
    with alice.http() as http:
        http.post("/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": [mine]})
        alice_device = alice.device_id
    with mallory.http() as http:
        assert pull_all(http)[0] == []
        # The same record id, newer: lands in Mallory's own feed, Alice's copy is untouched.
        attack = record(mine["id"], stamp=hlc(2000), deleted=True)
        assert http.post("/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": [attack]}).is_success
        refused = http.delete(f"/v1/devices/{alice_device}")
        assert refused.status_code == 404 and _code(refused) == "not_found"
        # A cursor from another account's feed position tells nothing and returns nothing of Alice's.
        assert [r["id"] for r in pull_all(http)[0]] == [mine["id"]]
    with alice.http() as http:
        (stored,), _ = pull_all(http)
        assert (stored["hlc"], stored["deleted"], stored["ciphertext"]) == (
            mine["hlc"],
            False,
            mine["ciphertext"],
        )
        assert http.get("/v1/devices").json()["devices"][0]["device_id"] == alice_device


def test_cursor_ahead_of_the_server_is_refused(shared_server: LiveServer) -> None:
    import base64

    account = register(shared_server.url)
    ahead = base64.urlsafe_b64encode(b"seq:999999").decode().rstrip("=")
    with account.http() as http:
        answer = http.get("/v1/changes", params={"cursor": ahead})
    assert answer.status_code == 409 and _code(answer) == "cursor_ahead"


def test_key_envelope_is_compare_and_swap(shared_server: LiveServer) -> None:
    account = register(shared_server.url)
    with account.http() as http:
        start = http.get("/v1/key-envelope").json()
        assert start["key_envelope"] is None and start["key_envelope_version"] == 0
        put = http.put("/v1/key-envelope", json={"key_envelope": "wrapped-1", "expected_version": 0})
        assert put.json()["key_envelope_version"] == 1
        lost = http.put("/v1/key-envelope", json={"key_envelope": "wrapped-2", "expected_version": 0})
        assert lost.status_code == 409 and _code(lost) == "key_envelope_conflict"
        assert http.get("/v1/key-envelope").json()["key_envelope"] == "wrapped-1"


def test_body_limit_and_cors_off(shared_server: LiveServer) -> None:
    account = register(shared_server.url)
    huge = [record(size=700_000) for _ in range(8)]  # about 7.5 MB of base64, over the 5 MiB default
    with account.http() as http:
        answer = http.post("/v1/changes", json={"batch_id": uuid.uuid4().hex, "records": huge})
        assert answer.status_code == 413 and _code(answer) == "body_too_large"
        assert pull_all(http)[0] == []
    preflight = httpx.options(
        shared_server.url + "/v1/changes",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_pull_pages_are_cut_by_size_too(shared_server: LiveServer) -> None:
    account = register(shared_server.url)
    with account.http() as http:
        for _ in range(4):  # 12 records of about 1 MiB, in bodies under the 5 MiB limit
            batch = {"batch_id": uuid.uuid4().hex, "records": [record(size=1_000_000) for _ in range(3)]}
            assert http.post("/v1/changes", json=batch).is_success
        first = http.get("/v1/changes", params={"limit": 1000}).json()
        assert 0 < len(first["records"]) < 12 and first["has_more"] is True
        rest, _ = pull_all(http, first["cursor"])
        assert len(first["records"]) + len(rest) == 12
