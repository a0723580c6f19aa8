"""Settings → Models with real clicks: Download against the loopback server (progress bar advances),
Cancel, Use, Remove; and the page inside the real settings dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.config import Settings, load_settings
from app.paths import DataPaths
from models.store import is_installed
from tests.models.conftest import VOICE_ID
from ui.models_page import ModelsPage
from ui.settings_dialog import SettingsDialog


@pytest.fixture()
def page(
    qtbot, tmp_path: Path, server, one_voice_catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> ModelsPage:
    monkeypatch.setenv("ARIS_MODEL_MIRROR", server.url)
    widget = ModelsPage(DataPaths(tmp_path / "data").ensure(), Settings())
    qtbot.addWidget(widget)
    widget.kind_combo.setCurrentIndex(widget.kind_combo.findText("Voices"))
    assert widget.select(VOICE_ID)
    yield widget
    widget.shutdown()


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_download_shows_progress_then_use_and_remove(qtbot, page: ModelsPage) -> None:
    values: list[int] = []
    page.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(page.download_finished, timeout=60_000):
        click(qtbot, page.download_button)
        assert not page.download_button.isEnabled() and page.cancel_button.isEnabled()
    assert len(set(values)) > 5 and values[-1] == 100  # the bar advanced in steps
    qtbot.waitUntil(page.use_button.isEnabled)
    assert "installed and verified" in page.status.text()
    assert is_installed(page.manager.spec(VOICE_ID), page.manager.paths.models_dir)

    with qtbot.waitSignal(page.model_used) as used:
        click(qtbot, page.use_button)
    assert used.args == ["tts", VOICE_ID]
    assert load_settings(page.manager.paths.settings_file).models.tts == VOICE_ID  # saved
    assert not page.remove_button.isEnabled()  # in use

    page.select("piper-joe-medium")
    click(qtbot, page.use_button)
    page.select(VOICE_ID)
    click(qtbot, page.remove_button)
    assert not is_installed(page.manager.spec(VOICE_ID), page.manager.paths.models_dir)
    assert page.download_button.isEnabled()


def test_cancel_stops_the_download(qtbot, page: ModelsPage, server) -> None:
    server.behaviour.throttle_s = 0.02  # ~20 s for the whole file: time to press Cancel
    with qtbot.waitSignal(page.download_failed, timeout=30_000) as failed:
        click(qtbot, page.download_button)
        qtbot.waitUntil(lambda: page.progress.value() > 0, timeout=15_000)
        click(qtbot, page.cancel_button)
    assert failed.args[0] == VOICE_ID
    assert "cancelled" in page.status.text()
    qtbot.waitUntil(page.download_button.isEnabled)
    assert not is_installed(page.manager.spec(VOICE_ID), page.manager.paths.models_dir)


def test_a_wrong_file_on_the_server_is_explained_in_the_page(qtbot, page: ModelsPage, server) -> None:
    server.behaviour.truncate = 1_000_000  # a stale mirror: another file than the catalogue's
    with qtbot.waitSignal(page.download_failed, timeout=30_000):
        click(qtbot, page.download_button)
    status = page.status.text()
    assert "not the one Aris expects" in status and "nothing was installed" in status
    assert "resume" not in status and "command" not in status  # neither CLI words nor advice that cannot help
    qtbot.waitUntil(page.download_button.isEnabled)
    assert not is_installed(page.manager.spec(VOICE_ID), page.manager.paths.models_dir)


def test_models_page_in_the_settings_dialog(qtbot, tmp_path: Path, one_voice_catalogue: Path) -> None:
    dialog = SettingsDialog(Settings(), DataPaths(tmp_path / "d").ensure(), devices=[])
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(
        next(i for i in range(dialog.tabs.count()) if dialog.tabs.tabText(i) == "Models")
    )
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Models"
    # Only installed models can be chosen in the combos; the page offers the rest for download.
    assert [dialog.tts_combo.itemData(i) for i in range(dialog.tts_combo.count())] == ["piper-joe-medium"]
    assert dialog.models_page.table.rowCount() > 0
    ram_gb = dialog.models_page.manager.ram_mb / 1000
    if ram_gb >= 4:  # a quiet suggestion of a better chat model sized for this computer
        assert "answers far better than the built-in model" in dialog.models_page.recommendation.text()
    dialog.reject()


def cell(page: ModelsPage, row: int, column: int) -> str:
    return page.table.item(row, column).text()


def test_the_list_is_sorted_searchable_and_switching_kind_selects_what_is_in_use(
    qtbot, tmp_path: Path
) -> None:
    page = ModelsPage(DataPaths(tmp_path / "data").ensure(), Settings())
    qtbot.addWidget(page)
    for kind in ("Speech recognition", "Voices", "Language models"):
        page.kind_combo.setCurrentIndex(page.kind_combo.findText(kind))
        # The model in use is selected, so the Download button never points at a file nobody chose.
        row = page._selected_row()
        assert row is not None and row.in_use, kind
        assert not page.download_button.isEnabled()
        # The built-in model says so and is not offered as a download.
        if row.source == "package":
            assert cell(page, page.table.currentRow(), 4).startswith("Built in")
        languages = [cell(page, index, 1).split(", ")[0] for index in range(page.table.rowCount())]
        assert languages == sorted(languages), kind  # by language first

    page.kind_combo.setCurrentIndex(page.kind_combo.findText("Voices"))
    everything = page.table.rowCount()
    QTest.keyClicks(page.search_box, "de")
    shown = [page._rows[index] for index in range(page.table.rowCount())]
    assert 0 < len(shown) < everything
    assert all("de" in " ".join((r.id, *r.languages, r.description)).lower() for r in shown)
    sizes = [r.size_bytes or 0 for r in shown if r.languages[0] == shown[0].languages[0]]
    assert sizes == sorted(sizes, reverse=True)  # the better (bigger) voice first within a language
    page.search_box.clear()
    assert page.table.rowCount() == everything
    page.shutdown()
