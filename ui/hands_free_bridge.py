"""The wake word in the desktop app: app.hands_free.HandsFree on the window's own microphone and speaker,
with its turns on the engine's worker (so the wake word and the push-to-talk key each stop the other), and
its state as a Qt signal for the tray and the window."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from app.hands_free import HandsFree, HandsFreeSettings, HandsFreeState
from engine.wake import WakeWord, WakeWordError
from ui.engine_bridge import EngineBridge

log = logging.getLogger(__name__)

WAKE_WAITING_COLOUR = "#10B981"
"""The badge's dot while Aris waits for the wake word: ready, as when idle."""


def hands_free_words(state: HandsFreeState | None, wake_word: WakeWord | None) -> str:
    """What the window and the tray say about hands-free when no turn runs ("" when there is nothing)."""
    if wake_word is None:
        return ""
    if state is HandsFreeState.WAITING:
        return f"Say “{wake_word.phrase}” to ask"
    if state is HandsFreeState.FOLLOW_UP:
        return "Listening for a follow-up…"
    return ""


class HandsFreeBridge(QObject):
    """Keeps one HandsFree running while a wake word is chosen and a microphone and the models are there;
    builds it again when the devices or the voice change (it holds both)."""

    state_changed = Signal(object)
    """HandsFreeState, or None when hands-free is off (no wake word, no microphone, models loading)."""
    failed = Signal(str)
    """The wake word could not be loaded: the message says how to fix it."""

    def __init__(self, bridge: EngineBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self._settings: HandsFreeSettings | None = None
        self._running: HandsFree | None = None
        self._muted = False
        self._shut_down = False
        self.state: HandsFreeState | None = None
        for changed in (
            bridge.models_loaded,
            bridge.mic_opened,
            bridge.audio_switched,
            bridge.audio_recovered,
        ):
            changed.connect(self._rebuild)

    @property
    def wake_word(self) -> WakeWord | None:
        """The wake word listened for now (None: hands-free is off)."""
        return self._settings.wake_word if self.state is not None and self._settings is not None else None

    def configure(self, wake_word: WakeWord | None, follow_up_s: float) -> None:
        """Listen for ``wake_word`` (None: stop listening) with this follow-up window, from now on."""
        wanted = (
            None if wake_word is None else HandsFreeSettings(wake_word=wake_word, follow_up_s=follow_up_s)
        )
        if wanted == self._settings and (self._running is not None or wanted is None):
            return
        self._settings = wanted
        self._rebuild()

    def set_muted(self, muted: bool) -> None:
        """Muted, not even the wake word is listened for."""
        self._muted = muted
        if self._running is not None:
            self._running.set_muted(muted)

    def shutdown(self) -> None:
        """Stop listening for good (before the engine shuts down)."""
        self._shut_down = True
        self._close()

    def _rebuild(self, *_args: object) -> None:
        self._close()
        settings = self._settings
        microphone = self.bridge.live_microphone
        if settings is None or self._shut_down or microphone is None or not self.bridge.loaded:
            self._on_state(None)
            return
        try:
            self._running = HandsFree(
                self.bridge.assistant,
                microphone,
                self.bridge.sink,
                settings,
                on_state=self._on_state,
                runner=self.bridge,
            )
        except WakeWordError as error:
            log.warning("Hands-free unavailable: %s", error.message)
            self._on_state(None)
            self.failed.emit(error.message)
            return
        if self._muted:
            self._running.set_muted(True)

    def _close(self) -> None:
        running, self._running = self._running, None
        if running is not None:
            running.close()

    def _on_state(self, state: HandsFreeState | None) -> None:
        """From any thread (the wake listener's, the worker's): the signal carries it to the GUI thread."""
        self.state = state
        self.state_changed.emit(state)
