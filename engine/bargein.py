"""Barge-in: the user speaking while Aris talks stops the answer.

On laptop speakers the microphone hears Aris's own voice, and a plain VAD would make the assistant interrupt
itself (GLaDOS #38, #86). So the microphone first goes through an echo canceller fed with what is being
played (WebRTC's, which tracks delay and drift), and speech that still correlates with the playback is
taken for residual echo and ignored.

Deciding fast: a sound louder than the echo has ever been (or any sound over silence) pauses the playback
at once, as does one frame Silero calls speech; five frames of speech (160 ms) that are not our echo
confirm it and cancel the turn, and if they don't come the playback resumes where it paused. Echo is
what correlates with the playback (searched up to 700 ms back: a resampling echo path measured 480 ms),
or what correlates a little and is no louder than the echo path has been."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from engine.audio import CAPTURE_RATE, AudioSource
from engine.cancel import CancelToken
from engine.echo import EchoCanceller
from engine.vad import FRAME_SECONDS, StreamingVad

log = logging.getLogger(__name__)

_MAX_PENDING = 3 * CAPTURE_RATE
"""Playback waiting for its microphone frames; more than this means the microphone stalled."""
_NO_SPEECH = 0.2
"""Speech probability below which a raw microphone frame holds no voice at all."""
_SMEARED_ECHO_CORRELATION = 0.3
"""An echo path that resamples (a combine sink, a USB headset) smears the waveform while its clock settles:
its echo then correlates only ~0.4 with the playback; at no more than the echo's level, that is echo."""
_SUDDEN_MAX_CORRELATION = 0.3
"""A sudden sound that correlates more than this with the playback may be an echo peak: no pause on it."""
_ONSET_FRAMES = 5
"""Frames (160 ms) Silero may score low at the start of speech before it is sure."""
_PAUSE_PATIENCE_FRAMES = 3
"""While paused, this many non-speech frames in a row (96 ms, a gap between words) resume the playback."""


class PlaybackReference(Protocol):
    """A sink that can say what it has just played (and, optionally, ``pause``/``resume`` and
    ``playback_since(cursor)`` for the echo canceller; see engine.audio.SpeakerSink)."""

    def recent_playback(self, seconds: float) -> np.ndarray:
        """The last ``seconds`` of audio actually played, at 16 kHz, ending now."""
        ...


@dataclass(frozen=True)
class BargeInSettings:
    """When speech during playback counts as the user interrupting."""

    onset_ms: int = 32
    """Speech this long (one 32 ms frame Silero scores as speech) pauses the playback while the monitor
    makes sure; a pause on echo costs a moment of silence, a late one costs the user every word of it."""
    min_speech_ms: int = 160
    """Speech this long confirms the interruption: a cough or a click does not stop the answer."""
    threshold: float = 0.5
    """Silero speech probability for a frame to count as speech."""
    echo_correlation: float = 0.35
    """Peak normalised cross-correlation with the playback above which the speech is our own echo."""
    echo_max_delay_ms: int = 700
    """Longest speaker-to-microphone delay searched for echo (device buffers plus the room)."""
    raw_echo_correlation: float = 0.6
    """Correlation of the raw microphone with the playback above which it is echo whatever the canceller
    made of it (it re-learns the delay after every audio underrun on a busy machine)."""
    echo_level_margin: float = 1.5
    """Sound louder than this many times the loudest recent echo (the microphone's level over the
    playback's, 90th percentile of the last seconds) cannot be echo alone: it is the user, whatever the
    correlations say (searched over 700 ms, unrelated speech reaches 0.35 by chance)."""
    min_kept_energy: float = 0.5
    """Speech whose level the echo canceller cut below this fraction (-6 dB) was mostly echo."""
    cancel_echo: bool = True
    """Run the microphone through WebRTC's echo canceller first (when the livekit wheel is installed)."""


@dataclass(frozen=True)
class BargeIn:
    """What the monitor saw when it stopped the answer."""

    detected_at: float
    """time.monotonic() when the interruption was confirmed and the turn cancelled."""
    echo_correlation: float


