"""Only statements about the user go to the language model for fact extraction: requests don't."""

from __future__ import annotations

from app.memory.service import _statements_without_rule


def test_requests_and_questions_are_not_sent_for_extraction() -> None:
    assert _statements_without_rule("Who wrote Romeo and Juliet? Tell me more.") == []
    assert _statements_without_rule("Give us a short summary please.") == []


def test_statements_about_the_user_are() -> None:
    assert _statements_without_rule("I play the violin on weekends.") == ["I play the violin on weekends."]
