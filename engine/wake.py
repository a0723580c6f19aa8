"""Wake-word detection with microWakeWord (Home Assistant's engine), whose four built-in models and TFLite
runtime ship inside the ``pymicro-wakeword`` wheel, so nothing is downloaded.

The detector scores 10 ms feature windows of 16 kHz audio; a listener runs it on its own thread over every
frame the microphone captures (a tap, independent of which turn is reading the microphone), through the echo
canceller while Aris speaks, so its own voice does not wake it. Muted, the frames are dropped before any
scoring: nothing is listened to at all."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import numpy as np

from engine.audio import FRAME_SAMPLES
from engine.errors import EngineError

log = logging.getLogger(__name__)

_FEATURE_SECONDS = 0.01
"""microWakeWord's feature step: one window per 10 ms of audio."""
_QUEUE_FRAMES = 400
"""Frames (about 13 s) waiting for the detector before the oldest are dropped; a stalled detector must not
grow memory, and a wake word that old is stale anyway."""


class WakeWordError(EngineError):
    """The wake-word model or its runtime could not be loaded."""

    code = "wake_word"


class WakeWord(StrEnum):
    """The built-in wake words (the names of the models inside pymicro-wakeword)."""

    OKAY_NABU = "okay_nabu"
    HEY_JARVIS = "hey_jarvis"
    HEY_MYCROFT = "hey_mycroft"
    ALEXA = "alexa"

    @property
    def phrase(self) -> str:
        """What the user says, as the window and the settings show it."""
        return _PHRASES[self]


_PHRASES = {
    WakeWord.OKAY_NABU: "Okay Nabu",
    WakeWord.HEY_JARVIS: "Hey Jarvis",
    WakeWord.HEY_MYCROFT: "Hey Mycroft",
    WakeWord.ALEXA: "Alexa",
}


def wake_word_named(name: str) -> WakeWord:
    """The wake word called ``name`` ("hey_jarvis").

    Raises:
        ValueError: no built-in model has that name (the message lists them).
    """
    try:
        return WakeWord(name)
    except ValueError:
        names = ", ".join(w.value for w in WakeWord)
        raise ValueError(f"Unknown wake word '{name}', expected one of: {names}") from None


@dataclass(frozen=True)
class WakeSettings:
    """Which wake word, and how often it may fire."""

    wake_word: WakeWord = WakeWord.HEY_JARVIS
    """The built-in model listened for."""
    refractory_s: float = 2.0
    """After a detection, none for this long (0-30 s): the model's averaged score stays over its cut-off for
    several windows of one phrase, and "Hey Jarvis… hey Jarvis" said at once is one call, not two."""
    threshold: float | None = None
    """Score (0-1) over which the phrase counts; None takes the model's own cut-off (0.97 for hey_jarvis),
    tuned by its authors for about one false wake per several hours of speech."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.refractory_s <= 30.0:
            raise ValueError(f"refractory_s must be between 0 and 30 s, got {self.refractory_s}")
        if self.threshold is not None and not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {self.threshold}")


@dataclass(frozen=True)
class WakeDetection:
    """One wake word heard."""

    wake_word: WakeWord
    stream_seconds: float
    """Where in the audio fed so far the detection fired (the end of the scored window)."""
    detected_at: float
    """time.monotonic() when it was scored."""
    score: float
    """The model's averaged probability that fired it."""
    frame_index: int = -1
    """The microphone's index of the frame it fired in (-1 when fed directly), so listening can start
    right after it: ``MicrophoneSource.start_listening(since=frame_index + 1)``."""


class WakeWordDetector:
    """A streaming detector over 16 kHz mono float32 audio of any chunk length. Not thread-safe: one feeder."""

    def __init__(self, settings: WakeSettings | None = None) -> None:
        """Load the model (a few ms: the models are ~50 kB).

        Raises:
            WakeWordError: the wheel, its TFLite runtime or the model is missing or broken.
        """
        self.settings = settings or WakeSettings()
        try:
            from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model

            self._model: Any = MicroWakeWord.from_builtin(Model(self.settings.wake_word.value))
            self._features: Any = MicroWakeWordFeatures()
        except (ImportError, OSError, ValueError) as error:
            log.exception("Loading the wake-word model %s failed", self.settings.wake_word.value)
            raise WakeWordError(
                f"The wake word '{self.settings.wake_word.phrase}' could not be loaded ({error}). "
                "Reinstall Aris's dependencies (pymicro-wakeword)."
            ) from error
        cutoff = self.settings.threshold
        self.threshold: float = float(self._model.probability_cutoff if cutoff is None else cutoff)
        self._windows = 0
        """Feature windows scored since the start (or reset): the stream's clock."""
        self._quiet_until = 0
        """Window index before which no detection may fire (the refractory period)."""

    @property
    def stream_seconds(self) -> float:
        """Audio scored so far."""
        return self._windows * _FEATURE_SECONDS

    def feed(self, samples: np.ndarray) -> WakeDetection | None:
        """Score ``samples`` (following on from the previous call); the first detection in them, if any."""
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        found: WakeDetection | None = None
        for features in self._features.process_streaming(pcm):
            score = self._model.process_streaming_prob(features) or 0.0
            self._windows += 1
            if found is None and score > self.threshold and self._windows >= self._quiet_until:
                self._quiet_until = self._windows + round(self.settings.refractory_s / _FEATURE_SECONDS)
                found = WakeDetection(self.settings.wake_word, self.stream_seconds, time.monotonic(), score)
        return found

    def reset(self) -> None:
        """Forget the audio so far (after a mute: half a phrase before it must not join one after it)."""
        self._model.reset()
        self._features.reset()
        self._windows = 0
        self._quiet_until = 0

    def close(self) -> None:
        """Release the TFLite interpreter."""
        self._model.close()


