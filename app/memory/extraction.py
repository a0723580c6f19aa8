"""Facts from the local language model, for what the rules do not cover.

Small models break free-form JSON (mem0 #3391, #2758, #4540), so the reply is constrained by llama.cpp's
grammar to a JSON schema, then checked for meaning: each fact must be a statement about the user whose words
come from what the user said (a 135M model otherwise invents facts). A reply that fails is retried once with
the reason; a second failure is logged with what was lost, never dropped silently."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from app.memory.phrasing import sentence
from app.memory.rules import KINDS, Candidate, classify
from app.storage.fts import content_words
from engine.chat import ChatMessage, Role
from engine.errors import EngineError

log = logging.getLogger(__name__)

MAX_FACTS = 3
MAX_FACT_CHARS = 160

FACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "facts": {
            "type": "array",
            "maxItems": MAX_FACTS,
            "items": {
                "type": "object",
                "properties": {
                    "fact": {"type": "string", "maxLength": MAX_FACT_CHARS},
                    "kind": {"type": "string", "enum": list(KINDS)},
                },
                "required": ["fact", "kind"],
            },
        }
    },
    "required": ["facts"],
}

INSTRUCTIONS = """Now you are not answering. You are taking notes. List the facts that the user's message \
states about the user, the user's family and friends, likes and dislikes, or plans. Write each fact as one \
short sentence that starts with "The user". Use only words from the message. If the message states no such \
fact, or only asks a question, return an empty list.

Message: My brother Tom is a doctor.
{"facts": [{"fact": "The user's brother Tom is a doctor.", "kind": "person"}]}
Message: I go swimming every Sunday.
{"facts": [{"fact": "The user goes swimming every Sunday.", "kind": "fact"}]}
Message: What time is it?
{"facts": []}"""


class JsonCompleter(Protocol):
    """The part of the language model extraction needs (LlamaResponder has it)."""

    def complete_json(
        self, messages: Sequence[ChatMessage], schema: dict[str, Any], max_tokens: int = 256
    ) -> Any:
        """A reply constrained to ``schema``, parsed."""
        ...


@dataclass(frozen=True)
class ExtractionResult:
    """Facts the model found, and what was rejected (for the log and for tests)."""

    facts: list[Candidate]
    rejected: list[str]


class FactExtractor:
    """Asks the language model for facts in one user message."""

    def __init__(self, llm: JsonCompleter, system_prompt: str | None = None) -> None:
        """``system_prompt`` should be the assistant's own: llama.cpp then reuses its cached evaluation, and
        the next spoken answer does not pay for re-reading it."""
        self._llm = llm
        self._system_prompt = system_prompt

    def extract(self, user_text: str) -> ExtractionResult:
        """Facts stated in ``user_text``, validated; at most two model calls."""
        messages = self._messages(user_text)
        rejected: list[str] = []
        for attempt in (1, 2):
            try:
                reply = self._llm.complete_json(messages, FACT_SCHEMA, max_tokens=200)
            except EngineError as error:
                problem: str | None = f"the model failed ({error.message})"
                reply = None
            else:
                facts, problem, dropped = validate(reply, user_text)
                rejected.extend(dropped)
                if problem is None:
                    return ExtractionResult(facts, rejected)
            log.info("Fact extraction attempt %d rejected: %s", attempt, problem)
            messages = [
                *messages,
                ChatMessage(Role.ASSISTANT, str(reply)[:400]),
                ChatMessage(Role.USER, f"That was not right: {problem}. Try again, following the rules."),
            ]
        log.warning(
            "The language model could not extract facts from %r after a retry (%s); facts found by the "
            "rules are still kept, anything else in this message was not learned",
            user_text,
            problem,
        )
        return ExtractionResult([], rejected)

    def _messages(self, user_text: str) -> list[ChatMessage]:
        messages = [ChatMessage(Role.SYSTEM, self._system_prompt)] if self._system_prompt else []
        messages.append(ChatMessage(Role.SYSTEM, INSTRUCTIONS))
        messages.append(ChatMessage(Role.USER, f"Message: {user_text.strip()}"))
        return messages


_USER_START = re.compile(r"^(?:the\s+user\b|user\b|the\s+user's\b|user's\b)", re.I)


def validate(reply: object, user_text: str) -> tuple[list[Candidate], str | None, list[str]]:
    """Check a parsed reply. Returns (facts kept, the problem that warrants a retry or None, texts dropped).

    A retry is asked for when the reply's shape is wrong or every fact was rejected; individual facts that
    are not grounded in the message are dropped (and returned) without failing the others.
    """
    if not isinstance(reply, dict) or not isinstance(reply.get("facts"), list):
        return [], 'the reply must be {"facts": [...]}', []
    said = set(content_words(user_text))
    kept: list[Candidate] = []
    dropped: list[str] = []
    for item in reply["facts"][:MAX_FACTS]:
        if not isinstance(item, dict) or not isinstance(item.get("fact"), str):
            dropped.append(repr(item))
            continue
        text = item["fact"].strip()
        kind = item.get("kind") if item.get("kind") in KINDS else "fact"
        if not _USER_START.match(text) or len(text) > MAX_FACT_CHARS:
            dropped.append(text)
            continue
        words = [w for w in content_words(text) if w not in {"user", "users"}]
        if not words or not _grounded(words, said) or _negated(text) != _negated(user_text):
            dropped.append(text)
            continue
        kept.append(classify(sentence(text), str(kind), "llm"))
    if reply["facts"] and not kept:
        return [], "each fact must start with 'The user' and use only words from the message", dropped
    return kept, None, dropped


def _grounded(words: list[str], said: set[str]) -> bool:
    """Every word of the fact was said (allowing for 'lives' vs 'live' and the like): the small model
    otherwise copies its examples into the user's facts."""
    stems = {_stem(w) for w in said}
    return all(_stem(w) in stems for w in words)


def _stem(word: str) -> str:
    """A crude stem, enough to match "plays"/"play", "running"/"run", "goes"/"go"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2]:
        word = word[:-1]
    return word[:6]


_NEGATION = re.compile(r"\b(?:not|no|never|nothing|none|cannot)\b|n't\b", re.I)


def _negated(text: str) -> bool:
    """A fact must keep the message's polarity ("can't" is a stop word, so the word check misses it)."""
    return bool(_NEGATION.search(text))
