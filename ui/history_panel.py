"""The conversation history side list: past conversations (title from the first question, date), search,
delete (asks first) and "New conversation". It shows and reports; ui/controller.py loads and switches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # sqlite-utils is slow to import, and the window must show fast
    from app.storage.conversations import ConversationSummary

SEARCH_DELAY_MS = 250
"""Wait for a pause in typing before searching."""


def when_text(iso: str, now: datetime | None = None) -> str:
    """ "14:05" today, "Yesterday", "Mon 3 Nov" this year, else "3 Nov 2025"."""
    try:
        moment = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return ""
    today = (now or datetime.now().astimezone()).date()
    days = (today - moment.date()).days
    if days == 0:
        return moment.strftime("%H:%M")
    if days == 1:
        return "Yesterday"
    if moment.year == today.year:
        return moment.strftime("%a %-d %b")
    return moment.strftime("%-d %b %Y")


class HistoryPanel(QFrame):
    """Past conversations, newest first."""

    new_requested = Signal()
    """The user wants a new, empty conversation."""
    conversation_chosen = Signal(str)
    """The user picked a past conversation (its id)."""
    delete_confirmed = Signal(str)
    """The user confirmed deleting a conversation (its id)."""
    search_changed = Signal(str)
    """The search text settled (after a pause in typing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.new_button = QPushButton("New conversation", self)
        self.new_button.setObjectName("newConversationButton")
        self.new_button.setToolTip("Start a new conversation (Ctrl+N)")
        self.new_button.setAccessibleName("New conversation")
        self.new_button.clicked.connect(self.new_requested)
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("historySearch")
        self.search_box.setPlaceholderText("Search conversations…")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("Search conversations")
        self.list = QListWidget(self)
        self.list.setObjectName("historyList")
        self.list.setAccessibleName("Past conversations")
        self.list.setWordWrap(True)
        # A long title wraps or is cut with "…"; a sideways scroll bar under the list helped nobody.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.itemActivated.connect(self._on_item_chosen)
        self.list.itemClicked.connect(self._on_item_chosen)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.delete_button = QPushButton("Delete…", self)
        self.delete_button.setObjectName("stopButton")
        self.delete_button.setToolTip("Delete the selected conversation (asks first)")
        self.delete_button.setAccessibleName("Delete conversation")
        self.delete_button.clicked.connect(self.delete_selected)
        self.empty_label = QLabel("No conversations yet.", self)
        self.empty_label.setObjectName("hint")
        self.empty_label.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.empty_label, 1)
        bottom.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search_box)
        layout.addWidget(self.list, 1)
        layout.addLayout(bottom)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(lambda: self.search_changed.emit(self.query))
        self.search_box.textChanged.connect(lambda _text: self._timer.start())
        self.current_id: str | None = None
        self._titles: dict[str, str] = {}
        self._update_buttons()

    @property
    def query(self) -> str:
        """The search text."""
        return self.search_box.text().strip()

    def show_conversations(self, summaries: Sequence[ConversationSummary]) -> None:
        """Replace the list; the current conversation stays highlighted."""
        self.list.blockSignals(True)
        self.list.clear()
        self._titles = {}
        for summary in summaries:
            item = QListWidgetItem(f"{summary.title}\n{when_text(summary.updated_at)}")
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            item.setToolTip(summary.title)
            self.list.addItem(item)
            self._titles[summary.id] = summary.title
            if summary.id == self.current_id:
                item.setSelected(True)
        self.list.blockSignals(False)
        if summaries:
            self.empty_label.setText("")
        else:
            self.empty_label.setText("No conversation matches." if self.query else "No conversations yet.")
        self._update_buttons()

    def set_current(self, conversation_id: str | None) -> None:
        """Highlight the conversation the window shows (None: a new one)."""
        self.current_id = conversation_id
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) == conversation_id)
        self.list.blockSignals(False)
        self._update_buttons()

    def selected_id(self) -> str | None:
        """The selected conversation's id."""
        items = self.list.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def delete_selected(self) -> None:
        """Ask, then report the deletion for the controller to carry out."""
        conversation_id = self.selected_id()
        if conversation_id is None:
            return
        title = self._titles.get(conversation_id, "")
        answer = QMessageBox.question(
            self,
            "Delete this conversation?",
            f"“{title}” and all its messages will be deleted from this computer. This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_confirmed.emit(conversation_id)

    def _on_item_chosen(self, item: QListWidgetItem) -> None:
        conversation_id = item.data(Qt.ItemDataRole.UserRole)
        if conversation_id != self.current_id:
            self.conversation_chosen.emit(conversation_id)

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(self.selected_id() is not None)
