"""Settings → Models: the language and the external model server, typed and clicked in the real dialog; a bad
address is one sentence and nothing is saved; a good one is saved and applied without a restart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from app.config import Settings, load_settings
from app.paths import DataPaths
from engine.remote_llm import RemoteResponder
from tests.ui.modal import click, when_modal
from ui.settings_dialog import SettingsDialog

SERVER = "http://127.0.0.1:11434/v1"


def choose(combo, label: str) -> None:
    """Pick an item the way a keyboard user does: focus the combo and press Down until it shows."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == label:
            return
        QTest.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{label!r} is not offered")


def retype(edit, text: str) -> None:
    """Select what the field holds and type over it."""
    edit.setFocus()
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(edit, text)


def fill_models_tab(dialog: SettingsDialog, url: str) -> None:
    dialog.tabs.setCurrentIndex(dialog.tabs.indexOf(dialog.models_page.parentWidget()))
    options = dialog.model_options
    choose(options.language_combo, "Русский (Russian)")
    retype(options.url_edit, url)
    retype(options.name_edit, "qwen2.5:1.5b")
    options.timeout_spin.setFocus()
    QTest.keyClick(options.timeout_spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(options.timeout_spin, "45")


def test_language_and_server_are_edited_and_saved(qtbot, tmp_path) -> None:
    dialog = SettingsDialog(Settings(), DataPaths(tmp_path / "d").ensure(), devices=[])
    qtbot.addWidget(dialog)
    dialog.show()
    fill_models_tab(dialog, "localhost:11434")
    click(dialog.save_button)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text() == (
        "The model server address 'localhost:11434' must start with http:// or https://, "
        "e.g. http://127.0.0.1:11434/v1."
    )
    assert dialog.result_settings() == Settings()  # nothing taken

    retype(dialog.model_options.url_edit, SERVER + "/")
    click(dialog.save_button)
    assert not dialog.isVisible()
    models = dialog.result_settings().models
    assert (models.language, models.llm_url, models.llm_model_name, models.llm_timeout_s) == (
        "ru",
        SERVER,
        "qwen2.5:1.5b",
        45.0,
    )


def test_emptying_the_server_goes_back_to_the_local_model(qtbot, tmp_path) -> None:
    start = Settings().with_changes(models={"llm_url": SERVER, "language": "ru"})
    dialog = SettingsDialog(start, DataPaths(tmp_path / "d").ensure(), devices=[])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model_options.url_edit.text() == SERVER
    assert dialog.model_options.language_combo.currentData() == "ru"
    retype(dialog.model_options.url_edit, "")
    QTest.keyClick(dialog.model_options.url_edit, Qt.Key.Key_Backspace)
    choose(dialog.model_options.language_combo, "Automatic (detect)")
    click(dialog.save_button)
    models = dialog.result_settings().models
    assert models.llm_url is None and models.language == "auto"


@pytest.mark.slow
def test_a_server_chosen_in_settings_applies_without_a_restart(qtbot, make_session, paths) -> None:
    session = make_session()
    bridge, window = session.bridge, session.window
    qtbot.waitUntil(lambda: bridge.loaded, timeout=60_000)

    def in_dialog(dialog: QWidget) -> None:
        fill_models_tab(dialog, SERVER)
        choose(dialog.model_options.language_combo, "English")  # the test's speech model is English-only
        click(dialog.save_button)

    with qtbot.waitSignal(bridge.models_loaded, timeout=120_000):
        when_modal(in_dialog)
        click(window.settings_button)
    saved = load_settings(paths.settings_file).models
    assert (saved.language, saved.llm_url, saved.llm_model_name, saved.llm_timeout_s) == (
        "en",
        SERVER,
        "qwen2.5:1.5b",
        45.0,
    )
    assistant = bridge.assistant
    assert assistant.settings.models.llm_url == SERVER
    responder = assistant.factory.responder()
    assert isinstance(responder, RemoteResponder)
    assert "Restart" not in window.notice.text


def test_first_run_suggests_a_better_model_once_without_covering_a_notice(qtbot, make_session, paths) -> None:
    from PySide6.QtCore import QSettings

    from app.model_manager import ModelManager
    from ui.models_page import recommendation

    QSettings(str(paths.root / "window.ini"), QSettings.Format.IniFormat).remove("tips")  # a first run
    expected = recommendation(ModelManager(paths, Settings()))
    session = make_session()
    notice = session.window.notice
    qtbot.waitUntil(notice.isVisible, timeout=10_000)  # this test desktop has no tray: that is said first
    assert "A better chat model" not in notice.text
    click(notice.close_button)
    if not expected:  # a small machine: nothing better fits, so nothing is said
        assert not notice.isVisible()
        return
    assert notice.isVisible() and "A better chat model" in notice.text and expected in notice.text
    assert notice.action_button.text() == "Open Settings"

    def in_dialog(dialog: QWidget) -> None:
        dialog.reject()

    seen = when_modal(in_dialog)
    click(notice.action_button)
    assert seen == ["Settings"]
    session.bridge.shutdown()
    again = make_session()
    qtbot.waitUntil(again.window.notice.isVisible, timeout=10_000)
    click(again.window.notice.close_button)
    assert not again.window.notice.isVisible()  # said once
