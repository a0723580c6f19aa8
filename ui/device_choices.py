"""The microphones and speakers Settings offers: the sound server's own descriptions when PulseAudio or
PipeWire runs ("USB Headset"), PortAudio's names otherwise. Plain Python; the dialog calls it off the GUI
thread while it is open, so a device plugged in later shows up without a restart."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from engine.audio import AudioDevice, list_devices
from engine.errors import AudioDeviceError
from engine.pulse_devices import list_pulse_devices

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceChoice:
    """One entry of the microphone or speaker list."""

    setting: str
    """What the settings file stores (stable across restarts and re-plugging)."""
    label: str
    """What the user reads."""
    is_input: bool
    is_output: bool


def from_portaudio(devices: Iterable[AudioDevice]) -> list[DeviceChoice]:
    """PortAudio's devices under their own names."""
    return [DeviceChoice(d.name, d.name, d.inputs > 0, d.outputs > 0) for d in devices]


def list_device_choices() -> list[DeviceChoice]:
    """What can be chosen now; monitors (recordings of a speaker) come after the real microphones."""
    pulse = list_pulse_devices()
    if pulse is not None:
        ordered = sorted(pulse, key=lambda d: d.is_monitor)  # stable: the server's order otherwise
        return [DeviceChoice(d.setting, d.description, d.is_input, not d.is_input) for d in ordered]
    try:
        return from_portaudio(list_devices())
    except AudioDeviceError as error:
        log.warning("Could not list audio devices: %s", error.message)
        return []
