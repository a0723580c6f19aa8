"""An answer or a timer that finishes while the window is out of sight is announced (a tray message, or the
taskbar's attention flag without a tray); one that finishes in plain sight is not repeated as a message."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.skills.router import SkillRouter, open_skill_store
from ui.skills_shell import SkillsShell


def _ask(window, question: str) -> None:
    window.input.setFocus()
    QTest.keyClicks(window.input, question)
    QTest.keyClick(window.input, Qt.Key.Key_Return)


def test_an_answer_finished_while_the_window_is_hidden_is_notified(qtbot, make_session) -> None:
    session = make_session(use_tray=True)
    window, notifier = session.window, session.controller.notifier
    seen: list[tuple[str, str, str]] = []
    notifier.notified.connect(lambda *note: seen.append(note))

    _ask(window, "What is the capital of France?")
    with qtbot.waitSignal(session.bridge.turn_finished, timeout=60_000):
        pass
    assert seen == []  # answered in plain sight: the window says it all

    _ask(window, "What is the capital of Italy?")
    window.close()  # the window's close button: Aris goes on in the tray
    assert not window.isVisible()
    with qtbot.waitSignal(notifier.notified, timeout=60_000) as note:
        pass
    title, text, how = note.args
    assert (title, how) == ("Aris answered", "tray")
    assert text and window.conversation.bubbles[-1].text.startswith(text.rstrip("…"))


def test_an_answer_finished_while_minimised_without_a_tray_asks_for_attention(qtbot, make_session) -> None:
    session = make_session(use_tray=False)
    window, notifier = session.window, session.controller.notifier
    _ask(window, "What is the capital of Spain?")
    window.showMinimized()
    with qtbot.waitSignal(notifier.notified, timeout=60_000) as note:
        pass
    assert note.args[0] == "Aris answered" and note.args[2] == "taskbar"


def test_a_timer_ringing_while_hidden_is_notified(qtbot, make_session) -> None:
    session = make_session(use_tray=True)
    shell = SkillsShell(session.controller)
    shell.start()
    try:
        session.window.close()
        router = SkillRouter(open_skill_store(session.paths.database))  # as `python main.py ask` would
        assert router.handle("set an egg timer for 2 seconds") is not None
        router.close()
        with qtbot.waitSignal(session.controller.notifier.notified, timeout=10_000) as note:
            pass
        assert note.args[0] == "Timer" and "egg timer" in note.args[1] and note.args[2] == "tray"
    finally:
        shell.stop()
