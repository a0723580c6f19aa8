"""HTTP client for the sync API: typed answers, typed errors, retries with backoff for transient failures.

Callers never see an httpx exception: every failure is a `SyncError` whose message says what to do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_base, wait_random_exponential

from app.sync import protocol
from app.sync.errors import (
    SyncConflictError,
    SyncError,
    SyncProtocolError,
    SyncRateLimitedError,
    SyncServerFullError,
    SyncServerResetError,
    SyncTokenRevokedError,
    SyncUnavailableError,
    SyncWrongPasswordError,
)
from app.sync.protocol import KeyEnvelope, PullPage, PushOutcome, SessionInfo, SyncDevice, WireRecord

log = logging.getLogger(__name__)

_RETRY_STATUSES = {500, 502, 503, 504}
# Errors raised before the request left this machine: safe to retry even for non-idempotent calls.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter for transient failures (tenacity's `wait_random_exponential`)."""

    attempts: int = 4
    """Tries in total, including the first."""
    base_delay: float = 0.5
    """Seconds before the first retry (before jitter); doubles each time."""
    max_delay: float = 8.0
    """Longest wait between tries, in seconds."""

    def backoff(self) -> wait_base:
        """A wait drawn from 0 to `base_delay * 2**(n-1)` (at most `max_delay`) after failed try number n."""
        return wait_random_exponential(multiplier=self.base_delay, max=self.max_delay)


class _TransientError(Exception):
    """A failure worth another try: carries the error to raise if the tries run out, and the server's
    Retry-After when it named one."""

    def __init__(self, error: SyncError, *, retry_after: float | None = None, note: str) -> None:
        super().__init__(note)
        self.error = error
        self.retry_after = retry_after


