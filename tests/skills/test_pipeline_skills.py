"""The pipeline asks the skills before the language model and reports which skill answered."""

from __future__ import annotations

from engine.events import TurnEvent, TurnFinished
from engine.pipeline import VoicePipeline


class _NoModel:
    """A responder for turns the skills must answer: being asked at all fails the test."""

    context_tokens = 2048

    def count_tokens(self, text: str) -> int:
        return len(text) // 4

    def respond(self, messages, cancel=None):
        raise AssertionError(f"the language model was asked: {messages[-1].content}")


class _Scripted(_NoModel):
    def respond(self, messages, cancel=None):
        yield "Paris."


def test_a_skill_answers_before_the_model_and_is_named(router) -> None:
    events: list[TurnEvent] = []
    pipeline = VoicePipeline(None, _NoModel(), None, skills=router, on_event=events.append)
    result = pipeline.text_turn("What is seventeen times three?", None)
    assert (result.skill, result.reply) == ("math", "That's 51.")
    finished = [e for e in events if isinstance(e, TurnFinished)]
    assert finished[0].skill == "math" and finished[0].reply == "That's 51."
    assert "first_token" in result.times.as_ms()


def test_other_questions_reach_the_model_with_no_skill(router) -> None:
    pipeline = VoicePipeline(None, _Scripted(), None, skills=router)
    result = pipeline.text_turn("What is the capital of France?", None)
    assert (result.skill, result.reply) == (None, "Paris.")


class _Memory:
    """Long-term memory with scripted recall (the test is about what the pipeline does with it)."""

    def __init__(self, recalled: list[str]) -> None:
        self.recalled = recalled

    def intercept(self, user_text: str) -> str | None:
        return None

    def is_command(self, user_text: str) -> bool:
        return False

    def recall(self, user_text: str) -> list[str]:
        return self.recalled

    def learn(self, user_text: str, reply: str, message_id: str | None = None) -> object:
        return None


def test_a_question_about_the_user_that_memory_cannot_answer_is_not_invented() -> None:
    pipeline = VoicePipeline(None, _NoModel(), None, memory=_Memory([]))
    for question in ("What is my sister's name?", "Who is my boss?", "Do I have a dog?"):
        assert pipeline.text_turn(question, None).reply == "I don't know that yet."


def test_general_questions_and_remembered_facts_still_reach_the_model() -> None:
    pipeline = VoicePipeline(None, _Scripted(), None, memory=_Memory([]))
    assert pipeline.text_turn("How do I boil an egg?", None).reply == "Paris."
    remembered = VoicePipeline(None, _Scripted(), None, memory=_Memory(["The user's sister is Alice."]))
    assert remembered.text_turn("What is my sister's name?", None).reply == "Paris."


def test_the_system_prompt_holds_no_example_facts() -> None:
    from engine.chat import SYSTEM_PROMPT

    assert "Rex" not in SYSTEM_PROMPT and "Example" not in SYSTEM_PROMPT
    assert "I don't know that yet." in SYSTEM_PROMPT


def test_claims_acts_on_nothing_and_covers_every_request_a_skill_answers(router, store) -> None:
    """The pipeline prepares a model reply ahead only for what no skill claims; asking must change nothing,
    and every request handle() answers must have been claimed (else the model's reply would be run ahead
    and then thrown away)."""
    from app.bench.skills import labelled_set

    rows = labelled_set("en")
    claimed = {text: router.claims(text) for _, text in rows}
    assert store.active() == [] and store.lists() == []  # no timer set, no list made by asking
    unclaimed_answers = [text for _, text in rows if router.handle(text) is not None and not claimed[text]]
    assert unclaimed_answers == []
    # The questions for the language model are left to it (so its reply can start in the pause).
    model_questions = [text for expected, text in rows if expected is None]
    assert sum(claimed[text] for text in model_questions) <= 3  # "what is a timer" may be claimed


class _Recording(_Scripted):
    """Keeps every prompt it was given."""

    def __init__(self) -> None:
        self.prompts: list[list] = []

    def respond(self, messages, cancel=None):
        self.prompts.append(list(messages))
        yield "Paris."


def test_a_prompt_about_the_moment_carries_the_date_time_and_zone(router) -> None:
    from datetime import datetime

    model = _Recording()
    pipeline = VoicePipeline(None, model, None, skills=router)
    pipeline.text_turn("What should I cook tonight?", None)
    [prompt] = model.prompts
    told = " ".join(m.content for m in prompt[1:])
    now = datetime.now().astimezone()
    assert now.strftime("%A") in told and str(now.year) in told  # (a turn at midnight may see the next day)
    assert "time zone" in told and ("AM" in told or "PM" in told)
    assert prompt[0].content == pipeline.conversation.system_prompt  # the cached prefix stays fixed
