"""The live channel: the server's "new changes" notifications (Server-Sent Events) wake the sync runner at once.

Notifications are only hints: the runner keeps its polling interval as the fallback, and each reconnection
also triggers a round, so nothing announced while the channel was down is missed for long.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable

import httpx
from httpx_sse import EventSource, connect_sse
from tenacity import RetryCallState, Retrying, retry_if_exception_type
from tenacity.wait import wait_exponential

log = logging.getLogger(__name__)

# The server sends a keep-alive comment every 10 s; silence for this long means the connection is dead.
READ_TIMEOUT_S = 30.0


class LiveChannel:
    """A thread that holds `GET /v1/events` open and calls `on_change` when another device pushed."""

    def __init__(
        self,
        base_url: str,
        token: str,
        device_id: str,
        on_change: Callable[[], None],
        *,
        max_backoff_s: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._device_id = device_id
        self._on_change = on_change
        self._max_backoff = max_backoff_s
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._response: httpx.Response | None = None
        self._reconnecting = False
        self._thread = threading.Thread(target=self._run, name="aris-sync-live", daemon=True)

    @property
    def connected(self) -> bool:
        """Whether the stream is open now (when not, the runner's polling covers for it)."""
        return self._connected.is_set()

    def start(self) -> None:
        """Start listening."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Close the stream and end the thread; True if it ended within `timeout`."""
        self._stop.set()
        _abort(self._response)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        with httpx.Client(
            timeout=httpx.Timeout(10.0, read=READ_TIMEOUT_S),
            headers={"Authorization": f"Bearer {self._token}"},
        ) as http:
            # Reconnect after 1, 2, 4 … s (at most max_backoff_s); stop() cuts a wait short.
            Retrying(
                retry=retry_if_exception_type((httpx.HTTPError, OSError)),
                wait=wait_exponential(multiplier=1.0, max=self._max_backoff),
                sleep=self._pause,
                stop=lambda _state: self._stop.is_set(),
                before_sleep=_log_down,
                retry_error_callback=lambda _state: None,
            )(self._listen, http)

    def _pause(self, seconds: float) -> None:
        """Wait before reconnecting; `stop()` ends the wait at once."""
        self._stop.wait(seconds)

    def _listen(self, http: httpx.Client) -> None:
        """Hold the stream open until it breaks (raises) or `stop()` (returns)."""
        if self._stop.is_set():
            return
        try:
            with connect_sse(http, "GET", self.base_url + "/v1/events") as source:
                self._follow(source)
        finally:
            self._connected.clear()
            self._response = None

    def _follow(self, source: EventSource) -> None:
        response = source.response
        if response.status_code != 200:
            raise httpx.HTTPStatusError(
                f"event stream refused ({response.status_code})", request=response.request, response=response
            )
        self._response = response
        if self._stop.is_set():
            return
        self._connected.set()
        log.info("Live sync channel open")
        if self._reconnecting:
            self._on_change()  # catch up with whatever happened while the channel was down
        self._reconnecting = True  # the first connection needs no catch-up: the runner's first round is it
        for event in source.iter_sse():
            if self._stop.is_set():
                return
            if event.event == "changes" and self._from_elsewhere(event.data):
                self._on_change()
        if not self._stop.is_set():
            raise httpx.ReadError("the server closed the event stream")

    def _from_elsewhere(self, data: str) -> bool:
        try:
            return bool(json.loads(data).get("device_id") != self._device_id)
        except (ValueError, AttributeError):
            return True


def _log_down(state: RetryCallState) -> None:
    failure = state.outcome.exception() if state.outcome is not None else None
    log.info("Live sync channel down (%s); polling meanwhile", failure.__class__.__name__)


def _abort(response: httpx.Response | None) -> None:
    """Wake a thread blocked reading `response` by shutting its socket down: neither httpx nor httpx-sse can
    interrupt a read from another thread, and closing the socket does not wake a recv() on Linux."""
    if response is None:
        return
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
