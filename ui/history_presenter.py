"""Past conversations in the window: the side list (with search), opening one to continue it, a new one, and
deleting one. The database work runs off the GUI thread (`run_job`); results come back as callbacks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.errors import ArisError
from app.paths import DataPaths
from ui.engine_bridge import EngineBridge
from ui.history_store import HistoryStore
from ui.jobs import run_job
from ui.main_window import MainWindow

if TYPE_CHECKING:  # sqlite-utils is slow to import, and the window must show fast
    from app.storage.conversations import ConversationSummary
    from app.storage.records import Message


class HistoryPresenter(QObject):
    """The conversation history panel and which conversation the window shows."""

    conversation_shown = Signal(str)
    """A past conversation is shown in the window (its id)."""

    def __init__(
        self,
        paths: DataPaths,
        bridge: EngineBridge,
        window: MainWindow,
        before_switch: Callable[[], None],
        parent: QObject,
    ) -> None:
        """Args:
        before_switch: called before the window shows another conversation (the controller stops listening
            and forgets the old turns' bubbles).
        """
        super().__init__(parent)
        self.bridge = bridge
        self.window = window
        self.store = HistoryStore(paths)
        self._before_switch = before_switch
        self._restore_last = True
        """Show the last conversation once the list first loads (unless the user started talking)."""
        panel = window.history
        panel.new_requested.connect(self.new_conversation)
        panel.conversation_chosen.connect(self._on_conversation_chosen)
        panel.delete_confirmed.connect(self.delete_conversation)
        panel.search_changed.connect(lambda _query: self.refresh())
        bridge.conversation_logged.connect(self._on_conversation_logged)

    def keep_current(self) -> None:
        """The user asked something: the conversation on screen stays, whatever the list loads later."""
        self._restore_last = False

    def refresh(self) -> None:
        """Reload the list (with the search text), off the GUI thread."""
        query, store = self.window.history.query, self.store
        run_job(lambda: store.summaries(query), self._on_loaded, self._on_failed, owner=self)

    def new_conversation(self) -> None:
        """Ctrl+N or the button: an empty conversation; the past one stays in the list."""
        self._restore_last = False
        self._before_switch()
        self.bridge.switch_conversation(None)
        self.window.conversation.clear()
        self.window.history.set_current(None)
        self.window.input.setFocus()

    def open_conversation(self, conversation_id: str) -> None:
        """Show a past conversation and continue it."""
        self._restore_last = False
        store = self.store
        run_job(
            lambda: store.messages(conversation_id),
            lambda messages: self._show(conversation_id, messages),
            self._on_failed,
            owner=self,
        )

    def _on_conversation_chosen(self, conversation_id: str) -> None:
        """A click on another conversation: an answer still playing stops now (what was heard of it stays
        in the conversation it belongs to), not once the other conversation has loaded."""
        self._before_switch()
        self.bridge.stop()
        self.open_conversation(conversation_id)

    def delete_conversation(self, conversation_id: str) -> None:
        """Delete (the panel asked first); the window empties if it showed that conversation."""
        if conversation_id == self.window.history.current_id:
            self.new_conversation()
        store = self.store
        run_job(
            lambda: store.delete(conversation_id),
            lambda _deleted: self.refresh(),
            self._on_failed,
            owner=self,
        )

    def close(self) -> None:
        """Close the history's database connection (at quit)."""
        self.store.close()

    def _on_loaded(self, summaries: list[ConversationSummary]) -> None:
        self.window.history.show_conversations(summaries)
        if self._restore_last:
            self._restore_last = False
            if summaries and not self.window.conversation.bubbles and not self.window.history.query:
                self.open_conversation(summaries[0].id)

    def _on_failed(self, error: ArisError) -> None:
        self._restore_last = False
        self.window.notice.show_message("Conversation history unavailable", error.message, "error")

    def _show(self, conversation_id: str, messages: list[Message]) -> None:
        self._before_switch()
        self.bridge.switch_conversation(conversation_id, exchanges(messages))
        view = self.window.conversation
        view.clear()
        for message in messages:
            if message.role in ("user", "assistant") and message.text:
                view.add(message.role, message.text, _local_time(message.created_at))
        self.window.history.set_current(conversation_id)
        self.conversation_shown.emit(conversation_id)

    def _on_conversation_logged(self, conversation_id: str, shown: bool) -> None:
        if shown:
            self.window.history.set_current(conversation_id)
        self.refresh()  # a turn of the conversation left behind moves it up the list, unselected


def _local_time(iso: str) -> datetime:
    try:
        return datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return datetime.now()


def exchanges(messages: list[Message]) -> list[tuple[str, str]]:
    """(question, answer) pairs of a logged conversation, for the model's short-term history."""
    pairs: list[tuple[str, str]] = []
    question = ""
    for message in messages:
        if message.role == "user":
            question = message.text
        elif message.role == "assistant" and question:
            pairs.append((question, message.text))
            question = ""
    return pairs
