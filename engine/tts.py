"""Speech synthesis with piper: one audio chunk per sentence, so playback starts after the first one."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from engine.audio import AudioChunk
from engine.cancel import CancelToken
from engine.errors import SynthesisError, TurnCancelledError
from engine.text import speakable

log = logging.getLogger(__name__)


class Synthesizer(Protocol):
    """Turns text into audio chunks."""

    @property
    def sample_rate(self) -> int:
        """Samples per second of the audio it makes."""
        ...

    def synthesize(self, text: str, cancel: CancelToken | None = None) -> Iterator[AudioChunk]:
        """Audio for ``text``, a chunk per sentence; stops mid-sentence when ``cancel`` fires."""
        ...


class _InterruptibleSession:
    """piper's ONNX session behind a RunOptions whose terminate flag a cancel sets, so a stop lands in
    milliseconds instead of after the sentence being synthesized (100-200 ms on a busy 2-core machine)."""

    def __init__(self, session: Any) -> None:
        import onnxruntime

        self._session = session
        self._new_options = onnxruntime.RunOptions
        self._per_thread = threading.local()

    def arm(self, cancel: CancelToken | None) -> None:
        """Fresh run options for this thread's next synthesis, terminated when ``cancel`` fires."""
        options = self._new_options()
        self._per_thread.options = options
        if cancel is not None:
            cancel.on_cancel(lambda: setattr(options, "terminate", True))

    def run(self, output_names: object, feed: dict[str, object]) -> list[object]:
        options = getattr(self._per_thread, "options", None)
        outputs: list[object] = self._session.run(output_names, feed, options)
        return outputs

    def __getattr__(self, name: str) -> object:
        return getattr(self._session, name)


class PiperSynthesizer:
    """A piper voice loaded once."""

    def __init__(self, model_path: str, *, speed: float = 1.0, threads: int = 2) -> None:
        """Load the ONNX voice and its .onnx.json config.

        Args:
            model_path: the voice's .onnx file.
            speed: 1.0 is the voice's own pace; 1.2 is 20% faster (piper's length_scale is its inverse).
            threads: onnxruntime intra-op threads.

        Raises:
            SynthesisError: the voice could not be loaded.
        """
        import onnxruntime
        from piper import PiperVoice, SynthesisConfig

        if not 0.5 <= speed <= 2.0:
            raise ValueError(f"Voice speed must be between 0.5 and 2.0, got {speed}")
        try:
            voice = PiperVoice.load(model_path)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            session = _InterruptibleSession(
                onnxruntime.InferenceSession(
                    model_path, sess_options=options, providers=["CPUExecutionProvider"]
                )
            )
            voice.session = session
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            log.exception("Loading voice %s failed", model_path)
            raise SynthesisError(f"Could not load the voice {model_path}: the files are damaged.") from error
        except Exception as error:  # onnxruntime raises its own InvalidProtobuf/Fail classes
            if type(error).__module__.startswith("onnxruntime"):
                raise SynthesisError(
                    f"Could not load the voice {model_path}: the file is damaged."
                ) from error
            raise
        self._voice = voice
        self._session = session
        self._config = SynthesisConfig(length_scale=1.0 / speed)
        self.sample_rate: int = voice.config.sample_rate

    def set_speed(self, speed: float) -> None:
        """Change the pace from the next sentence on (replies are synthesized sentence by sentence)."""
        from piper import SynthesisConfig

        if not 0.5 <= speed <= 2.0:
            raise ValueError(f"Voice speed must be between 0.5 and 2.0, got {speed}")
        self._config = SynthesisConfig(length_scale=1.0 / speed)

    @property
    def speed(self) -> float:
        """The current pace (1.0: the voice's own)."""
        return 1.0 / (self._config.length_scale or 1.0)

    def synthesize(self, text: str, cancel: CancelToken | None = None) -> Iterator[AudioChunk]:
        """Audio for ``text`` after removing markup a listener should not hear; empty text yields nothing.

        Raises:
            TurnCancelledError: ``cancel`` fired, possibly in the middle of a sentence.
            SynthesisError: piper failed.
        """
        spoken = speakable(text)
        if not spoken:
            return
        self._session.arm(cancel)
        try:
            for chunk in self._voice.synthesize(spoken, syn_config=self._config):
                yield AudioChunk(chunk.audio_float_array.astype(np.float32, copy=False), self.sample_rate)
        except Exception as error:  # onnxruntime's Fail when terminated; RuntimeError/ValueError otherwise
            if cancel is not None and cancel.cancelled:
                raise TurnCancelledError(f"Turn cancelled: {cancel.reason}") from error
            if isinstance(error, (RuntimeError, ValueError)) or type(error).__module__.startswith("onnx"):
                log.exception("Synthesis failed")
                raise SynthesisError(f"Speech synthesis failed: {error}") from error
            raise


def synthesize_all(synthesizer: Synthesizer, text: str) -> tuple[AudioChunk, float]:
    """The whole utterance as one chunk, and how long it took (for files and the sequential baseline)."""
    started = time.monotonic()
    chunks = [chunk.samples for chunk in synthesizer.synthesize(text)]
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return AudioChunk(samples, synthesizer.sample_rate), time.monotonic() - started
