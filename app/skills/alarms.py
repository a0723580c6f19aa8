"""Rings timers and reminders while the app runs: a background thread checks the database twice a second, so
one set from the CLI (another process) rings too; one that came due while Aris was closed is announced as
missed at the next start."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from app.skills import russian
from app.skills.speech import join_items, say_time
from app.skills.store import SkillStore, Timer, TimerKind, TimerState
from app.skills.when import next_occurrence
from app.storage.errors import StorageError
from engine.audio.protocols import AudioChunk, AudioSink
from engine.chime import chime

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How often the database is checked: a timer set by `ask` in another process rings within this."""
MISSED_AFTER_SECONDS = 60.0
"""A timer due longer ago than this when Aris starts was missed (not just late by a restart)."""


@dataclass(frozen=True)
class Ring:
    """A timer or reminder that just came due, with what to say and show."""

    timer: Timer
    text: str
    missed: bool = False


def ring_text(timer: Timer, language: str = "en") -> str:
    """What Aris says when it rings, in the reply language (English unless the skills speak it)."""
    if language == "ru":
        return russian.ring_text(timer)
    if timer.kind is TimerKind.REMINDER:
        return f"Reminder: {timer.name}." if timer.name else "This is your reminder."
    return f"Your {timer.name} timer is done." if timer.name else "Your timer is done."


def missed_text(timers: list[Timer], language: str = "en") -> str:
    """The announcement at start for what rang while Aris was closed."""
    if language == "ru":
        return russian.missed_text(timers)
    parts = []
    for timer in timers:
        at = say_time(datetime.fromtimestamp(timer.fires_at).astimezone())
        parts.append(f"{timer.label()} at {at}")
    return f"While I was closed, I missed {join_items(parts)}."


class AlarmWatcher:
    """Checks for due timers and hands each to ``on_ring`` once (on the watcher's thread)."""

    def __init__(
        self,
        store: SkillStore,
        on_ring: Callable[[Ring], None],
        language: Callable[[], str] = lambda: "en",
    ) -> None:
        """``language`` is asked at each ring, so a changed language setting applies to the next one."""
        self.store = store
        self.on_ring = on_ring
        self.language = language
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def missed_at_start(self, *, grace_s: float = MISSED_AFTER_SECONDS) -> list[Timer]:
        """Mark what came due while Aris was closed as missed (repeats move to their next time)."""
        now = self.store.now()
        missed = []
        for timer in self.store.due():
            if timer.fires_at > now - grace_s:
                continue  # due during a quick restart: ring it normally
            if self._advance(timer, TimerState.MISSED):
                missed.append(timer)
        return missed

    def check(self) -> list[Ring]:
        """Ring everything due now."""
        rings = []
        for timer in self.store.due():
            if self._advance(timer, TimerState.RANG):
                rings.append(Ring(timer, ring_text(timer, self.language())))
        return rings

    def _advance(self, timer: Timer, state: TimerState) -> bool:
        if timer.recurrence:
            at = datetime.fromtimestamp(timer.fires_at).astimezone()
            after = max(at, datetime.fromtimestamp(self.store.now()).astimezone())
            following = next_occurrence(after, timer.recurrence, at.hour, at.minute)
            return self.store.claim(timer, TimerState.RUNNING, fires_at=following.timestamp())
        return self.store.claim(timer, state)

    def start(self) -> None:
        """Check in the background until :meth:`stop`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="aris-alarms", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop checking (bounded wait)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                rings = self.check()
            except StorageError as error:
                log.warning("Could not check timers: %s", error.message)
                continue
            for ring in rings:
                try:
                    self.on_ring(ring)
                except Exception:  # a failing listener must not stop later timers from ringing
                    log.exception("Ringing %s failed", ring.timer.id)


def ring_aloud(text: str, sink: AudioSink, speech: Iterable[AudioChunk], sample_rate: int) -> None:
    """Ring on a speaker: the chime first (an alarm is a reminder that rings), then the words, then wait
    until both were heard."""
    sink.play(chime(sample_rate))
    for chunk in speech:
        sink.play(chunk)
    sink.wait_done()


Speak = Callable[[str], Iterable[AudioChunk]]
"""Text → the voice's audio (a synthesizer's ``synthesize``)."""


class AlarmBell:
    """Rings due timers, reminders and alarms aloud while a voice command runs (`listen`, `hands-free`):
    the chime, then what is due, on the command's speaker. ``submit`` queues the ringing behind the reply
    being spoken (the voice loop's worker), so the two never talk over each other."""

    def __init__(
        self,
        store: SkillStore,
        sink: AudioSink,
        speak: Speak,
        sample_rate: int,
        *,
        submit: Callable[[Callable[[], None]], None] | None = None,
        language: Callable[[], str] = lambda: "en",
    ) -> None:
        self.store = store
        self.sink = sink
        self.speak = speak
        self.sample_rate = sample_rate
        self.submit = submit
        self.rang: list[Ring] = []
        """Everything rung so far (what the command reports)."""
        self.watcher = AlarmWatcher(store, self._on_ring, language)

    def start(self) -> None:
        """Ring what is due from now on (in the background)."""
        self.watcher.start()

    def ring_due(self) -> list[Ring]:
        """Ring what is due right now, on the caller's thread (the last check before a command exits)."""
        rings = self.watcher.check()
        for ring in rings:
            self._ring(ring)
        return rings

    def stop(self) -> None:
        """Stop watching (bounded wait); a ring already queued still plays."""
        self.watcher.stop()

    def _on_ring(self, ring: Ring) -> None:
        if self.submit is None:
            self._ring(ring)
        else:
            self.submit(lambda: self._ring(ring))

    def _ring(self, ring: Ring) -> None:
        log.info("Ringing: %s", ring.text)
        self.rang.append(ring)
        ring_aloud(ring.text, self.sink, self.speak(ring.text), self.sample_rate)
