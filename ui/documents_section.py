"""Settings → Documents: the folders Aris answers from. Adding one indexes it in the background (the dialog and
the window stay usable, the line under the list says how far it got); removing one forgets its passages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.documents.indexer import IndexReport
from app.errors import ArisError
from app.paths import DataPaths
from ui.jobs import run_job
from ui.memory_browser import documents_folder

if TYPE_CHECKING:  # numpy and onnxruntime behind it: loaded by the engine, not by opening a dialog
    from app.memory.embeddings import MiniLMEmbedder

log = logging.getLogger(__name__)


class _Progress(QObject):
    """Carries the indexer's progress lines from its thread to the GUI thread."""

    said = Signal(str)


def describe(report: IndexReport) -> str:
    """One line on what an indexing run did."""
    text = f"Indexed {len(report.indexed)} files ({report.pages} pages, {report.chunks} passages)"
    if report.unchanged:
        text += f", {report.unchanged} unchanged"
    if report.needs_ocr:
        pages = sum(len(pages) for _path, pages in report.needs_ocr)
        text += (
            "; 1 scanned page needs OCR and was not read"
            if pages == 1
            else f"; {pages} scanned pages need OCR and were not read"
        )
    if report.failed:
        text += f"; {len(report.failed)} unreadable"
    return text + "."


class DocumentsSection(QWidget):
    """The watched folders, with Add and Remove."""

    changed = Signal()
    """A folder was added (and indexed) or removed."""

    def __init__(
        self,
        paths: DataPaths,
        parent: QWidget | None = None,
        *,
        embedder: Callable[[], MiniLMEmbedder] | None = None,
    ) -> None:
        """``embedder``: the running app's (already loaded); without one, indexing loads its own."""
        super().__init__(parent)
        self.paths = paths
        self._embedder = embedder
        self.folders = QListWidget(self)
        self.folders.setAccessibleName("Folders Aris answers from")
        self.folders.setMaximumHeight(160)  # a few folders; the status line under it must keep its room
        self.add_button = QPushButton("Add folder…", self)
        self.add_button.clicked.connect(self.choose_folder)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.clicked.connect(self.remove_selected)
        self.status = QLabel("", self)
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing() + 4)
        hint = QLabel(
            "Aris answers from the text, Markdown, PDF, Word and HTML files in these folders, on this computer "
            "only: nothing is uploaded or synced.",
            self,
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.folders)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._progress = _Progress(self)
        self._progress.said.connect(self.status.setText)
        self.busy = False
        self.refresh()

    def refresh(self) -> None:
        """List the watched folders with their file counts (read from the index, no model loaded)."""
        from app.documents.store import DocumentStore

        self.folders.clear()
        if not self.paths.documents_database.exists():
            self._update_buttons()
            return
        store = DocumentStore.open(self.paths.documents_database)
        try:
            for folder in store.folders():
                item = QListWidgetItem(f"{folder.path}  ·  {folder.files} files")
                item.setData(Qt.ItemDataRole.UserRole, folder.path)
                item.setToolTip(folder.path)
                self.folders.addItem(item)
        finally:
            store.close()
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(not self.busy)
        self.remove_button.setEnabled(not self.busy and self.folders.count() > 0)

    def choose_folder(self) -> None:
        """Ask for a folder (starting in Documents) and index it."""
        chosen = QFileDialog.getExistingDirectory(
            self, "Add a folder of documents", str(documents_folder()), QFileDialog.Option.DontUseNativeDialog
        )
        if chosen:
            self.add_folder(Path(chosen))

    def add_folder(self, folder: Path) -> None:
        """Index ``folder`` in the background; the status line follows it."""
        self.busy = True
        self._update_buttons()
        self.status.setText(f"Reading {folder}…")
        paths, progress, shared = self.paths, self._progress, self._embedder

        def index() -> IndexReport:
            from app.config import load_settings
            from app.documents.library import DocumentLibrary
            from app.engine_factory import EngineFactory

            if shared is not None:
                embedder = shared()
            else:
                embedder = EngineFactory(load_settings(paths.settings_file).models, paths).embedder()
            library = DocumentLibrary.open(paths.documents_database, embedder)
            try:
                return library.add_folder(folder, progress.said.emit)
            finally:
                library.close()

        run_job(index, self._on_indexed, self._on_failed, owner=self, name="documents-index")

    def _on_indexed(self, report: IndexReport) -> None:
        self.busy = False
        self.status.setText(describe(report))
        self.refresh()
        self.changed.emit()

    def _on_failed(self, error: ArisError) -> None:
        self.busy = False
        log.warning("Indexing documents failed: %s", error.message)
        self.status.setText(error.message)
        self._update_buttons()

    def remove_selected(self) -> None:
        """Forget the selected folder (after asking): its passages are erased from the index."""
        item = self.folders.currentItem() or self.folders.item(0)
        if item is None:
            return
        folder = str(item.data(Qt.ItemDataRole.UserRole))
        answer = QMessageBox.question(
            self,
            "Forget this folder?",
            f"Aris will forget what it read in {folder}. Your files stay where they are.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        from app.documents.store import DocumentStore

        store = DocumentStore.open(self.paths.documents_database)
        try:
            files = store.remove_folder(Path(folder))
        except ArisError as error:
            self.status.setText(error.message)
            return
        finally:
            store.close()
        self.status.setText(f"Forgot {folder} ({files} file{'s' if files != 1 else ''}).")
        self.refresh()
        self.changed.emit()
