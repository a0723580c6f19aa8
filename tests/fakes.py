"""Scripted stand-ins for the engine's stages (the real protocols, scripted outputs, recorded inputs), so
tests about the pipeline's order of events run in milliseconds. The real models are tested elsewhere
(tests/engine/test_voice_turn.py and friends): these never replace that proof."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from engine.audio import CAPTURE_RATE, AudioChunk
from engine.cancel import CancelToken
from engine.chat import ChatMessage
from engine.errors import TurnCancelledError
from engine.stt import Transcript


class ScriptedTranscriber:
    """Returns the scripted texts in order (the last one again when they run out)."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts) or [""]
        self.calls: list[np.ndarray] = []

    def transcribe(self, audio: np.ndarray) -> Transcript:
        """The next scripted text; the audio is recorded."""
        self.calls.append(audio)
        text = self.texts[min(len(self.calls), len(self.texts)) - 1]
        return Transcript(text=text, audio_seconds=len(audio) / CAPTURE_RATE, processing_seconds=0.0)


class ScriptedResponder:
    """Streams each scripted reply word by word; records the messages of every call."""

    def __init__(self, *replies: str, context_tokens: int = 2048) -> None:
        self.replies = list(replies) or [""]
        self.context_tokens = context_tokens
        self.calls: list[list[ChatMessage]] = []

    def count_tokens(self, text: str) -> int:
        """Roughly four characters a token."""
        return len(text) // 4 + 1

    def respond(self, messages: Sequence[ChatMessage], cancel: CancelToken | None = None) -> Iterator[str]:
        """The next scripted reply in pieces; stops between pieces when ``cancel`` fires."""
        self.calls.append(list(messages))
        reply = self.replies[min(len(self.calls), len(self.replies)) - 1]
        for index, word in enumerate(reply.split(" ")):
            if cancel is not None and cancel.cancelled:
                raise TurnCancelledError(f"Turn cancelled: {cancel.reason}")
            yield word if index == 0 else " " + word


class ScriptedSynthesizer:
    """Silence, ``seconds_per_char`` long per character of each sentence; records the sentences."""

    def __init__(self, seconds_per_char: float = 0.01, sample_rate: int = 16_000) -> None:
        self.sample_rate = sample_rate
        self.seconds_per_char = seconds_per_char
        self.calls: list[str] = []

    def synthesize(self, text: str, cancel: CancelToken | None = None) -> Iterator[AudioChunk]:
        """One chunk of silence for ``text``."""
        self.calls.append(text)
        if cancel is not None and cancel.cancelled:
            raise TurnCancelledError(f"Turn cancelled: {cancel.reason}")
        samples = int(len(text) * self.seconds_per_char * self.sample_rate)
        yield AudioChunk(np.zeros(samples, dtype=np.float32), self.sample_rate)


class ScriptedMemory:
    """A MemoryHook that recalls fixed texts and answers fixed commands; records what it learns."""

    def __init__(self, recalled: Sequence[str] = (), commands: dict[str, str] | None = None) -> None:
        self.recalled = list(recalled)
        self.commands = dict(commands or {})
        self.learned: list[tuple[str, str]] = []
        self.closed = False

    def intercept(self, user_text: str) -> str | None:
        """The scripted answer to a command, else None."""
        return self.commands.get(user_text)

    def is_command(self, user_text: str) -> bool:
        """Whether ``user_text`` is one of the scripted commands."""
        return user_text in self.commands

    def recall(self, user_text: str) -> list[str]:
        """The fixed memories."""
        return list(self.recalled)

    def learn(self, user_text: str, reply: str, message_id: str | None = None) -> object:
        """Record the exchange."""
        self.learned.append((user_text, reply))
        return None

    def close(self) -> None:
        """Record that the store was closed."""
        self.closed = True
