"""Which sound devices there are and which one a setting names (PortAudio's list, routed through PulseAudio
where a device is chosen by its PulseAudio name)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from engine.errors import AudioDeviceError, NoAudioDeviceError
from engine.pulse_devices import is_pulse_setting, list_pulse_devices, pulse_name, routed_to

log = logging.getLogger(__name__)


def load_sounddevice() -> Any:
    """Import sounddevice, turning a missing PortAudio into a clear error."""
    try:
        import sounddevice
    except (OSError, ImportError) as error:
        raise AudioDeviceError(
            "The PortAudio library is missing, so Aris cannot use the microphone or speaker. "
            "Install it with: sudo apt-get install libportaudio2"
        ) from error
    return sounddevice


@dataclass(frozen=True)
class AudioDevice:
    """An audio device as the settings dialog and `doctor` show it."""

    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float


def list_devices() -> list[AudioDevice]:
    """All audio devices PortAudio sees."""
    sd = load_sounddevice()
    try:
        raw = sd.query_devices()
    except sd.PortAudioError as error:
        raise AudioDeviceError(f"Could not list audio devices: {error}.") from error
    return [
        AudioDevice(i, d["name"], d["max_input_channels"], d["max_output_channels"], d["default_samplerate"])
        for i, d in enumerate(raw)
    ]


def rescan_devices() -> None:
    """Re-read the device list: PortAudio lists devices once, so a sound server started or a headset
    plugged in later stays invisible until this runs. Only call it while no stream is open."""
    sd = load_sounddevice()
    sd._terminate()  # sounddevice's own re-initialisation pair; there is no public rescan
    sd._initialize()


def find_device(name: str | None, *, want_input: bool) -> int | None:
    """The index of the named device, or None for the system default.

    Raises:
        AudioDeviceError: there is no such device, or no device of that direction at all.
    """
    kind = "microphone" if want_input else "speaker"
    devices = [d for d in list_devices() if (d.inputs if want_input else d.outputs) > 0]
    if not devices:
        raise NoAudioDeviceError(
            f"No {kind} found. Connect one (or start PulseAudio/PipeWire) and run: python main.py doctor"
        )
    if name is None:
        return None
    if is_pulse_setting(name):
        return _pulse_route_index(name, devices, kind=kind, want_input=want_input)
    for device in devices:
        if device.name == name or str(device.index) == name:
            return device.index
    names = ", ".join(d.name for d in devices)
    raise AudioDeviceError(f"The {kind} '{name}' is not connected. Available: {names}.")


def _pulse_route_index(name: str, devices: list[AudioDevice], *, kind: str, want_input: bool) -> int | None:
    """PortAudio's way into the sound server (its "pulse" ALSA device) for a ``pulse:`` setting; the device
    itself is chosen by :func:`engine.pulse_devices.routed_to` while the stream opens."""
    present = list_pulse_devices()
    if present is not None and not any(
        d.name == pulse_name(name) and d.is_input == want_input for d in present
    ):
        raise AudioDeviceError(f"The {kind} '{pulse_name(name)}' is not connected.")
    for device in devices:
        if device.name == "pulse":
            return device.index
    # Without ALSA's pulse plugin (libasound2-plugins) the default device may not read PULSE_SINK/SOURCE.
    log.warning("No 'pulse' audio device in PortAudio: the %s '%s' may fall back to the default", kind, name)
    for device in devices:
        if device.name == "default":
            return device.index
    return None


def open_stream(device: str | None, *, want_input: bool, **stream_options: Any) -> Any:
    """A started sounddevice stream on the chosen device (routed through PulseAudio where the setting names
    a Pulse device); a device that refuses gives one sentence naming the microphone or the speaker."""
    sd = load_sounddevice()
    index = find_device(device, want_input=want_input)
    stream_type = sd.InputStream if want_input else sd.OutputStream
    try:
        with routed_to(device, want_input=want_input):
            stream = stream_type(device=index, **stream_options)
            stream.start()
    except sd.PortAudioError as error:
        what = "microphone" if want_input else "speaker"
        raise AudioDeviceError(f"Could not open the {what}: {error}.") from error
    return stream