class FrameCleaner(Protocol):
    """Takes the echo of Aris's own voice out of a microphone frame (engine.bargein.EchoFilter)."""

    def clean_while_playing(self, frame: np.ndarray) -> np.ndarray:
        """The frame without the playback's echo (as captured while nothing plays)."""
        ...


class WakeListener:
    """Runs a detector on its own thread over frames pushed in from the microphone's capture callback.

    ``push`` only queues (it runs on the audio thread); scoring, the echo canceller and ``on_wake`` run on
    the listener's thread. ``on_wake`` must return quickly: it is told, it does not answer."""

    def __init__(
        self,
        detector: WakeWordDetector,
        on_wake: Callable[[WakeDetection], None],
        *,
        echo: FrameCleaner | None = None,
    ) -> None:
        self.detector = detector
        self._on_wake = on_wake
        self._echo = echo
        self._frames: queue.Queue[tuple[np.ndarray, int] | None] = queue.Queue(maxsize=_QUEUE_FRAMES)
        self._muted = threading.Event()
        self._was_muted = False
        self.detections = 0
        """Wake words heard since the start, for the log and tests."""
        self._thread = threading.Thread(target=self._run, name="aris-wake-word", daemon=True)
        self._thread.start()

    def set_echo(self, echo: FrameCleaner | None) -> None:
        """Clean frames with ``echo`` from now on (a speaker opened); None listens to the raw microphone."""
        self._echo = echo

    @property
    def muted(self) -> bool:
        """Whether the microphone is muted: no frame is scored."""
        return self._muted.is_set()

    def set_muted(self, muted: bool) -> None:
        """Stop (or resume) listening for the wake word at once; frames already queued are dropped."""
        if muted:
            self._muted.set()
        else:
            self._muted.clear()

    def push(self, frame: np.ndarray, index: int = -1) -> None:
        """A captured 16 kHz frame and the microphone's index for it; cheap, safe from the audio callback.
        Dropped while muted."""
        if self._muted.is_set():
            return
        try:
            self._frames.put_nowait((frame, index))
        except queue.Full:
            with contextlib.suppress(queue.Empty):
                self._frames.get_nowait()  # the oldest goes: a stalled detector stays current
                self._frames.task_done()
            self._frames.put_nowait((frame, index))

    def _run(self) -> None:
        while True:
            item = self._frames.get()
            if item is None:
                self._frames.task_done()
                return
            frame, index = item
            try:
                if self._muted.is_set():
                    self._was_muted = True
                    continue
                if self._was_muted:
                    self._was_muted = False
                    self.detector.reset()
                echo = self._echo
                cleaned = echo.clean_while_playing(frame) if echo is not None else frame
                detection = self.detector.feed(cleaned)
                if detection is not None:
                    detection = dataclasses.replace(detection, frame_index=index)
                    self.detections += 1
                    log.info("Wake word '%s' heard (score %.3f)", detection.wake_word.phrase, detection.score)
                    self._on_wake(detection)
            except Exception:  # the listener must outlive a failing frame, or hands-free dies silently
                log.exception("The wake-word listener failed on a frame; it keeps listening")
            finally:
                self._frames.task_done()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until every pushed frame has been scored (for tests and the bench); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._frames.unfinished_tasks > 0:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self) -> None:
        """Stop the thread and release the model (bounded wait)."""
        with contextlib.suppress(queue.Full):
            self._frames.put(None, timeout=1.0)
        self._thread.join(timeout=2.0)
        self.detector.close()


def frames_of(samples: np.ndarray, frame_samples: int = FRAME_SAMPLES) -> list[np.ndarray]:
    """``samples`` cut into microphone-sized frames (the last one may be shorter), for feeding recordings."""
    return [samples[i : i + frame_samples] for i in range(0, len(samples), frame_samples)]
