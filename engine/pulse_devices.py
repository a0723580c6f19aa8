"""Audio devices as a person knows them, on PulseAudio and PipeWire: "USB Headset", not "pulse" or "default".

PortAudio (sounddevice) reaches the sound server through ALSA's single "pulse" device, so it cannot tell a
headset from the built-in speakers. The sound server can: `pactl` lists its sinks and sources with their
descriptions and stable names. A setting names one as ``pulse:<name>`` (the name survives restarts and
re-plugging), and opening it routes PortAudio's "pulse" device there with libpulse's own PULSE_SINK /
PULSE_SOURCE variables, which the ALSA plugin reads each time it opens a stream. Plain Python, no Qt."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

PULSE_PREFIX = "pulse:"
"""How a setting names a sound-server device (the rest is the server's stable name)."""
LIST_TIMEOUT_S = 3.0
"""A sound server that takes longer than this to list its devices is treated as absent."""

_route_lock = threading.Lock()
"""The environment is process-wide: one stream opens at a time while it names a device."""


@dataclass(frozen=True)
class PulseDevice:
    """A sink (speaker) or source (microphone) of the sound server."""

    name: str
    """The server's stable name, e.g. ``alsa_output.usb-Logitech_Headset-00.analog-stereo``."""
    description: str
    """What a person reads, e.g. "Logitech Headset Analog Stereo"."""
    is_input: bool
    is_monitor: bool
    """A source that records what a sink plays (not a microphone; listed after the real ones)."""

    @property
    def setting(self) -> str:
        """How the settings file names this device."""
        return PULSE_PREFIX + self.name


def is_pulse_setting(device: str | None) -> bool:
    """True when a device setting names a sound-server device."""
    return device is not None and device.startswith(PULSE_PREFIX)


def pulse_name(device: str) -> str:
    """The server's name inside a ``pulse:`` setting."""
    return device.removeprefix(PULSE_PREFIX)


def list_pulse_devices() -> list[PulseDevice] | None:
    """The sound server's sinks and sources, or None when none answers (no server, or no `pactl`)."""
    if shutil.which("pactl") is None:
        return None
    devices: list[PulseDevice] = []
    for kind in ("sinks", "sources"):
        entries = _pactl_json("list", kind)
        if entries is None:
            return None
        for entry in entries:
            name = str(entry.get("name") or "")
            if not name:
                continue
            monitor_of = entry.get("monitor_of_sink")
            devices.append(
                PulseDevice(
                    name=name,
                    description=str(entry.get("description") or name),
                    is_input=kind == "sources",
                    is_monitor=kind == "sources" and monitor_of not in (None, "", "n/a"),
                )
            )
    return devices


def _pactl_json(*args: str) -> list[dict[str, Any]] | None:
    try:
        done = subprocess.run(
            ["pactl", "--format=json", *args],
            capture_output=True,
            text=True,
            timeout=LIST_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.info("pactl %s did not answer: %s", " ".join(args), error)
        return None
    if done.returncode != 0:
        log.debug("pactl %s failed: %s", " ".join(args), done.stderr.strip())
        return None
    try:
        entries = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        log.info("pactl %s gave no JSON (pactl older than 16?)", " ".join(args))
        return None
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else None


@contextmanager
def routed_to(device: str | None, *, want_input: bool) -> Iterator[None]:
    """While a stream opens, point libpulse at the named sink or source (no-op for other settings)."""
    if not is_pulse_setting(device):
        yield
        return
    assert device is not None
    key = "PULSE_SOURCE" if want_input else "PULSE_SINK"
    with _route_lock:
        before = os.environ.get(key)
        os.environ[key] = pulse_name(device)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = before
