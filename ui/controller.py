"""Wires the window, the tray, the hotkey and other processes to the engine bridge. Everything here runs in
the GUI thread and only reacts to signals; the engine works in the bridge's threads."""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from app.autostart import set_autostart
from app.config import Settings, Theme, save_settings
from app.errors import ArisError
from app.hands_free import HandsFreeState
from app.paths import DataPaths
from engine.events import TurnState
from ui.checks import ChecksRunner, describe
from ui.engine_bridge import EngineBridge, LoadStep
from ui.hands_free_bridge import WAKE_WAITING_COLOUR, HandsFreeBridge, hands_free_words
from ui.history_presenter import HistoryPresenter
from ui.hotkey import GlobalHotkey, hotkey_support
from ui.instance import Command, InstanceServer
from ui.main_window import MainWindow
from ui.memory_store import BrowsableMemory
from ui.notifier import Notifier
from ui.push_to_talk import Action, PushToTalk
from ui.sync_bridge import SyncBridge
from ui.sync_prompts import SyncPrompts
from ui.tray import NO_TRAY_REASON, Tray, tray_available
from ui.turn_presenter import TurnPresenter
from ui.window_state import WindowState

if TYPE_CHECKING:  # sqlite-utils is slow to import, and the window must show fast
    from ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

LEVEL_INTERVAL_MS = 33
"""The level meter refreshes at ~30 frames a second: a float read, far below a frame's budget."""
MUTED_TITLE = "Microphone muted"
RELEASE_WATCHDOG_MS = 2000
"""After the talk key is released, Aris may still be listening this long (the end of the question being
read); past that, the release was lost and the watchdog ends the question."""
AUDIO_RETRY_MS = 5000
"""While a microphone or speaker is missing, look again this often (a quick device listing)."""
EVENT_LOOP_PROPERTY = "aris_event_loop"
"""Set on the application by ui.app while its event loop runs: quit() ends that loop (a test's Qt
application, whose loops belong to pytest-qt, is left alone)."""


