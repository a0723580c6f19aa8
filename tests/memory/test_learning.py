"""Learning from turns: the rules, the real language model through the grammar, and what happens when the
model's answer is unusable (retried once, then logged, never silently dropped)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from app.memory.commands import CommandKind, parse_command
from app.memory.decisions import Action
from app.memory.embeddings import MiniLMEmbedder
from app.memory.extraction import FACT_SCHEMA, FactExtractor, validate
from app.memory.rules import extract_facts, extract_retractions
from app.memory.service import MemoryService, MemorySettings
from app.paths import DataPaths
from engine.chat import SYSTEM_PROMPT, ChatMessage
from engine.errors import GenerationError


class ScriptedCompleter:
    """Returns scripted replies to complete_json and records the calls (a fake of LlamaResponder's part)."""

    def __init__(self, *replies: object) -> None:
        self.replies = list(replies)
        self.calls: list[list[ChatMessage]] = []

    def complete_json(
        self, messages: Sequence[ChatMessage], schema: dict[str, Any], max_tokens: int = 256
    ) -> Any:
        assert schema is FACT_SCHEMA
        self.calls.append(list(messages))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


@pytest.mark.parametrize(
    ("said", "kind", "body"),
    [
        ("Remember that my sister's name is Alice", CommandKind.REMEMBER, "my sister's name is Alice"),
        ("Hey Aris, please remember I park on level 3.", CommandKind.REMEMBER, "I park on level 3"),
        ("Don't forget that I'm allergic to peanuts", CommandKind.REMEMBER, "I'm allergic to peanuts"),
        ("Could you make a note that my dentist is Dr. Lee", CommandKind.REMEMBER, "my dentist is Dr. Lee"),
        ("Forget what I told you about my car", CommandKind.FORGET, "my car"),
        ("Please delete the memory about my car.", CommandKind.FORGET, "my car"),
        ("forget that I live in Berlin", CommandKind.FORGET, "I live in Berlin"),
        ("Forget everything you know about me", CommandKind.FORGET_ALL, ""),
        ("What do you know about me?", CommandKind.LIST, ""),
        ("what do you remember about my sister", CommandKind.LIST, "my sister"),
        ("Tell me what you know about me", CommandKind.LIST, ""),
    ],
)
def test_commands_in_natural_phrasings(said: str, kind: CommandKind, body: str) -> None:
    command = parse_command(said)
    assert command is not None and (command.kind, command.body) == (kind, body)


@pytest.mark.parametrize(
    "said",
    [
        "Delete the timer",
        "forget it",
        "Can you remember when the Berlin wall fell?",
        "I forgot my keys",
        "Hello",
    ],
)
def test_ordinary_sentences_are_not_commands(said: str) -> None:
    assert parse_command(said) is None


def test_rules_phrase_facts_for_the_prompt() -> None:
    assert [c.text for c in extract_facts("I moved from Berlin to Lisbon last year")] == [
        "The user lives in Lisbon."
    ]
    assert [c.text for c in extract_facts("My sister is called Alice and I love sushi")] == [
        "The user's sister is called Alice.",
        "The user loves sushi.",
    ]
    assert extract_facts("What is my sister's name?") == []
    assert [c.slot for c in extract_retractions("I don't live in Berlin anymore")] == ["lives_in"]


def test_model_facts_are_grounded_in_the_message() -> None:
    facts, problem, dropped = validate(
        {
            "facts": [
                {"fact": "The user plays the guitar on weekends.", "kind": "fact"},
                {"fact": "The user goes swimming every Sunday.", "kind": "fact"},  # copied from the examples
                {"fact": "The user can't play the guitar.", "kind": "fact"},  # polarity flipped
            ]
        },
        "I play the guitar on weekends.",
    )
    assert problem is None
    assert [f.text for f in facts] == ["The user plays the guitar on weekends."]
    assert dropped == ["The user goes swimming every Sunday.", "The user can't play the guitar."]


def test_unusable_model_reply_is_retried_once_with_the_reason() -> None:
    llm = ScriptedCompleter(
        {"facts": [{"fact": "Paris is in France.", "kind": "fact"}]},
        {"facts": [{"fact": "The user plays chess with Tom.", "kind": "fact"}]},
    )
    result = FactExtractor(llm).extract("I play chess with Tom.")
    assert [f.text for f in result.facts] == ["The user plays chess with Tom."]
    assert len(llm.calls) == 2
    assert "That was not right" in llm.calls[1][-1].content


def test_failed_extraction_is_logged_not_silently_dropped(caplog: pytest.LogCaptureFixture) -> None:
    llm = ScriptedCompleter(GenerationError("The language model returned malformed JSON: '{'"), {"oops": 1})
    with caplog.at_level(logging.WARNING, logger="app.memory.extraction"):
        result = FactExtractor(llm).extract("I play chess with Tom on Fridays.")
    assert result.facts == []
    assert len(llm.calls) == 2
    warning = next(r for r in caplog.records if r.levelno == logging.WARNING)
    assert "could not extract facts" in warning.getMessage()
    assert "chess" not in warning.getMessage()  # logs never hold what the user said


@pytest.fixture
def learning_memory(factory, store_paths: DataPaths, embedder: MiniLMEmbedder) -> Iterator[MemoryService]:  # type: ignore[no-untyped-def]
    """A store that learns with the real default language model."""
    service = MemoryService.open(
        store_paths,
        factory.responder(),
        embedder=embedder,
        settings=MemorySettings(),
        system_prompt=SYSTEM_PROMPT,
    )
    yield service
    service.close()


@pytest.mark.slow
def test_real_model_learns_what_the_rules_miss(learning_memory: MemoryService) -> None:
    decisions = learning_memory.learn("We're expecting a baby in June.", "Congratulations!")
    assert [(d.action, d.candidate.source) for d in decisions] == [(Action.ADD, "llm")]
    assert learning_memory.list()[0].text == "The user is expecting a baby in June."
    assert learning_memory.recall("When is our baby due?") == ["The user is expecting a baby in June."]


@pytest.mark.slow
def test_questions_and_small_talk_teach_nothing(learning_memory: MemoryService) -> None:
    for said in ("What is the capital of France?", "Thanks, that's all.", "Tell me a joke"):
        assert [d for d in learning_memory.learn(said) if d.action is not Action.NONE] == []
    assert learning_memory.list() == []


def test_and_joined_clauses_become_separate_facts() -> None:
    said = "I'm allergic to peanuts and my wife is called Maria"
    assert [c.text for c in extract_facts(said)] == [
        "The user is allergic to peanuts.",
        "The user's wife is called Maria.",
    ]
    assert [c.text for c in extract_facts("My sister Alice and my brother Tom live in Paris")] == [
        "The user's sister Alice and the user's brother Tom live in Paris."
    ]
