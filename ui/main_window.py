"""The main window: header with state, loading progress, notices, the conversation and the composer.

It only shows things and reports what the user did; ui/controller.py decides what happens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.conversation_view import ConversationView
from ui.history_panel import HistoryPanel
from ui.resources import app_icon
from ui.widgets import LevelMeter, StateBadge, TalkButton, fit_to_screen

SHORTCUTS = {
    "talk": "Ctrl+T",
    "stop": "Esc",
    "new": "Ctrl+N",
    "memory": "Ctrl+M",
    "settings": "Ctrl+,",
    "help": "F1",
}
"""The window's keyboard shortcuts (the global push-to-talk shortcut is set in Settings)."""

SHORTCUT_HELP = (
    ("Talk: start listening, press again to finish", SHORTCUTS["talk"]),
    ("Stop the answer", SHORTCUTS["stop"]),
    ("New conversation", SHORTCUTS["new"]),
    ("Memory", SHORTCUTS["memory"]),
    ("Settings", SHORTCUTS["settings"]),
    ("Send the question", "Return"),
    ("Move between controls", "Tab"),
    ("This help", SHORTCUTS["help"]),
)


class Notice(QFrame):
    """A banner with a problem and its fix; closable."""

    dismissed = Signal()
    """The user closed the banner."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self._title = QLabel(self)
        self._title.setObjectName("noticeTitle")
        self._body = QLabel(self)
        self._body.setObjectName("noticeBody")
        self._body.setWordWrap(True)
        self._body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setObjectName("noticeClose")
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.clicked.connect(self._dismiss)
        close.setAccessibleName("Dismiss notice")
        self.close_button = close
        self.action_button = QPushButton(self)
        self.action_button.setObjectName("noticeAction")
        self.action_button.hide()
        self.action_button.clicked.connect(self._on_action)
        self._action: Callable[[], None] | None = None
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self._title)
        text.addWidget(self._body)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 8, 10)
        layout.addLayout(text, 1)
        layout.addWidget(self.action_button, alignment=Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(
        self,
        title: str,
        body: str,
        level: str = "warning",
        *,
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        """Show a problem ("warning"/"error") or a tip ("info"), with a button for the fix when there is one."""
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
        self._title.setText(title)
        self._body.setText(body)
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.show()

    def _on_action(self) -> None:
        if self._action is not None:
            self._action()

    def _dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()

    def is_showing(self, title: str) -> bool:
        """Whether the banner is up with this title (so whoever showed it can take it down when it is over)."""
        return self.isVisible() and self._title.text() == title

    def dismiss_if_showing(self, title: str) -> None:
        """Take the banner down if it still says ``title``; another message that replaced it stays."""
        if self.is_showing(title):
            self.hide()

    @property
    def text(self) -> str:
        """Title and body, for tests and logs."""
        return f"{self._title.text()}: {self._body.text()}"


class _Sides(QSplitter):
    """The history beside the conversation. When the window is too narrow for both (a small screen, or
    200 % scale) the history folds away instead of squeezing the conversation, and comes back when there
    is room again; dragging the edge folds or unfolds it by hand."""

    def __init__(self, history: QWidget, conversation: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("central")
        self.setHandleWidth(1)
        self.addWidget(history)
        self.addWidget(conversation)
        self.setCollapsible(0, True)
        self.setCollapsible(1, False)
        self.setStretchFactor(1, 1)
        conversation.setMinimumWidth(conversation.minimumSizeHint().width())
        self.setMinimumWidth(conversation.minimumWidth() + self.handleWidth())
        self._folded_by_us = False

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Fold or unfold the history to fit."""
        super().resizeEvent(event)
        history, conversation = self.widget(0), self.widget(1)
        if history is None or conversation is None:
            return
        room = self.width() - self.handleWidth()
        fits = room >= history.minimumSizeHint().width() + conversation.minimumWidth()
        if not fits and self.sizes()[0] > 0:
            self.setSizes([0, room])
            self._folded_by_us = True
        elif fits and self._folded_by_us:
            wanted = min(history.sizeHint().width(), room - conversation.minimumWidth())
            self.setSizes([wanted, room - wanted])
            self._folded_by_us = False


