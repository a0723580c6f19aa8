"""The running instance's command vocabulary and a plain-socket client for it, without Qt: `python main.py
talk` is bound to a desktop shortcut and must answer in well under a second, so it loads neither Qt nor
the app's other commands."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

TIMEOUT_S = 1.5


class Command(StrEnum):
    """What another process can ask the running instance to do."""

    SHOW = "show"
    """Bring the window to the front (a second launch)."""
    TALK = "talk"
    """Start listening, or finish the question if already listening (desktop shortcuts press once)."""
    STOP = "stop"
    """Stop the current turn."""
    STATUS = "status"
    """Reply with the current state."""
    QUIT = "quit"


def socket_path(name: str) -> Path:
    """Where Qt's QLocalServer puts a socket of this name on Unix (QDir::tempPath(), i.e. $TMPDIR or /tmp)."""
    return Path(name) if os.path.isabs(name) else Path(tempfile.gettempdir()) / name


def send_line(name: str, command: Command, timeout: float = TIMEOUT_S) -> str | None:
    """Send one command to the running instance; its one-line answer, or None when none is running."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout)
            client.connect(str(socket_path(name)))
            client.sendall((command.value + "\n").encode())
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = client.recv(4096)
                if not chunk:
                    break
                answer += chunk
    except OSError:  # no socket file, nobody listening, or no answer in time
        return None
    return answer.decode("utf-8", "replace").strip() or None


def fast_talk(argv: Sequence[str]) -> int | None:
    """Run `[--data-dir DIR] [-v] talk [--stop]` directly; None for any other command line (the full CLI
    handles it, including its errors and help)."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--data-dir")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    # Optional: a required argument missing makes argparse print its usage even with exit_on_error=False,
    # and `python main.py` alone (the desktop app) has no command.
    parser.add_argument("command", nargs="?")
    parser.add_argument("--stop", action="store_true")
    try:
        args, rest = parser.parse_known_args(list(argv))
    except (argparse.ArgumentError, SystemExit):
        return None
    if args.command != "talk" or rest:
        return None
    from app.paths import resolve_data_paths

    name = resolve_data_paths(args.data_dir).socket_name
    answer = send_line(name, Command.STOP if args.stop else Command.TALK)
    if answer is None:
        print("aris: Aris is not running. Start it with: python main.py", file=sys.stderr)
        return 1
    print(answer.removeprefix("ok ").strip())
    return 0
