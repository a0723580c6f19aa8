"""The one vocabulary of what happens during a turn. The pipeline emits these; the UI and CLI consume them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from engine.documents import Source


class TurnState(StrEnum):
    """Where a turn is; the shell shows this to the user."""

    IDLE = "idle"
    LISTENING = "listening"
    TRANSCRIBING = "transcribing"
    THINKING = "thinking"
    SPEAKING = "speaking"


class EventType(StrEnum):
    """Kinds of turn events, in the order a normal turn emits them."""

    TURN_STARTED = "turn_started"
    STATE_CHANGED = "state_changed"
    SPEECH_ENDED = "speech_ended"
    TRANSCRIPT_READY = "transcript_ready"
    TOKEN_GENERATED = "token_generated"
    SENTENCE_READY = "sentence_ready"
    AUDIO_STARTED = "audio_started"
    TURN_FINISHED = "turn_finished"
    TURN_CANCELLED = "turn_cancelled"
    TURN_FAILED = "turn_failed"


class Stage(StrEnum):
    """A moment of a turn whose time is kept (each is a field of StageTimes)."""

    SPEECH_END = "speech_end"
    TRANSCRIPT_READY = "transcript_ready"
    FIRST_TOKEN = "first_token"
    FIRST_SENTENCE = "first_sentence"
    FIRST_AUDIO = "first_audio"
    DONE = "done"


@dataclass(frozen=True)
class StageTimes:
    """Monotonic timestamps (seconds) of a turn's stages; None for a stage the turn did not reach."""

    speech_end: float | None = None
    transcript_ready: float | None = None
    first_token: float | None = None
    first_sentence: float | None = None
    first_audio: float | None = None
    done: float | None = None

    def reached(self, stage: Stage) -> bool:
        """True once ``stage`` has a time."""
        return getattr(self, stage.value) is not None

    def with_stage(self, stage: Stage, at: float) -> StageTimes:
        """These times with ``stage`` at ``at``, unless it already has a time (the first moment counts)."""
        return self if self.reached(stage) else replace(self, **{stage.value: at})

    def as_ms(self) -> dict[str, float]:
        """Milliseconds from the end of speech (or the turn's first stage for a typed turn) to each stage."""
        stamps = {
            "transcript_ready": self.transcript_ready,
            "first_token": self.first_token,
            "first_sentence": self.first_sentence,
            "first_audio": self.first_audio,
            "done": self.done,
        }
        origin = self.speech_end
        if origin is None:
            origin = min((value for value in stamps.values() if value is not None), default=None)
        if origin is None:
            return {}
        return {
            name: round((value - origin) * 1000, 1) for name, value in stamps.items() if value is not None
        }


@dataclass(frozen=True)
class TurnEvent:
    """Base of every event: which turn, and when (time.monotonic())."""

    turn_id: str
    at: float
    type: EventType = field(init=False)


@dataclass(frozen=True)
class TurnStarted(TurnEvent):
    """A turn began; ``spoken`` is False for a typed question."""

    spoken: bool = True
    type: EventType = field(default=EventType.TURN_STARTED, init=False)


@dataclass(frozen=True)
class StateChanged(TurnEvent):
    """The turn moved to a new state."""

    state: TurnState = TurnState.IDLE
    type: EventType = field(default=EventType.STATE_CHANGED, init=False)


@dataclass(frozen=True)
class SpeechEnded(TurnEvent):
    """The user stopped speaking (endpoint detected or push-to-talk released)."""

    audio_seconds: float = 0.0
    type: EventType = field(default=EventType.SPEECH_ENDED, init=False)


@dataclass(frozen=True)
class TranscriptReady(TurnEvent):
    """What the user said."""

    text: str = ""
    type: EventType = field(default=EventType.TRANSCRIPT_READY, init=False)


@dataclass(frozen=True)
class TokenGenerated(TurnEvent):
    """A piece of the reply as the model produced it."""

    text: str = ""
    type: EventType = field(default=EventType.TOKEN_GENERATED, init=False)


@dataclass(frozen=True)
class SentenceReady(TurnEvent):
    """A complete sentence of the reply, handed to speech synthesis."""

    text: str = ""
    type: EventType = field(default=EventType.SENTENCE_READY, init=False)


@dataclass(frozen=True)
class AudioStarted(TurnEvent):
    """The first synthesized audio of the reply went to the speaker."""

    type: EventType = field(default=EventType.AUDIO_STARTED, init=False)


@dataclass(frozen=True)
class TurnFinished(TurnEvent):
    """The turn completed; the full transcript, reply and stage times."""

    transcript: str = ""
    reply: str = ""
    times: StageTimes = field(default_factory=StageTimes)
    skill: str | None = None
    """The skill that answered, or None when the language model did."""
    sources: tuple[Source, ...] = ()
    """The passages of the user's documents the answer used (shown as citations to click)."""
    type: EventType = field(default=EventType.TURN_FINISHED, init=False)


@dataclass(frozen=True)
class TurnCancelled(TurnEvent):
    """The turn was stopped; ``reply_heard`` is the part of the reply that was actually played."""

    reason: str = ""
    transcript: str = ""
    reply_heard: str = ""
    type: EventType = field(default=EventType.TURN_CANCELLED, init=False)


@dataclass(frozen=True)
class TurnFailed(TurnEvent):
    """The turn failed with a coded, human-readable error."""

    code: str = ""
    message: str = ""
    type: EventType = field(default=EventType.TURN_FAILED, init=False)
