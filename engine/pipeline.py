"""One voice turn, streamed: speech → text → reply tokens → sentences → speech, each sentence synthesized
and queued for playback the moment it is complete, so the first words play while the rest is generated.

Everything runs in the caller's (worker) thread; playback runs in the audio device's callback. On two cores
this beats a separate synthesis thread, which competes with llama.cpp for the same cores."""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import CancelledError, Future
from contextlib import closing
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from engine.audio import CAPTURE_RATE, FRAME_SAMPLES, AudioSink, AudioSource, trim_leading_silence
from engine.bargein import BargeInMonitor
from engine.cancel import CancelToken
from engine.chat import Responder
from engine.conversation import Conversation
from engine.documents import NOT_FOUND_REPLY, DocumentHook, Source, asks_about_documents, quoted_answer
from engine.errors import EngineError, TurnCancelledError
from engine.events import (
    AudioStarted,
    SentenceReady,
    SpeechEnded,
    Stage,
    StageTimes,
    StateChanged,
    TokenGenerated,
    TranscriptReady,
    TurnCancelled,
    TurnEvent,
    TurnFailed,
    TurnFinished,
    TurnStarted,
    TurnState,
)
from engine.head_start import HeadStart
from engine.personal import UNKNOWN_REPLY, asks_about_user
from engine.skills import SkillHook
from engine.speculation import EarlyTranscriber
from engine.stt import Transcriber, Transcript
from engine.text import SentenceSplitter
from engine.tts import Synthesizer
from engine.turn_end import TurnEnd, judge_turn_end
from engine.vad import Endpointer, EndpointKind, EndpointSettings, Utterance

log = logging.getLogger(__name__)

EventHandler = Callable[[TurnEvent], None]


class MemoryHook(Protocol):
    """What the pipeline needs from long-term memory (implemented in app/memory)."""

    def intercept(self, user_text: str) -> str | None:
        """The reply to an explicit memory command ("remember that …"), or None for a normal question."""
        ...

    def is_command(self, user_text: str) -> bool:
        """Whether ``intercept`` would act on ``user_text``, without acting."""
        ...

    def recall(self, user_text: str) -> list[str]:
        """Memory texts relevant to the question, best first."""
        ...

    def learn(self, user_text: str, reply: str, message_id: str | None = None) -> object:
        """Keep facts worth remembering from a finished exchange."""
        ...

    def close(self) -> None:
        """Release the store (after learning has finished)."""
        ...


@dataclass(frozen=True)
class PipelineSettings:
    """How replies are produced."""

    reply_budget_tokens: int = 160
    """Room kept free in the context window for the reply."""
    first_clause_chars: int = 12
    """The first sentence is cut at its first comma (or semicolon, colon, dash) at least this many characters
    in, so speech starts sooner: the first chunk is shorter to generate and to synthesize."""
    speculative_transcription: bool = True
    """Transcribe while the speaker pauses (key still held, endpoint wait running), so the transcript is
    ready when the question ends; dropped if they go on talking."""
    reply_head_start: bool = True
    """Also generate and synthesize the reply's first clause during that pause, from the speculative
    transcript (engine/head_start.py); it plays only if the question really ended there."""
    quote_documents: bool = False
    """When passages from the user's documents answer the question, read the best one out (its document's
    name, then its most relevant sentences) instead of asking the language model: the built-in 135M model
    turned "The tenant may keep one cat or one small dog" into "pets are not allowed"."""


@dataclass(frozen=True)
class TurnResult:
    """How a turn ended."""

    turn_id: str
    transcript: str
    reply: str
    times: StageTimes
    cancelled: bool = False
    reply_heard: str = ""
    skill: str | None = None
    """The skill that answered, or None when the language model did."""
    unsure_transcript: bool = False
    """The recogniser doubted the transcript: answer it, but don't learn from it."""
    sources: tuple[Source, ...] = ()
    """The passages of the user's documents the language model was given for this answer."""


@dataclass
class _SpokenSentence:
    text: str
    start: float
    end: float


