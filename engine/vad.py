"""Voice-activity detection and endpointing with the Silero VAD model that faster-whisper ships.

faster-whisper's wrapper scores a whole recording at once and resets its state on each call; a microphone
delivers 32 ms frames, so this module keeps the model's recurrent state across frames itself."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from engine.audio import CAPTURE_RATE, FRAME_SAMPLES

log = logging.getLogger(__name__)

_CONTEXT_SAMPLES = 64
FRAME_SECONDS = FRAME_SAMPLES / CAPTURE_RATE
_TRAILING_KEEP_FRAMES = 4
"""Silence kept after the last speech frame (128 ms): Whisper drops final words that touch the cut. It is
also the pause after which speculative transcription starts; measured on 33 espeak-ng sentences, 128 ms
(speculation ~145 ms after the last sound) transcribed as well as 192 ms (~210 ms after it)."""


class StreamingVad:
    """Speech probability per 32 ms frame, with state carried from frame to frame."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self.reset()

    def reset(self) -> None:
        """Forget previous audio (start of a new utterance stream)."""
        self._state_h = np.zeros((1, 1, 128), dtype=np.float32)
        self._state_c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT_SAMPLES, dtype=np.float32)

    def probability(self, frame: np.ndarray) -> float:
        """P(speech) for one frame of FRAME_SAMPLES at 16 kHz."""
        if len(frame) != FRAME_SAMPLES:
            raise ValueError(f"VAD frames must be {FRAME_SAMPLES} samples, got {len(frame)}")
        window = np.concatenate([self._context, frame.astype(np.float32)])[None, :]
        output, self._state_h, self._state_c = self._session.run(
            None, {"input": window, "h": self._state_h, "c": self._state_c}
        )
        self._context = frame[-_CONTEXT_SAMPLES:].astype(np.float32)
        return float(np.asarray(output).reshape(-1)[0])


@dataclass(frozen=True)
class EndpointSettings:
    """When a question starts and ends."""

    trailing_silence_ms: int = 600
    """Silence after speech that ends the question: the main latency knob (GLaDOS 416, LiveKit 550)."""
    min_speech_ms: int = 200
    """Speech shorter than this (a click, a cough) does not start a question."""
    threshold: float = 0.5
    """Speech probability that counts as speech."""
    pre_roll_ms: int = 300
    """Audio kept from before speech was detected, so the first syllable is not clipped."""
    max_seconds: float = 30.0
    """A question is cut off after this long."""
    adaptive: bool = False
    """Let the question's transcript so far set the pause that ends it (engine/turn_end.py): a complete
    question ends after ``complete_ms``, an unfinished one after ``unfinished_ms``; unsure keeps
    ``trailing_silence_ms``. Hands-free only: push-to-talk ends on the key."""
    complete_ms: int = 250
    """Silence that ends a question that reads as complete (it ends when its transcript is ready, if later)."""
    unfinished_ms: int = 1200
    """Silence that ends a question that stops on "and", "um", "for", a number…: the speaker is mid-thought."""
    wait_for_speech_s: float | None = None
    """No speech starting within this long ends the listening with nothing: the window for a follow-up
    question, or a wake word nobody followed. None waits as long as the input lasts."""


class EndpointKind(StrEnum):
    """What the endpointer noticed."""

    SPEECH_STARTED = "speech_started"
    SPEECH_ENDED = "speech_ended"
    NO_SPEECH = "no_speech"
    """Nobody spoke within ``wait_for_speech_s``."""


@dataclass(frozen=True)
class Utterance:
    """One spoken question: its audio and where in the stream it ended."""

    audio: np.ndarray
    end_sample: int
    """Stream position (samples) of the last speech frame."""
    cut_off: bool = False
    """True when max_seconds ended it rather than silence."""
    speech_end_at: float | None = None
    """time.monotonic() when the last word ended, for a live source (the hands-free clock starts there)."""


