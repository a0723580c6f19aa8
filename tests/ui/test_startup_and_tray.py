"""The window appears after launch (how soon is `bench startup`'s figure); the tray icon follows the state."""

from __future__ import annotations

from engine.events import TurnState


def test_the_window_shows_after_launch() -> None:
    from ui.bench.startup import measure_once

    launch, in_app = measure_once()
    assert 0 < in_app < launch  # the app's own part of the start is inside the whole launch


def test_tray_icon_and_menu_follow_the_state(qtbot) -> None:
    from ui.tray import Tray

    tray = Tray()
    assert tray.variant == "loading"
    tray.set_loading(False)
    tray.set_state(TurnState.LISTENING)
    assert tray.variant == "listening" and "listening" in tray.icon.toolTip()
    tray.set_state(TurnState.SPEAKING)
    assert tray.variant == "speaking"
    with qtbot.waitSignal(tray.mic_muted_changed) as muted:
        tray.mute_action.trigger()
    assert muted.args == [True] and tray.variant == "muted" and "muted" in tray.icon.toolTip()
    with qtbot.waitSignal(tray.speaking_paused_changed) as paused:
        tray.pause_action.trigger()
    assert paused.args == [True]
    with qtbot.waitSignal(tray.talk_requested):
        tray.talk_action.trigger()
    texts = [action.text() for action in tray.menu.actions() if action.text()]
    assert texts == ["Talk", "Hide window", "Mute microphone", "Pause speaking", "Quit Aris"]


def test_without_a_tray_the_window_says_why_and_closing_quits(qtbot, paths, monkeypatch) -> None:
    from PySide6.QtWidgets import QApplication

    from ui.app import build_session

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    qtbot.addWidget(controller.window)
    assert "no system tray" in controller.window.notice.text.lower()
    exits: list[int] = []
    app = QApplication.instance()
    monkeypatch.setattr(app, "exit", lambda code=0: exits.append(code))
    monkeypatch.setattr(app, "property", lambda name: True)  # as if run_desktop's event loop ran
    controller.window.show()
    controller.window.close()
    assert controller.has_quit and exits == [0]


def test_with_a_tray_closing_hides_and_says_so_once(qtbot, paths) -> None:
    from ui.app import build_session

    controller = build_session(paths, use_tray=True, use_hotkey=False)
    qtbot.addWidget(controller.window)
    controller.window.show()
    controller.window.close()
    assert not controller.window.isVisible()
    assert controller.settings.close_hint_shown
    assert controller.tray.window_action.text() == "Show window"
    controller.tray.toggle_window_requested.emit()
    assert controller.window.isVisible()
    controller.tray.hide()
    controller.bridge.shutdown()
