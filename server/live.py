"""Live updates: "your account has new changes" sent to each signed-in device's open event stream.

One process: a push, once committed, wakes the streams of that account in this process. Several processes on
one PostgreSQL: the push sends `NOTIFY` inside its transaction (delivered only if it commits), and every
process LISTENs and wakes its own streams, so no broker is needed. Notifications are hints; a device that
misses one still gets the changes from its next pull, which its polling fallback makes anyway.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sse_starlette import ServerSentEvent

from server.db import Database

log = logging.getLogger(__name__)

CHANNEL = "aris_sync_changes"
# Seconds between keep-alive comments on an idle stream (proxies close silent connections).
HEARTBEAT_S = 10.0


@dataclass(frozen=True)
class ChangeEvent:
    """An account's feed moved on; `device_id` pushed the change (so it can ignore its own)."""

    user_id: int
    seq: int
    device_id: str

    def to_sse(self) -> ServerSentEvent:
        """The Server-Sent Event a device receives."""
        return ServerSentEvent(
            event="changes", data=json.dumps({"seq": self.seq, "device_id": self.device_id})
        )


class LiveUpdates:
    """Subscriptions of the open event streams in this process, and how pushes announce themselves."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._lock = threading.Lock()
        self._streams: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[ChangeEvent]]]] = {}
        self._listener: _PostgresListener | None = None

    def start(self) -> None:
        """On PostgreSQL, start listening for other processes' pushes."""
        if not self._database.is_sqlite and self._listener is None:
            self._listener = _PostgresListener(self._database, self.deliver)
            self._listener.start()

    def stop(self) -> None:
        """Stop listening."""
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def subscribe(self, user_id: int) -> asyncio.Queue[ChangeEvent]:
        """A queue that receives the account's change events (call from the event loop)."""
        queue: asyncio.Queue[ChangeEvent] = asyncio.Queue(maxsize=1)
        with self._lock:
            self._streams.setdefault(user_id, set()).add((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, user_id: int, queue: asyncio.Queue[ChangeEvent]) -> None:
        """Forget a closed stream."""
        with self._lock:
            streams = self._streams.get(user_id, set())
            streams.discard((asyncio.get_running_loop(), queue))
            if not streams:
                self._streams.pop(user_id, None)

    def announce(self, session: Session, event: ChangeEvent) -> None:
        """Inside the push's transaction: on PostgreSQL, NOTIFY (sent only if the transaction commits)."""
        if not self._database.is_sqlite:
            payload = f"{event.user_id}:{event.seq}:{event.device_id}"
            session.execute(select(func.pg_notify(CHANNEL, payload)))

    def committed(self, event: ChangeEvent) -> None:
        """After the push committed: with SQLite (one process), wake this process's streams directly."""
        if self._database.is_sqlite:
            self.deliver(event)

    def deliver(self, event: ChangeEvent) -> None:
        """Wake every stream of the event's account in this process (thread-safe)."""
        with self._lock:
            targets = list(self._streams.get(event.user_id, ()))
        for loop, queue in targets:
            loop.call_soon_threadsafe(_offer, queue, event)


def _offer(queue: asyncio.Queue[ChangeEvent], event: ChangeEvent) -> None:
    # One waiting event per stream is enough: it only says "pull now".
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(event)


class _PostgresListener:
    """A thread holding one connection that LISTENs on the channel and hands events to `deliver`."""

    def __init__(self, database: Database, deliver: Callable[[ChangeEvent], None]) -> None:
        self._url = make_url(database.url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._deliver = deliver
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="aris-listen", daemon=True)

    def start(self) -> None:
        """Start the listening thread."""
        self._thread.start()

    def stop(self) -> None:
        """End the thread within about a second."""
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    log.info("Listening for changes from other server processes")
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=1.0):
                            self._handle(note.payload)
            except psycopg.Error:
                log.warning("Lost the PostgreSQL notification connection; reconnecting", exc_info=True)
                self._stop.wait(2.0)

    def _handle(self, payload: str) -> None:
        try:
            user_id, seq, device_id = payload.split(":", 2)
            event = ChangeEvent(int(user_id), int(seq), device_id)
        except ValueError:
            log.warning("Ignored a malformed change notification")
            return
        self._deliver(event)
