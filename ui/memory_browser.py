"""The memory browser: search (the assistant's own hybrid recall), list, edit, pin, forget, export and
import. Destructive actions ask first. Store calls are quick SQLite operations, but search embeds the query,
so every call runs off the GUI thread and the results come back as a signal."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ArisError
from ui.jobs import run_job
from ui.memory_store import BrowsableMemory, MemoryRecord
from ui.widgets import fit_to_screen

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
"""Wait for a pause in typing before searching."""


class MemoryBrowser(QDialog):
    """Browse and curate what Aris remembers."""

    memory_changed = Signal()
    """An edit, pin, forget or import changed the store (sync sends it soon)."""

    changed_done = Signal(str)
    """A change finished (the status line it shows); the list reloads next."""
    loaded = Signal()
    """The list was (re)loaded."""

    def __init__(
        self,
        store: BrowsableMemory,
        parent: QWidget | None = None,
        *,
        confirm: Callable[[str, str], bool] | None = None,
    ) -> None:
        """Args:
        confirm: asks the user (title, question) before destructive actions; tests pass their own.
        """
        super().__init__(parent)
        self.setWindowTitle("Memory")
        self.setObjectName("memoryBrowser")
        self.store = store
        self._confirm = confirm or self._ask
        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText("Search memories…")
        self.search_box.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("memoryList")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(False)
        self.status = QLabel(self)
        self.status.setObjectName("hint")
        self.edit_button = QPushButton("Edit…")
        self.pin_button = QPushButton("Pin")
        self.forget_button = QPushButton("Forget")
        self.forget_button.setObjectName("stopButton")
        self.export_button = QPushButton("Export…")
        self.import_button = QPushButton("Import…")
        intro = QLabel(
            "What Aris remembers about you. Pinned memories rank first when they fit the question.", self
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        actions = QHBoxLayout()
        actions.setSpacing(8)
        for button in (self.edit_button, self.pin_button, self.forget_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.import_button)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.search_box)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        fit_to_screen(self, 620, 560)

        self._connect_signals()
        self.records: list[MemoryRecord] = []
        self._flash = ""
        """The result of the last change, shown with the count after the list reloads."""
        self._update_buttons()
        self.refresh()

    def _connect_signals(self) -> None:
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(lambda _item: self.edit_selected())
        # These slots take no arguments on purpose: clicked(bool) would fill an optional one with False.
        self.edit_button.clicked.connect(self.edit_selected)
        self.pin_button.clicked.connect(self.toggle_pin_selected)
        self.forget_button.clicked.connect(self.forget_selected)
        self.export_button.clicked.connect(self.export_to)
        self.import_button.clicked.connect(self.import_from)

    # ---- loading ----------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the list (search results when there is a query)."""
        query = self.search_box.text().strip()
        store = self.store

        def load() -> tuple[list[MemoryRecord], str]:
            return list(store.search(query) if query else store.list()), query

        run_job(
            load, lambda result: self._on_loaded(*result), self._on_failed, owner=self, name="memory-list"
        )

    def reopen(self) -> None:
        """Shown again from the main window: start from the whole list, not the last search."""
        self._search_timer.stop()
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self._flash = ""
        self.refresh()
        self.search_box.setFocus()

    def _on_loaded(self, records: Sequence[MemoryRecord], query: str) -> None:
        if query != self.search_box.text().strip():
            return  # an older search finished after a newer one started
        selected = self.selected()
        self.records = list(records)
        self.list.clear()
        for record in self.records:
            item = QListWidgetItem(self._label(record))
            item.setData(Qt.ItemDataRole.UserRole, record.id)
            item.setToolTip(f"{record.kind} · updated {record.updated_at[:16].replace('T', ' ')}")
            self.list.addItem(item)
            if selected is not None and record.id == selected.id:
                item.setSelected(True)
        count = len(self.records)
        noun = "memory" if count == 1 else "memories"
        summary = f"{count} {noun} match “{query}”" if query else f"{count} {noun}"
        flash, self._flash = self._flash, ""
        self.status.setText(f"{flash}  ·  {summary}" if flash else summary)
        self._update_buttons()
        self.loaded.emit()

    @staticmethod
    def _label(record: MemoryRecord) -> str:
        return ("★  " if record.pinned else "") + record.text

    def selected(self) -> MemoryRecord | None:
        """The selected memory, if any."""
        items = self.list.selectedItems()
        if not items:
            return None
        memory_id = items[0].data(Qt.ItemDataRole.UserRole)
        return next((r for r in self.records if r.id == memory_id), None)

    def select(self, memory_id: str) -> None:
        """Select a memory by id (keyboard users and tests)."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) == memory_id)

    def _update_buttons(self) -> None:
        record = self.selected()
        for button in (self.edit_button, self.pin_button, self.forget_button):
            button.setEnabled(record is not None)
        self.pin_button.setText("Unpin" if record is not None and record.pinned else "Pin")

    # ---- changes ----------------------------------------------------------------------------------------

    def edit_selected(self) -> None:
        """Ask for the selected memory's new text and save it."""
        record = self.selected()
        if record is None:
            return
        new_text, ok = QInputDialog.getMultiLineText(self, "Edit memory", "Memory:", record.text)
        if not ok:
            return
        text = new_text.strip()
        if not text or text == record.text:
            return
        self._change(lambda: self.store.edit(record.id, text), "Memory updated.", changes=True)

    def toggle_pin_selected(self) -> None:
        """Pin or unpin the selected memory."""
        record = self.selected()
        if record is not None:
            pinned = not record.pinned
            self._change(
                lambda: self.store.pin(record.id, pinned), "Pinned." if pinned else "Unpinned.", changes=True
            )

    def forget_selected(self) -> None:
        """Erase the selected memory, after asking."""
        record = self.selected()
        if record is None:
            return
        if not self._confirm(
            "Forget this memory?", f"Aris will forget:\n\n“{record.text}”\n\nThis cannot be undone."
        ):
            return
        self._change(lambda: self.store.forget(record.id), "Forgotten.", changes=True)

    def export_to(self) -> None:
        """Ask for a file and save every memory to it as JSON."""
        suggested = str(documents_folder() / "aris-memories.json")
        name, _ = QFileDialog.getSaveFileName(self, "Export memories", suggested, "JSON (*.json)")
        if not name:
            return
        path = Path(name)
        self._change(lambda: f"Exported {self.store.export_json(path)} memories to {path}.", None)

    def import_from(self) -> None:
        """Ask for a JSON export and add its memories, after confirming."""
        name, _ = QFileDialog.getOpenFileName(
            self, "Import memories", str(documents_folder()), "JSON (*.json)"
        )
        if not name:
            return
        path = Path(name)
        if not self._confirm("Import memories?", f"Add the memories in {path.name} to what Aris remembers?"):
            return
        self._change(lambda: f"Imported {self.store.import_json(path)} memories.", None, changes=True)

    def _change(self, action: Callable[[], object], message: str | None, *, changes: bool = False) -> None:
        def done(result: object) -> None:
            self._on_done(message if message is not None else str(result))
            if changes:
                self.memory_changed.emit()

        run_job(action, done, self._on_failed, owner=self, name="memory-change")

    def _on_done(self, message: str) -> None:
        self._flash = message
        self.status.setText(message)
        self.changed_done.emit(message)
        self.refresh()

    def _on_failed(self, error: ArisError) -> None:
        log.warning("Memory action failed: %s", error.message)
        self.status.setText(error.message)
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Memory", error.message, QMessageBox.StandardButton.Ok, self
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not exec(): a failure must not block the browser's event loop

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            title,
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,  # Enter must not forget or import by accident
        )
        return answer == QMessageBox.StandardButton.Yes


def documents_folder() -> Path:
    """Where an export is suggested: the user's Documents folder, or home where there is none (not the
    working directory, which for a desktop app is wherever it was launched from)."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()
