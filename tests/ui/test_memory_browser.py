"""The memory browser against a fake store implementing the MemoryStore protocol."""

from __future__ import annotations

from pathlib import Path

from tests.ui.fakes import FakeMemoryStore
from ui.memory_browser import MemoryBrowser


def browser_for(qtbot, store, answers: list[bool] | None = None) -> tuple[MemoryBrowser, list[str]]:
    asked: list[str] = []
    replies = list(answers or [])

    def confirm(title: str, _question: str) -> bool:
        asked.append(title)
        return replies.pop(0) if replies else True

    browser = MemoryBrowser(store, confirm=confirm)
    qtbot.addWidget(browser)
    browser.show()
    qtbot.waitUntil(lambda: browser.list.count() == len(store.items), timeout=5000)
    return browser, asked


def test_edit_changes_the_store(qtbot) -> None:
    store = FakeMemoryStore(["The user lives in Lisbon.", "The user likes tea."])
    browser, _ = browser_for(qtbot, store)
    lisbon = next(m for m in store.items.values() if "Lisbon" in m.text)
    browser.select(lisbon.id)
    with qtbot.waitSignal(browser._done, timeout=5000):
        browser.edit_selected("The user lives in Porto.")
    assert store.items[lisbon.id].text == "The user lives in Porto."
    qtbot.waitUntil(lambda: any("Porto" in browser.list.item(i).text() for i in range(browser.list.count())))


def test_forget_asks_first_and_then_erases(qtbot) -> None:
    store = FakeMemoryStore(["The user lives in Lisbon.", "The user likes tea."])
    browser, asked = browser_for(qtbot, store, answers=[False, True])
    tea = next(m for m in store.items.values() if "tea" in m.text)
    browser.select(tea.id)
    browser.forget_selected()  # the user says no
    assert tea.id in store.items and asked == ["Forget this memory?"]
    with qtbot.waitSignal(browser._done, timeout=5000):
        browser.forget_selected()
    assert tea.id not in store.items
    qtbot.waitUntil(lambda: browser.list.count() == 1)


def test_pin_search_and_export_import(qtbot, tmp_path: Path) -> None:
    store = FakeMemoryStore(["The user lives in Lisbon.", "The user likes tea."])
    browser, asked = browser_for(qtbot, store)
    tea = next(m for m in store.items.values() if "tea" in m.text)
    browser.select(tea.id)
    with qtbot.waitSignal(browser._done, timeout=5000):
        browser.toggle_pin_selected()
    assert store.items[tea.id].pinned
    qtbot.waitUntil(lambda: browser.pin_button.text() == "Unpin")

    browser.search_box.setText("tea")
    qtbot.waitUntil(lambda: browser.list.count() == 1 and "tea" in browser.list.item(0).text(), timeout=5000)
    assert ("search", ("tea",)) in store.calls

    export = tmp_path / "memories.json"
    with qtbot.waitSignal(browser._done, timeout=5000):
        browser.export_to(export)
    assert export.exists() and "Exported 2 memories" in browser.status.text()
    with qtbot.waitSignal(browser._done, timeout=5000):
        browser.import_from(export)
    assert len(store.items) == 4 and asked == ["Import memories?"]