@dataclass
class _TurnRecord:
    turn_id: str
    times: StageTimes = field(default_factory=StageTimes)
    sentences: list[_SpokenSentence] = field(default_factory=list)
    queued_seconds: float = 0.0
    played_base: float = 0.0
    barge_in: BargeInMonitor | None = None
    reply: str = ""
    transcript: str = ""
    skill: str | None = None
    unsure: bool = False
    head_start: HeadStart | None = None
    """The reply prepared during the pause, when the turn took it over."""
    sources: tuple[Source, ...] = ()

    def stamp(self, stage: Stage) -> None:
        self.times = self.times.with_stage(stage, time.monotonic())


class VoicePipeline:
    """Runs turns against loaded models; one turn at a time."""

    def __init__(
        self,
        transcriber: Transcriber,
        responder: Responder,
        synthesizer: Synthesizer,
        *,
        conversation: Conversation | None = None,
        memory: MemoryHook | None = None,
        on_event: EventHandler | None = None,
        settings: PipelineSettings | None = None,
        skills: SkillHook | None = None,
        documents: DocumentHook | None = None,
    ) -> None:
        self.transcriber = transcriber
        self.early = EarlyTranscriber(transcriber)
        """Transcribes during the speaker's pauses (see PipelineSettings.speculative_transcription)."""
        self.responder = responder
        self.synthesizer = synthesizer
        self.conversation = conversation or Conversation()
        self.memory = memory
        self.skills = skills
        self.documents = documents
        self._found: tuple[str, tuple[Source, ...]] = ("", ())
        """The last question searched in the documents and what was found: the head start and the turn
        ask for the same question, and the search runs once."""
        self.settings = settings or PipelineSettings()
        self._on_event = on_event or (lambda _event: None)
        self._head_start: HeadStart | None = None
        self.head_starts_used = 0
        """Replies whose first clause was ready from the pause (see PipelineSettings.reply_head_start)."""

    def _emit(self, event: TurnEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # a broken listener must not break the user's turn
            log.exception("Event handler failed for %s", event.type)

    # ---- listening -------------------------------------------------------------------------------------

    def listen(
        self, source: AudioSource, endpointer: Endpointer, cancel: CancelToken, turn_id: str | None = None
    ) -> Utterance | None:
        """Capture one question: returns when the speaker stops (or the input ends); None if no speech.

        While the speaker pauses, the question so far is transcribed in the background, so a question
        that ends with that pause has its transcript (nearly) ready."""
        turn_id = turn_id or new_turn_id()
        self._emit(StateChanged(turn_id, time.monotonic(), state=TurnState.LISTENING))
        speculate = self.settings.speculative_transcription
        utterance: Utterance | None = None
        arrivals: list[float] = []  # when each frame came in: a live source delivers it as captured
        endpointer.reset()
        adaptive = speculate and endpointer.settings.adaptive
        pending: Future[Transcript] | None = None
        """The pause's speculative transcript, until it has set the pause's length."""
        with closing(iter(source.frames(cancel))) as frames:  # type: ignore[type-var]
            for frame in frames:
                arrivals.append(time.monotonic())
                result = endpointer.feed(frame)
                if result is None:
                    paused = endpointer.paused_audio() if speculate else None
                    if paused is not None:
                        pending = self._speculate(paused)
                    elif endpointer.silent_frames == 0:
                        pending = None
                        if self._head_start is not None:
                            self._drop_head_start(wait=False)  # the speaker went on
                    if adaptive and pending is not None and pending.done():
                        ended = endpointer.end_pause_after(_pause_for(pending, endpointer.settings))
                        pending = None
                        if ended is not None:
                            utterance = ended
                            break
                    continue
                kind, ended = result
                if kind is EndpointKind.NO_SPEECH:
                    log.info("Nobody spoke within the wait for a question")
                    break
                if kind is EndpointKind.SPEECH_STARTED:
                    log.debug("Speech started")
                elif ended is not None:
                    utterance = ended
                    break
        if utterance is None and not cancel.cancelled:
            utterance = endpointer.finish()
        if utterance is None or cancel.cancelled:
            self.early.discard()
            self._drop_head_start(wait=False)
            self._emit(StateChanged(turn_id, time.monotonic(), state=TurnState.IDLE))
            return None
        last_word = min(len(arrivals), max(1, utterance.end_sample // FRAME_SAMPLES)) - 1
        return dataclasses.replace(utterance, speech_end_at=arrivals[last_word])

    def _speculate(self, paused: np.ndarray) -> Future[Transcript]:
        """Transcribe the question so far, and prepare the reply's first clause from that transcript."""
        transcript = self.early.offer(paused)
        if not self.settings.reply_head_start:
            return transcript
        self._drop_head_start(wait=False)
        self._head_start = HeadStart(
            transcript, self._reply_ahead, self.synthesizer.synthesize, self.settings.first_clause_chars
        )
        return transcript

    def _reply_ahead(self, text: str, cancel: CancelToken) -> Iterable[str] | None:
        """The model's reply to ``text`` for a head start; None when a skill or a memory command would
        answer it: those act (set a timer, forget), so they run only once the question has ended."""
        if self.skills is not None and self.skills.claims(text):
            return None
        if self.memory is not None and self.memory.is_command(text):
            return None
        return self._model_reply(text, cancel)

    def _drop_head_start(self, wait: bool = True) -> None:
        head, self._head_start = self._head_start, None
        if head is not None:
            head.drop(wait)

    def _take_head_start(self, text: str) -> HeadStart | None:
        """The head start prepared for exactly ``text``, or None (any other is dropped)."""
        head, self._head_start = self._head_start, None
        if head is None:
            return None
        if head.ready_for(text, timeout=30.0):
            return head
        head.drop()
        return None

    # ---- turns -----------------------------------------------------------------------------------------

    def voice_turn(
        self,
        audio: np.ndarray,
        sink: AudioSink | None,
        cancel: CancelToken | None = None,
        *,
        speech_end: float | None = None,
        turn_id: str | None = None,
        barge_in: BargeInMonitor | None = None,
    ) -> TurnResult:
        """Answer a spoken question; ``speech_end`` is when the speaker stopped (default: now).

        With ``barge_in``, the user speaking over the answer cancels it (the monitor starts at first audio)."""
        record = _TurnRecord(turn_id or new_turn_id(), barge_in=barge_in)
        ended = speech_end if speech_end is not None else time.monotonic()
        record.times = StageTimes(speech_end=ended)
        cancel = cancel or CancelToken()
        self._emit(TurnStarted(record.turn_id, time.monotonic(), spoken=True))
        self._emit(SpeechEnded(record.turn_id, ended, audio_seconds=len(audio) / CAPTURE_RATE))
        return self._run(record, sink, cancel, lambda: self._transcribe(record, audio))

    def text_turn(
        self,
        text: str,
        sink: AudioSink | None,
        cancel: CancelToken | None = None,
        *,
        barge_in: BargeInMonitor | None = None,
    ) -> TurnResult:
        """Answer a typed question (spoken aloud too when ``sink`` is given)."""
        record = _TurnRecord(new_turn_id(), barge_in=barge_in)
        cancel = cancel or CancelToken()
        self._emit(TurnStarted(record.turn_id, time.monotonic(), spoken=False))
        record.stamp(Stage.TRANSCRIPT_READY)
        return self._run(record, sink, cancel, text.strip)

    def _transcribe(self, record: _TurnRecord, audio: np.ndarray) -> str:
        self._emit(StateChanged(record.turn_id, time.monotonic(), state=TurnState.TRANSCRIBING))
        stt: Transcriber = self.early if self.settings.speculative_transcription else self.transcriber
        transcript = stt.transcribe(audio)
        record.stamp(Stage.TRANSCRIPT_READY)
        record.unsure = transcript.unsure()
        return transcript.text

    def _run(
        self, record: _TurnRecord, sink: AudioSink | None, cancel: CancelToken, get_text: Callable[[], str]
    ) -> TurnResult:
        if sink is not None:
            record.played_base = sink.played_seconds
            cancel.on_cancel(sink.flush)
        try:
            cancel.raise_if_cancelled()
            text = get_text()
            record.transcript = text
            self._emit(TranscriptReady(record.turn_id, time.monotonic(), text=text))
            cancel.raise_if_cancelled()
            if not text:
                raise _NothingHeardError
            self._emit(StateChanged(record.turn_id, time.monotonic(), state=TurnState.THINKING))
            self._stream_reply(record, self._reply_tokens(text, cancel, record), sink, cancel)
            if sink is not None:
                sink.wait_done(cancel)
            cancel.raise_if_cancelled()
        except _NothingHeardError:
            message = "I didn't hear any words. Please try again."
            self._emit(TurnFailed(record.turn_id, time.monotonic(), code="no_speech", message=message))
            self._emit(StateChanged(record.turn_id, time.monotonic(), state=TurnState.IDLE))
            return TurnResult(record.turn_id, "", "", record.times)
        except TurnCancelledError:
            return self._cancelled(record, sink, cancel)
        except EngineError as error:
            self._emit(TurnFailed(record.turn_id, time.monotonic(), code=error.code, message=error.message))
            self._emit(StateChanged(record.turn_id, time.monotonic(), state=TurnState.IDLE))
            raise
        finally:
            if record.barge_in is not None:
                record.barge_in.stop()
            if record.head_start is not None:
                record.head_start.drop()  # frees the model now, not when the garbage collector gets to it
            self._drop_head_start()  # one the turn never reached (cancelled while transcribing)
            self._found = ("", ())  # the same question asked again later searches again (documents change)
        record.stamp(Stage.DONE)
        self.conversation.add_exchange(record.transcript, record.reply)
        times = record.times
        self._emit(
            TurnFinished(
                record.turn_id,
                time.monotonic(),
                transcript=record.transcript,
                reply=record.reply,
                times=times,
                skill=record.skill,
                sources=record.sources,
            )
        )
        self._emit(StateChanged(record.turn_id, time.monotonic(), state=TurnState.IDLE))
        return TurnResult(
            record.turn_id,
            record.transcript,
            record.reply,
            times,
            skill=record.skill,
            unsure_transcript=record.unsure,
            sources=record.sources,
        )

    def _reply_tokens(self, text: str, cancel: CancelToken, record: _TurnRecord) -> Iterable[str]:
        head = self._take_head_start(text)
        direct = self._direct_answer(text, record)
        if direct is not None:
            if head is not None:
                head.drop()
            return [direct]
        record.sources = self._passages(text)
        if head is not None:
            self.head_starts_used += 1
            record.head_start = head
            return head.tokens(cancel)
        return self._model_reply(text, cancel)

    def _direct_answer(self, text: str, record: _TurnRecord) -> str | None:
        """A skill's answer or a memory command's reply (both act), or None for the language model."""
        if self.skills is not None:
            answer = self.skills.handle(text)
            if answer is not None:
                record.skill = answer.skill
                return answer.text
        return self.memory.intercept(text) if self.memory is not None else None

    def _model_reply(self, text: str, cancel: CancelToken) -> Iterable[str]:
        """The language model's reply, with what memory recalls for ``text``."""
        memories = self.memory.recall(text) if self.memory is not None else []
        passages = self._passages(text)
        if self.documents is not None and not passages and asks_about_documents(text):
            return [NOT_FOUND_REPLY]  # the documents hold no answer: a small model would invent one
        if passages and self.settings.quote_documents:
            return [quoted_answer(text, passages[0])]
        if self.memory is not None and not memories and not passages and asks_about_user(text):
            return [UNKNOWN_REPLY]  # nothing remembered: a small model would invent the fact
        budget = self.responder.context_tokens - self.settings.reply_budget_tokens
        messages = self.conversation.build(
            text, memories, count_tokens=self.responder.count_tokens, budget_tokens=budget, passages=passages
        )
        return self.responder.respond(messages, cancel)

    def _passages(self, text: str) -> tuple[Source, ...]:
        """What the documents hold for ``text`` (searched once per question; see ``_found``)."""
        if self.documents is None:
            return ()
        asked, found = self._found
        if asked != text:
            found = tuple(self.documents.passages(text))
            self._found = (text, found)
        return found

    def _stream_reply(
        self, record: _TurnRecord, tokens: Iterable[str], sink: AudioSink | None, cancel: CancelToken
    ) -> None:
        splitter = SentenceSplitter(self.settings.first_clause_chars)
        for token in tokens:
            record.stamp(Stage.FIRST_TOKEN)
            record.reply += token
            self._emit(TokenGenerated(record.turn_id, time.monotonic(), text=token))
            for sentence in splitter.feed(token):
                self._speak(record, sentence, sink, cancel)
        for sentence in splitter.flush():
            self._speak(record, sentence, sink, cancel)
        record.reply = record.reply.strip()

    def _speak(self, record: _TurnRecord, sentence: str, sink: AudioSink | None, cancel: CancelToken) -> None:
        record.stamp(Stage.FIRST_SENTENCE)
        self._emit(SentenceReady(record.turn_id, time.monotonic(), text=sentence))
        if sink is None:
            return
        cancel.raise_if_cancelled()
        start = record.queued_seconds
        prepared = record.head_start.take_first_audio(sentence) if record.head_start is not None else None
        for synthesized in prepared or self.synthesizer.synthesize(sentence, cancel):
            cancel.raise_if_cancelled()
            chunk = synthesized
            if not record.times.reached(Stage.FIRST_AUDIO):
                chunk = trim_leading_silence(chunk)  # the user is waiting: the first word plays at once
            sink.play(chunk)
            record.queued_seconds += chunk.seconds
            if not record.times.reached(Stage.FIRST_AUDIO):
                record.stamp(Stage.FIRST_AUDIO)
                self._emit(AudioStarted(record.turn_id, time.monotonic()))
                self._emit(StateChanged(record.turn_id, time.monotonic(), state=TurnState.SPEAKING))
                if record.barge_in is not None:
                    record.barge_in.start(cancel, sink)
        record.sentences.append(_SpokenSentence(sentence, start, record.queued_seconds))

    def _cancelled(self, record: _TurnRecord, sink: AudioSink | None, cancel: CancelToken) -> TurnResult:
        if sink is not None:
            sink.flush()
        heard = _heard_text(record.sentences, sink.played_seconds - record.played_base if sink else 0.0)
        if record.transcript:
            # Keep the interrupted reply only up to what the user actually heard (pipecat does the same).
            self.conversation.add_exchange(record.transcript, heard)
        record.stamp(Stage.DONE)
        self._emit(
            TurnCancelled(
                record.turn_id,
                time.monotonic(),
                reason=cancel.reason,
                transcript=record.transcript,
                reply_heard=heard,
            )
        )
        self._emit(StateChanged(record.turn_id, time.monotonic(), state=TurnState.IDLE))
        return TurnResult(
            record.turn_id,
            record.transcript,
            record.reply.strip(),
            record.times,
            cancelled=True,
            reply_heard=heard,
            skill=record.skill,
            unsure_transcript=record.unsure,
            sources=record.sources,
        )


class _NothingHeardError(Exception):
    """The transcript was empty."""


def _heard_text(sentences: list[_SpokenSentence], played: float) -> str:
    heard: list[str] = []
    for sentence in sentences:
        if sentence.end <= played:
            heard.append(sentence.text)
            continue
        if sentence.start < played:
            words = sentence.text.split()
            fraction = (played - sentence.start) / max(sentence.end - sentence.start, 1e-6)
            heard.append(" ".join(words[: int(len(words) * fraction)]))
        break
    return " ".join(part for part in heard if part).strip()


def new_turn_id() -> str:
    """A fresh turn id."""
    return uuid.uuid4().hex[:12]


def _pause_for(transcript: Future[Transcript], settings: EndpointSettings) -> int:
    """The silence (ms) that ends the question, from how its transcript so far ends."""
    try:
        heard = transcript.result()
    except (CancelledError, EngineError):
        return settings.trailing_silence_ms
    text = heard.text
    judgement = judge_turn_end(text, heard.avg_logprob)
    pause = {
        TurnEnd.COMPLETE: settings.complete_ms,
        TurnEnd.UNFINISHED: max(settings.unfinished_ms, settings.trailing_silence_ms),
        TurnEnd.UNSURE: settings.trailing_silence_ms,
    }[judgement]
    log.info("End of turn: %r reads as %s; the question ends after %d ms of silence", text, judgement, pause)
    return pause
