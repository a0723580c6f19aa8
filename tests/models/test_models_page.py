"""The Models window with real clicks and keys: Download against the loopback server (progress bar, speed and
time left), Cancel, Use, Remove; filters, search and order; the recommendation from memory and speed; the
built-in voice's twin not offered; and the window opened from the real settings dialog."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.config import Settings, load_settings
from app.model_manager import ModelManager
from app.model_speed import MEASURED_FILE
from app.paths import DataPaths
from models.catalogue import ModelKind
from models.store import is_installed
from tests.models.conftest import VOICE_ID
from tests.models.loopback import unused_port
from ui.models_page import ModelsPage, in_gui_words
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
    server.behaviour.throttle_s = 0.02  # ~20 s for the whole file: time to read the speed and press Cancel
    with qtbot.waitSignal(page.download_failed, timeout=30_000) as failed:
        click(qtbot, page.download_button)
        # Done of total, the speed over the last seconds and the time left, as a download manager says them.
        shown = re.compile(r"^\d+\.\d of 63\.2 MB · \d+\.\d MB/s · (\d+ s|\d+ min \d\d s) left$")
        qtbot.waitUntil(lambda: bool(shown.match(page.progress_label.text())), timeout=15_000)
        assert page.progress_label.isVisible() or not page.isVisible()
        click(qtbot, page.cancel_button)
    assert failed.args[0] == VOICE_ID
    assert "cancelled" in page.status.text() and "press Download to resume" in page.status.text()
    assert page.progress_label.isHidden()
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
    dialog.show()
    dialog.tabs.setCurrentIndex(
        next(i for i in range(dialog.tabs.count()) if dialog.tabs.tabText(i) == "Models")
    )
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Models"
    click(qtbot, dialog.browse_models_button)  # the list opens in a window of its own, full width
    qtbot.waitUntil(dialog.models_window.isVisible)
    assert dialog.models_window.width() >= 1000
    # Only installed models can be chosen in the combos; the page offers the rest for download.
    assert [dialog.tts_combo.itemData(i) for i in range(dialog.tts_combo.count())] == ["piper-joe-medium"]
    assert dialog.models_page.table.rowCount() > 0
    ram_gb = dialog.models_page.manager.ram_mb / 1000
    if ram_gb >= 4:  # a quiet suggestion of a better chat model sized for this computer
        assert "answers far better than the built-in model" in dialog.models_page.recommendation.text()
    dialog.reject()


def cell(page: ModelsPage, row: int, column: int) -> str:
    return page.table.item(row, column).text()


def column(page: ModelsPage, title: str) -> int:
    return next(
        i for i in range(page.table.columnCount()) if page.table.horizontalHeaderItem(i).text() == title
    )


def make_page(qtbot, tmp_path: Path, ram_mb: int = 8000, cores: int = 2) -> ModelsPage:
    paths = DataPaths(tmp_path / "data").ensure()
    manager = ModelManager(paths, Settings(), ram_mb=ram_mb, cores=cores)
    page = ModelsPage(paths, Settings(), manager=manager)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    return page


def choose(page: ModelsPage, combo, text: str) -> None:
    """Pick an entry the way a keyboard user does: focus the box, Home, then Down until it shows."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == text:
            break
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text


def test_the_list_is_sorted_searchable_and_switching_kind_selects_what_is_in_use(
    qtbot, tmp_path: Path
) -> None:
    page = make_page(qtbot, tmp_path)
    for kind in ("Speech recognition", "Voices", "Language models"):
        choose(page, page.kind_combo, kind)
        # The model in use is selected, so the Download button never points at a file nobody chose.
        row = page._selected_row()
        assert row is not None and row.in_use, kind
        assert not page.download_button.isEnabled()
        # The built-in model says so and is not offered as a download.
        if row.source == "package":
            assert cell(page, page.table.currentRow(), column(page, "Status")).startswith("Built in")
        # Full names, never elided: the name column is as wide as its longest name.
        name_width = page.table.horizontalHeader().sectionSize(0)
        longest = max(page.table.fontMetrics().horizontalAdvance(r.id) for r in page._rows)
        assert name_width >= longest, kind
        # Many-language models first, then by language name; within a language the better model first.
        firsts = [
            cell(page, index, column(page, "Languages")).split(", ")[0] for index in range(len(page._rows))
        ]
        multi = [name == "Many languages" for name in firsts]
        assert multi == sorted(multi, reverse=True), kind
        assert [f for f in firsts if f != "Many languages"] == sorted(
            f for f in firsts if f != "Many languages"
        )

    choose(page, page.kind_combo, "Voices")
    everything = page.table.rowCount()
    QTest.keyClicks(page.search_box, "german")  # a language by its name, as people say it
    shown = [page._rows[index] for index in range(page.table.rowCount())]
    assert 0 < len(shown) < everything
    assert all("de" in r.languages for r in shown)
    sizes = [r.size_bytes or 0 for r in shown]
    assert sizes == sorted(sizes, reverse=True)  # the better (bigger) voice first within a language
    page.search_box.clear()
    assert page.table.rowCount() == everything
    page.shutdown()


