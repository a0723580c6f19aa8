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
When you are told facts about the user, use them and speak to the user as "you".

Examples:
User: What is the capital of Italy?
Aris: The capital of Italy is Rome.
User: How many days are in a week?
Aris: There are seven days in a week.
Facts about the user: The user's dog is called Rex.
User: What is my dog called?
Aris: Your dog is called Rex."""

LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Russian",
    "uk": "Ukrainian",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "pl": "Polish",
    "nl": "Dutch",
}


PLAIN_PROMPT_FAMILIES = frozenset({"llama3", "qwen", "phi3", "gemma"})
"""Families that follow instructions without worked examples: they get the prompt without its example
facts (Rome, Rex), which a capable model can otherwise repeat as if they were the user's."""


def system_prompt_for(language: str, family: str | None = None) -> str:
    """The fixed system prompt for a reply language and model family ("auto"/"en" with a small or unknown
    model keep the default, which llama.cpp has cached); one prompt per setting keeps the cached prefix."""
    prompt = SYSTEM_PROMPT
    if family in PLAIN_PROMPT_FAMILIES:
        prompt = SYSTEM_PROMPT.split("\n\nExamples:", 1)[0]
    name = LANGUAGE_NAMES.get(language)
    if language in ("auto", "en") or name is None:
        return prompt
    first, sep, rest = prompt.partition("\n\nExamples:")
    return f"{first} Always answer in {name}.{sep}{rest}"