class MainWindow(QMainWindow):
    """Aris's window."""

    text_submitted = Signal(str)
    talk_pressed = Signal(float)
    talk_released = Signal(float)
    stop_clicked = Signal()
    settings_requested = Signal()
    memory_requested = Signal()
    talk_toggled = Signal()
    """The Talk shortcut: start listening, or finish the question."""
    close_requested = Signal()
    """The user closed the window: the controller hides it to the tray (or quits without a tray)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Aris")
        self.setWindowIcon(app_icon())
        self.setObjectName("mainWindow")

        central = QWidget(self)
        central.setObjectName("central")
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._build_header())
        self.progress_row = self._build_progress()
        column.addWidget(self.progress_row)
        self.notice = Notice(central)
        notice_box = QVBoxLayout()
        notice_box.setContentsMargins(16, 12, 16, 0)
        notice_box.addWidget(self.notice)
        column.addLayout(notice_box)
        self.conversation = ConversationView(central)
        column.addWidget(self.conversation, 1)
        column.addWidget(self._build_composer())
        self.history = HistoryPanel(self)
        self.history.setMaximumWidth(320)
        sides = _Sides(self.history, central, self)
        self.sides = sides
        self.setCentralWidget(sides)
        self._add_shortcuts()
        # Only a minimum height: the layouts' own minimum width keeps every button's text whole (checked at
        # 200 % in the tests), and 480 leaves room for a notice and the Timers panel's hint.
        self.setMinimumHeight(480)
        fit_to_screen(self, 1180, 760)
        # Typing right after launch goes into the question box, never to a header button.
        self.input.setFocus()
        self.setTabOrder(self.input, self.send_button)

    def _add_shortcuts(self) -> None:
        for keys, signal in (
            (SHORTCUTS["talk"], self.talk_toggled),
            (SHORTCUTS["stop"], self.stop_clicked),
            (SHORTCUTS["new"], self.history.new_requested),
            (SHORTCUTS["memory"], self.memory_requested),
            (SHORTCUTS["settings"], self.settings_requested),
        ):
            QShortcut(QKeySequence(keys), self, signal.emit)
        QShortcut(QKeySequence(SHORTCUTS["help"]), self, self.show_shortcuts)
        for widget, what, keys in (
            (self.talk_button, "Hold to talk, or press", SHORTCUTS["talk"]),
            (self.stop_button, "Stop the answer", SHORTCUTS["stop"]),
            (self.history.new_button, "Start a new conversation", SHORTCUTS["new"]),
            (self.memory_button, "Browse what Aris remembers about you", SHORTCUTS["memory"]),
            (self.settings_button, "Devices, shortcut, voice and account", SHORTCUTS["settings"]),
            (self.help_button, "Keyboard shortcuts", SHORTCUTS["help"]),
        ):
            widget.setToolTip(
                f"{what} ({QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)})"
            )

    def show_shortcuts(self) -> None:
        """The "Keyboard shortcuts" help."""
        rows = "".join(
            f"<tr><td style='padding-right:18px'><b>{QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)}</b></td><td>{text}</td></tr>"
            for text, keys in SHORTCUT_HELP
        )
        box = QMessageBox(
            QMessageBox.Icon.NoIcon, "Keyboard shortcuts", f"<table>{rows}</table>", parent=self
        )
        box.setObjectName("shortcutsHelp")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # ---- layout -----------------------------------------------------------------------------------------

    def _build_header(self) -> QWidget:
        header = QFrame(self)
        header.setObjectName("header")
        logo = QLabel(header)
        logo.setPixmap(app_icon().pixmap(28, 28))
        title = QLabel("Aris", header)
        title.setObjectName("appTitle")
        self.state_badge = StateBadge(header)
        self.memory_button = QToolButton(header)
        self.memory_button.setObjectName("headerButton")
        self.memory_button.setText("Memory")
        self.memory_button.clicked.connect(self.memory_requested.emit)
        self.settings_button = QToolButton(header)
        self.settings_button.setObjectName("headerButton")
        self.settings_button.setText("Settings")
        self.settings_button.clicked.connect(self.settings_requested.emit)
        self.help_button = QToolButton(header)
        self.help_button.setObjectName("headerButton")
        self.help_button.setText("?")
        self.help_button.setAccessibleName("Keyboard shortcuts")
        self.help_button.clicked.connect(self.show_shortcuts)
        self.memory_button.setAccessibleName("Memory")
        self.settings_button.setAccessibleName("Settings")
        row = QHBoxLayout(header)
        row.setContentsMargins(16, 10, 12, 10)
        row.setSpacing(6)
        row.addWidget(logo)
        row.addWidget(title)
        row.addStretch(1)
        row.addWidget(self.state_badge)
        row.addSpacing(4)
        row.addWidget(self.memory_button)
        row.addWidget(self.settings_button)
        row.addWidget(self.help_button)
        return header

    def _build_progress(self) -> QWidget:
        box = QFrame(self)
        box.setObjectName("loadingRow")
        self.progress_label = QLabel("Starting…", box)
        self.progress_label.setObjectName("progressLabel")
        self.progress = QProgressBar(box)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        row = QVBoxLayout(box)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(6)
        row.addWidget(self.progress_label)
        row.addWidget(self.progress)
        return box

    def _build_composer(self) -> QWidget:
        composer = QFrame(self)
        composer.setObjectName("composer")
        self.talk_button = TalkButton(composer)
        self.talk_button.pressed_at.connect(self.talk_pressed.emit)
        self.talk_button.released_at.connect(self.talk_released.emit)
        self.level_meter = LevelMeter(composer)
        self.input = QLineEdit(composer)
        self.input.setObjectName("questionInput")
        self.input.setPlaceholderText("Ask Aris something…")
        self.input.setClearButtonEnabled(True)
        self.input.returnPressed.connect(self._submit)
        self.send_button = QPushButton("Send", composer)
        self.send_button.setObjectName("sendButton")
        self.send_button.clicked.connect(self._submit)
        self.stop_button = QPushButton("Stop", composer)
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setAccessibleName("Stop the answer")
        self.send_button.setAccessibleName("Send the question")
        self.input.setAccessibleName("Question")
        self.talk_button.setAccessibleName("Talk")
        self.level_meter.setAccessibleName("Microphone level")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop_clicked.emit)
        row = QHBoxLayout(composer)
        row.setContentsMargins(16, 12, 16, 14)
        row.setSpacing(10)
        row.addWidget(self.talk_button)
        row.addWidget(self.level_meter)
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        row.addWidget(self.stop_button)
        return composer

    # ---- behaviour --------------------------------------------------------------------------------------

    def _submit(self) -> None:
        text = self.input.text().strip()
        if text:
            self.input.clear()
            self.text_submitted.emit(text)

    def set_loading(self, label: str, step: int, total: int) -> None:
        """Show model-loading progress."""
        self.progress_row.show()
        self.progress_label.setText(label)
        self.progress.setRange(0, total)
        self.progress.setValue(step)

    def set_loaded(self) -> None:
        """Hide the progress row."""
        self.progress_row.hide()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Closing hides (the controller decides whether Aris keeps running in the tray)."""
        event.ignore()
        self.close_requested.emit()
