"""The Models window (opened from Settings → Models): every model with its full name and one line on what it
is, filters (kind, language, installed, fits this computer) and search, sorted by language then quality, the
recommendation for this computer's memory and speed, and Download (progress with speed and time left, Cancel),
Use and Remove. Downloads run in a worker thread; the GUI thread only receives queued signals."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
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
from app.model_speed import CONVERSATIONAL_SECONDS
from app.paths import DataPaths
from models.catalogue import ModelKind
from models.download import DownloadProgress
from models.errors import ArisError, DownloadCancelledError

log = logging.getLogger(__name__)

_KINDS = (
    ("Language models", ModelKind.LLM),
    ("Speech recognition", ModelKind.STT),
    ("Voices", ModelKind.TTS),
    ("All kinds", None),
)
_COLUMNS = ("Model", "What it is", "Languages", "Size", "First words", "Status")
_LANGUAGE_NAMES = {
    "multi": "Many languages", "en": "English", "de": "German", "fr": "French", "es": "Spanish",
    "it": "Italian", "pt": "Portuguese", "ru": "Russian", "uk": "Ukrainian", "pl": "Polish", "nl": "Dutch",
    "hi": "Hindi", "th": "Thai", "zh": "Chinese", "ar": "Arabic", "tr": "Turkish", "sv": "Swedish",
}  # fmt: skip
_SPEED_WINDOW_S = 3.0
"""Download speed is averaged over the last few seconds, so it follows the connection without flickering."""


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
            self.progressed.emit(
                update.done_bytes // 1000, max(1, update.total_bytes // 1000)
            )  # kB: fits an int

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

    def __init__(
        self,
        paths: DataPaths,
        settings: Settings,
        parent: QWidget | None = None,
        manager: ModelManager | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modelsPage")
        self.manager = manager or ModelManager(paths, settings)
        self._rows: list[ModelRow] = []
        self._thread: QThread | None = None
        self._worker: _DownloadWorker | None = None
        self._cancel = threading.Event()
        self._samples: deque[tuple[float, int]] = deque()

        self._make_filters()
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
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # full names, never cut
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.count_label = _hint("")
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
        self.progress_label = _hint("")
        self.progress_label.hide()
        self.status = _hint("")

        self.recommendation = _hint(recommendation(self.manager))
        self._lay_out()
        self.refresh()

    def _make_filters(self) -> None:
        """Kind, language, installed only, fits this computer."""
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind of model")
        for label, kind in _KINDS:
            self.kind_combo.addItem(label, kind)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.language_combo = QComboBox()
        self.language_combo.setAccessibleName("Language")
        self.language_combo.addItem("All languages", "")
        codes = sorted({code for row in self.manager.rows() for code in row.languages}, key=_language_key)
        for code in codes:
            self.language_combo.addItem(language_name(code), code)
        self.language_combo.currentIndexChanged.connect(lambda _index: self.refresh())
        self.installed_check = QCheckBox("Installed")
        self.installed_check.toggled.connect(lambda _on: self.refresh())
        self.fits_check = QCheckBox("Fits this computer")
        self.fits_check.setToolTip(
            "Half this computer's memory holds it, and a chat model has its first sentence ready within "
            f"about {CONVERSATIONAL_SECONDS:.0f} s here."
        )
        self.fits_check.toggled.connect(lambda _on: self.refresh())

    def _lay_out(self) -> None:
        """Recommendation, filters, table, details, buttons, progress and status, top to bottom."""
        buttons = QHBoxLayout()
        for button in (self.download_button, self.cancel_button, self.use_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.recommendation)
        filters = QHBoxLayout()
        filters.addWidget(self.search_box, 1)
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.language_combo)
        filters.addWidget(self.installed_check)
        filters.addWidget(self.fits_check)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.description)
        layout.addLayout(buttons)
        progress = QHBoxLayout()
        progress.addWidget(self.progress, 1)
        progress.addWidget(self.progress_label)
        layout.addLayout(progress)
        layout.addWidget(self.status)

    @property
    def settings(self) -> Settings:
        """The settings as the page last saved them."""
        return self.manager.settings

    def refresh(self) -> None:
        """Reload the rows the filters and the search let through, keeping the selection."""
        selected = self.selected_id()
        kind = self.kind_combo.currentData()
        language = self.language_combo.currentData() or None
        rows = self.manager.rows(
            kind=None if kind is None else ModelKind(kind),
            installed_only=self.installed_check.isChecked(),
            language=language,
        )
        self._rows = sorted(
            (
                row
                for row in rows
                if _matches(row, self.search_box.text())
                and (row.fits or row.installed or not self.fits_check.isChecked())
                and row.kind != ModelKind.EMBEDDING  # chosen by Aris itself, nothing to pick
            ),
            key=_order,
        )
        self.table.setRowCount(len(self._rows))
        for index, row in enumerate(self._rows):
            cells = (
                row.id,
                _first_sentence(row.description),
                _languages(row.languages),
                _size(row.size_bytes),
                _speed(row),
                _status(row),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                item.setToolTip(f"{row.id}: {row.description}")
                self.table.setItem(index, column, item)
        self.count_label.setText(f"{len(self._rows)} models shown")
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
        """Select a model's row; False if the filters hide it."""
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

    def shown_ids(self) -> list[str]:
        """The ids in the table, top to bottom."""
        return [row.id for row in self._rows]

    def _selected_row(self) -> ModelRow | None:
        indexes = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not indexes or indexes[0].row() >= len(self._rows):
            return None
        return self._rows[indexes[0].row()]

    def _update_buttons(self) -> None:
        row = self._selected_row()
        busy = self._thread is not None
        self.description.setText(_details(row, self.manager.ram_mb) if row else "")
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
        self._samples.clear()
        self.progress.setValue(0)
        self.progress.show()
        self.progress_label.setText("Starting…")
        self.progress_label.show()
        self.status.setText(f"Downloading {row.id}…")
        self._update_buttons()
        thread.start()

    def _on_cancel(self) -> None:
        self._cancel.set()
        self.status.setText("Cancelling…")

    def _on_progress(self, done_kb: int, total_kb: int) -> None:
        self.progress.setValue(min(100, done_kb * 100 // total_kb))
        now = time.monotonic()
        self._samples.append((now, done_kb))
        while len(self._samples) > 2 and now - self._samples[0][0] > _SPEED_WINDOW_S:
            self._samples.popleft()
        self.progress_label.setText(progress_text(done_kb, total_kb, self._samples))

    def _on_finished(self, model_id: str) -> None:
        self.progress.setValue(100)
        self.progress_label.hide()
        self.status.setText(f"{model_id} is installed and verified. Press Use to switch to it.")
        self.download_finished.emit(model_id)

    def _on_failed(self, model_id: str, code: str, message: str) -> None:
        self.progress.hide()
        self.progress_label.hide()
        if code == DownloadCancelledError.code:
            self.status.setText(
                f"Download of {model_id} cancelled; press Download to resume where it stopped."
            )
        else:
            self.status.setText(in_gui_words(message))
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
            self.status.setText(in_gui_words(error.message))
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
            self.status.setText(in_gui_words(error.message))
            return
        self.status.setText(f"Removed {row.id}.")
        self.refresh()

    def shutdown(self) -> None:
        """Stop a running download (the partial file stays) and wait for the worker, boundedly."""
        self._cancel.set()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(5000)


class ModelsWindow(QDialog):
    """The Models page in a window of its own, wide enough for full names and descriptions."""

    def __init__(self, paths: DataPaths, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models — Aris")
        self.setObjectName("modelsWindow")
        self.page = ModelsPage(paths, settings, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page)
        self.resize(1100, 640)

    def done(self, result: int) -> None:  # Qt override: closing stops a running download
        """Close; a running download stops (its partial file stays, so it resumes next time)."""
        self.page.shutdown()
        super().done(result)


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def recommendation(manager: ModelManager) -> str:
    """One quiet line: the best chat model that still answers quickly here, if it is not installed yet."""
    rows = [r for r in manager.rows(kind=ModelKind.LLM) if r.recommended and not r.installed]
    if not rows:
        return ""
    row = rows[0]
    how = "measured here" if row.speed_measured else f"estimated for {manager.cores} cores"
    speed = f"; first words in about {row.reply_seconds:.1f} s, {how}" if row.reply_seconds else ""
    return (
        f"Recommended for this computer ({manager.ram_mb / 1000:.0f} GB of memory, {manager.cores} cores): "
        f"{row.id} ({(row.size_bytes or 0) / 1e9:.1f} GB download{speed}) answers far better than the "
        "built-in model. Larger models would be too slow here to talk with."
    )


def language_name(code: str) -> str:
    """A language code as people say it ("ru" → "Russian")."""
    return _LANGUAGE_NAMES.get(code, code)


def _languages(codes: tuple[str, ...]) -> str:
    """Two language names and how many more, so the description keeps its room; all of them are below."""
    names = [language_name(code) for code in codes]
    return ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:2])} +{len(names) - 2}"


