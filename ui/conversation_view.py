"""The conversation: user and assistant bubbles with timestamps; the assistant's bubble grows word by word
as tokens arrive."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QToolButton, QVBoxLayout, QWidget

from engine.documents import Source

THINKING_TEXT = "Thinking"
THINKING_STEP_MS = 400
"""The dots after "Thinking" change this often: the window visibly works while the model reads the prompt
(seconds on a busy machine), rather than looking frozen."""


class Bubble(QFrame):
    """One message: its text and the time it was said."""

    def __init__(self, role: str, text: str, when: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self._raw = text
        self.setObjectName("userBubble" if role == "user" else "assistantBubble")
        self._text = QLabel(self)
        self._text.setObjectName("bubbleText")
        self._text.setWordWrap(True)
        # Aris's answers are Markdown (code, lists); the voice reads them as plain text (engine.tts).
        self._text.setTextFormat(
            Qt.TextFormat.MarkdownText if role == "assistant" else Qt.TextFormat.PlainText
        )
        self._text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._text.setText(text)
        self._meta = QLabel(self._meta_text(role, when), self)
        self._meta.setObjectName("bubbleMeta")
        self.copy_button = QToolButton(self)
        self.copy_button.setObjectName("copyButton")
        self.copy_button.setText("Copy")
        self.copy_button.setToolTip("Copy this message")
        self.copy_button.setAccessibleName("Copy message")
        self.copy_button.clicked.connect(self.copy)
        meta_row = QHBoxLayout()
        meta_row.setSpacing(6)
        if role == "user":
            meta_row.addStretch(1)
        meta_row.addWidget(self._meta)
        meta_row.addWidget(self.copy_button)
        if role != "user":
            meta_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 8)
        layout.setSpacing(4)
        layout.addWidget(self._text)
        self._sources_row = QHBoxLayout()
        self._sources_row.setSpacing(6)
        layout.addLayout(self._sources_row)
        layout.addLayout(meta_row)
        self.source_buttons: list[QToolButton] = []
        """One per cited passage: a click opens the document at its page."""
        self.setAccessibleName(f"{'Your message' if role == 'user' else 'Answer from Aris'}")
        self._dots = 0
        self._thinking_timer: QTimer | None = None

    def set_sources(self, sources: Sequence[Source], open_source: Callable[[Source], None]) -> None:
        """Cite the documents the answer used, each a button that opens the file at the passage's page."""
        for button in self.source_buttons:
            button.deleteLater()
        self.source_buttons = []
        for source in sources:
            button = QToolButton(self)
            button.setObjectName("sourceButton")
            button.setText(source.label())
            button.setToolTip(f"Open {source.path}" + (f" at page {source.page}" if source.page else ""))
            button.setAccessibleName(f"Source: {source.label()}")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, cited=source: open_source(cited))
            self._sources_row.addWidget(button)
            button.show()  # the bubble is already on screen: a child added now starts hidden
            self.source_buttons.append(button)
        if sources:
            self._sources_row.addStretch(1)

    @property
    def thinking(self) -> bool:
        """True while the bubble stands for an answer whose first word has not come yet."""
        return self._thinking_timer is not None

    def set_thinking(self, thinking: bool) -> None:
        """Show "Thinking…" with moving dots until the answer's first word (or the end of the turn)."""
        if thinking == self.thinking:
            return
        self._text.setProperty("thinking", thinking)
        self._text.style().unpolish(self._text)
        self._text.style().polish(self._text)
        if thinking:
            self._thinking_timer = QTimer(self)
            self._thinking_timer.setInterval(THINKING_STEP_MS)
            self._thinking_timer.timeout.connect(self._step_dots)
            self._thinking_timer.start()
            self._dots = 0
            self._text.setTextFormat(Qt.TextFormat.PlainText)
            self._text.setText(THINKING_TEXT + "…")
            self.copy_button.hide()
            self.setAccessibleDescription("Aris is thinking")
        else:
            assert self._thinking_timer is not None
            self._thinking_timer.stop()
            self._thinking_timer.deleteLater()
            self._thinking_timer = None
            self._text.setTextFormat(Qt.TextFormat.MarkdownText)
            self._text.setText(self._raw)
            self.copy_button.show()
            self.setAccessibleDescription("")

    def _step_dots(self) -> None:
        self._dots = (self._dots + 1) % 4
        self._text.setText(THINKING_TEXT + "." * self._dots + " " * (3 - self._dots))

    @staticmethod
    def _meta_text(role: str, when: datetime) -> str:
        return f"{'You' if role == 'user' else 'Aris'} · {when.strftime('%H:%M')}"

    @property
    def text(self) -> str:
        """The message as written (Markdown for Aris's answers)."""
        return self._raw

    def set_text(self, text: str) -> None:
        """Replace the message (a thinking bubble becomes the answer)."""
        self._raw = text
        if self.thinking:
            self.set_thinking(False)
        else:
            self._text.setText(text)

    def append(self, piece: str) -> None:
        """Add streamed text."""
        self.set_text(self._raw + piece)

    def copy(self) -> None:
        """Put the message on the clipboard, as written."""
        QGuiApplication.clipboard().setText(self._raw)
        self.copy_button.setText("Copied")
        QTimer.singleShot(1500, self, lambda: self.copy_button.setText("Copy"))

    def set_note(self, note: str) -> None:
        """A small remark after the time (e.g. 'stopped')."""
        base = self._meta.text().split("  ·  ")[0]
        self._meta.setText(f"{base}  ·  {note}" if note else base)


