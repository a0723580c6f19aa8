"""Small widgets of the main window: the microphone level meter, the state badge and the talk button."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from engine.events import TurnState

STATE_LABELS: dict[TurnState, str] = {
    TurnState.IDLE: "Ready",
    TurnState.LISTENING: "Listening…",
    TurnState.TRANSCRIBING: "Transcribing…",
    TurnState.THINKING: "Thinking…",
    TurnState.SPEAKING: "Speaking…",
}

STATE_COLOURS: dict[TurnState, str] = {
    TurnState.IDLE: "#10B981",
    TurnState.LISTENING: "#EF4444",
    TurnState.TRANSCRIBING: "#F59E0B",
    TurnState.THINKING: "#8B5CF6",
    TurnState.SPEAKING: "#3B82F6",
}


class LevelMeter(QWidget):
    """A row of bars showing the microphone's loudness; speech sits around -30 to -10 dBFS."""

    BARS = 12
    FLOOR_DB = -60.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._level = 0.0
        self.setObjectName("levelMeter")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setToolTip("Microphone level")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Twelve bars, a button's height."""
        return QSize(self.BARS * 6, 28)

    def set_rms(self, rms: float) -> None:
        """Show a new RMS level (0..1); falls back smoothly so the bars do not flicker."""
        db = 20 * math.log10(max(rms, 1e-6))
        target = min(1.0, max(0.0, (db - self.FLOOR_DB) / -self.FLOOR_DB))
        self._level = target if target > self._level else self._level * 0.8 + target * 0.2
        self.update()

    @property
    def level(self) -> float:
        """The displayed level, 0..1."""
        return self._level

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Rounded bars, lit up to the level: green, then amber, then red near clipping."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        width = self.width() / self.BARS
        lit = round(self._level * self.BARS)
        # Unlit bars are a faint tint of the theme's text colour: a fixed light grey read as a full meter on
        # the dark theme.
        idle = QColor(self.palette().color(QPalette.ColorRole.WindowText))
        idle.setAlphaF(0.16)
        for index in range(self.BARS):
            height = self.height() * (0.35 + 0.65 * (index + 1) / self.BARS)
            rect = QRectF(index * width + 1, self.height() - height, width - 2, height)
            if index >= lit:
                colour = idle
            elif index < self.BARS * 0.65:
                colour = QColor("#10B981")
            elif index < self.BARS * 0.88:
                colour = QColor("#F59E0B")
            else:
                colour = QColor("#EF4444")
            painter.setBrush(colour)
            painter.drawRoundedRect(rect, 1.5, 1.5)


class StateBadge(QWidget):
    """A coloured dot and a word: what Aris is doing right now."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stateBadge")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._dot = QLabel(self)
        self._dot.setObjectName("stateDot")
        self._dot.setFixedSize(10, 10)
        self._text = QLabel(self)
        self._text.setObjectName("stateText")
        # As wide as the longest state word (in the stylesheet's bold), so the header does not jump.
        bold = QFont(self._text.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self._text.setMinimumWidth(QFontMetrics(bold).horizontalAdvance("Transcribing…") + 2)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 12, 4)
        layout.setSpacing(8)
        layout.addWidget(self._dot)
        layout.addWidget(self._text)
        self.state: TurnState | None = None
        self.set_state(TurnState.IDLE)

    def set_state(self, state: TurnState, text: str | None = None) -> None:
        """Show a state (``text`` overrides the usual word, e.g. 'Loading models…')."""
        self.state = state
        self._text.setText(text or STATE_LABELS[state])
        self._dot.setStyleSheet(f"background: {STATE_COLOURS[state]}; border-radius: 5px;")

    def set_busy_text(self, text: str, colour: str = "#9CA3AF") -> None:
        """A state outside a turn (loading, muted)."""
        self.state = None
        self._text.setText(text)
        self._dot.setStyleSheet(f"background: {colour}; border-radius: 5px;")

    @property
    def text(self) -> str:
        """The word shown."""
        return self._text.text()


class TalkButton(QPushButton):
    """The microphone button: reports presses and releases with their time, the caller decides hold vs
    click (see PushToTalk)."""

    pressed_at = Signal(float)
    released_at = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Talk", parent)
        self.setObjectName("talkButton")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Hold to talk, or click to start and click again to finish")
        self.pressed.connect(lambda: self.pressed_at.emit(time.monotonic()))
        self.released.connect(lambda: self.released_at.emit(time.monotonic()))

    def set_listening(self, listening: bool) -> None:
        """Look active while the microphone is open for a question."""
        self.setProperty("listening", listening)
        self.setText("Listening" if listening else "Talk")
        self.style().unpolish(self)
        self.style().polish(self)


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Give a window its preferred first size, but no more than 90 % of its screen (at 200 % scale a
    1080p screen is 960x540 logical pixels) and no less than its layout needs."""
    room = window.screen().availableGeometry()
    least = window.minimumSizeHint()
    window.resize(
        max(least.width(), min(width, room.width() * 9 // 10)),
        max(least.height(), min(height, room.height() * 9 // 10)),
    )
