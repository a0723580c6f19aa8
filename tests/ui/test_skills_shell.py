"""Timers ring from the running app and the Timers and Lists panels work, on a real session (real models,
real database, a silent real-time speaker that records what is played)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.skills.router import SkillRouter, open_skill_store
from app.skills.store import SkillStore, TimerKind
from app.storage.database import open_database
from ui.skills_shell import SkillsShell


def _other_process(paths, *requests: str) -> None:
    """What `python main.py ask …` does to the database: its own connection, its own router."""
    router = SkillRouter(open_skill_store(paths.database))
    for request in requests:
        assert router.handle(request) is not None
    router.close()


def test_a_two_second_timer_rings_with_sound_and_a_notification(qtbot, make_session) -> None:
    session = make_session()
    shell = SkillsShell(session.controller)
    shell.start()
    try:
        played_before = session.bridge._sink.played_seconds
        _other_process(session.paths, "set a pasta timer for 2 seconds")
        set_at = time.monotonic()
        # The panel shows the timer set elsewhere, and it rings when it is due, not before.
        qtbot.waitUntil(lambda: len(shell.timers_panel._ids) == 1, timeout=30_000)
        qtbot.waitUntil(lambda: "pasta timer is done" in session.window.notice.text, timeout=30_000)
        assert time.monotonic() - set_at > 1.9
        # The chime and the spoken announcement reach the speaker.
        qtbot.waitUntil(lambda: session.bridge._sink.played_seconds - played_before > 2.0, timeout=20_000)
        qtbot.waitUntil(lambda: shell.timers_panel._ids == [], timeout=2000)
    finally:
        shell.stop()


def test_a_timer_set_before_a_restart_rings_after_it(qtbot, make_session) -> None:
    session = make_session()
    first = SkillsShell(session.controller)
    first.start()
    _other_process(session.paths, "set a tea timer for 2 seconds")
    first.stop()  # Aris quits before the timer is due
    time.sleep(2.5)
    second = SkillsShell(session.controller)  # and starts again
    second.start()
    try:
        qtbot.waitUntil(lambda: "tea timer is done" in session.window.notice.text, timeout=3000)
    finally:
        second.stop()


def test_cancel_button_cancels_the_timer(qtbot, make_session) -> None:
    session = make_session()
    shell = SkillsShell(session.controller)
    try:
        _other_process(session.paths, "set an egg timer for 5 minutes")
        qtbot.waitUntil(lambda: len(shell.timers_panel._ids) == 1, timeout=1000)
        timer_id = shell.timers_panel._ids[0]
        remaining = shell.timers_panel.findChild(object, f"remaining-{timer_id}")
        assert remaining.text().startswith(("4:5", "5:00"))
        button = shell.timers_panel.findChild(QPushButton, f"cancel-{timer_id}")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        check = SkillStore(open_database(session.paths.database))
        assert check.active(TimerKind.TIMER) == []
        check.db.conn.close()
        qtbot.waitUntil(shell.timers_panel.empty.isVisible, timeout=1000)
    finally:
        shell.stop()


def test_lists_panel_adds_checks_off_and_shows_voice_changes(qtbot, make_session) -> None:
    session = make_session()
    shell = SkillsShell(session.controller)
    panel = shell.lists_panel
    try:
        qtbot.keyClicks(panel.entry, "milk, eggs")
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
        assert [panel.items.item(i).text() for i in range(panel.items.count())] == ["milk", "eggs"]
        panel.items.setFocus()
        panel.items.setCurrentRow(0)
        qtbot.keyClick(panel.items, Qt.Key.Key_Space)  # ticks the item off
        shopping = shell.store.find_list("shopping")
        assert [(i.text, i.done) for i in shopping.items] == [("milk", True), ("eggs", False)]
        _other_process(session.paths, "add sunscreen to my packing list", "add bread to my shopping list")
        qtbot.waitUntil(lambda: panel.items.count() == 3, timeout=1500)
        qtbot.waitUntil(lambda: panel.chooser.findText("packing") >= 0, timeout=1500)
    finally:
        shell.stop()


def test_tray_timers_menu_lists_and_cancels(qtbot, paths) -> None:
    from PySide6.QtCore import QPoint

    from ui.timers_panel import TimersMenu

    _other_process(paths, "set a pizza timer for 10 minutes")
    store = SkillStore(open_database(paths.database))
    menu = TimersMenu(store)
    qtbot.addWidget(menu)
    menu.popup(QPoint(0, 0))
    qtbot.waitExposed(menu)
    [action] = menu.actions()
    assert action.text().startswith("Cancel Pizza (9:5") or action.text().startswith("Cancel Pizza (10:00")
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    assert store.active() == []
    store.db.conn.close()
