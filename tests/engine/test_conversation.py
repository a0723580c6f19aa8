"""The prompt's layout keeps llama.cpp's cached prefix valid from turn to turn as a conversation grows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.chat import ChatMessage, Role
from engine.conversation import MEMORY_HEADER, Conversation

MOMENT = datetime(2026, 11, 30, 16, 5, tzinfo=UTC)
"""A fixed clock, so consecutive prompts share their prefix as they do within a minute."""


def shared_prefix(a: list[ChatMessage], b: list[ChatMessage]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def cost(messages: list[ChatMessage]) -> int:
    return sum(len(m.content) // 4 + 1 + 4 for m in messages)


def test_the_system_prompt_comes_first_and_memories_and_question_last() -> None:
    conversation = Conversation()
    conversation.add_exchange("My dog is Rex.", "Nice name.")
    messages = conversation.build("What is my dog called?", ["The user's dog is called Rex."])
    assert messages[0] == ChatMessage(Role.SYSTEM, conversation.system_prompt)
    assert messages[1:3] == conversation.history  # no clock: the question does not depend on the moment
    assert messages[-2].role is Role.SYSTEM and messages[-2].content.startswith(MEMORY_HEADER)
    assert messages[-1] == ChatMessage(Role.USER, "What is my dog called?")


def test_history_is_trimmed_in_large_steps_so_most_turns_keep_the_whole_prefix() -> None:
    conversation = Conversation(keep_after_trim=0.5, clock=lambda: MOMENT)
    budget = 400
    previous: list[ChatMessage] | None = None
    trims = 0
    turns = 60
    for turn in range(turns):
        question = f"Question number {turn} about something or other?"
        messages = conversation.build(question, [f"memory {turn}"], budget_tokens=budget)
        assert cost(messages) <= budget
        assert turn == 0 or messages[1].role is Role.USER  # never an orphaned reply first
        if previous is not None:
            history_before = len(previous) - 3  # system, memories, question
            # Everything the last prompt had before its memories is still this prompt's prefix...
            if shared_prefix(previous, messages) < 1 + history_before:
                trims += 1
            # ...except when a trim happened, and the system prompt always stays.
            assert shared_prefix(previous, messages) >= 1
        conversation.add_exchange(question, f"Answer number {turn}, short and plain.")
        previous = messages
    assert 1 <= trims <= turns // 5, trims


def test_clear_starts_over() -> None:
    conversation = Conversation()
    for turn in range(40):
        conversation.build(f"question {turn} " * 10, budget_tokens=300)
        conversation.add_exchange(f"question {turn} " * 10, "answer")
    conversation.clear()
    conversation.add_exchange("hello", "hi")
    assert conversation.build("again", budget_tokens=300)[1:3] == conversation.history


def test_a_bad_trim_share_is_refused() -> None:
    with pytest.raises(ValueError, match="keep_after_trim"):
        Conversation(keep_after_trim=1.5)


def test_the_clock_line_comes_after_the_history_and_names_the_day() -> None:
    """After the fixed system prompt (still the cached prefix), not between the history and the question,
    where the 135M model lost the thread of the conversation."""
    conversation = Conversation(clock=lambda: MOMENT)
    conversation.add_exchange("hello", "hi")
    messages = conversation.build("what day is it")
    assert messages[-2] == ChatMessage(
        Role.SYSTEM, "It is now Monday, November 30, 2026, 4:05 PM (time zone UTC)."
    )
    assert messages[1:3] == conversation.history  # the history stays the cached prefix


@pytest.mark.parametrize(
    ("question", "told"),
    [
        ("What should I cook tonight?", True),
        ("How many days until my birthday?", True),
        ("When did the Berlin Wall fall?", True),
        ("What is the capital of France?", False),
        ("How many legs does a spider have?", False),
    ],
)
def test_the_clock_is_told_when_the_question_depends_on_the_moment(question: str, told: bool) -> None:
    messages = Conversation(clock=lambda: MOMENT).build(question)
    assert any(m.content.startswith("It is now") for m in messages) is told
