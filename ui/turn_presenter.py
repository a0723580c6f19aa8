"""A turn as the conversation view shows it: the user's bubble, the reply streaming in, stopped and failed turns.

It only listens to the engine bridge's typed signals and writes to the conversation view, in the GUI thread."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject

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
        bridge.turn_started.connect(self._on_turn_started)
        bridge.transcript_ready.connect(self._on_transcript_ready)
        bridge.token_generated.connect(self._on_token_generated)
        bridge.turn_finished.connect(self._on_turn_finished)
        bridge.turn_cancelled.connect(self._on_turn_cancelled)
        bridge.turn_failed.connect(self._on_turn_failed)

    def forget_turns(self) -> None:
        """The view was cleared (another conversation): late events of old turns add nothing."""
        self._replies.clear()
        self._questions.clear()

    def _on_turn_started(self, turn_id: str, spoken: bool) -> None:
        if spoken:
            self._questions[turn_id] = self.window.conversation.add("user", "…")
        self.window.stop_button.setEnabled(True)

    def _on_transcript_ready(self, turn_id: str, text: str) -> None:
        bubble = self._questions.get(turn_id)
        if bubble is not None:
            bubble.set_text(text or "(nothing heard)")

    def _on_token_generated(self, turn_id: str, piece: str) -> None:
        bubble = self._replies.get(turn_id)
        if bubble is None:
            bubble = self._replies[turn_id] = self.window.conversation.add("assistant", "", datetime.now())
            piece = piece.lstrip()
        bubble.append(piece)

    def _on_turn_finished(self, turn_id: str, reply: str) -> None:
        bubble = self._replies.get(turn_id)
        if bubble is not None:
            bubble.set_text(reply)
        if reply:
            # Asked from the shortcut with the window hidden or minimised: say the answer is there.
            preview = reply if len(reply) <= PREVIEW_CHARS else reply[: PREVIEW_CHARS - 1].rstrip() + "…"
            self.notifier.notify("Aris answered", preview)

    def _on_turn_cancelled(self, turn_id: str, _heard: str) -> None:
        bubble = self._replies.get(turn_id)
        if bubble is not None:
            bubble.set_note("stopped")
        question = self._questions.get(turn_id)
        if question is not None and question.text == "…":
            question.set_text("(stopped)")

    def _on_turn_failed(self, code: str, message: str) -> None:
        if code == "no_speech":
            for bubble in self._questions.values():
                if bubble.text == "…":
                    bubble.set_text("(nothing heard)")
            return
        self.window.notice.show_message("That did not work", message, "error")
