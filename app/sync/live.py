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
        failures = 0
        with httpx.Client(
            timeout=httpx.Timeout(10.0, read=READ_TIMEOUT_S),
            headers={"Authorization": f"Bearer {self._token}", "Accept": "text/event-stream"},
        ) as http:
            while not self._stop.is_set():
                try:
                    self._listen(http)
                    failures = 0
                except (httpx.HTTPError, OSError) as error:
                    failures += 1
                    log.info("Live sync channel down (%s); polling meanwhile", error.__class__.__name__)
                finally:
                    self._connected.clear()
                    self._response = None
                self._stop.wait(min(self._max_backoff, 0.5 * 2 ** min(failures, 8)))

    def _listen(self, http: httpx.Client) -> None:
        with http.stream("GET", self.base_url + "/v1/events") as response:
            if response.status_code != 200:
                raise httpx.HTTPStatusError(
                    f"event stream refused ({response.status_code})",
                    request=response.request,
                    response=response,
                )
            self._response = response
            if self._stop.is_set():
                return
            self._connected.set()
            log.info("Live sync channel open")
            if self._reconnecting:
                self._on_change()  # catch up with whatever happened while the channel was down
            self._reconnecting = (
                True  # the first connection needs no catch-up: the runner's first round is it
            )
            event = None
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "changes" and self._from_elsewhere(line[5:]):
                    self._on_change()
                elif not line:
                    event = None
        raise httpx.ReadError("the server closed the event stream")

    def _from_elsewhere(self, data: str) -> bool:
        try:
            return json.loads(data).get("device_id") != self._device_id
        except (ValueError, AttributeError):
            return True


def _abort(response: httpx.Response | None) -> None:
    """Wake a thread blocked reading `response` by shutting its socket down."""
    if response is None:
        return
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