class SyncClient:
    """One sync server, optionally signed in as one device (bearer token)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            headers={"User-Agent": "aris-sync/1"},
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # Accounts -----------------------------------------------------------------------------------------------

    def register(
        self, username: str, password: str, device_name: str, invite_code: str | None = None
    ) -> SessionInfo:
        """Create an account; this device is signed in (the token is set on the client)."""
        body = {"username": username, "password": password, "device_name": device_name}
        if invite_code:
            body["invite_code"] = invite_code
        session = protocol.parse_session(self._call("POST", "/v1/accounts", json=body, idempotent=False))
        self.token = session.token
        return session

    def login(self, username: str, password: str, device_name: str) -> SessionInfo:
        """Sign this device in; SyncWrongPasswordError for a wrong username or password."""
        body = {"username": username, "password": password, "device_name": device_name}
        session = protocol.parse_session(self._call("POST", "/v1/sessions", json=body, idempotent=False))
        self.token = session.token
        return session

    def list_devices(self) -> list[SyncDevice]:
        """The account's signed-in devices."""
        return protocol.parse_devices(self._call("GET", "/v1/devices", auth=True))

    def revoke_device(self, device_id: str) -> None:
        """Sign a device out (this one too, which is logging out)."""
        self._call("DELETE", f"/v1/devices/{device_id}", auth=True)

    def change_password(self, current: str, new: str) -> None:
        """Change the account password; the server signs every other device out."""
        body = {"current_password": current, "new_password": new}
        self._call("PUT", "/v1/account/password", json=body, auth=True, idempotent=False)

    def delete_account(self, password: str) -> None:
        """Delete the account and everything it stored on the server."""
        self._call("DELETE", "/v1/account", json={"password": password}, auth=True, idempotent=False)

    def get_key_envelope(self) -> KeyEnvelope:
        """The key salt and wrapped data key."""
        return protocol.parse_key_envelope(self._call("GET", "/v1/key-envelope", auth=True))

    def put_key_envelope(self, envelope: str, expected_version: int) -> KeyEnvelope:
        """Store a wrapped data key; SyncConflictError if another device changed it meanwhile."""
        body = {"key_envelope": envelope, "expected_version": expected_version}
        return protocol.parse_key_envelope(self._call("PUT", "/v1/key-envelope", json=body, auth=True))

    # Change feed ---------------------------------------------------------------------------------------------

    def push(self, batch_id: str, records: Sequence[WireRecord]) -> PushOutcome:
        """Send a batch; safe to retry because the server answers a repeated batch id as before."""
        body = {"batch_id": batch_id, "records": [r.to_json() for r in records]}
        return protocol.parse_push(self._call("POST", "/v1/changes", json=body, auth=True))

    def pull(self, cursor: str | None, limit: int = 500, *, deleted_only: bool = False) -> PullPage:
        """Changes after `cursor` (None: from the start); only tombstones with `deleted_only`."""
        params: dict[str, Any] = {"limit": limit}
        if deleted_only:
            params["deleted_only"] = "true"
        if cursor:
            params["cursor"] = cursor
        return protocol.parse_pull(self._call("GET", "/v1/changes", params=params, auth=True))

    def health(self) -> bool:
        """Whether the server answers its health check."""
        self._call("GET", "/health", idempotent=True)
        return True

    # Plumbing ------------------------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        auth: bool = False,
        idempotent: bool = True,
    ) -> Any:
        headers = {}
        if auth:
            if not self.token:
                raise SyncTokenRevokedError("This device is not signed in to the sync server.")
            headers["Authorization"] = f"Bearer {self.token}"
        retrying = Retrying(
            stop=stop_after_attempt(self.retry.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_TransientError),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(
                self._send, method, path, json=json, params=params, headers=headers, idempotent=idempotent
            )
        except _TransientError as transient:
            raise transient.error from transient.__cause__

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any,
        params: dict[str, Any] | None,
        headers: dict[str, str],
        idempotent: bool,
    ) -> Any:
        """One try: the answer, or `_TransientError` for a failure another try may get past."""
        try:
            response = self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TransportError as error:
            unavailable = self._unavailable(_describe(error))
            if isinstance(error, _NOT_SENT) or idempotent:
                raise _TransientError(unavailable, note=_describe(error)) from error
            raise unavailable from error
        except httpx.HTTPError as error:  # invalid URL and similar: not transient
            raise SyncProtocolError(f"Cannot call the sync server at {self.base_url}: {error}") from error
        if response.is_success:
            return _json(response) if response.status_code != 204 else None
        refused = self._error_for(response)
        if not idempotent:
            raise refused
        if response.status_code == 429:
            after = response.headers.get("Retry-After", "")
            retry_after = float(after) if after.isdigit() else None
            if retry_after is not None and retry_after > self.retry.max_delay:
                raise refused  # longer than a person waits for a click: report it now
            raise _TransientError(refused, retry_after=retry_after, note=f"got {response.status_code}")
        if response.status_code in _RETRY_STATUSES:
            raise _TransientError(refused, note=f"got {response.status_code}")
        raise refused

    def _wait(self, state: RetryCallState) -> float:
        """The server's Retry-After when it gave one (tenacity has no strategy that reads a response), else
        the policy's backoff."""
        failure = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failure, _TransientError) and failure.retry_after is not None:
            return failure.retry_after
        return float(self.retry.backoff()(state))

    @staticmethod
    def _log_retry(state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        log.info("Sync request %s %s failed (%s); retrying in %.1f s", *state.args[:2], failure, wait)

    def _unavailable(self, reason: str) -> SyncUnavailableError:
        return SyncUnavailableError(
            f"Cannot reach the sync server at {self.base_url} ({reason}). Your local data is safe; "
            "sync will try again later."
        )

    def _error_for(self, response: httpx.Response) -> SyncError:
        code, message = _error_fields(response)
        status = response.status_code
        error: SyncError
        if status == 401 and code == "invalid_credentials":
            error = SyncWrongPasswordError(
                "Wrong username or password for the sync server."
                if response.request.url.path.endswith("/v1/sessions")
                else message
            )
        elif status == 401:
            error = SyncTokenRevokedError(
                f"This device is no longer signed in to {self.base_url} ({message}) Run "
                "`python main.py sync setup` to sign in again; your local data is safe."
            )
        elif status == 409 and code in {"cursor_ahead", "feed_restored"}:
            error = SyncServerResetError(message)
        elif status == 409:
            error = SyncConflictError(message)
        elif status == 403:
            error = SyncError(message)  # registration closed, or an invite code needed: the server's sentence
        elif status == 429:
            error = SyncRateLimitedError(f"The sync server asks to slow down: {message}")
        elif status == 507:
            error = SyncServerFullError(
                f"The sync server at {self.base_url} has run out of disk space, so it cannot store your changes "
                "now. Your local data is safe and will be sent later; tell the server's operator."
            )
        elif status >= 500:
            error = self._unavailable(f"server error {status}")
        else:
            error = SyncProtocolError(f"The sync server refused the request ({code}): {message}")
        error.server_code = code
        return error


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise SyncProtocolError(
            f"The sync server at {response.request.url} answered something that is not JSON."
        ) from error


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
        return str(body["error"]["code"]), str(body["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"http_{response.status_code}", response.reason_phrase or "no details"


def _describe(error: httpx.TransportError) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) < 200 else text[:200] + "…"
