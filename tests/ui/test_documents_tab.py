"""Settings → Documents as a user works it: Add folder… (a real file dialog, the path typed in), the folder
indexed in the background while the dialog stays usable, then Remove (asked first) forgets it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app.config import Settings
from tests.documents.conftest import write_tree
from tests.ui.modal import click, click_box_button, type_file_name, when_modal


def test_a_folder_added_in_settings_is_indexed_and_removed(qtbot, paths, tmp_path: Path) -> None:
    from app.documents.store import DocumentStore
    from ui.settings_dialog import SettingsDialog

    root = write_tree(tmp_path / "docs")
    dialog = SettingsDialog(Settings(), paths, devices=[])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(
        next(i for i in range(dialog.tabs.count()) if dialog.tabs.tabText(i) == "Documents")
    )
    section = dialog.documents_section
    assert section.folders.count() == 0 and not section.remove_button.isEnabled()

    when_modal(type_file_name(str(root)), after=dialog)
    click(section.add_button)
    qtbot.waitUntil(
        lambda: not section.add_button.isEnabled() or section.folders.count() == 1, timeout=10_000
    )
    qtbot.waitUntil(lambda: section.status.text().startswith("Indexed"), timeout=180_000)
    assert section.status.text() == (
        "Indexed 5 files (7 pages, 8 passages); 1 scanned page needs OCR and was not read."
    ), section.status.text()
    assert section.folders.count() == 1 and str(root) in section.folders.item(0).text()
    store = DocumentStore.open(paths.documents_database)
    try:
        assert [folder.path for folder in store.folders()] == [str(root)]
    finally:
        store.close()

    when_modal(click_box_button(QMessageBox.StandardButton.Yes), after=dialog)
    click(section.remove_button)
    qtbot.waitUntil(lambda: section.folders.count() == 0, timeout=10_000)
    assert section.status.text().startswith(f"Forgot {root}")
    store = DocumentStore.open(paths.documents_database)
    try:
        assert store.folders() == []
    finally:
        store.close()


def test_the_running_apps_embedder_indexes_the_folder(qtbot, paths, factory, tmp_path: Path) -> None:
    """Opened from the app, the tab indexes with the embedder the app has loaded, not a second copy."""
    from ui.settings_dialog import SettingsDialog

    root = write_tree(tmp_path / "docs")
    asked: list[str] = []

    def shared():  # type: ignore[no-untyped-def]
        asked.append("embedder")
        return factory.embedder()

    dialog = SettingsDialog(Settings(), paths, devices=[], embedder=shared)
    qtbot.addWidget(dialog)
    dialog.documents_section.add_folder(root)
    qtbot.waitUntil(lambda: dialog.documents_section.status.text().startswith("Indexed"), timeout=180_000)
    assert asked == ["embedder"]
    assert dialog.documents_section.folders.count() == 1