class Controller(QObject):
    """The desktop session."""

    settings_changed = Signal(object)

    def __init__(
        self,
        paths: DataPaths,
        settings: Settings,
        bridge: EngineBridge,
        window: MainWindow,
        *,
        use_tray: bool | None = None,
        use_hotkey: bool = True,
        memory: BrowsableMemory | None = None,
        save_settings: bool = True,
    ) -> None:
        super().__init__(window)  # lives and dies with its window
        self.paths = paths
        self.settings = settings
        self.bridge = bridge
        self.window = window
        self.memory = memory
        self._save_enabled = save_settings
        self.has_quit = False
        """True once quit() stopped everything and saved what needs saving."""
        self.state = TurnState.IDLE
        self.mic_muted = False
        self.button_ptt = PushToTalk()
        self.hotkey_ptt = PushToTalk(settings.hotkey.mode)
        self.hotkey: GlobalHotkey | None = None
        self.hotkey_problem = ""
        self.tray: Tray | None = None
        self.server: InstanceServer | None = None
        self._checks = ChecksRunner(paths, self)
        self._checks.finished.connect(self._on_checks_finished)
        self._checks_wanted = False
        self._load_error = ""
        self.sync = SyncBridge(paths, self)
        self.sync_prompts = SyncPrompts(self.sync, window, lambda: self.tray, self)
        self.notifier = Notifier(window, lambda: self.tray.icon if self.tray is not None else None)
        self.turns = TurnPresenter(bridge, window, self.notifier, self)
        self.conversations = HistoryPresenter(paths, bridge, window, self._before_switch, self)
        self.hands_free = HandsFreeBridge(bridge, self)
        self.hands_free.state_changed.connect(self._on_hands_free_state)
        self.hands_free.failed.connect(
            lambda message: self.window.notice.show_message("The wake word is off", message, "error")
        )
        self._configure_hands_free()
        self.window_state = WindowState(paths)
        self.window_state.restore(window)
        self._connect_window()
        self._connect_bridge()
        self._connect_sync()
        if use_tray if use_tray is not None else tray_available():
            self._make_tray()
        else:
            self.window.notice.show_message("No tray icon", NO_TRAY_REASON, "info")
        if use_hotkey:
            self.start_hotkey()
        self._start_timers()
        self.window.state_badge.set_busy_text("Loading…")
        self.conversations.refresh()
        # "System" follows the desktop when it switches between light and dark.
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)

    def _start_timers(self) -> None:
        """The microphone meter's tick, and the watchdog that ends a question whose release was lost."""
        self._release_watchdog = QTimer(self)
        self._release_watchdog.setSingleShot(True)
        self._release_watchdog.setInterval(RELEASE_WATCHDOG_MS)
        self._release_watchdog.timeout.connect(self._on_release_watchdog)
        self._released_checks = 0
        self._level_timer = QTimer(self)
        self._level_timer.setInterval(LEVEL_INTERVAL_MS)
        self._level_timer.timeout.connect(self._on_level_tick)
        self._level_timer.start()

    def _on_color_scheme_changed(self, _scheme: object) -> None:
        if self.settings.theme is Theme.SYSTEM:
            self._apply_theme()

    # ---- wiring -----------------------------------------------------------------------------------------

    def _connect_window(self) -> None:
        w = self.window
        w.text_submitted.connect(self.ask)
        w.talk_pressed.connect(lambda at: self._apply(self.button_ptt, self.button_ptt.press(at)))
        w.talk_released.connect(lambda at: self._apply(self.button_ptt, self.button_ptt.release(at)))
        w.stop_clicked.connect(self.stop)
        w.close_requested.connect(self._on_close_requested)
        w.settings_requested.connect(self.open_settings)
        w.memory_requested.connect(self.open_memory)
        w.talk_toggled.connect(self.talk_toggle)

    def _connect_bridge(self) -> None:
        b = self.bridge
        b.loading_progressed.connect(self._on_loading_progressed)
        b.models_loaded.connect(self._on_models_loaded)
        b.loading_failed.connect(self._on_loading_failed)
        b.audio_problem.connect(self._on_audio_problem)
        b.state_changed.connect(self._on_state_changed)
        b.memory_opened.connect(self._on_memory_opened)
        b.audio_recovered.connect(self._on_audio_recovered)
        # A sound server started (or a device plugged in) after Aris is picked up without a restart.
        self._audio_retry_timer = QTimer(self)
        self._audio_retry_timer.setInterval(AUDIO_RETRY_MS)
        self._audio_retry_timer.timeout.connect(self.retry_audio)

    def _connect_sync(self) -> None:
        self.sync.start_failed.connect(self._on_sync_start_failed)
        # A finished turn wrote the conversation log (and may teach memory): send it soon.
        self.bridge.turn_finished.connect(lambda *_args: self.sync_prompts.nudge_soon())
        self.bridge.turn_cancelled.connect(lambda *_args: self.sync_prompts.nudge_soon())

    def _make_tray(self) -> None:
        tray = Tray(self)
        tray.talk_requested.connect(self.talk_toggle)
        tray.toggle_window_requested.connect(self.toggle_window)
        tray.mic_muted_changed.connect(self.set_mic_muted)
        tray.speaking_paused_changed.connect(self.bridge.set_speaking_paused)
        tray.quit_requested.connect(self.quit)
        tray.sync_now_requested.connect(self.sync.sync_now)
        tray.show()
        self.tray = tray

    def start_hotkey(self) -> None:
        """Listen for the global shortcut, or say why it cannot work here."""
        self.stop_hotkey()
        self.hotkey_ptt = PushToTalk(self.settings.hotkey.mode)
        if not self.settings.hotkey.enabled:
            self.hotkey_problem = "The global shortcut is turned off in Settings."
            return
        support = hotkey_support()
        if not support.available:
            self.hotkey_problem = support.reason
            log.info("No global hotkey: %s", support.reason)
            return
        try:
            hotkey = GlobalHotkey(self.settings.hotkey.combo, self)
            hotkey.start()
        except ValueError as error:
            self.hotkey_problem = f"The shortcut '{self.settings.hotkey.combo}' is not valid ({error})."
            self.window.notice.show_message("Shortcut not set", self.hotkey_problem)
            return
        except ImportError as error:  # pynput found no X11 backend
            self.hotkey_problem = f"The global shortcut cannot work in this session ({error})."
            return
        hotkey.pressed_at.connect(lambda at: self._apply(self.hotkey_ptt, self.hotkey_ptt.press(at)))
        hotkey.released_at.connect(lambda at: self._apply(self.hotkey_ptt, self.hotkey_ptt.release(at)))
        self.hotkey = hotkey
        self.hotkey_problem = ""

    def start_sync(self) -> None:
        """Start background sync if it is set up; the keyring and database are opened off the GUI thread."""
        self.sync.start()

    def stop_hotkey(self) -> None:
        """Stop pynput's listener thread."""
        if self.hotkey is not None:
            self.hotkey.stop()
            self.hotkey.deleteLater()
            self.hotkey = None

    def listen_for_commands(self) -> bool:
        """Become the single instance; False when another one already runs."""
        server = InstanceServer(self.paths.socket_name, self._reply_to_command, self)
        if not server.listen():
            return False
        self.server = server
        return True

    # ---- what the user does -----------------------------------------------------------------------------

    def ask(self, text: str) -> None:
        """A typed question."""
        self.conversations.keep_current()
        self._reset_ptt()
        self.window.conversation.add("user", text)
        self.bridge.ask(text)

    def talk_toggle(self) -> None:
        """Start listening, or finish the question (tray menu, `python main.py talk`)."""
        if self.button_ptt.listening:
            self.button_ptt.reset()
            self._finish_question()
        else:
            self.button_ptt.listening = self._start_listening()

    def stop(self) -> None:
        """Stop button or Esc."""
        self._reset_ptt()
        self.bridge.stop()

    def set_mic_muted(self, muted: bool) -> None:
        """Mute: the microphone is not listened to until unmuted."""
        self.mic_muted = muted
        self.hands_free.set_muted(muted)
        if muted:
            self._reset_ptt()
            self.bridge.stop_listening()
        else:
            self.window.notice.dismiss_if_showing(MUTED_TITLE)
        if self.tray is not None:
            self.tray.set_muted(muted)
        self._show_state()

    def _apply(self, ptt: PushToTalk, action: Action) -> None:
        if action is Action.START:
            if not self._start_listening():
                ptt.reset()
        elif action is Action.FINISH:
            self._finish_question()

    def _finish_question(self) -> None:
        """The key or button was released: the question ends. If Aris still listens a moment later (a
        release lost between the threads), the watchdog ends it again, then stops the turn."""
        self.bridge.stop_listening()
        self._released_checks = 0
        self._release_watchdog.start()

    def _on_release_watchdog(self) -> None:
        if self.state is not TurnState.LISTENING or self.button_ptt.listening or self.hotkey_ptt.listening:
            return  # the question ended, or a new one was started on purpose
        if self.hands_free.state in (HandsFreeState.LISTENING, HandsFreeState.FOLLOW_UP):
            return  # the wake word opened a question since: that one ends by itself
        self._released_checks += 1
        if self._released_checks == 1:
            log.warning("Still listening %d ms after the release: ending the question", RELEASE_WATCHDOG_MS)
            self.bridge.stop_listening()
            self._release_watchdog.start()
        else:
            log.warning("Still listening after the release: stopping the turn")
            self.bridge.stop()

    def _start_listening(self) -> bool:
        if self.mic_muted:
            self.window.notice.show_message(
                MUTED_TITLE,
                "Aris is not listening to the microphone. Unmute it to talk.",
                "info",
                action=("Unmute", lambda: self.set_mic_muted(False)),
            )
            return False
        if not self.bridge.has_microphone:
            self.window.notice.show_message(
                "No microphone yet",
                "Aris has no microphone open. Connect one and check Settings; you can type meanwhile.",
            )
            self._want_checks()
            return False
        self.window.talk_button.set_listening(True)
        return self.bridge.start_listening()

    def _before_switch(self) -> None:
        """Another conversation is about to be shown: stop listening and forget the old turns' bubbles."""
        self._reset_ptt()
        self.turns.forget_turns()

    def _reset_ptt(self) -> None:
        self.button_ptt.reset()
        self.hotkey_ptt.reset()
        self.window.talk_button.set_listening(False)

    def toggle_window(self) -> None:
        """Show the window, or hide it to the tray."""
        if self.window.isVisible() and not self.window.isMinimized():
            self.window.hide()
        else:
            self.show_window()
        if self.tray is not None:
            self.tray.set_window_visible(self.window.isVisible())

    def show_window(self) -> None:
        """Bring the window to the front."""
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
        if self.tray is not None:
            self.tray.set_window_visible(True)

    def save_window_state(self) -> None:
        """Remember the window's geometry and whether the memory browser is open."""
        browser = getattr(self, "memory_browser", None)
        self.window_state.save(self.window, memory_open=browser is not None and browser.isVisible())

    def _on_close_requested(self) -> None:
        self.save_window_state()
        if self.tray is None:
            self.quit()
            return
        self.window.hide()
        self.tray.set_window_visible(False)
        if not self.settings.close_hint_shown:
            self.tray.icon.showMessage(
                "Aris is still running",
                "Aris keeps running in the tray so the shortcut works. Quit it from the tray menu.",
                QSystemTrayIcon.MessageIcon.Information,
                6000,
            )
            self.update_settings(self.settings.with_changes(close_hint_shown=True))

    def quit(self) -> None:
        """Quit explicitly: stop the turn, the hotkey, the engine, then the event loop."""
        if self.has_quit:
            return
        self.has_quit = True
        log.info("Quitting")
        if self.window.isVisible():
            self.save_window_state()
        self._level_timer.stop()
        self._release_watchdog.stop()
        self._audio_retry_timer.stop()
        self.stop_hotkey()
        if self.server is not None:
            self.server.close()
        self.hands_free.shutdown()
        self.bridge.shutdown()
        self.sync_prompts.stop()
        self.sync.stop()  # after the engine: the last turn's log and learning are in the database
        self.conversations.close()
        if self.tray is not None:
            self.tray.hide()
        app = QApplication.instance()
        if app is not None and app.property(EVENT_LOOP_PROPERTY):
            app.exit(0)  # not quit(): that first asks the windows to close, and ours only hide

    # ---- settings and dialogs -------------------------------------------------------------------------

    def update_settings(self, settings: Settings) -> None:
        """Keep and save new settings; a save error is shown, not raised."""
        old, self.settings = self.settings, settings
        if self._save_enabled:
            try:
                save_settings(settings, self.paths.settings_file)
            except ArisError as error:
                self.window.notice.show_message("Settings not saved", error.message, "error")
        if old.hotkey != settings.hotkey:
            self.start_hotkey()
        if old.start_at_login != settings.start_at_login:
            try:
                set_autostart(settings.start_at_login, self.paths.root)
            except ArisError as error:
                self.window.notice.show_message("Start at login", error.message, "error")
        self.bridge.set_memory_enabled(settings.memory_enabled)
        self._configure_hands_free()
        if old.theme != settings.theme:
            self._apply_theme()
        self.settings_changed.emit(settings)

    def _apply_theme(self) -> None:
        from ui.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.settings.theme)

    def settings_dialog(self) -> SettingsDialog:
        """The settings dialog on the current settings (not shown yet)."""
        from ui.settings_dialog import SettingsDialog

        return SettingsDialog(
            self.settings,
            self.paths,
            hotkey_problem=self.hotkey_problem,
            voice_tester=self.bridge.test_voice,
            sync=self.sync,
            embedder=self.bridge.assistant.factory.embedder,  # loaded already: indexing shares it
            parent=self.window,
        )

    def open_settings(self) -> None:
        """The settings dialog (modal); saved settings take effect at once where they can."""
        dialog = self.settings_dialog()
        if dialog.exec():
            new = dialog.result_settings()
            if not self._save_enabled:
                self._replace_broken_settings()
            # Voice speed applies from the next sentence; any other model change reloads in the worker.
            speed_only = new.models.model_copy(update={"voice_speed": self.settings.models.voice_speed})
            models_changed = speed_only != self.settings.models
            devices_changed = (new.audio.input_device, new.audio.output_device) != (
                self.settings.audio.input_device,
                self.settings.audio.output_device,
            )
            if new.models.voice_speed != self.settings.models.voice_speed:
                self.bridge.set_voice_speed(new.models.voice_speed)
            self.update_settings(new)
            if models_changed:
                self.bridge.reload_models(new.models)  # loads in the worker with the start-up progress bar
            if devices_changed:
                self._switch_devices(new)

    def _switch_devices(self, new: Settings) -> None:
        """Open the microphone and speaker chosen in Settings at once (after the current answer)."""
        reopen = self.bridge.audio.for_devices
        if reopen is None:  # a recording stands in for the microphone (tests, demos): nothing to switch
            return
        self.bridge.switch_audio(reopen(new.audio.input_device, new.audio.output_device))

    def _replace_broken_settings(self) -> None:
        """The user saved settings after choosing to keep the damaged file for a while: set it aside now."""
        from ui.startup_errors import set_aside

        try:
            if self.paths.settings_file.exists():
                broken = set_aside(self.paths.settings_file)
                self.window.notice.show_message(
                    "Settings saved", f"The damaged settings file was kept as {broken.name}.", "info"
                )
        except OSError as error:
            self.window.notice.show_message(
                "Settings not saved", f"Could not move the damaged settings file: {error.strerror}.", "error"
            )
            return
        self._save_enabled = True

    def open_memory(self) -> None:
        """The memory browser (non-modal)."""
        from ui.memory_browser import MemoryBrowser

        if self.memory is None:
            self.window.notice.show_message(
                "Memory is not available", "Long-term memory is not part of this build yet.", "info"
            )
            return
        browser = getattr(self, "memory_browser", None)
        if browser is None or browser.store is not self.memory:
            browser = self.memory_browser = MemoryBrowser(self.memory, parent=self.window)
            browser.memory_changed.connect(self.sync_prompts.nudge)
        else:
            browser.reopen()
        browser.show()
        browser.raise_()
        browser.activateWindow()

    # ---- what the engine does -------------------------------------------------------------------------

    def _on_loading_progressed(self, step: LoadStep) -> None:
        self.window.set_loading(step.label, step.index, step.total)
        self.window.state_badge.set_busy_text("Loading…")

    def _on_models_loaded(self, seconds: dict) -> None:
        self.window.set_loaded()
        if self.tray is not None:
            self.tray.set_loading(False)
        self._show_state()
        self._suggest_a_better_model()

    def _suggest_after_dismissal(self) -> None:
        self.window.notice.dismissed.disconnect(self._suggest_after_dismissal)
        self._suggest_a_better_model()

    def _suggest_a_better_model(self) -> None:
        """Once, on the first run with the built-in chat model: a quiet tip naming the better model that
        fits this computer's memory, with a button to the Models page."""
        models = self.settings.models
        if self.window_state.model_suggested or models.llm_url or models.llm_path:
            return
        if self.window.notice.isVisible():
            # Never cover what the banner says now: the tip waits until the user closes it.
            self.window.notice.dismissed.connect(self._suggest_after_dismissal)
            return
        from app.model_manager import ModelManager
        from models.catalogue import ModelKind, default_model
        from ui.models_page import recommendation

        if models.llm != default_model(ModelKind.LLM):
            return
        tip = recommendation(ModelManager(self.paths, self.settings))
        self.window_state.mark_model_suggested()
        if tip:
            self.window.notice.show_message(
                "A better chat model", f"{tip} Get it in Settings → Models.", "info",
                action=("Open Settings", self.open_settings),
            )  # fmt: skip

    def _on_loading_failed(self, message: str) -> None:
        self.window.set_loaded()
        self.window.state_badge.set_busy_text("Not ready", "#EF4444")
        self.window.notice.show_message("Aris cannot answer yet", message, "error")
        self._load_error = message
        self._checks_wanted = False  # run them (again) so the list includes what the failure touched
        self._want_checks()

    def _on_memory_opened(self, store: BrowsableMemory) -> None:
        self.memory = store
        if self.window_state.memory_open and self.window.isVisible():
            self.open_memory()  # it was open when Aris last closed

    def _on_audio_problem(self, kind: str, message: str) -> None:
        if kind == "memory":
            self.window.notice.show_message("Memory is unavailable", f"{message} Aris answers without it.")
            return
        what = "type your questions" if kind == "microphone" else "read the answers"
        self.window.notice.show_message(
            f"No {kind}", f"{message} Meanwhile you can {what}.", action=("Retry", self.retry_audio)
        )
        self._audio_retry_timer.start()

    def retry_audio(self) -> None:
        """Look for the missing microphone or speaker again (the banner's Retry button, and every few seconds)."""
        self.bridge.retry_audio()

    def _on_audio_recovered(self, kind: str) -> None:
        missing = self.bridge.missing_audio
        if not missing:
            self._audio_retry_timer.stop()
        self.window.notice.show_message(
            f"{kind.capitalize()} found",
            f"Aris found a {kind}." + (f" Still missing: {', '.join(missing)}." if missing else ""),
            "info",
            action=("Retry", self.retry_audio) if missing else None,
        )

    def _want_checks(self) -> None:
        if not self._checks_wanted:
            self._checks_wanted = True
            self._checks.start()

    def _on_checks_finished(self, failed: list) -> None:
        if not failed:
            return
        body = describe(failed)
        if self._load_error:
            body = f"{html.escape(self._load_error)}<br><br>{body}"
        self.window.notice.show_message("Aris needs a hand", body, "error" if self._load_error else "warning")

    def _on_state_changed(self, state: TurnState) -> None:
        if self.state is TurnState.LISTENING and state is not TurnState.LISTENING:
            self._reset_ptt()
        self.state = state
        log.info("State: %s", state.value)
        self.window.talk_button.set_listening(state is TurnState.LISTENING)
        self.window.stop_button.setEnabled(state is not TurnState.IDLE)
        self._show_state()

    def _show_state(self) -> None:
        if not self.bridge.loaded:
            return
        waiting = hands_free_words(self.hands_free.state, self.hands_free.wake_word)
        if self.mic_muted and self.state is TurnState.IDLE:
            self.window.state_badge.set_busy_text("Microphone muted")
        elif waiting and self.state is TurnState.IDLE:
            self.window.state_badge.set_busy_text(waiting, WAKE_WAITING_COLOUR)
        else:
            self.window.state_badge.set_state(self.state)
        if self.tray is not None:
            self.tray.set_state(self.state)

    def _configure_hands_free(self) -> None:
        audio = self.settings.audio
        self.hands_free.configure(audio.wake_word, audio.follow_up_seconds)

    def _on_hands_free_state(self, state: HandsFreeState | None) -> None:
        """The wake word's state, in the window's badge (when no turn runs) and the tray's tooltip."""
        if self.tray is not None:
            self.tray.set_hands_free(hands_free_words(state, self.hands_free.wake_word))
        self._show_state()

    def _on_level_tick(self) -> None:
        self.window.level_meter.set_rms(0.0 if self.mic_muted else self.bridge.mic_level())

    # ---- sync -------------------------------------------------------------------------------------------

    def _on_sync_start_failed(self, message: str) -> None:
        self.window.notice.show_message("Sync is not running", message, "error")

    # ---- other processes --------------------------------------------------------------------------------

    def _reply_to_command(self, command: Command) -> str:
        if command is Command.SHOW:
            self.show_window()
        elif command is Command.TALK:
            self.talk_toggle()
            if not self.button_ptt.listening and self.bridge.loaded:
                return "ok finished"  # the question was finished (the state changes a moment later)
        elif command is Command.STOP:
            self.stop()
        elif command is Command.QUIT:
            QTimer.singleShot(0, self.quit)
        listening = "listening" if self.button_ptt.listening else self.state.value
        return f"ok {listening if self.bridge.loaded else 'loading'}"
