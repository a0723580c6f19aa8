"""The memory browser, driven by clicks and keys: every button, against a fake store implementing the
BrowsableMemory protocol, and edit/forget on the real store."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from tests.ui.fakes import FakeMemoryStore
from tests.ui.modal import click_box_button, replace_text_and_ok, type_file_name, when_modal
from ui.memory_browser import MemoryBrowser, documents_folder

YES = QMessageBox.StandardButton.Yes
CANCEL = QMessageBox.StandardButton.Cancel


def browser_for(qtbot, store) -> MemoryBrowser:
    browser = MemoryBrowser(store)
    qtbot.addWidget(browser)
    browser.show()
    qtbot.waitUntil(lambda: browser.list.count() == len(store.items), timeout=5000)
    return browser


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_row(browser: MemoryBrowser, text: str) -> None:
    """Click the list row showing ``text``."""
    for row in range(browser.list.count()):
        item = browser.list.item(row)
        if text in item.text():
            rect = browser.list.visualItemRect(item)
            QTest.mouseClick(browser.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            return
    raise AssertionError(f"no row shows {text!r}")


def texts(browser: MemoryBrowser) -> list[str]:
    return [browser.list.item(row).text() for row in range(browser.list.count())]


def test_edit_button_changes_the_store(qtbot) -> None:
    store = FakeMemoryStore(["The user lives in Lisbon.", "The user likes tea."])
    browser = browser_for(qtbot, store)
    assert not browser.edit_button.isEnabled()  # nothing selected yet
    click_row(browser, "Lisbon")
    assert browser.edit_button.isEnabled()
    when_modal(replace_text_and_ok("The user lives in Porto."))
    with qtbot.waitSignal(browser.changed_done, timeout=5000):
        click(browser.edit_button)
    lisbon = [m for m in store.items.values() if "Porto" in m.text]
    assert len(lisbon) == 1 and ("edit", (lisbon[0].id, "The user lives in Porto.")) in store.calls
    qtbot.waitUntil(lambda: any("Porto" in text for text in texts(browser)))


def test_forget_button_asks_first_and_then_erases(qtbot) -> None:
    store = FakeMemoryStore(["The user lives in Lisbon.", "The user likes tea."])
    browser = browser_for(qtbot, store)
    click_row(browser, "tea")
    asked = when_modal(lambda box: QTest.keyClick(box, Qt.Key.Key_Return))  # Enter takes the default: no
    click(browser.forget_button)
    assert asked == ["Forget this memory?"]
    assert len(store.items) == 2
    when_modal(click_box_button(YES))
    with qtbot.waitSignal(browser.changed_done, timeout=5000):
        click(browser.forget_button)
    assert all("tea" not in m.text for m in store.items.values())
    qtbot.waitUntil(lambda: browser.list.count() == 1)


def test_pin_button_and_search(qtbot) -> None:
    store = FakeMemoryStore(["The user lives in Lisbon.", "The user likes tea."])
    browser = browser_for(qtbot, store)
    click_row(browser, "tea")
    with qtbot.waitSignal(browser.changed_done, timeout=5000):
        click(browser.pin_button)
    assert next(m for m in store.items.values() if "tea" in m.text).pinned
    qtbot.waitUntil(lambda: browser.pin_button.text() == "Unpin")
    assert any(text.startswith("★") and "tea" in text for text in texts(browser))

    QTest.keyClicks(browser.search_box, "tea")
    qtbot.waitUntil(lambda: browser.list.count() == 1 and "tea" in texts(browser)[0], timeout=5000)
    assert ("search", ("tea",)) in store.calls


def test_export_and_import_buttons(qtbot, tmp_path: Path) -> None:
    store = FakeMemoryStore(["The user lives in Lisbon.", "The user likes tea."])
    browser = browser_for(qtbot, store)
    export = tmp_path / "memories.json"
    suggested: list[str] = []

    def suggested_then_typed(dialog) -> None:
        suggested.append(dialog.directory().absolutePath())
        type_file_name(str(export))(dialog)

    when_modal(suggested_then_typed)
    with qtbot.waitSignal(browser.changed_done, timeout=10_000):
        click(browser.export_button)
    assert sorted(json.loads(export.read_text())) == ["The user likes tea.", "The user lives in Lisbon."]
    assert "Exported 2 memories" in browser.status.text()
    assert suggested == [str(documents_folder())]  # not the folder Aris was started from

    asked: list[list[str]] = []

    def file_then_question(dialog) -> None:
        asked.append(when_modal(click_box_button(YES), after=dialog))
        type_file_name(str(export))(dialog)

    when_modal(file_then_question)
    with qtbot.waitSignal(browser.changed_done, timeout=10_000):
        click(browser.import_button)
    assert len(store.items) == 4 and asked == [["Import memories?"]]
    qtbot.waitUntil(lambda: browser.list.count() == 4)


def test_memory_button_reopens_the_browser_without_the_old_search(qtbot, paths) -> None:
    from ui.app import build_session

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    qtbot.addWidget(controller.window)
    controller.memory = FakeMemoryStore(["The user lives in Lisbon.", "The user likes tea."])
    controller.window.show()
    click(controller.window.memory_button)
    browser = controller.memory_browser
    qtbot.waitUntil(lambda: browser.isVisible() and browser.list.count() == 2, timeout=5000)
    assert browser.windowTitle() == "Memory"  # the application name is added by the window system
    QTest.keyClicks(browser.search_box, "zebra")
    qtbot.waitUntil(lambda: browser.list.count() == 0, timeout=5000)
    browser.close()
    click(controller.window.memory_button)
    qtbot.waitUntil(lambda: browser.isVisible() and browser.list.count() == 2, timeout=5000)
    assert browser.search_box.text() == "" and browser.status.text() == "2 memories"
    controller.bridge.shutdown()


def test_edit_and_forget_change_the_real_store(qtbot, tmp_path: Path, factory) -> None:
    """The same buttons through the adapter the app uses, on the real SQLite + Chroma store."""
    from app.memory.service import MemoryService
    from app.paths import DataPaths
    from ui.memory_store import ServiceStore

    service = MemoryService.open(DataPaths(tmp_path / "data").ensure(), embedder=factory.embedder())
    try:
        service.add("I live in Lisbon.")
        service.add("I like green tea.")
        browser = MemoryBrowser(ServiceStore(service))
        qtbot.addWidget(browser)
        browser.show()
        qtbot.waitUntil(lambda: browser.list.count() == 2, timeout=10_000)

        click_row(browser, "Lisbon")
        when_modal(replace_text_and_ok("The user lives in Porto."))
        with qtbot.waitSignal(browser.changed_done, timeout=10_000):
            click(browser.edit_button)
        assert "Porto" in service.search("Where do I live?", limit=1)[0].memory.text
        assert sorted(m.text for m in service.list()) == [
            "The user likes green tea.",
            "The user lives in Porto.",
        ]

        qtbot.waitUntil(lambda: any("Porto" in text for text in texts(browser)), timeout=10_000)
        click_row(browser, "tea")
        when_modal(click_box_button(YES))
        with qtbot.waitSignal(browser.changed_done, timeout=10_000):
            click(browser.forget_button)
        assert all("tea" not in m.text for m in service.list())
        assert all("tea" not in hit.memory.text for hit in service.search("tea"))
        qtbot.waitUntil(lambda: browser.list.count() == 1, timeout=10_000)
    finally:
        service.close()
