"""Settings → Models: what is installed and what can be downloaded (size, languages, RAM, recommended for
this computer), with Download (progress bar, Cancel), Use and Remove. Downloads run in a worker thread; the
GUI thread only receives queued signals."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.config import Settings
from app.model_manager import ModelManager, ModelRow
from app.paths import DataPaths
from models.catalogue import ModelKind
from models.download import DownloadProgress
from models.errors import ArisError, DownloadCancelledError

log = logging.getLogger(__name__)

_KINDS = (
    ("Language models", ModelKind.LLM),
    ("Speech recognition", ModelKind.STT),
    ("Voices", ModelKind.TTS),
)
_COLUMNS = ("Model", "Languages", "Size", "RAM", "Status")


class _DownloadWorker(QObject):
    """Runs one install in its QThread; reports through signals only."""

    progressed = Signal(int, int)
    finished = Signal(str)
    failed = Signal(str, str, str)
    """(model id, error code, message)"""

    def __init__(self, manager: ModelManager, model_id: str, cancel: threading.Event) -> None:
        super().__init__()
        self._manager = manager
        self._model_id = model_id
        self._cancel = cancel

    def run(self) -> None:
        """Install the model; every outcome ends in exactly one of finished/failed."""

        def on_progress(update: DownloadProgress) -> None:
            self.progressed.emit(update.done_bytes // 1024, max(1, update.total_bytes // 1024))

        try:
            self._manager.install(self._model_id, on_progress, self._cancel)
        except ArisError as error:
            self.failed.emit(self._model_id, error.code, error.message)
        except Exception as error:  # a bug must still end the download in the page, not hang it
            log.exception("Installing %s failed", self._model_id)
            self.failed.emit(self._model_id, "internal", f"Installing failed unexpectedly: {error}")
        else:
            self.finished.emit(self._model_id)


class ModelsPage(QWidget):
    """The model manager's page; emits ``model_used`` when the user switches a model."""

    model_used = Signal(str, str)
    """(kind, model id) after Use saved the settings."""
    download_finished = Signal(str)
    download_failed = Signal(str, str)
    """(model id, message)"""

    def __init__(self, paths: DataPaths, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelsPage")
        self.manager = ModelManager(paths, settings)
        self._rows: list[ModelRow] = []
        self._thread: QThread | None = None
        self._worker: _DownloadWorker | None = None
        self._cancel = threading.Event()

        self.kind_combo = QComboBox()
        for label, kind in _KINDS:
            self.kind_combo.addItem(label, kind)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search by name, language or description…")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("Search models")
        self.search_box.textChanged.connect(lambda _text: self.refresh())
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.description = _hint("")
        self.download_button = QPushButton("Download")
        self.cancel_button = QPushButton("Cancel")
        self.use_button = QPushButton("Use")
        self.remove_button = QPushButton("Remove")
        self.download_button.clicked.connect(self._on_download)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.use_button.clicked.connect(self._on_use)
        self.remove_button.clicked.connect(self._on_remove)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = _hint("")

        self.recommendation = _hint(recommendation(self.manager))
        self._lay_out()
        self.refresh()

    def _lay_out(self) -> None:
        """Recommendation, filter, table, buttons, progress and status, top to bottom."""
        buttons = QHBoxLayout()
        for button in (self.download_button, self.cancel_button, self.use_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.recommendation)
        filters = QHBoxLayout()
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.search_box, 1)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.description)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

    @property
    def settings(self) -> Settings:
        """The settings as the page last saved them."""
        return self.manager.settings

    def refresh(self) -> None:
        """Reload the rows for the chosen kind, keeping the selection."""
        selected = self.selected_id()
        kind = ModelKind(self.kind_combo.currentData())
        self._rows = sorted(
            (row for row in self.manager.rows(kind=kind) if _matches(row, self.search_box.text())),
            key=_order,
        )
        self.table.setRowCount(len(self._rows))
        for index, row in enumerate(self._rows):
            size = f"{row.size_bytes / 1e6:,.0f} MB" if row.size_bytes else "?"
            ram = f"{row.ram_mb / 1000:.1f} GB" if row.ram_mb >= 1000 else f"{row.ram_mb} MB"
            cells = (row.id, ", ".join(row.languages), size, ram, _status(row))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                item.setToolTip(f"{row.id}: {row.description}")  # the full name where the column is narrow
                self.table.setItem(index, column, item)
        if selected:
            self.select(selected)
        self._update_buttons()

    def _on_kind_changed(self) -> None:
        """Another kind: select the model in use, never a download the user did not point at."""
        self.table.clearSelection()
        self.refresh()
        in_use = next((row.id for row in self._rows if row.in_use), None)
        if in_use is not None:
            self.select(in_use)
        else:
            self.table.clearSelection()
            self._update_buttons()

    def select(self, model_id: str) -> bool:
        """Select a model's row (switching the kind filter if needed); False if it is not listed."""
        for index, row in enumerate(self._rows):
            if row.id == model_id:
                self.table.selectRow(index)
                self.table.scrollTo(self.table.model().index(index, 0))
                return True
        return False

    def selected_id(self) -> str | None:
        """The id of the selected row."""
        row = self._selected_row()
        return row.id if row else None

    def _selected_row(self) -> ModelRow | None:
        indexes = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not indexes or indexes[0].row() >= len(self._rows):
            return None
        return self._rows[indexes[0].row()]

    def _update_buttons(self) -> None:
        row = self._selected_row()
        busy = self._thread is not None
        self.description.setText(f"{row.description}. Licence: {row.licence}." if row else "")
        downloadable = bool(row and row.available and not row.installed and row.source != "package")
        self.download_button.setEnabled(downloadable and not busy)
        self.cancel_button.setEnabled(busy)
        self.use_button.setEnabled(bool(row and row.installed and not row.in_use and row.kind != "embedding"))
        self.remove_button.setEnabled(
            bool(row and row.installed and not row.in_use and row.source != "package")
        )

    # ---- actions ----------------------------------------------------------------------------------------

    def _on_download(self) -> None:
        row = self._selected_row()
        if row is None or self._thread is not None:
            return
        self._cancel = threading.Event()
        thread = QThread(self)
        worker = _DownloadWorker(self.manager, row.id, self._cancel)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        thread.finished.connect(self._on_thread_done)
        self._thread, self._worker = thread, worker
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(f"Downloading {row.id}…")
        self._update_buttons()
        thread.start()

    def _on_cancel(self) -> None:
        self._cancel.set()
        self.status.setText("Cancelling…")

    def _on_progress(self, done_kb: int, total_kb: int) -> None:
        self.progress.setValue(min(100, done_kb * 100 // total_kb))

    def _on_finished(self, model_id: str) -> None:
        self.progress.setValue(100)
        self.status.setText(f"{model_id} is installed and verified. Press Use to switch to it.")
        self.download_finished.emit(model_id)

    def _on_failed(self, model_id: str, code: str, message: str) -> None:
        self.progress.hide()
        if code == DownloadCancelledError.code:
            self.status.setText(f"Download of {model_id} cancelled; it resumes where it stopped next time.")
        else:
            self.status.setText(message)
        self.download_failed.emit(model_id, message)

    def _on_thread_done(self) -> None:
        if self._worker is not None:
            self._worker.deleteLater()
        if self._thread is not None:
            self._thread.deleteLater()
        self._thread, self._worker = None, None
        self.refresh()

    def _on_use(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        try:
            self.manager.use(row.id)
        except ArisError as error:
            self.status.setText(error.message)
            return
        self.status.setText(f"Now using {row.id}.")
        self.refresh()
        self.model_used.emit(row.kind, row.id)

    def _on_remove(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        try:
            self.manager.remove(row.id)
        except ArisError as error:
            self.status.setText(error.message)
            return
        self.status.setText(f"Removed {row.id}.")
        self.refresh()

    def shutdown(self) -> None:
        """Stop a running download (the partial file stays) and wait for the worker, boundedly."""
        self._cancel.set()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(5000)


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def recommendation(manager: ModelManager) -> str:
    """One quiet line: the better chat model this computer can run, if it is not installed yet."""
    rows = [r for r in manager.rows(kind=ModelKind.LLM) if r.recommended and not r.installed]
    if not rows:
        return ""
    return (
        f"This computer has {manager.ram_mb / 1000:.0f} GB of memory: {rows[0].id} "
        f"({(rows[0].size_bytes or 0) / 1e9:.1f} GB download) answers far better than the built-in model."
    )


def _status(row: ModelRow) -> str:
    if row.source == "package":
        state = "Built in · in use" if row.in_use else "Built in"  # comes with Aris: nothing to download
    else:
        state = (
            "In use"
            if row.in_use
            else "Installed"
            if row.installed
            else "Download"
            if row.available
            else "No published checksum"
        )
    return f"{state} · recommended" if row.recommended else state


def _matches(row: ModelRow, query: str) -> bool:
    """Every word of the search appears in the name, a language code or the description."""
    text = " ".join((row.id, *row.languages, row.description)).lower()
    return all(word in text for word in query.lower().split())


def _order(row: ModelRow) -> tuple[str, int, str]:
    """By language, then the better (bigger) model first within a language: piper's high, medium and low
    voices and the larger chat models are bigger files."""
    return (row.languages[0] if row.languages else "", -(row.size_bytes or 0), row.id)