class ConversationView(QScrollArea):
    """Scrolls to the newest message unless the user scrolled up to read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversation")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._build_body()
        self.bubbles: list[Bubble] = []
        self.verticalScrollBar().rangeChanged.connect(self._on_range_changed)
        self._follow = True
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    def _build_body(self) -> None:
        body = QWidget()
        body.setObjectName("conversationBody")
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(24, 20, 24, 20)
        self._layout.setSpacing(14)
        self._empty: QLabel | None = QLabel(
            "Hold the <b>Talk</b> button (or the push-to-talk shortcut) and ask anything,<br>"
            "or type a question below.",
            body,
        )
        self._empty.setObjectName("emptyHint")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addStretch(1)
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)
        self.setWidget(body)  # deletes the previous body with its bubbles

    def clear(self) -> None:
        """Remove every bubble and show the hint again (a new conversation)."""
        self._build_body()
        self.bubbles = []
        self._follow = True

    def add(self, role: str, text: str, when: datetime | None = None) -> Bubble:
        """Append a bubble; user bubbles sit on the right, Aris's on the left."""
        if self._empty is not None:
            self._remove_empty_hint()
        bubble = Bubble(role, text, when or datetime.now())
        row = QHBoxLayout()
        row.setSpacing(0)
        if role == "user":
            row.addStretch(1)
            row.addWidget(bubble, 4)
        else:
            row.addWidget(bubble, 4)
            row.addStretch(1)
        self._layout.insertLayout(self._layout.count() - 1, row)
        self.bubbles.append(bubble)
        self._follow = True
        return bubble

    def _remove_empty_hint(self) -> None:
        if self._empty is None:
            return
        self._layout.removeWidget(self._empty)
        self._empty.hide()  # now: deleteLater waits for the event loop
        self._empty.deleteLater()  # not setParent(None): that would leave a hidden top-level window
        self._empty = None
        # Keep one stretch at the end so bubbles stack from the top.
        first = self._layout.itemAt(0)
        if first is not None and first.spacerItem() is not None:
            self._layout.takeAt(0)

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._follow = value >= bar.maximum() - 24

    def _on_range_changed(self, _low: int, _high: int) -> None:
        if self._follow:
            QTimer.singleShot(0, self, self._scroll_to_end)  # dropped if the view is destroyed first

    def _scroll_to_end(self) -> None:
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
