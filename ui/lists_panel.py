"""The window's Lists panel: pick a list, tick items off, add, remove, clear (asks first). It re-reads the
database every second, so changes made by voice, the CLI or sync appear without a click."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.skills.lists import SHOPPING, list_name, split_items
from app.skills.store import NamedList, SkillStore

REFRESH_MS = 1000


class ListsPanel(QWidget):
    """Shopping, to-do and named lists."""

    def __init__(self, store: SkillStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("listsPanel")
        self.store = store
        self._shown: tuple[str, tuple[tuple[str, str, bool], ...]] | None = None
        self.chooser = QComboBox()
        self.chooser.setEditable(False)
        self.chooser.setAccessibleName("List")
        self.chooser.currentTextChanged.connect(lambda _name: self.refresh(force=True))
        self.items = QListWidget()
        self.items.setAccessibleName("Items on the list")
        self.items.itemChanged.connect(self._on_item_changed)
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("Add items, e.g. milk, eggs")
        self.entry.setAccessibleName("New items")
        self.entry.returnPressed.connect(self._add)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self._add)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._remove)
        self.clear_button = QPushButton("Clear list…")
        self.clear_button.clicked.connect(self._clear)
        column = QVBoxLayout(self)
        column.addWidget(self.chooser)
        column.addWidget(self.items, 1)
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(self.add_button)
        column.addLayout(entry_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.clear_button)
        column.addLayout(buttons)
        self._tick = QTimer(self)
        self._tick.setInterval(REFRESH_MS)
        self._tick.timeout.connect(self.refresh)
        self._tick.start()
        self.refresh()

    @property
    def current_name(self) -> str:
        """The list being shown (the shopping list when there is none yet)."""
        return self.chooser.currentText() or SHOPPING

    def stop(self) -> None:
        """Stop re-reading the database (the store is closing)."""
        self._tick.stop()

    def refresh(self, *, force: bool = False) -> None:
        """Re-read the lists; redraw only what changed, so a click in progress isn't lost."""
        names = sorted({SHOPPING, *(n.name for n in self.store.lists())})
        if names != [self.chooser.itemText(i) for i in range(self.chooser.count())]:
            current = self.chooser.currentText() or SHOPPING
            self.chooser.blockSignals(True)
            self.chooser.clear()
            self.chooser.addItems(names)
            self.chooser.setCurrentText(current if current in names else SHOPPING)
            self.chooser.blockSignals(False)
        named = self.store.find_list(self.current_name)
        state = (self.current_name, tuple((i.id, i.text, i.done) for i in named.items) if named else ())
        if force or state != self._shown:
            self._show(named)
            self._shown = state

    def _show(self, named: NamedList | None) -> None:
        self.items.blockSignals(True)
        self.items.clear()
        for item in named.items if named else ():
            row = QListWidgetItem(item.text)
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked if item.done else Qt.CheckState.Unchecked)
            row.setData(Qt.ItemDataRole.UserRole, item.id)
            self.items.addItem(row)
        self.items.blockSignals(False)

    def _on_item_changed(self, row: QListWidgetItem) -> None:
        named = self.store.find_list(self.current_name)
        if named is None:
            return
        done = row.checkState() == Qt.CheckState.Checked
        self.store.update_items(named, [row.data(Qt.ItemDataRole.UserRole)], done=done)
        self.refresh()

    def _add(self) -> None:
        texts = split_items(self.entry.text())
        if not texts:
            return
        self.store.add_items(list_name(self.current_name), texts)
        self.entry.clear()
        self.refresh()

    def _remove(self) -> None:
        named = self.store.find_list(self.current_name)
        row = self.items.currentItem()
        if named is None or row is None:
            return
        self.store.update_items(named, [row.data(Qt.ItemDataRole.UserRole)], done=None)
        self.refresh()

    def _clear(self) -> None:
        named = self.store.find_list(self.current_name)
        if named is None or not named.items:
            return
        answer = QMessageBox.question(
            self,
            "Clear list",
            f"Remove all {len(named.items)} items from your {named.name} list?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,  # destructive: Enter must not do it
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.store.update_items(named, [i.id for i in named.items], done=None)
            self.refresh()
