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


def test_edit_and_forget_change_the_real_store(qtbot, tmp_path: Path, factory) -> None:
    """The same actions through the adapter the app uses, on the real SQLite + Chroma store."""
    from app.memory.service import MemoryService
    from app.paths import DataPaths
    from ui.memory_store import ServiceStore

    service = MemoryService.open(DataPaths(tmp_path / "data").ensure(), embedder=factory.embedder())
    try:
        lisbon = service.add("I live in Lisbon.").stored
        tea = service.add("I like green tea.").stored
        assert lisbon is not None and tea is not None
        browser = MemoryBrowser(ServiceStore(service), confirm=lambda _title, _question: True)
        qtbot.addWidget(browser)
        browser.show()
        qtbot.waitUntil(lambda: browser.list.count() == 2, timeout=10_000)

        browser.select(lisbon.id)
        with qtbot.waitSignal(browser._done, timeout=10_000):
            browser.edit_selected("The user lives in Porto.")
        assert "Porto" in service.search("Where do I live?", limit=1)[0].memory.text
        assert sorted(m.text for m in service.list()) == [
            "The user likes green tea.",
            "The user lives in Porto.",
        ]

        browser.select(tea.id)
        with qtbot.waitSignal(browser._done, timeout=10_000):
            browser.forget_selected()
        assert all("tea" not in m.text for m in service.list())
        assert all("tea" not in hit.memory.text for hit in service.search("tea"))
        qtbot.waitUntil(lambda: browser.list.count() == 1, timeout=10_000)
    finally:
        service.close()