def test_filters_by_language_installed_and_what_fits_this_computer(qtbot, tmp_path: Path) -> None:
    page = make_page(qtbot, tmp_path, ram_mb=8000, cores=2)
    choose(page, page.kind_combo, "All kinds")
    everything = set(page.shown_ids())
    assert {"whisper-tiny.en", "smollm2-135m-instruct", "piper-joe-medium"} <= everything

    choose(page, page.language_combo, "Russian")
    russian = page.shown_ids()
    assert "piper-ru_RU-irina-medium" in russian and "piper-joe-medium" not in russian
    specs = {row.id: row for row in page.manager.rows()}
    assert all("ru" in specs[i].languages or "multi" in specs[i].languages for i in russian)
    choose(page, page.language_combo, "All languages")

    click(qtbot, page.installed_check)
    assert page.installed_check.isChecked()
    assert set(page.shown_ids()) == {
        r.id for r in page.manager.rows() if r.installed and r.kind != "embedding"
    }
    click(qtbot, page.installed_check)

    choose(page, page.kind_combo, "Language models")
    click(qtbot, page.fits_check)
    fitting = page.shown_ids()
    # 2 cores: a 3-4B model would take seconds before its first word; a 0.5B one answers within a second.
    assert "qwen2.5-0.5b-instruct" in fitting and "smollm2-135m-instruct" in fitting
    assert not {"llama-3.2-3b-instruct", "gemma-3-4b-it", "qwen2.5-1.5b-instruct"} & set(fitting)
    page.shutdown()

    faster = make_page(qtbot, tmp_path / "big", ram_mb=8000, cores=16)
    choose(faster, faster.kind_combo, "Language models")
    click(qtbot, faster.fits_check)
    assert "llama-3.2-1b-instruct" in faster.shown_ids()  # fast enough on 16 cores
    assert "gemma-3-4b-it" not in faster.shown_ids()  # 6 GB of memory: more than half of 8 GB
    faster.shutdown()


def test_the_recommendation_follows_memory_and_measured_speed(qtbot, tmp_path: Path) -> None:
    page = make_page(qtbot, tmp_path, ram_mb=8000, cores=2)
    text = page.recommendation.text()
    assert "qwen2.5-0.5b-instruct" in text and "estimated for 2 cores" in text and "2 cores" in text
    choose(page, page.kind_combo, "Language models")
    assert page.select("qwen2.5-0.5b-instruct")
    status = cell(page, page.table.currentRow(), column(page, "Status"))
    assert status.endswith("recommended")
    assert cell(page, page.table.currentRow(), column(page, "First words")).startswith("~")  # an estimate
    page.shutdown()

    # `bench llm` measured a 1B model fast enough here: the measured figure wins over the estimate.
    paths = DataPaths(tmp_path / "measured").ensure()
    (paths.root / MEASURED_FILE).write_text(
        json.dumps({"gemma-3-1b-it": {"first_token_ms_median": 300.0, "tokens_per_second_median": 20.0}}),
        encoding="utf-8",
    )
    measured = ModelsPage(paths, Settings(), manager=ModelManager(paths, Settings(), ram_mb=8000, cores=2))
    qtbot.addWidget(measured)
    assert "gemma-3-1b-it" in measured.recommendation.text()
    assert "measured here" in measured.recommendation.text()
    assert measured.select("gemma-3-1b-it")
    assert cell(measured, measured.table.currentRow(), column(measured, "First words")) == "0.7 s"
    measured.shutdown()

    small = make_page(qtbot, tmp_path / "small", ram_mb=1500, cores=2)
    assert small.recommendation.text() == ""  # nothing better fits: nothing is said
    small.shutdown()


def test_the_built_in_voice_is_not_offered_again_as_a_download(qtbot, tmp_path: Path) -> None:
    page = make_page(qtbot, tmp_path)
    choose(page, page.kind_combo, "Voices")
    QTest.keyClicks(page.search_box, "joe")
    assert page.shown_ids() == ["piper-joe-medium"]  # the built-in one, marked so
    assert cell(page, 0, column(page, "Status")).startswith("Built in")
    listed = {row.id for row in ModelManager(page.manager.paths, Settings()).rows(kind=ModelKind.TTS)}
    assert "piper-en_US-joe-medium" not in listed  # nor in `models list`, which prints these rows
    assert page.manager.spec("piper-en_US-joe-medium").same_as == "piper-joe-medium"
    page.shutdown()


def test_errors_are_said_in_the_windows_own_words() -> None:
    offline = (
        "Could not reach 127.0.0.1:9 to download 'x': check the internet connection "
        "(or set ARIS_MODEL_MIRROR to a reachable mirror)."
    )
    assert (
        in_gui_words(offline) == "Could not reach 127.0.0.1:9 to download 'x': check the internet connection."
    )
    broken = "The download of 'x' kept breaking off (timeout). Downloading it again resumes where it stopped."
    assert in_gui_words(broken).endswith("Press Download to resume where it stopped.")
    damaged = "/x/y.onnx is damaged (wrong checksum); reinstall it: pip install --force-reinstall 'aris==1'"
    assert "pip" not in in_gui_words(damaged) and in_gui_words(damaged).endswith(
        "reinstall Aris to repair it."
    )


def test_offline_is_said_in_the_windows_own_words(
    qtbot, tmp_path: Path, one_voice_catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = unused_port()
    monkeypatch.setenv("ARIS_MODEL_MIRROR", f"http://127.0.0.1:{port}")
    page = make_page(qtbot, tmp_path)
    choose(page, page.kind_combo, "Voices")
    assert page.select(VOICE_ID)
    with qtbot.waitSignal(page.download_failed, timeout=30_000):
        click(qtbot, page.download_button)
    assert page.status.text() == (
        f"Could not reach 127.0.0.1:{port} to download '{VOICE_ID}': check the internet connection."
    )
    assert "ARIS_MODEL_MIRROR" not in page.status.text() and page.progress.isHidden()
    qtbot.waitUntil(page.download_button.isEnabled)
    page.shutdown()
