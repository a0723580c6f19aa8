"""The settings dialog: devices (with a microphone test meter and a test voice), the shortcut, models,
voice speed, memory, start-up and the sync account. Returns new Settings; the controller saves them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.config import HotkeyMode, Settings, Theme
from app.errors import ArisError
from app.paths import DataPaths
from engine.audio import AudioDevice, AudioSource
from engine.pulse_devices import is_pulse_setting, pulse_name
from engine.wake import WakeWord
from models import ModelKind, available_models, get_spec
from models.store import is_installed
from ui.device_choices import DeviceChoice, from_portaudio, list_device_choices
from ui.hotkey_text import pynput_to_qt, qt_to_pynput
from ui.jobs import run_job
from ui.model_options import ModelOptions
from ui.models_page import ModelsWindow
from ui.sync_bridge import SyncBridge
from ui.sync_section import SyncSection
from ui.widgets import LevelMeter, fit_to_screen

if TYPE_CHECKING:  # numpy and onnxruntime behind it: loaded by the engine, not by opening a dialog
    from app.memory.embeddings import MiniLMEmbedder

log = logging.getLogger(__name__)

DEFAULT_DEVICE = "System default"
DEVICE_POLL_MS = 2000
"""While the dialog is open, look for devices plugged in or removed this often (a `pactl` listing)."""

VoiceTester = Callable[[str | None, float], None]
"""Speaks a short sentence on the given output device at the given speed (runs in the engine's thread)."""


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def _form(group: QGroupBox) -> QFormLayout:
    return _styled(QFormLayout(group))


def _form_in(column: QVBoxLayout) -> QFormLayout:
    """A form as one more row of ``column`` (a group box holding check boxes and a form)."""
    form = _styled(QFormLayout())
    column.addLayout(form)
    return form


def _wake_word_or_none(value: object) -> WakeWord | None:
    """The combo's data back as a wake word (None for "Off")."""
    return None if value is None else WakeWord(str(value))


def _value_or_none(wake_word: WakeWord | None) -> str | None:
    return None if wake_word is None else wake_word.value


def _styled(form: QFormLayout) -> QFormLayout:
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    form.setHorizontalSpacing(14)
    form.setVerticalSpacing(10)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


class MicTest(QWidget):
    """Opens the chosen microphone off the GUI thread and shows its level."""

    opened = Signal(object)
    """The test microphone is open and its level shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meter = LevelMeter(self)
        self.meter.setFixedWidth(160)
        self.button = QPushButton("Test microphone", self)
        self.status = _hint("")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addWidget(self.meter)
        row.addWidget(self.status, 1)
        self._source: AudioSource | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self._show_level)
        self.device: Callable[[], str | None] = lambda: None
        self.button.clicked.connect(self.toggle)

    def toggle(self) -> None:
        """Start or stop the test."""
        if self._source is not None:
            self.stop()
            return
        self.status.setText("Opening…")
        self.button.setEnabled(False)
        device = self.device()

        def open_source() -> AudioSource:
            from engine.audio import MicrophoneSource

            return MicrophoneSource(device)

        run_job(open_source, self._on_opened, self._on_failed, owner=self, name="mic-test")

    def _on_failed(self, error: ArisError) -> None:
        self.status.setText(error.message)
        self.button.setEnabled(True)

    def _show_level(self) -> None:
        self.meter.set_rms(self._source.level if self._source is not None else 0.0)

    def _on_opened(self, source: AudioSource) -> None:
        self._source = source
        self.opened.emit(source)
        self.button.setEnabled(True)
        self.button.setText("Stop test")
        self.status.setText("Speak: the bars should move.")
        self._timer.start()

    def stop(self) -> None:
        """Close the test microphone."""
        self._timer.stop()
        self.meter.set_rms(0.0)
        source, self._source = self._source, None
        if source is not None:
            source.close()
        self.button.setText("Test microphone")
        self.button.setEnabled(True)
        self.status.setText("")


class _Scrolled(QScrollArea):
    """A tab's page that scrolls when the screen is too small for it (200 % scale on a laptop), and asks
    for its page's full size otherwise."""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(page)
        # The tab's own background shows through (setWidget paints the page, and the viewport is grey).
        page.setAutoFillBackground(False)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QScrollArea { background: transparent; }")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """The whole page (QScrollArea's own hint stops at 24 lines), as tall as its wrapped hints make it
        at the width it has."""
        page = self.widget()
        if page is None:
            return super().sizeHint()
        hint = page.sizeHint()
        width = max(hint.width(), self.viewport().width())
        if page.hasHeightForWidth():
            hint.setHeight(max(hint.height(), page.heightForWidth(width)))
        return hint + QSize(self.verticalScrollBar().sizeHint().width(), 0)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """As wide as the page needs; any height (it scrolls)."""
        page = self.widget()
        if page is None:
            return super().minimumSizeHint()
        return QSize(page.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width(), 120)


class _FittingTabs(QTabWidget):
    """Tabs whose height is the shown page's, so the dialog can fit each tab."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """The widest page's width and the shown page's height."""
        full = super().sizeHint()
        page = self.currentWidget()
        if page is None:
            return full
        return QSize(full.width(), self.tabBar().sizeHint().height() + page.sizeHint().height() + 4)


class SettingsDialog(QDialog):
    """Edit a copy of the settings."""

    def __init__(
        self,
        settings: Settings,
        paths: DataPaths,
        *,
        hotkey_problem: str = "",
        voice_tester: VoiceTester | None = None,
        devices: Sequence[AudioDevice | DeviceChoice] | None = None,
        sync: SyncBridge | None = None,
        embedder: Callable[[], MiniLMEmbedder] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Args:
        devices: a fixed list of audio devices to offer (default: the sound server's or PortAudio's, looked
            up again while the dialog is open).
        voice_tester: speaks a test sentence; the button is hidden without one.
        sync: the shell's background sync, which the Account tab starts, nudges and stops.
        embedder: the running app's sentence embedder, which the Documents tab indexes with (without one,
            the tab loads its own).
        """
        super().__init__(parent)
        self.setWindowTitle("Settings")  # the window system adds the application name
        self.setObjectName("settingsDialog")
        self.setMinimumWidth(560)
        self.settings = settings
        self.paths = paths
        self._voice_tester = voice_tester
        self._sync = sync
        self._embedder = embedder
        if devices is None:
            self._list_devices: Callable[[], list[DeviceChoice]] = list_device_choices
        else:
            fixed = [d if isinstance(d, DeviceChoice) else from_portaudio([d])[0] for d in devices]
            self._list_devices = lambda: fixed
        self._devices = self._list_devices()
        self._listing = False
        self._device_poll = QTimer(self)
        self._device_poll.setInterval(DEVICE_POLL_MS)
        self._device_poll.timeout.connect(self.refresh_devices)
        tabs = _FittingTabs(self)
        tabs.addTab(_Scrolled(self._general_tab()), "General")
        tabs.addTab(_Scrolled(self._audio_tab()), "Audio")
        tabs.addTab(_Scrolled(self._shortcut_tab(hotkey_problem)), "Shortcut")
        tabs.addTab(_Scrolled(self._models_tab()), "Models")
        tabs.addTab(_Scrolled(self._documents_tab()), "Documents")
        tabs.addTab(_Scrolled(self._account_tab()), "Account")
        self.tabs = tabs
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        save = QPushButton("Save")
        save.setObjectName("primaryButton")
        save.setDefault(True)
        buttons.addButton(save, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button = save
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        self.error = QLabel(self)
        self.error.setObjectName("hint")
        self.error.setStyleSheet("color: #B91C1C;")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._result = settings
        self._width = self.sizeHint().width()  # the widest tab's: switching tabs never changes the width
        tabs.currentChanged.connect(self._fit_to_tab)
        self._fit_to_tab(tabs.currentIndex())

    def _fit_to_tab(self, _index: int) -> None:
        """As tall as the tab shown needs, within the screen (a tab widget asks for its tallest tab, which
        left the short ones mostly empty); as wide as the widest, so switching never changes the width."""
        self.tabs.updateGeometry()
        layout = self.layout()
        if layout is not None:
            layout.activate()
        fit_to_screen(
            self, max(self._width, self.width() if self.isVisible() else 0), self.sizeHint().height()
        )

    # ---- tabs -------------------------------------------------------------------------------------------

    def _general_tab(self) -> QWidget:
        page = QWidget()
        self.memory_box = QCheckBox("Remember things I tell Aris and use them in answers")
        self.memory_box.setChecked(self.settings.memory_enabled)
        self.minimized_box = QCheckBox("Start minimised to the tray")
        self.minimized_box.setChecked(self.settings.start_minimized)
        self.login_box = QCheckBox("Start Aris when I log in")
        self.login_box.setChecked(self.settings.start_at_login)
        self.theme_combo = QComboBox()
        self.theme_combo.setAccessibleName("Appearance")
        for label, theme in (
            ("Follow the system", Theme.SYSTEM),
            ("Light", Theme.LIGHT),
            ("Dark", Theme.DARK),
        ):
            self.theme_combo.addItem(label, theme.value)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(self.settings.theme.value)))
        look = QGroupBox("Appearance")
        look_form = _form(look)
        look_form.addRow("Theme", self.theme_combo)
        memory = QGroupBox("Memory")
        memory_column = QVBoxLayout(memory)
        memory_column.addWidget(self.memory_box)
        memory_column.addWidget(_hint("Memories stay on this computer. Browse or erase them from Memory."))
        startup = QGroupBox("Start-up")
        box = QVBoxLayout(startup)
        box.addWidget(self.minimized_box)
        box.addWidget(self.login_box)
        layout = QVBoxLayout(page)
        layout.addWidget(look)
        layout.addWidget(memory)
        layout.addWidget(startup)
        layout.addStretch(1)
        return page

    def _audio_tab(self) -> QWidget:
        page = QWidget()
        audio = self.settings.audio
        self.input_combo = QComboBox()
        self.input_combo.setAccessibleName("Microphone")
        self.output_combo = QComboBox()
        self.output_combo.setAccessibleName("Speaker")
        self._fill_device_combo(self.input_combo, want_input=True, current=audio.input_device)
        self._fill_device_combo(self.output_combo, want_input=False, current=audio.output_device)
        self.mic_test = MicTest()
        self.mic_test.device = self.input_combo.currentData
        self.voice_button = QPushButton("Test voice")
        self.voice_button.clicked.connect(self._on_test_voice)
        self.voice_button.setVisible(self._voice_tester is not None)
        group = QGroupBox("Devices")
        form = _form(group)
        form.addRow("Microphone", self.input_combo)
        form.addRow("", self.mic_test)
        form.addRow("Speaker", self.output_combo)
        voice_row = QHBoxLayout()
        voice_row.addWidget(self.voice_button)
        voice_row.addStretch(1)
        form.addRow("", voice_row)
        self.no_devices_hint = _hint("No audio devices found. Connect one, or start PulseAudio/PipeWire.")
        form.addRow("", self.no_devices_hint)
        self.no_devices_hint.setVisible(not self._devices)
        turn = self._conversation_group()
        layout = QVBoxLayout(page)
        layout.addWidget(group)
        layout.addWidget(turn)
        layout.addStretch(1)
        return page

    def _conversation_group(self) -> QGroupBox:
        """Barge-in, the wake word and the follow-up window."""
        audio = self.settings.audio
        self.barge_box = QCheckBox("Stop the answer when I start speaking")
        self.barge_box.setChecked(audio.barge_in)
        turn = QGroupBox("Conversation")
        turn_column = QVBoxLayout(turn)
        turn_column.addWidget(self.barge_box)
        turn_column.addWidget(_hint("Turn this off with laptop speakers if Aris interrupts itself."))
        self.wake_combo = QComboBox()
        self.wake_combo.setAccessibleName("Wake word")
        self.wake_combo.addItem("Off: only the shortcut and the Talk button", None)
        for wake_word in WakeWord:
            self.wake_combo.addItem(f"\u201c{wake_word.phrase}\u201d", wake_word.value)
        self.wake_combo.setCurrentIndex(max(0, self.wake_combo.findData(_value_or_none(audio.wake_word))))
        self.follow_up_spin = QDoubleSpinBox()
        self.follow_up_spin.setAccessibleName("Follow-up window")
        self.follow_up_spin.setRange(0.0, 30.0)
        self.follow_up_spin.setDecimals(0)
        self.follow_up_spin.setSuffix(" s")
        self.follow_up_spin.setValue(audio.follow_up_seconds)
        self.wake_combo.currentIndexChanged.connect(
            lambda _index: self.follow_up_spin.setEnabled(self.wake_combo.currentData() is not None)
        )
        self.follow_up_spin.setEnabled(audio.wake_word is not None)
        hands_free = _form_in(turn_column)
        hands_free.addRow("Wake word", self.wake_combo)
        hands_free.addRow("Follow-ups for", self.follow_up_spin)
        turn_column.addWidget(
            _hint("Say the wake word, then your question. Right after an answer, a follow-up needs none.")
        )
        return turn

    def _documents_tab(self) -> QWidget:
        from ui.documents_section import DocumentsSection

        page = QWidget()
        group = QGroupBox("Folders Aris answers from")
        self.documents_section = DocumentsSection(self.paths, group, embedder=self._embedder)
        QVBoxLayout(group).addWidget(self.documents_section)
        layout = QVBoxLayout(page)
        layout.addWidget(group)
        layout.addStretch(1)
        return page

    def _shortcut_tab(self, hotkey_problem: str) -> QWidget:
        page = QWidget()
        hotkey = self.settings.hotkey
        self.hotkey_edit = QKeySequenceEdit(QKeySequence(pynput_to_qt(hotkey.combo)))
        self.hotkey_edit.setMaximumSequenceLength(1)
        self.hotkey_enabled = QCheckBox("Use a global push-to-talk shortcut")
        self.hotkey_enabled.setChecked(hotkey.enabled)
        self.hold_radio = QRadioButton("Hold to talk: speak while the keys are held")
        self.toggle_radio = QRadioButton("Toggle: press to start, press again to finish")
        modes = QButtonGroup(page)
        modes.addButton(self.hold_radio)
        modes.addButton(self.toggle_radio)
        (self.hold_radio if hotkey.mode is HotkeyMode.HOLD else self.toggle_radio).setChecked(True)
        group = QGroupBox("Push-to-talk")
        form = _form(group)
        form.addRow(self.hotkey_enabled)
        form.addRow("Shortcut", self.hotkey_edit)
        form.addRow("Mode", self.hold_radio)
        form.addRow("", self.toggle_radio)
        layout = QVBoxLayout(page)
        layout.addWidget(group)
        if hotkey_problem:
            note = QGroupBox("This session")
            QVBoxLayout(note).addWidget(_hint(hotkey_problem))
            layout.addWidget(note)
        layout.addStretch(1)
        return page

    def _models_tab(self) -> QWidget:
        page = QWidget()
        models = self.settings.models
        self.stt_combo = self._model_combo(ModelKind.STT, models.stt, self.paths)
        self.llm_combo = self._model_combo(ModelKind.LLM, models.llm, self.paths)
        self.tts_combo = self._model_combo(ModelKind.TTS, models.tts, self.paths)
        self.speed_spin = QDoubleSpinBox()
        self.speed_spin.setRange(0.5, 2.0)
        self.speed_spin.setSingleStep(0.1)
        self.speed_spin.setDecimals(1)
        self.speed_spin.setSuffix(" ×")
        self.speed_spin.setValue(models.voice_speed)
        group = QGroupBox("Models")
        form = _form(group)
        form.addRow("Speech recognition", self.stt_combo)
        form.addRow("Language model", self.llm_combo)
        form.addRow("Voice", self.tts_combo)
        form.addRow("Voice speed", self.speed_spin)
        if models.llm_path:
            form.addRow("", _hint(f"Using your own model file: {models.llm_path}"))
        self.model_options = ModelOptions(models)  # language and model server (ui/model_options.py)
        # Downloads, Use, Remove: a window of its own, wide enough for full names (ui/models_page.py).
        self.models_window = ModelsWindow(self.paths, self.settings, self)
        self.models_page = self.models_window.page
        self.models_page.model_used.connect(self._on_model_used)
        self.models_page.download_finished.connect(lambda _id: self._refresh_model_combos())
        self.browse_models_button = QPushButton("Browse and download models…")
        self.browse_models_button.clicked.connect(self.models_window.show)
        layout = QVBoxLayout(page)
        layout.addWidget(group)
        layout.addWidget(self.model_options)
        browse = QHBoxLayout()
        browse.addWidget(self.browse_models_button)
        browse.addStretch(1)
        layout.addLayout(browse)
        layout.addWidget(_hint(self.models_page.recommendation.text()))
        layout.addWidget(_hint("New models load in the background as soon as you save."))
        layout.addStretch(1)
        return page

    def _on_model_used(self, kind: str, model_id: str) -> None:
        """Use on the Models page saved the settings: show the choice in the combos, keep it on Save."""
        self.settings = self.models_page.settings
        self._refresh_model_combos()

    def _refresh_model_combos(self) -> None:
        models = self.settings.models
        for kind, combo, current in (
            (ModelKind.STT, self.stt_combo, models.stt),
            (ModelKind.LLM, self.llm_combo, models.llm),
            (ModelKind.TTS, self.tts_combo, models.tts),
        ):
            fresh = self._model_combo(kind, current, self.paths)
            combo.clear()
            for index in range(fresh.count()):
                combo.addItem(fresh.itemText(index), fresh.itemData(index))
            combo.setCurrentIndex(combo.findData(current))

    def _account_tab(self) -> QWidget:
        page = QWidget()
        self.sync_section = SyncSection(self.paths, self._sync)
        layout = QVBoxLayout(page)
        layout.addWidget(self.sync_section)
        layout.addStretch(1)
        return page

    # ---- helpers ----------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Look for devices plugged in while the dialog is open."""
        super().showEvent(event)
        self._device_poll.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        """No polling while nobody looks."""
        self._device_poll.stop()
        super().hideEvent(event)

    def refresh_devices(self) -> None:
        """List the devices again off the GUI thread (a headset plugged in appears in the lists)."""
        if self._listing:
            return
        self._listing = True
        run_job(
            self._list_devices, self._on_devices_listed, self._on_listing_failed, owner=self, name="devices"
        )

    def _on_listing_failed(self, error: ArisError) -> None:
        self._listing = False
        log.warning("Could not list audio devices: %s", error.message)

    def _on_devices_listed(self, devices: list[DeviceChoice]) -> None:
        self._listing = False
        if devices == self._devices:
            return
        if self.input_combo.view().isVisible() or self.output_combo.view().isVisible():
            return  # never rebuild a list the user has open: the next look, 2 s later, applies it
        log.info("Audio devices changed: %s", ", ".join(d.label for d in devices) or "none")
        self._devices = devices
        for combo, want_input in ((self.input_combo, True), (self.output_combo, False)):
            self._fill_device_combo(combo, want_input=want_input, current=combo.currentData())
        self.no_devices_hint.setVisible(not devices)

    def _fill_device_combo(self, combo: QComboBox, *, want_input: bool, current: str | None) -> None:
        """The devices of one direction, the current choice kept (and kept visible when unplugged)."""
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(DEFAULT_DEVICE, None)
        for device in self._devices:
            if device.is_input if want_input else device.is_output:
                combo.addItem(device.label, device.setting)
        if current is not None:
            index = combo.findData(current)
            if index < 0:  # a device that is unplugged now: keep the choice visible
                name = pulse_name(current) if is_pulse_setting(current) else current
                combo.addItem(f"{name} (not connected)", current)
                index = combo.count() - 1
            combo.setCurrentIndex(index)
        combo.blockSignals(False)

    @staticmethod
    def _model_combo(kind: ModelKind, current: str, paths: DataPaths) -> QComboBox:
        combo = QComboBox()
        for name in available_models(kind):  # only installed models can be chosen here
            if is_installed(get_spec(name), paths.models_dir):
                combo.addItem(name, name)
        index = combo.findData(current)
        if index < 0:
            combo.addItem(current, current)
            index = combo.count() - 1
        combo.setCurrentIndex(index)
        return combo

    def _on_test_voice(self) -> None:
        if self._voice_tester is not None:
            self._voice_tester(self.output_combo.currentData(), self.speed_spin.value())

    def _on_save(self) -> None:
        try:
            self._result = self._collect()
        except ValueError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.mic_test.stop()
        self.models_page.shutdown()
        self.models_window.close()
        self.accept()

    def reject(self) -> None:
        """Cancel: close the test microphone too."""
        self.mic_test.stop()
        self.models_page.shutdown()
        self.models_window.close()
        super().reject()

    def _collect(self) -> Settings:
        s = self.settings
        sequence = self.hotkey_edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        combo = qt_to_pynput(sequence) if sequence else s.hotkey.combo
        return s.with_changes(
            audio=s.audio.model_copy(
                update={
                    "input_device": self.input_combo.currentData(),
                    "output_device": self.output_combo.currentData(),
                    "barge_in": self.barge_box.isChecked(),
                    "wake_word": _wake_word_or_none(self.wake_combo.currentData()),
                    "follow_up_seconds": float(self.follow_up_spin.value()),
                }
            ),
            models=s.models.model_copy(
                update={
                    "stt": self.stt_combo.currentData(),
                    "llm": self.llm_combo.currentData(),
                    "tts": self.tts_combo.currentData(),
                    "voice_speed": round(self.speed_spin.value(), 2),
                    **self.model_options.values(),
                }
            ),
            hotkey=s.hotkey.model_copy(
                update={
                    "combo": combo,
                    "mode": HotkeyMode.HOLD if self.hold_radio.isChecked() else HotkeyMode.TOGGLE,
                    "enabled": self.hotkey_enabled.isChecked(),
                }
            ),
            memory_enabled=self.memory_box.isChecked(),
            start_minimized=self.minimized_box.isChecked(),
            start_at_login=self.login_box.isChecked(),
            theme=Theme(self.theme_combo.currentData()),
        )

    def result_settings(self) -> Settings:
        """The settings as saved (the original ones if cancelled)."""
        return self._result
