"""Start at login: an XDG autostart entry (~/.config/autostart/aris.desktop), which GNOME, KDE, Xfce and
most other Linux desktops honour."""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys
from pathlib import Path

from app.errors import ArisError
from models.locate import is_frozen

DESKTOP_FILE = "aris.desktop"


class AutostartError(ArisError):
    """The autostart entry could not be written or removed."""

    code = "autostart"


def autostart_dir() -> Path:
    """$XDG_CONFIG_HOME/autostart (default ~/.config/autostart)."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart"


def launch_command(data_dir: Path | None = None) -> list[str]:
    """How to start this copy of Aris: the bundle itself, or this Python running this checkout's main.py."""
    if is_frozen():
        command = [sys.executable]
    else:
        spec = importlib.util.find_spec("app")
        assert spec is not None and spec.submodule_search_locations
        root = Path(next(iter(spec.submodule_search_locations))).parent
        command = [sys.executable, str(root / "main.py")]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return command


def desktop_entry(command: list[str]) -> str:
    """The .desktop file's text."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Aris\n"
        "Comment=Local voice assistant\n"
        f"Exec={shlex.join(command)}\n"
        "Icon=aris\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def set_autostart(enabled: bool, data_dir: Path | None = None) -> Path:
    """Write or remove the autostart entry; returns its path.

    Raises:
        AutostartError: the folder is not writable.
    """
    path = autostart_dir() / DESKTOP_FILE
    try:
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(desktop_entry(launch_command(data_dir)), encoding="utf-8")
        else:
            path.unlink(missing_ok=True)
    except OSError as error:
        raise AutostartError(f"Could not update {path}: {error.strerror or error}.") from error
    return path
