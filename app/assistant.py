"""One Aris session: settings, loaded models, memory and the voice pipeline, shared by the CLI and the
desktop shell. Methods block; the shell calls them from a worker thread."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np

from app.config import Settings
from app.engine_factory import EngineFactory
from app.paths import DataPaths
from engine.audio import AudioSink, AudioSource
from engine.bargein import BargeInMonitor
from engine.cancel import CancelToken
from engine.events import TurnEvent
from engine.pipeline import MemoryHook, TurnResult, VoicePipeline
from engine.vad import Endpointer, EndpointSettings

log = logging.getLogger(__name__)


class Assistant:
    """Wires the engine to the user's settings and memory."""

    def __init__(
        self,
        paths: DataPaths,
        settings: Settings,
        *,
        on_event: Callable[[TurnEvent], None] | None = None,
        memory: MemoryHook | None = None,
    ) -> None:
        self.paths = paths
        self.settings = settings
        self.factory = EngineFactory(settings.models, paths)
        self.memory = memory
        self._on_event = on_event
        self._pipeline: VoicePipeline | None = None

    @property
    def pipeline(self) -> VoicePipeline:
        """The pipeline, loading the models on first use."""
        if self._pipeline is None:
            self._pipeline = VoicePipeline(
                self.factory.transcriber(),
                self.factory.responder(),
                self.factory.synthesizer(),
                memory=self.memory if self.settings.memory_enabled else None,
                on_event=self._on_event,
            )
        return self._pipeline

    def endpointer(self) -> Endpointer:
        """An endpointer with the user's trailing-silence setting."""
        audio = self.settings.audio
        return Endpointer(
            EndpointSettings(
                trailing_silence_ms=audio.trailing_silence_ms, max_seconds=float(audio.max_question_seconds)
            )
        )

    def ask(self, text: str, sink: AudioSink | None = None, cancel: CancelToken | None = None) -> TurnResult:
        """A typed question."""
        return self.pipeline.text_turn(text, sink, cancel)

    def answer_audio(
        self,
        audio: np.ndarray,
        sink: AudioSink | None = None,
        cancel: CancelToken | None = None,
        speech_end: float | None = None,
    ) -> TurnResult:
        """A question already captured as 16 kHz audio."""
        return self.pipeline.voice_turn(audio, sink, cancel, speech_end=speech_end)

    def listen_and_answer(
        self,
        source: AudioSource,
        sink: AudioSink | None = None,
        cancel: CancelToken | None = None,
        *,
        live: bool = False,
    ) -> TurnResult | None:
        """Listen for one question and answer it; None when no speech was heard.

        ``live`` says the source is a microphone that keeps listening while Aris speaks, so the user can
        interrupt the answer by talking (when barge-in is on in the settings)."""
        cancel = cancel or CancelToken()
        pipeline = self.pipeline
        utterance = pipeline.listen(source, self.endpointer(), cancel)
        if utterance is None:
            return None
        return pipeline.voice_turn(
            utterance.audio,
            sink,
            cancel,
            speech_end=time.monotonic(),
            barge_in=self.barge_in_monitor(source) if live else None,
        )

    def barge_in_monitor(self, source: AudioSource) -> BargeInMonitor | None:
        """A monitor that stops the answer when the user talks over it, if the settings allow it."""
        return BargeInMonitor(source) if self.settings.audio.barge_in else None