class Endpointer:
    """Cuts a stream of frames into utterances: speech start after min_speech_ms of speech, end after
    trailing_silence_ms of silence. Leading silence and short noises produce nothing."""

    def __init__(self, settings: EndpointSettings | None = None, vad: StreamingVad | None = None) -> None:
        self.settings = settings or EndpointSettings()
        self.vad = vad or StreamingVad()
        s = self.settings
        self._start_frames = max(1, round(s.min_speech_ms / 1000 / FRAME_SECONDS))
        self._end_frames = max(1, round(s.trailing_silence_ms / 1000 / FRAME_SECONDS))
        self._pre_roll_frames = max(0, round(s.pre_roll_ms / 1000 / FRAME_SECONDS))
        self._max_frames = round(s.max_seconds / FRAME_SECONDS)
        self._wait_frames = (
            None if s.wait_for_speech_s is None else round(s.wait_for_speech_s / FRAME_SECONDS)
        )
        self.reset()

    def reset(self) -> None:
        """Start over, e.g. for the next question."""
        self.vad.reset()
        self._frames: list[np.ndarray] = []
        self._offset = 0
        """Stream index of self._frames[0]: frames before it were dropped while waiting for speech."""
        self._position = 0
        self._speech_run = 0
        self._silence_run = 0
        self._in_speech = False
        self._speech_begin = 0
        self._last_speech_frame = 0
        self._pause_end_frames: int | None = None
        """This pause's own length to end the question (end_pause_after), until speech resumes."""

    def feed(self, frame: np.ndarray) -> tuple[EndpointKind, Utterance | None] | None:
        """Score one frame; returns an event when speech starts or an utterance completes."""
        s = self.settings
        probability = self.vad.probability(frame)
        self._frames.append(frame)
        index = self._position
        self._position += 1
        is_speech = probability >= s.threshold
        # Hysteresis: once speaking, a slightly lower probability still counts as speech.
        if self._in_speech and probability >= s.threshold - 0.15:
            is_speech = True
        if not self._in_speech:
            self._speech_run = self._speech_run + 1 if is_speech else 0
            if self._speech_run >= self._start_frames:
                self._in_speech = True
                self._speech_begin = max(0, index - self._speech_run + 1 - self._pre_roll_frames)
                self._last_speech_frame = index
                self._silence_run = 0
                return EndpointKind.SPEECH_STARTED, None
            if self._wait_frames is not None and self._position >= self._wait_frames:
                return EndpointKind.NO_SPEECH, None
            # Keep only the pre-roll while waiting for speech.
            keep = self._pre_roll_frames + self._start_frames
            if len(self._frames) > keep:
                drop = len(self._frames) - keep
                self._frames = self._frames[drop:]
                self._offset += drop
            return None
        if is_speech:
            self._last_speech_frame = index
            self._silence_run = 0
            self._pause_end_frames = None
        else:
            self._silence_run += 1
        cut_off = index - self._speech_begin + 1 >= self._max_frames
        if self._silence_run >= self._pause_frames() or cut_off:
            return EndpointKind.SPEECH_ENDED, self._finish(cut_off)
        return None

    def _pause_frames(self) -> int:
        return self._end_frames if self._pause_end_frames is None else self._pause_end_frames

    def end_pause_after(self, ms: int) -> Utterance | None:
        """End the question after ``ms`` of silence in this pause instead of the setting (the transcript so
        far says it is complete, or unfinished); speech resuming restores the setting. Returns the
        utterance at once if the pause is already that long."""
        if not self._in_speech or self._silence_run == 0:
            return None
        self._pause_end_frames = max(_TRAILING_KEEP_FRAMES, round(ms / 1000 / FRAME_SECONDS))
        if self._silence_run >= self._pause_end_frames:
            return self._finish(cut_off=False)
        return None

    @property
    def silent_frames(self) -> int:
        """Frames of silence since the last speech frame (0 while speaking or before speech)."""
        return self._silence_run if self._in_speech else 0

    def paused_audio(self) -> np.ndarray | None:
        """The question so far, returned once per pause, as soon as the speaker has been silent long enough
        that it is exactly the audio the question would end with if it ended now (speculative
        transcription starts on it); None otherwise."""
        if not self._in_speech or self._silence_run != _TRAILING_KEEP_FRAMES:
            return None
        return self._audio()

    def finish(self) -> Utterance | None:
        """The input ended (file over, push-to-talk released): the utterance so far, if any speech."""
        if not self._in_speech:
            return None
        return self._finish(cut_off=False)

    def _audio(self) -> np.ndarray:
        offset = self._offset
        first = self._speech_begin - offset
        last = self._last_speech_frame - offset + 1 + min(self._silence_run, _TRAILING_KEEP_FRAMES)
        return np.concatenate(self._frames[max(0, first) : last])

    def _finish(self, cut_off: bool) -> Utterance:
        audio = self._audio()
        end_sample = (self._last_speech_frame + 1) * FRAME_SAMPLES
        self._pause_end_frames = None
        self._in_speech = False
        self._speech_run = 0
        self._silence_run = 0
        self._frames = []
        self._offset = self._position
        return Utterance(audio=audio, end_sample=end_sample, cut_off=cut_off)


def first_utterance(
    frames: Iterable[np.ndarray], endpointer: Endpointer
) -> Iterator[EndpointKind | Utterance]:
    """Drive an endpointer over frames; yields SPEECH_STARTED, then the Utterance, then stops.

    If the frames run out mid-speech the speech so far is the utterance; if they run out with no speech,
    nothing is yielded after any start event.
    """
    endpointer.reset()
    for frame in frames:
        result = endpointer.feed(frame)
        if result is None:
            continue
        kind, utterance = result
        if kind is EndpointKind.NO_SPEECH:
            return
        if kind is EndpointKind.SPEECH_STARTED:
            yield kind
        elif utterance is not None:
            yield utterance
            return
    utterance = endpointer.finish()
    if utterance is not None:
        yield utterance
