"""A turn as the conversation view shows it: the user's bubble, the reply streaming in, stopped and failed turns.

It only listens to the engine bridge's typed signals and writes to the conversation view, in the GUI thread."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices

from engine.documents import Source
from engine.events import TurnState
from ui.conversation_view import Bubble
from ui.engine_bridge import EngineBridge
from ui.main_window import MainWindow
from ui.notifier import Notifier

PREVIEW_CHARS = 160
"""An answer longer than this is cut in the notification that says it is there."""


class TurnPresenter(QObject):
    """Bubbles for each turn, keyed by the turn's id."""

    def __init__(self, bridge: EngineBridge, window: MainWindow, notifier: Notifier, parent: QObject) -> None:
        super().__init__(parent)
        self.window = window
        self.notifier = notifier
        self._replies: dict[str, Bubble] = {}
        self._questions: dict[str, Bubble] = {}
        self._turn: str | None = None
        """The turn running now (the bridge's states carry no turn id)."""
        bridge.turn_started.connect(self._on_turn_started)
        bridge.state_changed.connect(self._on_state_changed)
        bridge.transcript_ready.connect(self._on_transcript_ready)
        bridge.token_generated.connect(self._on_token_generated)
        bridge.sources_ready.connect(self._on_sources_ready)
        bridge.turn_finished.connect(self._on_turn_finished)
        bridge.turn_cancelled.connect(self._on_turn_cancelled)
        bridge.turn_failed.connect(self._on_turn_failed)

    open_url = staticmethod(QDesktopServices.openUrl)
    """Opens a cited document with the desktop's viewer (tests record the URL instead)."""

    def open_source(self, source: Source) -> None:
        """Open the cited file; at its page when it has one (PDF viewers honour ``#page=N``)."""
        url = QUrl.fromLocalFile(source.path)
        if source.page:
            url.setFragment(f"page={source.page}")
        self.open_url(url)

    def _on_sources_ready(self, turn_id: str, sources: tuple[Source, ...]) -> None:
        bubble = self._replies.get(turn_id)
        if bubble is not None:
            bubble.set_sources(sources, self.open_source)

    def forget_turns(self) -> None:
        """The view was cleared (another conversation): late events of old turns add nothing."""
        self._replies.clear()
        self._questions.clear()
        self._turn = None

    def _on_turn_started(self, turn_id: str, spoken: bool) -> None:
        self._turn = turn_id
        if spoken:
            self._questions[turn_id] = self.window.conversation.add("user", "…")
        self.window.stop_button.setEnabled(True)

    def _on_transcript_ready(self, turn_id: str, text: str) -> None:
        bubble = self._questions.get(turn_id)
        if bubble is not None:
            bubble.set_text(text or "(nothing heard)")

    def _on_state_changed(self, state: TurnState) -> None:
        """While the first word is awaited, Aris's bubble says it is thinking (the model may take seconds
        to read the prompt on a busy machine)."""
        turn = self._turn
        if state is TurnState.THINKING and turn is not None and turn not in self._replies:
            bubble = self._replies[turn] = self.window.conversation.add("assistant", "", datetime.now())
            bubble.set_thinking(True)
        elif state is TurnState.IDLE:
            self._turn = None

    def _on_token_generated(self, turn_id: str, piece: str) -> None:
        bubble = self._replies.get(turn_id)
        if bubble is None:
            bubble = self._replies[turn_id] = self.window.conversation.add("assistant", "", datetime.now())
        if bubble.thinking or not bubble.text:
            bubble.set_text(piece.lstrip())
        else:
            bubble.append(piece)

    def _on_turn_finished(self, turn_id: str, reply: str) -> None:
        bubble = self._replies.get(turn_id)
        if bubble is not None:
            bubble.set_text(reply or "(no answer)")
        if reply:
            # Asked from the shortcut with the window hidden or minimised: say the answer is there.
            preview = reply if len(reply) <= PREVIEW_CHARS else reply[: PREVIEW_CHARS - 1].rstrip() + "…"
            self.notifier.notify("Aris answered", preview)

    def _on_turn_cancelled(self, turn_id: str, _heard: str) -> None:
        bubble = self._replies.get(turn_id)
        if bubble is not None:
            if bubble.thinking:
                bubble.set_text("(stopped before answering)")
            bubble.set_note("stopped")
        question = self._questions.get(turn_id)
        if question is not None and question.text == "…":
            question.set_text("(stopped)")

    def _on_turn_failed(self, code: str, message: str) -> None:
        for reply in self._replies.values():
            if reply.thinking:
                reply.set_text("(no answer)")
        if code == "no_speech":
            for bubble in self._questions.values():
                if bubble.text == "…":
                    bubble.set_text("(nothing heard)")
            return
        self.window.notice.show_message("That did not work", message, "error")
