"""Build the engine's parts from the user's settings and the model catalogue; each model loads once."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from app.config import ModelSettings
from app.language import speech_model, voice_model, whisper_language
from app.paths import DataPaths
from engine.audio import AudioChunk
from engine.cancel import CancelToken
from engine.errors import GenerationError
from engine.llm import GenerationSettings, LlamaResponder
from engine.remote_llm import RemoteResponder
from engine.stt import Transcript, WhisperTranscriber
from engine.tts import PiperSynthesizer
from models import ResolvedModel, resolve_model, user_gguf_model
from models.errors import ModelMissingError

if TYPE_CHECKING:
    from app.memory.embeddings import MiniLMEmbedder

log = logging.getLogger(__name__)

T = TypeVar("T")

REMOTE_CONTEXT_TOKENS = 4096
"""The context window assumed for an external server's model (the API does not say it)."""


@dataclass
class LoadTimes:
    """Seconds each model took to load (for doctor and the start-up benchmark)."""

    seconds: dict[str, float] = field(default_factory=dict)


class EngineFactory:
    """Resolves, verifies and loads the models named in the settings, caching each by its settings key."""

    def __init__(self, models: ModelSettings, paths: DataPaths) -> None:
        self.models = models
        self.paths = paths
        self.load_times = LoadTimes()
        self._lock = threading.Lock()
        self._cache: dict[tuple[object, ...], object] = {}

    def _cached(self, key: tuple[object, ...], build: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._cache:
                started = time.monotonic()
                self._cache[key] = build()
                self.load_times.seconds[str(key[0])] = time.monotonic() - started
            return self._cache[key]  # type: ignore[return-value]

    def llm_model(self) -> ResolvedModel:
        """The chosen language model's files (a user GGUF overrides the catalogue)."""
        if self.models.llm_path:
            return user_gguf_model(Path(self.models.llm_path), self.models.llm_chat_format)
        return resolve_model(self.models.llm, self.paths.cache_dir, self.paths.models_dir)

    def llm_context_tokens(self) -> int:
        """The chosen language model's context window, read from its spec without loading it (an external
        server's is the client's default)."""
        if self.models.llm_url:
            return REMOTE_CONTEXT_TOKENS
        return self.llm_model().spec.context_tokens

    def llm_family(self) -> str | None:
        """The chosen language model's family (prompt and sampling), None for an external server."""
        if self.models.llm_url or self.models.llm_path:
            return None
        return resolve_model(self.models.llm, self.paths.cache_dir, self.paths.models_dir).spec.family

    def transcriber(self) -> WhisperTranscriber:
        """The speech recognizer."""
        m = self.models
        name = speech_model(m, self.paths.models_dir)
        language = whisper_language(m.model_copy(update={"stt": name}))
        return self._cached(
            ("stt", name, language, m.threads),
            lambda: WhisperTranscriber(
                str(resolve_model(name, self.paths.cache_dir, self.paths.models_dir).path),
                threads=m.threads,
                language=language,
            ),
        )

    def responder(self) -> LlamaResponder | RemoteResponder:
        """The language model: an external OpenAI-compatible server when ``llm_url`` is set; else the local
        model, its system prompt already evaluated (restored from the saved prompt state, or evaluated once
        and saved for the next process)."""
        m = self.models
        if m.llm_url:
            return self._remote_responder("llm")

        def build() -> LlamaResponder:
            responder = self._load_local_llm()
            state = self.prompt_state_file()
            if not responder.load_prompt_state(state):
                responder.complete_warmup()
                try:
                    responder.save_prompt_state(state)
                except GenerationError as error:
                    log.warning("%s The next start evaluates the system prompt again.", error.message)
            return responder

        return self._cached(("llm", m.llm, m.llm_path, m.threads), build)

    def _remote_responder(self, role: str) -> RemoteResponder:
        """A client of the user's OpenAI-compatible server; each role (turns, background learning) keeps a
        client of its own so one never waits on the other's connection."""
        m = self.models
        return self._cached(
            (role, m.llm_url, m.llm_model_name, m.llm_timeout_s),
            lambda: RemoteResponder(
                m.llm_url or "",
                model=m.llm_model_name,
                timeout_s=m.llm_timeout_s,
                context_tokens=REMOTE_CONTEXT_TOKENS,
            ),
        )

    def _load_local_llm(self) -> LlamaResponder:
        """The chosen GGUF model in a fresh llama.cpp context, sampled as its family likes."""
        model = self.llm_model()
        return LlamaResponder(
            str(model.path),
            chat_format=model.spec.chat_format,
            context_tokens=model.spec.context_tokens,
            threads=self.models.threads,
            settings=GenerationSettings.for_family(model.spec.family),
        )

    def prompt_state_file(self) -> Path:
        """Where the evaluated system prompt of the chosen model is kept between processes; the name
        changes with the model file, the context size and llama.cpp's version, so a stale state is never
        loaded (a state only ever saves work for the tokens its prompt shares with the new one)."""
        import llama_cpp

        model = self.llm_model()
        stat = model.path.stat()
        key = "|".join(
            str(part)
            for part in (
                model.path.resolve(),
                stat.st_size,
                stat.st_mtime_ns,
                model.spec.context_tokens,
                model.spec.chat_format,
                llama_cpp.__version__,
            )
        )
        return self.paths.cache_dir / "llm-state" / f"{hashlib.sha256(key.encode()).hexdigest()[:20]}.bin"

    def background_responder(self) -> LlamaResponder | RemoteResponder:
        """The same language model in a context of its own, for background work (memory learning): the
        turn's context keeps its cached conversation and is never held by that work. The weights are
        memory-mapped, so the second load shares them. With an external server (``llm_url``) learning asks
        that server too, through a client of its own, and the local model is never loaded."""
        m = self.models
        if m.llm_url:
            return self._remote_responder("llm-background")

        def build() -> LlamaResponder:
            responder = self._load_local_llm()
            responder.load_prompt_state(self.prompt_state_file())
            return responder

        return self._cached(("llm-background", m.llm, m.llm_path, m.threads), build)

    def voice_name(self) -> str:
        """The voice for the language setting: the chosen one if it speaks the language, else an installed
        voice that does.

        Raises:
            ModelMissingError: no installed voice speaks the language (with the command to install one).
        """
        return voice_model(self.models, self.paths.models_dir)

    def synthesizer(self) -> PiperSynthesizer:
        """The voice (for a fixed language, one that speaks it).

        Raises:
            ModelMissingError: no installed voice speaks the language.
        """
        m = self.models
        name = self.voice_name()
        return self._cached(
            ("tts", name, m.voice_speed, m.threads),
            lambda: PiperSynthesizer(
                str(resolve_model(name, self.paths.cache_dir, self.paths.models_dir).path),
                speed=m.voice_speed,
                threads=m.threads,
            ),
        )

    def reply_synthesizer(self) -> PiperSynthesizer | TextOnly:
        """The voice replies are spoken in; without an installed voice for the language, replies stay text
        (said once in the log) rather than failing the turn or reading Russian with an English voice."""
        try:
            return self.synthesizer()
        except ModelMissingError as error:
            log.warning("%s Replies are shown as text only.", error.message)
            return self._cached(("tts", None), TextOnly)

    def embedder(self) -> MiniLMEmbedder:
        """The sentence-embedding model used by memory recall (shared by everything in the process)."""
        from app.memory.embeddings import EMBEDDING_MODEL, MiniLMEmbedder

        m = self.models
        return self._cached(
            ("embedding", EMBEDDING_MODEL, m.threads),
            lambda: MiniLMEmbedder.from_catalogue(self.paths.cache_dir, threads=m.threads),
        )

    def lazy_transcriber(self) -> LazyTranscriber:
        """The speech recognizer, loaded when first asked to transcribe (a typed question never is)."""
        return LazyTranscriber(self.transcriber)

    def lazy_synthesizer(self) -> LazySynthesizer:
        """The voice, loaded when first asked to speak (a printed answer never is)."""
        return LazySynthesizer(self.reply_synthesizer)

    def warm_up(self) -> None:
        """Load every model and run each once, so the user's first turn is as fast as the rest."""
        stt, llm, tts = self.transcriber(), self.responder(), self.reply_synthesizer()
        stt.transcribe(np.zeros(8000, dtype=np.float32))
        llm.complete_warmup()
        for _ in tts.synthesize("Ready."):
            pass


class LazyTranscriber:
    """A Transcriber that loads its model on first use: the one-shot `ask` prints its first token
    without paying for a speech model it does not need."""

    def __init__(self, load: Callable[[], WhisperTranscriber]) -> None:
        self._load = load

    def transcribe(self, audio: np.ndarray) -> Transcript:
        """Load (once, cached by the factory) and transcribe."""
        return self._load().transcribe(audio)


class TextOnly:
    """The Synthesizer used when no installed voice speaks the reply language: no audio, the text stands."""

    sample_rate = 22050

    def synthesize(self, text: str, cancel: CancelToken | None = None) -> Iterator[AudioChunk]:
        """Nothing to play."""
        return iter(())

    def set_speed(self, speed: float) -> None:
        """Nothing to speed up."""


class LazySynthesizer:
    """A Synthesizer that loads its voice on first use (loading a piper voice costs more than a reply)."""

    def __init__(self, load: Callable[[], PiperSynthesizer | TextOnly]) -> None:
        self._load = load

    @property
    def sample_rate(self) -> int:
        """The voice's rate (loads it)."""
        return self._load().sample_rate

    def synthesize(self, text: str, cancel: CancelToken | None = None) -> Iterator[AudioChunk]:
        """Load (once, cached by the factory) and synthesize."""
        return self._load().synthesize(text, cancel)
