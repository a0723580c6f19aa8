"""The evaluated system prompt survives the process: a new model context restores it from disk and reads
only the new question, and the one-shot CLI loads neither the speech recognizer nor the voice."""

from __future__ import annotations

from pathlib import Path

from app.assistant import Assistant
from app.config import ModelSettings, Settings
from app.engine_factory import EngineFactory
from app.paths import DataPaths
from engine.chat import SYSTEM_PROMPT, ChatMessage, Role
from engine.llm import LlamaResponder

QUESTION = [ChatMessage(Role.SYSTEM, SYSTEM_PROMPT), ChatMessage(Role.USER, "What is the capital of France?")]


def fresh(factory: EngineFactory) -> LlamaResponder:
    model = factory.llm_model()
    return LlamaResponder(str(model.path), chat_format=model.spec.chat_format, threads=2)


def test_a_saved_prompt_state_spares_a_new_context_the_system_prompt(factory, tmp_path: Path) -> None:
    state = tmp_path / "state.bin"
    warm = fresh(factory)
    warm.complete_warmup()
    warm.save_prompt_state(state)

    cold = fresh(factory)
    reply = "".join(cold.respond(QUESTION))
    assert cold.last_prompt is not None
    full = cold.last_prompt.evaluated_tokens

    restored = fresh(factory)
    assert restored.load_prompt_state(state)
    assert "".join(restored.respond(QUESTION)) == reply  # same answer: the restored cache is the real one
    assert restored.last_prompt is not None
    print(f"prompt tokens evaluated: {full} cold, {restored.last_prompt.evaluated_tokens} restored")
    assert full > 100
    assert restored.last_prompt.evaluated_tokens < 30


def test_a_missing_or_damaged_state_is_ignored(factory, tmp_path: Path) -> None:
    responder = fresh(factory)
    assert not responder.load_prompt_state(tmp_path / "missing.bin")
    damaged = tmp_path / "damaged.bin"
    damaged.write_bytes(b"not a llama state" * 100)
    assert not responder.load_prompt_state(damaged)
    assert "paris" in "".join(responder.respond(QUESTION)).lower()


def test_the_factory_saves_the_state_once_and_names_it_after_the_model(session_paths: DataPaths) -> None:
    built = EngineFactory(ModelSettings(threads=2), session_paths)
    path = built.prompt_state_file()
    built.responder()
    assert path.is_file() and path.parent.name == "llm-state"
    assert EngineFactory(ModelSettings(threads=2), session_paths).prompt_state_file() == path


def test_a_typed_question_loads_no_speech_models(tmp_path: Path) -> None:
    """What keeps the one-shot `ask` fast: the speech recognizer and the voice load only when used."""
    paths = DataPaths(tmp_path / "d").ensure()
    assistant = Assistant(paths, Settings(memory_enabled=False))
    try:
        result = assistant.ask("What is the capital of France?")
    finally:
        assistant.close()
    assert "paris" in result.reply.lower()
    assert set(assistant.factory.load_times.seconds) == {"llm"}
