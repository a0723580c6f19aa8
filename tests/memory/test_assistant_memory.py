"""Memory inside the Assistant, with the real models: turns are logged with their stage times, learning
happens after the answer was spoken, recall feeds the answer, and forgetting clears the session's history."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.assistant import Assistant
from app.config import Settings
from app.memory.service import MemoryService
from app.paths import DataPaths
from engine.audio import WavSink
from engine.events import EventType, TurnEvent

pytestmark = pytest.mark.slow


@pytest.fixture
def assistant(factory, store_paths: DataPaths) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    """An assistant on a fresh data folder that reuses the session's loaded models."""
    built = Assistant(store_paths, Settings())
    built.factory = factory
    yield built
    built.close()


def test_turns_are_logged_and_learned_after_the_audio(assistant: Assistant) -> None:
    memory = assistant.open_memory()
    assert isinstance(memory, MemoryService)
    seen: dict[str, float] = {}
    original_learn = memory.learn

    def spying_learn(user_text: str, reply: str = "", message_id: str | None = None):  # type: ignore[no-untyped-def]
        seen["learn"] = time.monotonic()
        seen["message_id"] = message_id  # type: ignore[assignment]
        return original_learn(user_text, reply, message_id)

    memory.learn = spying_learn  # type: ignore[method-assign]

    def on_event(event: TurnEvent) -> None:
        if event.type is EventType.AUDIO_STARTED:
            seen.setdefault("first_audio", time.monotonic())
        if event.type is EventType.TURN_FINISHED:
            seen["finished"] = time.monotonic()

    assistant._on_event = on_event
    result = assistant.ask("My dog is called Rex.", WavSink())
    assistant.wait_for_learning(timeout=120)
    assert seen["first_audio"] < seen["finished"] <= seen["learn"]

    assert [m.text for m in memory.list()] == ["The user's dog is called Rex."]
    stored = memory.list()[0]
    assert stored.source_message_id == seen["message_id"]
    conversation = memory.conversations.recent_conversations()[0]
    messages = memory.conversations.messages(conversation.id)
    assert [(m.role, m.text) for m in messages] == [
        ("user", "My dog is called Rex."),
        ("assistant", result.reply),
    ]
    assert messages[0].id == stored.source_message_id
    assert (
        messages[1].timings["first_audio"] > 0
        and messages[1].timings["done"] >= messages[1].timings["first_audio"]
    )

    answer = assistant.ask("What is my dog called?")
    assert "rex" in answer.reply.lower()


def test_forgetting_clears_the_session_history(assistant: Assistant) -> None:
    assistant.ask("My car is a red Volvo.")
    assistant.wait_for_learning(timeout=120)
    memory = assistant.open_memory()
    assert isinstance(memory, MemoryService)
    learned = memory.list()[0]
    assert learned.text == "The user's car is a red Volvo."
    reply = assistant.ask("Forget what I told you about my car").reply
    assert reply == "OK, I've forgotten that."
    history = " ".join(m.content for m in assistant.pipeline.conversation.history)
    assert "Volvo" not in history
    # The message it was learned from is erased from the log too (it would bring the fact back via search).
    assert memory.conversations.search_messages("Volvo") == []
    assert "volvo" not in assistant.ask("What car do I drive?").reply.lower()


def test_memory_can_be_turned_off(factory, store_paths: DataPaths) -> None:  # type: ignore[no-untyped-def]
    assistant = Assistant(store_paths, Settings(memory_enabled=False))
    assistant.factory = factory
    try:
        reply = assistant.ask("Remember that my sister's name is Alice").reply
        assistant.wait_for_learning()
        assert assistant.memory is None
        assert not reply.startswith("OK, I'll remember")
        assert not store_paths.chroma_dir.exists()
    finally:
        assistant.close()


def test_learning_follows_a_language_switch(assistant: Assistant) -> None:
    """Switching the reply language in Settings reloads the models; memory's fact extraction then speaks with
    the new system prompt (the one llama.cpp has cached), through the same turn-gated model."""
    extractor = assistant.open_memory().learner.extractor
    assert extractor is not None
    english = assistant.system_prompt
    assistant.reload_models(assistant.settings.models.model_copy(update={"language": "ru"}))
    switched = assistant.open_memory().learner.extractor
    assert switched is not None and switched is not extractor
    assert assistant.system_prompt != english
    assert switched._system_prompt == assistant.system_prompt
    assert switched._llm is assistant.learning_model  # never the reply model directly, which has no gate
