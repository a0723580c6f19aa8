"""The conversation history list, driven by clicks and keys on a real SQLite conversation log."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from app.storage.conversations import ConversationLog
from app.storage.database import node_clock, open_database
from engine.events import TurnState
from tests.hearing import words
from tests.ui.modal import click, click_box_button, when_modal


def seed(paths) -> dict[str, str]:
    """Two past conversations: Lisbon (older) and tea (newer)."""
    db = open_database(paths.database)
    log = ConversationLog(db, node_clock(db))
    ids = {}
    for key, question, answer in (
        ("lisbon", "What is the weather in Lisbon?", "Sunny and warm."),
        ("tea", "Which tea is best in the morning?", "Try a **black tea** like Assam."),
    ):
        ids[key] = log.start_conversation()
        log.add_message(ids[key], "user", question)
        log.add_message(ids[key], "assistant", answer)
    db.close()
    return ids


def start(qtbot, paths):
    from ui.app import build_session

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    qtbot.addWidget(controller.window)
    # The offscreen screen is 800x600, where the history folds away (see the test below): open it wide.
    controller.window.resize(1180, 760)
    controller.window.show()
    qtbot.waitUntil(lambda: controller.window.history.width() > 0, timeout=2000)
    return controller


def rows(panel) -> list[str]:
    return [panel.list.item(row).text().split("\n")[0] for row in range(panel.list.count())]


def click_row(panel, title: str) -> None:
    for row in range(panel.list.count()):
        item = panel.list.item(row)
        if item.text().startswith(title):
            rect = panel.list.visualItemRect(item)
            QTest.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            return
    raise AssertionError(f"no row {title!r}")


def bubble_texts(window) -> list[str]:
    return [bubble.text for bubble in window.conversation.bubbles]


def test_last_conversation_is_restored_and_others_open_from_the_list(qtbot, paths) -> None:
    seed(paths)
    controller = start(qtbot, paths)
    window, panel = controller.window, controller.window.history
    qtbot.waitUntil(lambda: len(window.conversation.bubbles) == 2, timeout=5000)
    assert rows(panel) == ["Which tea is best in the morning?", "What is the weather in Lisbon?"]
    assert bubble_texts(window)[0] == "Which tea is best in the morning?"  # the newest, restored

    with qtbot.waitSignal(controller.conversations.conversation_shown, timeout=5000):
        click_row(panel, "What is the weather in Lisbon?")
    assert bubble_texts(window) == ["What is the weather in Lisbon?", "Sunny and warm."]
    qtbot.waitUntil(lambda: controller.bridge.assistant.conversation_id == panel.current_id, timeout=5000)
    controller.bridge.shutdown()


def test_search_filters_by_title_and_message_text(qtbot, paths) -> None:
    seed(paths)
    controller = start(qtbot, paths)
    panel = controller.window.history
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=30_000)
    QTest.keyClicks(panel.search_box, "Assam")  # only in an answer
    qtbot.waitUntil(lambda: rows(panel) == ["Which tea is best in the morning?"], timeout=30_000)
    panel.search_box.clear()
    QTest.keyClicks(panel.search_box, "zebra")
    qtbot.waitUntil(lambda: panel.list.count() == 0, timeout=5000)
    assert panel.empty_label.text() == "No conversation matches."
    controller.bridge.shutdown()


def test_delete_asks_first(qtbot, paths) -> None:
    ids = seed(paths)
    controller = start(qtbot, paths)
    panel = controller.window.history
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=30_000)
    click_row(panel, "What is the weather in Lisbon?")
    asked = when_modal(click_box_button(QMessageBox.StandardButton.Cancel))
    click(panel.delete_button)
    assert asked == ["Delete this conversation?"] and panel.list.count() == 2

    when_modal(click_box_button(QMessageBox.StandardButton.Yes))
    click(panel.delete_button)
    qtbot.waitUntil(lambda: rows(panel) == ["Which tea is best in the morning?"], timeout=30_000)
    db = open_database(paths.database)
    log = ConversationLog(db, node_clock(db))
    assert log.messages(ids["lisbon"]) == [] and [s.id for s in log.summaries()] == [ids["tea"]]
    db.close()
    controller.bridge.shutdown()


def test_new_conversation_button_and_ctrl_n(qtbot, paths) -> None:
    seed(paths)
    controller = start(qtbot, paths)
    window, panel = controller.window, controller.window.history
    qtbot.waitUntil(lambda: len(window.conversation.bubbles) == 2, timeout=5000)
    click(panel.new_button)
    assert window.conversation.bubbles == [] and panel.current_id is None
    assert panel.selected_id() is None

    with qtbot.waitSignal(controller.conversations.conversation_shown, timeout=5000):
        click_row(panel, "What is the weather in Lisbon?")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    QTest.keyClick(window.input, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.conversation.bubbles == [] and panel.current_id is None
    qtbot.waitUntil(lambda: controller.bridge.assistant.conversation_id is None, timeout=5000)
    controller.bridge.shutdown()


def test_a_typed_question_starts_a_conversation_titled_by_it(qtbot, make_session) -> None:
    session = make_session()
    window = session.window
    panel = window.history
    QTest.keyClicks(window.input, "What is the capital of France?")
    with qtbot.waitSignal(session.bridge.conversation_logged, timeout=120_000):
        QTest.keyClick(window.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: rows(panel) == ["What is the capital of France?"], timeout=5000)
    assert panel.current_id == session.bridge.assistant.conversation_id


def test_the_history_folds_away_when_the_window_is_narrow_and_comes_back(qtbot, paths) -> None:
    controller = start(qtbot, paths)
    window = controller.window
    conversation = window.conversation.parentWidget()
    window.resize(window.minimumSize())
    qtbot.waitUntil(lambda: window.history.width() == 0, timeout=2000)
    assert conversation.width() >= conversation.minimumSizeHint().width()  # not squeezed
    window.resize(1180, 760)
    qtbot.waitUntil(lambda: window.history.width() >= window.history.minimumSizeHint().width(), timeout=2000)
    controller.bridge.shutdown()


def stored_messages(paths, conversation_id: str) -> list[tuple[str, str]]:
    db = open_database(paths.database)
    messages = [(m.role, m.text) for m in ConversationLog(db, node_clock(db)).messages(conversation_id)]
    db.close()
    return messages


def test_ctrl_n_while_an_answer_plays_keeps_what_was_heard_in_the_old_conversation(
    qtbot, make_session, paths
) -> None:
    session = make_session()  # a real-time speaker: the answer takes as long to hear as to say
    window, bridge, panel = session.window, session.bridge, session.window.history
    window.resize(1180, 760)
    question = "Tell me a long story about a dragon who learns to cook."
    with qtbot.waitSignal(bridge.conversation_logged, timeout=120_000):
        session.controller.ask("What is the capital of France?")
    old_id = bridge.assistant.conversation_id
    speaking = []
    bridge.state_changed.connect(lambda state: speaking.append(state is TurnState.SPEAKING))
    session.controller.ask(question)
    qtbot.waitUntil(lambda: any(speaking), timeout=60_000)
    qtbot.wait(2000)  # two seconds of the answer are heard
    shown = window.conversation.bubbles[-1].text
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    with qtbot.waitSignal(bridge.conversation_logged, timeout=30_000) as logged:
        QTest.keyClick(window.input, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        assert window.conversation.bubbles == [] and panel.current_id is None  # switched at once

    # The stopped answer went to the conversation it was asked in, up to what was heard, and that
    # conversation is not taken for the new one.
    assert logged.args == [old_id, False]
    stored = stored_messages(paths, old_id)
    assert [role for role, _text in stored] == ["user", "assistant", "user", "assistant"]
    assert stored[2][1] == question
    heard = words(stored[3][1])
    assert heard and set(heard) <= set(words(shown)), (stored[3][1], shown)
    qtbot.waitUntil(lambda: bridge.assistant.conversation_id is None, timeout=10_000)
    assert panel.current_id is None and panel.selected_id() is None

    # The old conversation opens again with the partial answer, and the next question continues it.
    with qtbot.waitSignal(session.controller.conversations.conversation_shown, timeout=5000):
        click_row(panel, "What is the capital of France?")
    assert bubble_texts(window)[2:] == [question, stored[3][1]]
    assert panel.current_id == old_id and panel.selected_id() == old_id
    qtbot.waitUntil(lambda: bridge.assistant.conversation_id == old_id, timeout=10_000)


def test_a_click_on_another_conversation_while_an_answer_plays_stops_it_and_keeps_it(
    qtbot, make_session, paths
) -> None:
    ids = seed(paths)
    session = make_session()
    window, bridge, panel = session.window, session.bridge, session.window.history
    window.resize(1180, 760)
    qtbot.waitUntil(lambda: panel.current_id == ids["tea"], timeout=10_000)  # the newest, restored
    qtbot.waitUntil(lambda: bridge.assistant.conversation_id == ids["tea"], timeout=10_000)
    question = "Tell me a long story about a dragon who learns to cook."
    speaking = []
    bridge.state_changed.connect(lambda state: speaking.append(state is TurnState.SPEAKING))
    session.controller.ask(question)
    qtbot.waitUntil(lambda: any(speaking), timeout=60_000)
    qtbot.wait(2000)
    shown = window.conversation.bubbles[-1].text
    with qtbot.waitSignal(bridge.turn_cancelled, timeout=10_000):  # stopped by the click, not later
        click_row(panel, "What is the weather in Lisbon?")
    qtbot.waitUntil(
        lambda: bubble_texts(window) == ["What is the weather in Lisbon?", "Sunny and warm."], timeout=10_000
    )
    qtbot.waitUntil(lambda: len(stored_messages(paths, ids["tea"])) == 4, timeout=10_000)
    kept = stored_messages(paths, ids["tea"])[2:]
    assert kept[0] == ("user", question) and kept[1][0] == "assistant"
    assert words(kept[1][1]) and set(words(kept[1][1])) <= set(words(shown))
    assert panel.current_id == ids["lisbon"] and panel.selected_id() == ids["lisbon"]
    qtbot.waitUntil(lambda: bridge.assistant.conversation_id == ids["lisbon"], timeout=10_000)
