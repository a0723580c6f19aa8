"""One Aris session: settings, loaded models, memory and the voice pipeline, shared by the CLI and the
desktop shell. Methods block; the shell calls them from a worker thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
from sqlite_utils import Database

from app.config import ModelSettings, Settings
from app.engine_factory import EngineFactory
from app.errors import ArisError
from app.learning import TurnGate, YieldingCompleter
from app.memory.opening import OpeningMemory
from app.paths import DataPaths
from app.storage.conversations import ConversationLog, title_from
from engine.audio import AudioSink, AudioSource
from engine.bargein import BargeInMonitor
from engine.cancel import CancelToken
from engine.chat import system_prompt_for
from engine.conversation import Conversation
from engine.events import TurnEvent
from engine.llm import LlamaResponder
from engine.pipeline import MemoryHook, PipelineSettings, TurnResult, VoicePipeline
from engine.remote_llm import RemoteResponder
from engine.vad import Endpointer, EndpointSettings
from models.errors import ModelError

if TYPE_CHECKING:
    from app.documents.answers import DocumentAnswers
    from app.memory.embeddings import MiniLMEmbedder
    from app.memory.service import MemoryService
    from app.skills.router import SkillRouter

log = logging.getLogger(__name__)

PUSH_TO_TALK_SILENCE_MS = 4000
"""A push-to-talk question ends at release; this much silence ends it for someone who forgot to release."""


class Assistant:
    """Wires the engine to the user's settings and memory.

    Each finished turn is written to the conversation log, and its user message is handed to memory to learn
    from on a background thread once the answer has been spoken, so learning never delays the first audio.
    Call :meth:`close` before exiting so that learning finishes and nothing is lost.
    """

    def __init__(
        self,
        paths: DataPaths,
        settings: Settings,
        *,
        on_event: Callable[[TurnEvent], None] | None = None,
    ) -> None:
        self.paths = paths
        self.settings = settings
        self.factory = EngineFactory(settings.models, paths)
        self._memory: OpeningMemory | None = None
        """Long-term memory once something asked for it, opening or open (one type for both)."""
        self.memory_enabled = settings.memory_enabled
        """Whether answers recall and turns teach; the shell switches it at run time."""
        self._on_event = on_event
        self._pipeline: VoicePipeline | None = None
        self._log: ConversationLog | None = None
        self._own_log_db: Database | None = None
        self._conversation_id: str | None = None
        self._resumed_history: list[tuple[str, str]] = []
        """The exchanges of a past conversation picked before the pipeline existed."""
        self._lock = threading.Lock()
        self._learner: ThreadPoolExecutor | None = None
        self._learning: list[Future[object]] = []
        self._skills: SkillRouter | None = None
        self._documents: DocumentAnswers | None = None
        self.turn_gate = TurnGate()
        """Held while a turn runs: memory learning's model work waits for it and is stopped by it."""
        self.learning_model = YieldingCompleter(self._background_model, self.turn_gate)
        """The language model as memory learning uses it: its own context, only between turns."""

    def _background_model(self) -> LlamaResponder | RemoteResponder:
        # Looked up when first needed: tests and the bench swap in a factory with models already loaded.
        return self.factory.background_responder()

    def reload_models(self, models: ModelSettings) -> None:
        """Use other models without restarting Aris: a fresh factory loads them on next use, and memory's
        fact extraction follows the new language model. Slow (models load): call it from a worker thread."""
        with self._lock:
            self.settings = self.settings.with_changes(models=models)
            self.factory = EngineFactory(models, self.paths)
            self._pipeline = None
            memory = self._memory
            documents, self._documents = self._documents, None  # reopened with the new model's prompt room
            if self._skills is not None:
                self._skills.language = models.language
        if documents is not None:
            documents.close()
        service = memory.opened() if memory is not None else None
        if service is not None and service.learner.extractor is not None:
            from app.memory.extraction import FactExtractor

            # Learning already asks the new model (through the turn gate); the prompt follows the language.
            service.learner.extractor = FactExtractor(self.learning_model, self.system_prompt)

    @property
    def system_prompt(self) -> str:
        """The fixed system prompt for the language setting (the reply language)."""
        return system_prompt_for(self.settings.models.language, self.factory.llm_family())

    @property
    def memory(self) -> MemoryHook | None:
        """Long-term memory as turns use it; None when the user turned it off. A turn waits for the store
        only when it needs it (see OpeningMemory)."""
        return self._memory_handle() if self.memory_enabled else None

    def open_memory(self) -> MemoryService:
        """The memory store, opened on first use even when answers don't use it (the memory browser).
        Slow the first time (vector index, embedder, language model): call it from a worker thread."""
        return self._memory_handle().service()

    def open_memory_in_background(self) -> None:
        """Start opening memory now on a background thread, so a one-shot question's model load overlaps it
        (see OpeningMemory); does nothing when memory is off."""
        if self.memory_enabled:
            self._memory_handle()

    def _memory_handle(self) -> OpeningMemory:
        with self._lock:
            if self._memory is None:
                self._memory = OpeningMemory(self._open_memory_service, self.paths.database)
            return self._memory

    def _open_memory_service(self) -> MemoryService:
        from app.memory.ranking import SMALL_CONTEXT, RankSettings
        from app.memory.service import MemoryService, MemorySettings

        # The prompt's room for memories follows the model: a few close facts for the built-in 135M model,
        # more for a downloaded or server model with a larger context.
        try:
            context = self.factory.llm_context_tokens()
        except ModelError:
            context = SMALL_CONTEXT  # no model installed yet: answers will say so; keep the small budget
        settings = MemorySettings(rank=RankSettings.for_context(context))
        service = MemoryService.open(
            self.paths,
            self.learning_model,
            embedder=self.factory.embedder(),
            settings=settings,
            system_prompt=self.system_prompt,
        )
        service.add_forget_listener(self._on_forgotten)
        return service

    def set_memory_enabled(self, enabled: bool) -> None:
        """Turn recall and learning on or off from the next turn on."""
        self.memory_enabled = enabled
        if self._pipeline is not None:
            self._pipeline.memory = self.memory

    @property
    def pipeline(self) -> VoicePipeline:
        """The pipeline, loading the models on first use."""
        if self._pipeline is None:
            self._pipeline = VoicePipeline(
                self.factory.lazy_transcriber(),
                self.factory.responder(),
                self.factory.lazy_synthesizer(),
                conversation=Conversation(system_prompt=self.system_prompt),
                memory=self.memory,
                on_event=self._on_event,
                skills=self.skills,
                documents=self.documents,
                settings=PipelineSettings(quote_documents=self.documents.settings.quote),
            )
            for user_text, reply in self._resumed_history:
                self._pipeline.conversation.add_exchange(user_text, reply)
        return self._pipeline

    @property
    def skills(self) -> SkillRouter:
        """Timers, the time, lists, sums and units, answered before the language model."""
        if self._skills is None:
            from app.skills.router import SkillRouter, open_skill_store  # hassil, pint: not at app start

            self._skills = SkillRouter(
                open_skill_store(self.paths.database), language=self.settings.models.language
            )
        return self._skills

    @property
    def documents(self) -> DocumentAnswers:
        """The passages of the user's documents that answer a question (none until a folder is added)."""
        if self._documents is None:
            from app.documents.answers import AnswerSettings, DocumentAnswers
            from app.memory.ranking import SMALL_CONTEXT

            try:
                context = self.factory.llm_context_tokens()
            except ModelError:
                context = SMALL_CONTEXT
            self._documents = DocumentAnswers(
                self.paths.documents_database,
                self._current_embedder,
                AnswerSettings.for_context(context),
            )
        return self._documents

    def _current_embedder(self) -> MiniLMEmbedder:
        # Looked up when the documents first open: reload_models may have replaced the factory by then.
        return self.factory.embedder()

    def wait_for_learning(self, timeout: float | None = None) -> None:
        """Block until memory has learned from every finished turn."""
        pending, self._learning = self._learning, []
        for future in pending:
            future.result(timeout=timeout)

    def close(self) -> None:
        """Finish background learning and release the database."""
        if self._learner is not None:
            self._learner.shutdown(wait=True)
            self._learner = None
        self._learning.clear()
        if self._skills is not None:
            self._skills.close()
            self._skills = None
        if self._memory is not None:
            self._memory.close()
        if self._documents is not None:
            self._documents.close()
            self._documents = None
        if self._own_log_db is not None:
            self._own_log_db.conn.close()
            self._own_log_db = None
        self._memory = None
        self._log = None

    def endpointer(self, *, push_to_talk: bool = False, wait_for_speech_s: float | None = None) -> Endpointer:
        """An endpointer with the user's trailing-silence setting; with push-to-talk the question ends when
        the key is released, and only a long pause (someone who forgot to release) ends it sooner. With
        ``wait_for_speech_s``, nobody speaking that long ends the listening (a follow-up window)."""
        audio = self.settings.audio
        silence_ms = audio.trailing_silence_ms
        if push_to_talk:
            silence_ms = max(silence_ms, PUSH_TO_TALK_SILENCE_MS)
        return Endpointer(
            EndpointSettings(
                trailing_silence_ms=silence_ms,
                max_seconds=float(audio.max_question_seconds),
                wait_for_speech_s=wait_for_speech_s,
                adaptive=audio.adaptive_end_of_turn and not push_to_talk,
            )
        )

    def ask(
        self,
        text: str,
        sink: AudioSink | None = None,
        cancel: CancelToken | None = None,
        *,
        microphone: AudioSource | None = None,
    ) -> TurnResult:
        """A typed question; with a live ``microphone``, talking over the spoken answer stops it."""
        monitor = self.barge_in_monitor(microphone) if microphone is not None and sink is not None else None
        with self.turn_gate.turn():
            return self._after_turn(self.pipeline.text_turn(text, sink, cancel, barge_in=monitor))

    def answer_audio(
        self,
        audio: np.ndarray,
        sink: AudioSink | None = None,
        cancel: CancelToken | None = None,
        speech_end: float | None = None,
    ) -> TurnResult:
        """A question already captured as 16 kHz audio."""
        with self.turn_gate.turn():
            return self._after_turn(self.pipeline.voice_turn(audio, sink, cancel, speech_end=speech_end))

    def listen_and_answer(
        self,
        source: AudioSource,
        sink: AudioSink | None = None,
        cancel: CancelToken | None = None,
        *,
        live: bool = False,
        push_to_talk: bool = False,
        wait_for_speech_s: float | None = None,
    ) -> TurnResult | None:
        """Listen for one question and answer it; None when no speech was heard.

        ``live`` says the source is a microphone that keeps listening while Aris speaks, so the user can
        interrupt the answer by talking (when barge-in is on in the settings). With ``push_to_talk`` the
        question ends when the source stops (key released), not at the first pause. With
        ``wait_for_speech_s``, nobody starting to speak that long ends the listening with None."""
        cancel = cancel or CancelToken()
        pipeline = self.pipeline
        with self.turn_gate.turn():
            endpointer = self.endpointer(push_to_talk=push_to_talk, wait_for_speech_s=wait_for_speech_s)
            utterance = pipeline.listen(source, endpointer, cancel)
            if utterance is None:
                return None
            # Push-to-talk's clock starts at the release; hands-free's when the last word ended, so the
            # endpointing wait counts.
            speech_end = time.monotonic() if push_to_talk else utterance.speech_end_at
            return self._after_turn(
                pipeline.voice_turn(
                    utterance.audio,
                    sink,
                    cancel,
                    speech_end=speech_end,
                    barge_in=self.barge_in_monitor(source) if live else None,
                )
            )

    def barge_in_monitor(self, source: AudioSource) -> BargeInMonitor | None:
        """A monitor that stops the answer when the user talks over it, if the settings allow it."""
        return BargeInMonitor(source) if self.settings.audio.barge_in else None

    # ---- after each turn -------------------------------------------------------------------------------------

    def _after_turn(self, result: TurnResult) -> TurnResult:
        """Log the exchange and queue learning; the answer has already been spoken when this runs."""
        if not result.transcript:
            return result
        reply = result.reply_heard if result.cancelled else result.reply
        message_id = self._log_exchange(result, reply)
        memory = self.memory if result.skill is None else None  # "set a timer" teaches nothing about the user
        if memory is not None and _worth_learning(result):
            if self._learner is None:
                self._learner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aris-learn")
            self._learning = [f for f in self._learning if not f.done()]
            self._learning.append(
                self._learner.submit(self._learn, memory, result.transcript, reply, message_id)
            )
        return result

    def _log_exchange(self, result: TurnResult, reply: str) -> str | None:
        """Write both messages with the turn's stage times; a storage failure costs the log, not the turn."""
        from app.storage.errors import StorageError

        timings = result.times.as_ms()
        try:
            log_ = self._conversation_log()
            if self._conversation_id is None:
                self._conversation_id = log_.start_conversation(title_from(result.transcript))
            message_id = log_.add_message(self._conversation_id, "user", result.transcript, timings)
            if reply:
                log_.add_message(self._conversation_id, "assistant", reply, timings)
        except StorageError as error:
            log.warning("Could not save this exchange to the conversation log: %s", error.message)
            return None
        return message_id

    def _conversation_log(self) -> ConversationLog:
        if self._log is None:
            if self.memory_enabled:
                self._log = self.open_memory().conversations  # one connection for memory and the log
            else:
                from app.storage.database import node_clock, open_database

                self._own_log_db = open_database(self.paths.database)
                self._log = ConversationLog(self._own_log_db, node_clock(self._own_log_db))
        return self._log

    @staticmethod
    def _learn(memory: MemoryHook, user_text: str, reply: str, message_id: str | None) -> object:
        # Runs on the learning thread, where nobody can catch an error: a failure is logged (with its
        # traceback, to the log file) and the turn's facts are named so the loss is visible.
        try:
            return memory.learn(user_text, reply, message_id)
        except ArisError:
            log.exception("Could not learn from a %d-character turn", len(user_text))
            return None

    @property
    def conversation_id(self) -> str | None:
        """The conversation new turns are logged in (None until the first turn of a new one)."""
        return self._conversation_id

    def switch_conversation(
        self, conversation_id: str | None, history: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Continue a past conversation, whose (question, answer) pairs become the short-term history, or
        start a new one (None). Call between turns."""
        self._conversation_id = conversation_id
        self._resumed_history = list(history)
        if self._pipeline is not None:
            conversation = self._pipeline.conversation
            conversation.clear()
            for user_text, reply in self._resumed_history:
                conversation.add_exchange(user_text, reply)

    def _on_forgotten(self) -> None:
        """The user made Aris forget something: drop the session's short-term history too, or the fact
        would come back from there in the next answer."""
        if self._pipeline is not None:
            self._pipeline.conversation.clear()


def _worth_learning(result: TurnResult) -> bool:
    """Whether memory may learn from the turn: not when the recogniser doubted what it heard, nor when what
    it heard cannot be true of the user (then it was most likely misheard). The turn is answered anyway."""
    from app.memory.common_sense import implausible

    if result.unsure_transcript:
        log.info("Not learning from %r: the speech recogniser was unsure of it", result.transcript)
        return False
    reason = implausible(result.transcript)
    if reason is not None:
        log.info("Not learning from %r: %s", result.transcript, reason)
        return False
    return True
