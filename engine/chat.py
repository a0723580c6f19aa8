"""The chat vocabulary every stage shares: who said what, and the protocol of anything that answers.

Its own module so that the model (`engine.llm`) and the prompt builder (`engine.conversation`) both depend on
it instead of on each other."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from engine.cancel import CancelToken


class Role(StrEnum):
    """Who said a chat message."""

    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True)
class ChatMessage:
    """One message of the conversation sent to the model."""

    role: Role
    content: str


class Responder(Protocol):
    """Anything that streams a reply to a conversation (a local GGUF model, an external server)."""

    context_tokens: int
    """The context window; the conversation is trimmed to fit it."""

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes in this model's vocabulary."""
        ...

    def respond(self, messages: Sequence[ChatMessage], cancel: CancelToken | None = None) -> Iterator[str]:
        """Yield the reply in pieces as they are generated."""
        ...


SYSTEM_PROMPT = """You are Aris, a helpful voice assistant on the user's computer. Answer the user's question \
directly in one or two short, plain sentences. Your words are spoken aloud: no lists, no markdown. \
Facts about the user may be given after this message: use only those for questions about the user, and \
speak to the user as "you". If a question is about the user and no given fact answers it, reply exactly: \
I don't know that yet."""
"""Fixed, so llama.cpp reuses its evaluated prefix; no examples, because a small model repeats them as facts."""