def _language_key(code: str) -> tuple[int, str]:
    return (0 if code == "multi" else 1, language_name(code))


def progress_text(
    done_kb: int, total_kb: int, samples: deque[tuple[float, int]] | list[tuple[float, int]]
) -> str:
    """ "21.3 of 63.2 MB · 4.2 MB/s · 10 s left" from (time, KB done) samples over the last seconds."""
    text = f"{done_kb / 1000:.1f} of {total_kb / 1000:.1f} MB"
    if len(samples) < 2:
        return text
    (start, first), (end, last) = samples[0], samples[-1]
    if end <= start or last <= first:
        return text
    rate_kb = (last - first) / (end - start)
    left_s = (total_kb - done_kb) / rate_kb
    return f"{text} · {rate_kb / 1000:.1f} MB/s · {_duration(left_s)} left"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


_GUI_WORDS = (
    (re.compile(r" \(or set \w+ to a reachable mirror\)"), ""),
    (
        re.compile(r"Downloading it again resumes where it stopped\."),
        "Press Download to resume where it stopped.",
    ),
    (re.compile(r"reinstall it: pip install .*$"), "reinstall Aris to repair it."),
    (re.compile(r" See: python main\.py models list"), ""),
)


def in_gui_words(message: str) -> str:
    """An error as the window says it: the buttons it has instead of commands and environment variables."""
    for pattern, replacement in _GUI_WORDS:
        message = pattern.sub(replacement, message)
    return message


