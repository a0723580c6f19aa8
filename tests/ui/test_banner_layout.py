"""Banners take their own room: the "Microphone muted" banner (and any notice) pushes the conversation down
instead of covering its first bubble."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget

from tests.ui.modal import click


def _in_window(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def test_the_muted_banner_does_not_cover_the_first_bubble(qtbot, make_session, question_wav) -> None:
    session = make_session(question_wav, use_tray=True)
    window, controller = session.window, session.controller
    window.resize(820, 720)
    window.conversation.add("user", "What is the capital of France?")
    window.conversation.add("assistant", "The capital of France is Paris.")
    window.notice.hide()
    qtbot.wait(50)

    controller.tray.mute_action.trigger()  # the tray menu's "Mute microphone"
    click(window.talk_button)
    qtbot.waitUntil(window.notice.isVisible, timeout=2000)
    assert window.notice.text.startswith("Microphone muted")
    for size in (window.size(), window.minimumSize()):  # as opened, and as small as it goes
        window.resize(size)
        qtbot.wait(50)  # the layout moves the conversation down
        banner = _in_window(window.notice, window)
        viewport = _in_window(window.conversation.viewport(), window)
        first = _in_window(window.conversation.bubbles[0], window)
        assert not banner.intersects(viewport), (size, banner, viewport)
        assert viewport.intersects(first), size  # the first bubble is still in view, below the banner
        assert banner.bottom() < first.top(), size
        for other in (
            window.memory_button.parentWidget(),
            window.talk_button.parentWidget(),
        ):  # header, composer
            assert not banner.intersects(_in_window(other, window)), (size, other.objectName())


def test_the_muted_banner_unmutes_and_goes_away_when_unmuted(qtbot, make_session, question_wav) -> None:
    session = make_session(question_wav, use_tray=True)
    window, controller = session.window, session.controller
    window.notice.hide()
    controller.tray.mute_action.trigger()
    click(window.talk_button)
    qtbot.waitUntil(window.notice.isVisible, timeout=2000)
    assert window.notice.action_button.isVisible() and window.notice.action_button.text() == "Unmute"

    click(window.notice.action_button)  # the window's own way back, without the tray
    assert not controller.mic_muted and not controller.tray.mute_action.isChecked()
    assert not window.notice.isVisible()

    controller.tray.mute_action.trigger()  # muted again from the tray, the banner shown again...
    click(window.talk_button)
    qtbot.waitUntil(window.notice.isVisible, timeout=2000)
    controller.tray.mute_action.trigger()  # ...and unmuted from the tray: the banner does not linger
    assert not controller.mic_muted and not window.notice.isVisible()
