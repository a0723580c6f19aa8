"""First run with a missing model: a clear message with the fix, the doctor's checks, and no crash."""

from __future__ import annotations

from app.config import Settings


def test_a_missing_model_is_explained_with_its_fix(qtbot, paths, tmp_path) -> None:
    from app.assistant import Assistant
    from engine.audio import WavSink
    from engine.errors import AudioDeviceError
    from ui.audio_io import AudioOpeners
    from ui.controller import Controller
    from ui.engine_bridge import EngineBridge
    from ui.main_window import MainWindow

    missing = tmp_path / "nowhere" / "model.gguf"
    settings = Settings().with_changes(models={"llm_path": str(missing), "threads": 2})

    def no_mic():
        raise AudioDeviceError("No microphone found. Connect one and run: python main.py doctor")

    bridge = EngineBridge(
        lambda on_event: Assistant(paths, settings, on_event=on_event),
        AudioOpeners(no_mic, lambda _rate: WavSink()),
    )
    window = MainWindow()
    qtbot.addWidget(window)
    controller = Controller(paths, settings, bridge, window, use_tray=False, use_hotkey=False)
    window.show()
    with qtbot.waitSignal(bridge.loading_failed, timeout=60_000) as failed:
        bridge.load()
    assert str(missing) in failed.args[0]
    assert window.state_badge.text == "Not ready"
    # Then the doctor's checks name everything that needs fixing, each with its fix.
    qtbot.waitUntil(lambda: "Aris needs a hand" in window.notice.text, timeout=120_000)
    assert "Microphone" in window.notice.text and "Fix:" in window.notice.text
    assert str(missing) in window.notice.text
    # Typing still gets a clear answer instead of a crash.
    with qtbot.waitSignal(bridge.turn_failed, timeout=30_000):
        controller.ask("Hello?")
    bridge.shutdown()