def _status(row: ModelRow) -> str:
    if row.source == "package":
        state = "Built in · in use" if row.in_use else "Built in"  # comes with Aris: nothing to download
    elif row.source == "pypi-parts":
        state = "In use" if row.in_use else "Installed" if row.installed else "Install (no download)"
    else:
        state = (
            "In use"
            if row.in_use
            else "Installed"
            if row.installed
            else "Not installed"
            if row.available
            else "No published checksum"
        )
    if row.recommended:
        return f"{state} · recommended"
    if row.fits or row.installed:
        return state
    return f"{state} · too slow here" if _too_slow(row) else f"{state} · too big here"


def _too_slow(row: ModelRow) -> bool:
    """Its first words would come later than a conversation allows."""
    return row.reply_seconds is not None and row.reply_seconds > CONVERSATIONAL_SECONDS


def _speed(row: ModelRow) -> str:
    if row.reply_seconds is None:
        return ""
    return f"{row.reply_seconds:.1f} s" if row.speed_measured else f"~{row.reply_seconds:.1f} s"


def _size(size_bytes: int | None) -> str:
    if not size_bytes:
        return "?"
    return f"{size_bytes / 1e9:.1f} GB" if size_bytes >= 1e9 else f"{size_bytes / 1e6:,.0f} MB"


def _first_sentence(description: str) -> str:
    """The description's first clause: one line in the table; the whole text is below it and in the tooltip."""
    return description.split("; ", maxsplit=1)[0]


def _details(row: ModelRow, ram_mb: int) -> str:
    parts = [
        f"{row.id}: {row.description}.",
        f"Languages: {', '.join(language_name(code) for code in row.languages)}.",
        f"Needs about {_size(row.ram_mb * 1_000_000)} of memory.",
    ]
    if row.reply_seconds is not None:
        how = "measured on this computer" if row.speed_measured else "estimated from its size and the cores"
        parts.append(f"First words after about {row.reply_seconds:.1f} s ({how}).")
    if not row.fits:
        too = "memory" if ram_mb and row.ram_mb * 2 > ram_mb else "speed"
        parts.append(
            "Too big for this computer's memory." if too == "memory" else "Too slow here to talk with."
        )
    if row.licence:
        parts.append(f"Licence: {row.licence}.")
    return " ".join(parts)


def _matches(row: ModelRow, query: str) -> bool:
    """Every word of the search appears in the name, a language (code or name) or the description."""
    names = " ".join(language_name(code) for code in row.languages)
    text = " ".join((row.id, *row.languages, names, row.description)).lower()
    return all(word in text for word in query.lower().split())


def _order(row: ModelRow) -> tuple[tuple[int, str], int, str]:
    """By language (many-language models first), then the better model first within a language: piper's
    high, medium and low voices and the larger chat models are bigger files."""
    first = row.languages[0] if row.languages else ""
    return (_language_key(first), -(row.size_bytes or 0), row.id)
