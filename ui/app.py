"""`python main.py` with no command: the desktop app. The window shows first (Qt and our widgets only);
models load afterwards in the engine bridge's thread, with progress in the window."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from app.paths import DataPaths

log = logging.getLogger(__name__)

MIC_WAV_ENV = "ARIS_MIC_WAV"
"""A WAV file to use as the microphone (tests, screenshots, machines without a sound card)."""
STARTUP_MARK_ENV = "ARIS_STARTUP_MARK"
"""When set, print 'window-shown <seconds>' once the window is painted, then exit (start-up benchmark)."""


def run_desktop(paths: DataPaths) -> int:
    """Start Aris's desktop app, or hand over to the one already running for this data folder."""
    started = time.monotonic()
    from PySide6.QtWidgets import QApplication

    from ui.controller import EVENT_LOOP_PROPERTY
    from ui.instance import Command, send_command

    _qt_messages_to_the_log()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if send_command(paths.socket_name, Command.SHOW) is not None:
        log.info("Aris is already running; asked it to show its window")
        print("Aris is already running: its window was brought to the front.", file=sys.stderr)
        return 0
    controller = build_session(paths)
    if controller is None:
        return 1
    if not controller.listen_for_commands():
        log.info("Another Aris took the socket first")
        return 0
    _show(controller, started)
    if os.environ.get(STARTUP_MARK_ENV):
        return 0  # the start-up benchmark measures the window only; no models, no event loop
    controller.bridge.load()
    from ui.skills_shell import SkillsShell

    skills = controller.findChild(SkillsShell)
    if skills is not None:
        skills.start()
    controller.start_sync()
    QApplication.setQuitOnLastWindowClosed(False)
    app.setProperty(EVENT_LOOP_PROPERTY, True)
    from ui.stop_signals import StopSignals

    StopSignals(controller.quit, controller)  # Ctrl+C in the terminal quits like Quit in the tray
    code = app.exec()
    if controller.has_quit:
        # quit() closed the database, the engine and sync in order; freeing the loaded models object by
        # object would only add about a second before the process ends.
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _qt_messages_to_the_log() -> None:
    """Qt's own warnings (a platform plugin's remarks, a font it substituted) go to the log file like ours,
    not to the terminal the app was started from."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }
    qt_log = logging.getLogger("qt")

    def handle(kind: QtMsgType, context: object, message: str) -> None:
        category = getattr(context, "category", None) or "qt"
        qt_log.log(levels.get(kind, logging.WARNING), "%s: %s", category, message)

    qInstallMessageHandler(handle)
    logging.captureWarnings(True)  # a library's DeprecationWarning likewise


def build_session(paths: DataPaths, *, use_tray: bool | None = None, use_hotkey: bool = True):
    """The controller of a session for this data folder (its window not shown yet); None if the settings
    file is broken and the user chose to quit."""
    from PySide6.QtWidgets import QApplication

    from app.assistant import Assistant
    from app.config import Settings, load_settings
    from app.errors import SettingsError
    from ui.audio_io import device_openers, wav_mic_openers
    from ui.controller import Controller
    from ui.engine_bridge import EngineBridge
    from ui.main_window import MainWindow
    from ui.memory_store import open_memory
    from ui.resources import app_icon, stylesheet
    from ui.skills_shell import SkillsShell
    from ui.startup_errors import SettingsChoice, ask_about_broken_settings
    from ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setApplicationName("Aris")
    app.setApplicationDisplayName("Aris")
    app.setDesktopFileName("aris")
    app.setWindowIcon(app_icon())
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())  # the light look until the settings say otherwise

    # The model checksum cache lives here; without the folder every start re-hashes ~340 MB of models.
    paths.cache_dir.mkdir(parents=True, exist_ok=True)
    save_ok = True
    try:
        settings = load_settings(paths.settings_file)
    except SettingsError as error:
        settings = Settings()
        # No parent: the main window is not shown yet, and a dialog on it would open in a screen corner.
        choice = ask_about_broken_settings(error.message, paths.settings_file)
        if choice is SettingsChoice.QUIT:
            return None
        save_ok = choice is SettingsChoice.RESET and _try_set_aside(paths.settings_file)

    apply_theme(app, settings.theme)
    mic_wav = os.environ.get(MIC_WAV_ENV)
    audio = (
        wav_mic_openers(Path(mic_wav), settings.audio.output_device)
        if mic_wav
        else device_openers(settings.audio.input_device, settings.audio.output_device)
    )
    bridge = EngineBridge(
        lambda on_event: Assistant(paths, settings, on_event=on_event),
        audio,
        open_memory=open_memory,
    )
    window = MainWindow()
    controller = Controller(
        paths,
        settings,
        bridge,
        window,
        use_tray=use_tray,
        use_hotkey=use_hotkey,
        save_settings=save_ok,
    )
    SkillsShell(controller)  # a child of the controller: rings timers, docks the Timers and Lists panels
    return controller


def _try_set_aside(settings_file: Path) -> bool:
    from ui.startup_errors import set_aside

    try:
        set_aside(settings_file)
    except OSError as error:
        log.warning("Could not move the damaged settings file aside: %s", error)
        return False
    return True


def _show(controller, started: float) -> None:
    from PySide6.QtWidgets import QApplication

    window = controller.window
    if controller.settings.start_minimized and controller.tray is not None:
        log.info("Starting minimised to the tray")
    else:
        window.show()
    elapsed = time.monotonic() - started
    log.info("Window shown %.0f ms after start", elapsed * 1000)
    if os.environ.get(STARTUP_MARK_ENV):
        # Count the first paint too, not just the show request.
        QApplication.processEvents()
        window.repaint()
        print(f"window-shown {time.monotonic() - started:.4f}", flush=True)