def echo_correlation(heard: np.ndarray, played: np.ndarray) -> float:
    """Peak normalised cross-correlation of ``heard`` against every alignment inside ``played``.

    1.0 means the microphone heard exactly (a scaled copy of) the playback; unrelated speech scores near 0.
    ``played`` must be at least as long as ``heard``; computed with FFTs so it costs ~1 ms per check."""
    n = len(heard)
    if n == 0 or len(played) < n:
        return 0.0
    heard = heard - heard.mean()
    heard_norm = float(np.linalg.norm(heard))
    if heard_norm < 1e-6:
        return 0.0
    size = 1 << int(np.ceil(np.log2(len(played) + n)))
    spectrum = np.fft.rfft(played, size) * np.conj(np.fft.rfft(heard, size))
    dots = np.fft.irfft(spectrum, size)[: len(played) - n + 1]
    energy = np.concatenate([[0.0], np.cumsum(played.astype(np.float64) ** 2)])
    window_norms = np.sqrt(np.maximum(energy[n:] - energy[:-n], 1e-12))
    return float(np.max(np.abs(dots) / (window_norms * heard_norm)))


class BargeInMonitor:
    """Listens on the microphone while the assistant speaks and cancels the turn when the user talks.

    ``start`` is called at the first audio of a reply and ``stop`` when the turn ends; the listening runs in
    its own thread so detection never waits on synthesis or generation."""

    def __init__(
        self,
        source: AudioSource,
        settings: BargeInSettings | None = None,
        vad_factory: Callable[[], StreamingVad] = StreamingVad,
    ) -> None:
        self.source = source
        self.settings = settings or BargeInSettings()
        self._vad = vad_factory()
        self._thread: threading.Thread | None = None
        self._stop = CancelToken()
        self.last: BargeIn | None = None
        """The most recent interruption, for timings and tests."""
        self.echoes_ignored = 0
        self._levels = _EchoLevel(self.settings)
        self.false_onsets = 0
        """Pauses that were not confirmed (the playback resumed)."""

    def start(self, turn: CancelToken, reference: PlaybackReference) -> None:
        """Begin watching for the user talking over ``reference``'s playback; cancels ``turn`` if so."""
        self.stop()
        self._stop = CancelToken()
        self._vad.reset()
        self._thread = threading.Thread(
            target=self._watch, args=(turn, reference, self._stop), name="aris-barge-in", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (the turn ended)."""
        self._stop.cancel("turn over")
        if self._thread is None:
            return
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=1.0)
        self._thread = None
        log.info(
            "Barge-in monitor stopped; it ignored our own voice %d times and resumed after %d pauses",
            self.echoes_ignored,
            self.false_onsets,
        )

    def _watch(self, turn: CancelToken, reference: PlaybackReference, stop: CancelToken) -> None:
        settings = self.settings
        onset = max(1, round(settings.onset_ms / 1000 / FRAME_SECONDS))
        needed = max(onset, round(settings.min_speech_ms / 1000 / FRAME_SECONDS))
        recent: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=needed)
        """(echo-cancelled, as captured) frames."""
        echo = EchoFilter.create(settings, reference)
        playback = _Playback(reference)
        self._levels = _EchoLevel(settings)
        state = _RunState()
        started = time.monotonic()
        try:
            for count, captured in enumerate(self.source.frames(stop), start=1):
                if turn.cancelled or stop.cancelled:
                    return
                frame = echo.clean(captured) if echo is not None else captured
                recent.append((frame, captured))
                ratio = self._levels.measure(captured, reference)
                state.ratios.append(ratio)
                if self._vad.probability(frame) < settings.threshold:
                    self._quiet_frame(state, captured, ratio, playback, reference)
                    continue
                state.misses = state.provisional = 0
                state.speech_frames += 1
                # A busy machine reads microphone frames late; look that much further back for the echo.
                backlog = min(max(0.0, time.monotonic() - started - count * FRAME_SECONDS), 1.5)
                if state.speech_frames == onset and not playback.paused:
                    heard, raw = (np.concatenate(part[-onset:]) for part in zip(*recent, strict=True))
                    if self._residual_echo(heard, raw, reference, backlog) < settings.echo_correlation:
                        playback.pause()  # silent at once; confirmed or resumed within a few frames
                if state.speech_frames < needed:
                    continue
                heard, raw = (np.concatenate(part) for part in zip(*recent, strict=True))
                correlation = self._residual_echo(heard, raw, reference, backlog)
                if correlation >= settings.echo_correlation:
                    self.echoes_ignored += 1
                    log.debug("Speech during playback is our own echo (correlation %.2f)", correlation)
                    self.false_onsets += playback.resume()
                    state.speech_frames = needed // 2  # look again soon, over a partly new window
                    self._levels.observe(state.take_ratios())
                    continue
                self.last = BargeIn(time.monotonic(), correlation)
                log.info("Barge-in: the user spoke (echo correlation %.2f); stopping the answer", correlation)
                turn.cancel("barge_in")
                return
        except Exception:  # the monitor must never take the turn down with it
            log.exception("Barge-in monitor failed; the answer continues without it")
        finally:
            if not turn.cancelled:
                self.false_onsets += playback.resume()

    def _quiet_frame(
        self,
        state: _RunState,
        captured: np.ndarray,
        ratio: float | None,
        playback: _Playback,
        reference: PlaybackReference,
    ) -> None:
        """A frame Silero does not call speech: maybe a sudden sound (pause now), maybe the end of one."""
        state.misses += 1
        if state.provisional:
            state.provisional -= 1  # Silero is slow on a first "s" or "t": give it a few frames
            if state.provisional or state.speech_frames:
                return
        elif not playback.paused and not state.speech_frames and self._sudden(captured, ratio, reference):
            playback.pause()  # louder than our echo ever is: silent now, the VAD confirms or not
            state.provisional = _ONSET_FRAMES
            return
        if not playback.paused or state.misses >= _PAUSE_PATIENCE_FRAMES:
            state.speech_frames = 0
            self.false_onsets += playback.resume()
            self._levels.observe(state.take_ratios())

    def _sudden(self, captured: np.ndarray, ratio: float | None, reference: PlaybackReference) -> bool:
        """A sound our echo cannot explain: louder than it ever is, and not a copy of the playback."""
        if not self._levels.sudden(captured, ratio):
            return False
        if ratio is None:
            return True
        window = len(captured) / CAPTURE_RATE + self.settings.echo_max_delay_ms / 1000
        played = reference.recent_playback(window)
        return echo_correlation(captured, played) < _SUDDEN_MAX_CORRELATION

    def _residual_echo(
        self, heard: np.ndarray, captured: np.ndarray, reference: PlaybackReference, backlog: float
    ) -> float:
        """How much the echo-cancelled ``heard`` still looks like what was played (1.0: a copy of it;
        speech: near 0). A near copy of the playback in what the microphone ``captured`` is echo; then
        sound louder than our echo has ever been is the user; below that level, what the canceller mostly
        removed, or what correlates a little with the playback, is echo too."""
        window = len(heard) / CAPTURE_RATE + self.settings.echo_max_delay_ms / 1000 + backlog
        played = reference.recent_playback(window)
        raw = echo_correlation(captured, played)
        if raw >= self.settings.raw_echo_correlation:
            return 1.0  # the canceller lost track of the delay (it re-learns it after every underrun)
        if self._levels.too_loud(captured, played):
            return 0.0  # the user: the canceller mutes double talk, and chance correlations reach 0.35
        kept = float(np.linalg.norm(heard)) / max(float(np.linalg.norm(captured)), 1e-9)
        if kept < self.settings.min_kept_energy:
            return 1.0
        if raw >= _SMEARED_ECHO_CORRELATION and self._levels.known:
            return 1.0  # an echo path that resamples smears the waveform while its clock settles
        return echo_correlation(heard, played)


@dataclass
class _RunState:
    """Where the monitor is in a stretch of sound."""

    speech_frames: int = 0
    misses: int = 0
    """Frames without speech in a row."""
    provisional: int = 0
    """Frames left for Silero to confirm a pause made on a sudden sound."""
    ratios: list[float | None] = field(default_factory=list)
    """Levels of the frames since the last judgement, counted as the echo's once they were not the user."""

    def take_ratios(self) -> list[float | None]:
        """The levels collected so far, starting a new list."""
        ratios, self.ratios = self.ratios, []
        return ratios


class _EchoLevel:
    """How loud the echo path makes the playback at the microphone, learnt from the frames that were
    not the user: the microphone's level over the playback's, per frame, over the last few seconds."""

    HISTORY_FRAMES = 94
    """About 3 s of frames."""
    LEARNT_FRAMES = 10
    """Frames of playback heard before the echo's level is known."""
    PLAYING = 0.01
    """Playback level (RMS) below which nothing is playing and the microphone says nothing about echo."""
    SOUND = 0.003
    """Microphone level (RMS, about -50 dBFS) below which a frame is silence whatever plays."""

    def __init__(self, settings: BargeInSettings) -> None:
        self._window = settings.echo_max_delay_ms / 1000 + FRAME_SECONDS
        self._margin = settings.echo_level_margin
        self._ratios: deque[float] = deque(maxlen=self.HISTORY_FRAMES)

    def measure(self, captured: np.ndarray, reference: PlaybackReference) -> float | None:
        """The frame's level over the playback's (None when nothing is playing)."""
        playing = _rms(reference.recent_playback(self._window))
        return _rms(captured) / playing if playing > self.PLAYING else None

    def observe(self, ratios: list[float | None]) -> None:
        """Frames that were not the user: their levels tell how loud our echo is."""
        self._ratios.extend(r for r in ratios if r is not None)

    def _loudest(self) -> float | None:
        if len(self._ratios) < self.LEARNT_FRAMES:
            return None
        return float(np.percentile(np.asarray(self._ratios), 90))

    def sudden(self, captured: np.ndarray, ratio: float | None) -> bool:
        """A sound the echo cannot explain: much louder than the echo has been, or any sound in silence."""
        if _rms(captured) < self.SOUND:
            return False
        if ratio is None:
            return True
        loudest = self._loudest()
        return loudest is not None and ratio > self._margin * loudest

    @property
    def known(self) -> bool:
        """Whether the echo's level has been learnt."""
        return len(self._ratios) >= self.LEARNT_FRAMES

    def too_loud(self, captured: np.ndarray, played: np.ndarray) -> bool:
        """Whether ``captured`` is louder than the echo of ``played`` has been (False until that is known)."""
        playing = _rms(played)
        loudest = self._loudest()
        if loudest is None or playing <= self.PLAYING:
            return False
        return _rms(captured) > self._margin * loudest * playing


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if len(samples) else 0.0


class _Playback:
    """Pauses and resumes the sink when it can (a speaker can; a file cannot)."""

    def __init__(self, reference: PlaybackReference) -> None:
        self._pause = getattr(reference, "pause", None)
        self._resume = getattr(reference, "resume", None)
        self.paused = False

    def pause(self) -> None:
        """Silence the playback, keeping its place."""
        if not self.paused and self._pause is not None:
            self._pause()
            self.paused = True

    def resume(self) -> int:
        """Carry on if paused; 1 when it was (a false start), else 0."""
        if not self.paused or self._resume is None:
            return 0
        self._resume()
        self.paused = False
        return 1


class EchoFilter:
    """The echo canceller fed from the sink's playback, one microphone frame at a time.

    WebRTC's canceller also mutes the user when the microphone hears no echo at all (headphones, a
    separate device): it assumes a loud echo path until it has seen one. So the coupling from speaker to
    microphone is measured while nobody talks, and with no echo path the raw microphone is used."""

    NO_ECHO_COUPLING = 0.02
    """Microphone level over playback level (about -34 dB) below which there is no echo to remove."""
    SILENT_PLAYBACK = 1e-4
    """Peak of a stretch of playback below which nothing was played."""
    TAIL_FRAMES = 32
    """Frames (~1 s) after the playback went silent that are still cleaned: the room's echo tail, and the
    pauses between sentences."""

    def __init__(self, canceller: EchoCanceller, reference: PlaybackReference) -> None:
        self._canceller = canceller
        self._reference = reference
        self._since = reference.playback_since  # type: ignore[attr-defined]
        self._cursor = self._since(0)[1]
        self._raw_vad = StreamingVad()
        self._pending = np.zeros(0, dtype=np.float32)
        self.coupling = 0.1
        """Running estimate of the echo path's gain; starts by assuming an echo until measured."""
        self._quiet_frames = self.TAIL_FRAMES + 1
        """Frames since the playback last held sound (clean_while_playing)."""
        self._unsure: deque[float] = deque()
        """Levels of the latest speechless frames, counted once no speech follows them."""

    @classmethod
    def create(cls, settings: BargeInSettings, reference: PlaybackReference) -> EchoFilter | None:
        """A filter when the settings want one, the sink can feed it and the wheel is installed."""
        if not settings.cancel_echo or not hasattr(reference, "playback_since"):
            return None
        if not EchoCanceller.available():
            return None
        try:
            return cls(EchoCanceller(), reference)
        except Exception:  # a broken native library must not cost the user barge-in altogether
            log.exception("The echo canceller would not start; listening without it")
            return None

    def clean_while_playing(self, frame: np.ndarray) -> np.ndarray:
        """Like :meth:`clean` while the sink plays (and for a second after, the room's tail); otherwise the
        frame as captured, keeping the reference in step without running the canceller and its VAD. For a
        listener that runs all day (the wake word): idle, it costs ~0.7 % of a core instead of ~6 %."""
        played, self._cursor = self._since(self._cursor)
        if len(played) and float(np.max(np.abs(played))) > self.SILENT_PLAYBACK:
            self._quiet_frames = 0
        else:
            self._quiet_frames += 1
        if self._quiet_frames > self.TAIL_FRAMES:
            self._pending = self._pending[:0]
            return frame
        return self._clean_with(frame, played)

    def clean(self, frame: np.ndarray) -> np.ndarray:
        """``frame`` without the echo of what the sink played since the last call.

        When the raw microphone holds no speech at all (not even our echo), its level is room noise or a
        faint echo, and updates the coupling; speech in it (the user's, or a strong echo) does not."""
        played, self._cursor = self._since(self._cursor)
        return self._clean_with(frame, played)

    def _clean_with(self, frame: np.ndarray, played: np.ndarray) -> np.ndarray:
        # Playback and capture advance in step, one frame of each, so the canceller sees a constant delay
        # even when a busy machine hands this thread microphone frames late and in bursts.
        self._pending = np.concatenate([self._pending, played])[-_MAX_PENDING:]
        reverse = self._pending[: len(frame)]
        self._pending = self._pending[len(reverse) :]
        self._canceller.played(np.pad(reverse, (0, len(frame) - len(reverse))))
        cleaned = self._canceller.clean(frame)
        probability = self._raw_vad.probability(frame)
        if probability >= _NO_SPEECH:
            # The quiet frames just before were the start of this speech (Silero needs a few frames to be
            # sure): counted as echo, the user's first syllable made a silent echo path look loud.
            self._unsure.clear()
        else:
            playing = float(np.sqrt(np.mean(self._reference.recent_playback(0.3) ** 2)))
            if playing > 0.01:
                self._unsure.append(float(np.sqrt(np.mean(frame**2))) / playing)
            if len(self._unsure) > _ONSET_FRAMES:
                ratio = self._unsure.popleft()
                self.coupling += 0.1 * (min(ratio, 1.0) - self.coupling)
        return cleaned if self.coupling >= self.NO_ECHO_COUPLING else frame
