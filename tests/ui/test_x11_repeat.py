"""A held shortcut's auto-repeat pairs, split across reads of the X connection as a busy machine splits them,
are not taken for a release. The X server is scripted (a socket pair stands in for its connection) because a
real one sends each pair in one write; the grab thread is the real one."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

from Xlib import X

from ui.x11_grab import X11KeyGrab

KEYCODE = 44


@dataclass(frozen=True)
class KeyEvent:
    type: int
    detail: int
    time: int


class ScriptedDisplay:
    """The part of python-xlib's Display the grab thread uses; events arrive when the script sends them."""

    def __init__(self) -> None:
        self._ours, self._server = socket.socketpair()
        self._ours.setblocking(False)
        self._in_flight: list[KeyEvent] = []
        self._queue: list[KeyEvent] = []
        self._lock = threading.Lock()

    def send(self, event: KeyEvent) -> None:
        with self._lock:
            self._in_flight.append(event)
        self._server.send(b"x")

    def fileno(self) -> int:
        return self._ours.fileno()

    def pending_events(self) -> int:
        try:
            arrived = len(self._ours.recv(4096))
        except BlockingIOError:
            arrived = 0
        with self._lock:
            self._queue += self._in_flight[:arrived]
            del self._in_flight[:arrived]
            return len(self._queue)

    def next_event(self) -> KeyEvent:
        while not self.pending_events():
            time.sleep(0.001)
        with self._lock:
            return self._queue.pop(0)

    def screen(self) -> ScriptedDisplay:
        return self

    @property
    def root(self) -> ScriptedDisplay:
        return self

    def ungrab_key(self, _keycode: int, _modifiers: int) -> None:
        """Nothing was grabbed on a scripted server."""

    def sync(self) -> None:
        """Nothing to flush."""

    def close(self) -> None:
        self._ours.close()
        self._server.close()


def test_a_repeat_pair_split_across_reads_is_not_a_release() -> None:
    seen: list[str] = []
    grab = X11KeyGrab("<ctrl>+<alt>+j", lambda: seen.append("press"), lambda: seen.append("release"))
    display = ScriptedDisplay()
    grab._display, grab._keycode = display, KEYCODE  # what start() sets after grabbing on a real server
    thread = threading.Thread(target=grab._run, daemon=True)
    thread.start()
    try:
        display.send(KeyEvent(X.KeyPress, KEYCODE, 1000))
        for repeat_at in (1660, 1700, 1740):  # the server's auto-repeat while the key is held
            display.send(KeyEvent(X.KeyRelease, KEYCODE, repeat_at))
            time.sleep(0.005)  # the pair's press comes a read later
            display.send(KeyEvent(X.KeyPress, KEYCODE, repeat_at))
            time.sleep(0.02)
        display.send(KeyEvent(X.KeyRelease, KEYCODE, 2000))  # let go
        deadline = time.monotonic() + 5
        while "release" not in seen and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        assert seen == ["press", "release"], seen
    finally:
        grab._stop.set()
        thread.join(5)
