"""The memory browser of a running app sees what the command line added meanwhile (real store, real CLI)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtTest import QTest

from app.memory.service import MemoryService
from app.paths import DataPaths
from tests.conftest import run_cli
from ui.memory_browser import MemoryBrowser
from ui.memory_store import ServiceStore


def test_the_browsers_search_sees_a_cli_add(qtbot, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    service = MemoryService.open(DataPaths(data).ensure(), embedder=embedder)
    try:
        service.add("My dentist is Doctor Okonkwo")
        browser = MemoryBrowser(ServiceStore(service), confirm=lambda _title, _question: True)
        qtbot.addWidget(browser)
        browser.show()
        qtbot.waitUntil(lambda: browser.list.count() == 1, timeout=10_000)

        added = run_cli("memory", "add", "My favourite mountain is Kilimanjaro", data_dir=data)
        assert added.returncode == 0, added.stderr

        QTest.keyClicks(
            browser.search_box, "which summit do I like best"
        )  # no shared word: only the index finds it
        qtbot.waitUntil(
            lambda: browser.list.count() >= 1 and "Kilimanjaro" in browser.list.item(0).text(), timeout=10_000
        )
    finally:
        service.close()
