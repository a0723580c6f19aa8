"""Hands-free: the wake word opens a question, the answer is followed by a few seconds in which a follow-up
needs no wake word, and the wake word said during an answer interrupts it (barge-in by name).

Runs on the microphone and speaker the app already has: the wake-word listener taps every captured frame
(through the echo canceller fed with the speaker's output, so Aris's own voice does not wake it), and the
conversation runs on one worker thread of its own, like the shell's turns."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from app.assistant import Assistant
from engine.audio import AudioSink, MicrophoneSource
from engine.bargein import BargeInSettings, EchoFilter
from engine.cancel import CancelToken, TurnSlot
from engine.chime import listening_cue
from engine.pipeline import TurnResult
from engine.wake import WakeDetection, WakeListener, WakeSettings, WakeWord, WakeWordDetector

log = logging.getLogger(__name__)

QUESTION_WAIT_S = 6.0
"""After the wake word, how long the question may take to start; a wake nobody followed then lapses."""


class HandsFreeState(StrEnum):
    """What hands-free is doing, for the tray and the window."""

    WAITING = "waiting"
    """Listening for the wake word only."""
    LISTENING = "listening"
    """Woken: taking the question."""
    FOLLOW_UP = "follow_up"
    """After an answer: a question now needs no wake word."""
    MUTED = "muted"
    """The microphone is muted: nothing is listened to, not even for the wake word."""


class TurnRunner(Protocol):
    """Where turns run: the desktop's engine worker (so a wake word and the push-to-talk key take turns on
    one thread and each stops the other), or a worker of hands-free's own."""

    def new_turn(self, reason: str) -> CancelToken:
        """Stop the running turn, if any, for ``reason``; the token of the next one."""
        ...

    def submit(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the turns' thread, after what is queued there."""
        ...


class OwnWorker:
    """A TurnRunner with its own thread, for when nothing else runs turns (the `hands-free` command)."""

    def __init__(self) -> None:
        self._turns = TurnSlot()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aris-hands-free")
        self.last: Future[None] | None = None
        """The latest job submitted (for tests)."""

    def new_turn(self, reason: str) -> CancelToken:
        """Stop the running turn and hand out the next token."""
        return self._turns.next(reason)

    def submit(self, job: Callable[[], None]) -> None:
        """Queue ``job`` on the thread."""
        self.last = self._worker.submit(job)

    def close(self) -> None:
        """Stop the running turn and the thread (waiting for the job to unwind)."""
        self._turns.cancel("closing")
        self._worker.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class HandsFreeSettings:
    """The wake word and the follow-up window."""

    wake_word: WakeWord = WakeWord.HEY_JARVIS
    follow_up_s: float = 5.0
    """Seconds after an answer in which a follow-up needs no wake word (0-30; 0: none)."""
    cue: bool = True
    """Play a short rising blip when the wake word is heard, so the user knows Aris is listening."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.follow_up_s <= 30.0:
            raise ValueError(f"follow_up_s must be between 0 and 30 s, got {self.follow_up_s}")


class HandsFree:
    """Wake word → question → answer → follow-up window, until :meth:`close`."""

    def __init__(
        self,
        assistant: Assistant,
        microphone: MicrophoneSource,
        sink: AudioSink | None,
        settings: HandsFreeSettings | None = None,
        *,
        on_state: Callable[[HandsFreeState], None] | None = None,
        on_result: Callable[[TurnResult], None] | None = None,
        runner: TurnRunner | None = None,
    ) -> None:
        self.assistant = assistant
        self.microphone = microphone
        self.sink = sink
        self.settings = settings or HandsFreeSettings()
        self._on_state = on_state
        self._on_result = on_result
        self._lock = threading.Lock()
        """Guards the current conversation's token and the microphone's arming against a wake word."""
        self._cancel: CancelToken | None = None
        self._muted = False
        self.state = HandsFreeState.WAITING
        self._own_worker: OwnWorker | None = None
        if runner is None:
            runner = self._own_worker = OwnWorker()
        self._runner: TurnRunner = runner
        echo = EchoFilter.create(BargeInSettings(), sink) if sink is not None else None
        detector = WakeWordDetector(WakeSettings(self.settings.wake_word))
        self._listener = WakeListener(detector, self._on_wake, echo=echo)
        microphone.add_tap(self._listener.push)
        log.info("Hands-free: listening for '%s'", self.settings.wake_word.phrase)
        self._set_state(HandsFreeState.WAITING)

    @property
    def wake_phrase(self) -> str:
        """What to say."""
        return self.settings.wake_word.phrase

    def _set_state(self, state: HandsFreeState) -> None:
        self.state = state
        if self._on_state is not None:
            self._on_state(state)

    def _on_wake(self, detection: WakeDetection) -> None:
        """On the listener's thread: stop whatever runs (an answer, a follow-up wait) and take a question
        from right after the phrase."""
        with self._lock:
            if self._muted:
                return
            # Barge-in by name: whatever runs (an answer, a question being waited for) stops at once.
            cancel = self._runner.new_turn("wake word")
            self._cancel = cancel
            since = detection.frame_index + 1 if detection.frame_index >= 0 else None
            arming = self.microphone.start_listening(since=since)
        if self.settings.cue and self.sink is not None:
            self.sink.play(listening_cue())
        self._runner.submit(lambda: self._conversation(cancel, arming))

    def _conversation(self, cancel: CancelToken, arming: int) -> None:
        """One question after the wake word, then follow-ups for as long as they come."""
        if cancel.cancelled:
            return
        try:
            self._set_state(HandsFreeState.LISTENING)
            result = self._turn(cancel, QUESTION_WAIT_S)
            while result is not None and self.settings.follow_up_s > 0:
                with self._lock:
                    if cancel.cancelled or self._muted:
                        break
                    self.microphone.start_listening()
                self._set_state(HandsFreeState.FOLLOW_UP)
                result = self._turn(cancel, self.settings.follow_up_s)
        finally:
            self.microphone.disarm(arming)
            with self._lock:
                current = self._cancel is cancel
                if current:
                    self._cancel = None
            if current and not self._muted:
                self._set_state(HandsFreeState.WAITING)

    def _turn(self, cancel: CancelToken, wait_for_speech_s: float) -> TurnResult | None:
        """A question and its answer; None when nobody spoke in time or the wake word took over."""
        result = self.assistant.listen_and_answer(
            self.microphone,
            self.sink,
            cancel,
            live=self.sink is not None,
            wait_for_speech_s=wait_for_speech_s,
        )
        if result is not None and self._on_result is not None:
            self._on_result(result)
        if result is None or cancel.cancelled or not result.transcript:
            return None
        return result

    def run_between_turns(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the loop's worker, after the answer being spoken (a timer ringing)."""
        self._runner.submit(job)

    def set_muted(self, muted: bool) -> None:
        """Muted, nothing is listened to: no wake word, and a question being waited for is dropped (an
        answer already being spoken finishes)."""
        with self._lock:
            self._muted = muted
            self._listener.set_muted(muted)
            waiting = self.state in (HandsFreeState.LISTENING, HandsFreeState.FOLLOW_UP)
            if muted and waiting and self._cancel is not None:
                self._cancel.cancel("muted")
        self._set_state(HandsFreeState.MUTED if muted else HandsFreeState.WAITING)

    def close(self) -> None:
        """Stop listening, end the conversation, release the model (bounded waits)."""
        self.microphone.remove_tap(self._listener.push)
        with self._lock:
            if self._cancel is not None:
                self._cancel.cancel("closing")
        if self._own_worker is not None:
            self._own_worker.close()
        self._listener.close()
