"""Per model family: the prompt without example facts for capable models, and the family's sampling."""

from __future__ import annotations

from engine.chat import SYSTEM_PROMPT, system_prompt_for
from engine.llm import GenerationSettings
from models.catalogue import ModelKind, all_specs


def test_capable_families_get_no_example_facts_that_could_leak() -> None:
    for family in ("llama3", "qwen", "phi3", "gemma"):
        prompt = system_prompt_for("en", family)
        assert "Rex" not in prompt and "Rome" not in prompt and "Examples" not in prompt
        assert prompt.startswith("You are Aris")
    assert system_prompt_for("en", "smollm2") == SYSTEM_PROMPT  # the 135M model needs its examples
    assert system_prompt_for("auto") == SYSTEM_PROMPT


def test_every_catalogue_chat_model_has_a_family_with_sampling_settings() -> None:
    for spec in all_specs():
        if spec.kind is ModelKind.LLM:
            assert spec.family in {"llama3", "qwen", "phi3", "gemma", "smollm2"}, spec.name
            assert spec.chat_format is None  # the GGUF's own chat template
    assert GenerationSettings.for_family("qwen").top_k == 20
    assert GenerationSettings.for_family("llama3").repeat_penalty < GenerationSettings().repeat_penalty
    assert GenerationSettings.for_family(None) == GenerationSettings()
