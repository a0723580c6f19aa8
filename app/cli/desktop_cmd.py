"""`talk`: reach the running desktop app from a desktop shortcut (Wayland has no global hotkeys for apps)."""

from __future__ import annotations

import argparse
import sys

from app.cli import CommandContext


def register(commands: argparse._SubParsersAction) -> None:
    """Add `talk` to the CLI."""
    p = commands.add_parser(
        "talk",
        help="start (or finish) a spoken question in the running desktop app; bind it to a desktop shortcut",
    )
    p.add_argument("--stop", action="store_true", help="stop the current answer instead")
    p.set_defaults(handler=talk)


def talk(ctx: CommandContext) -> int:
    """Send one command over the local socket; exit status 1 when Aris is not running."""
    from PySide6.QtCore import QCoreApplication

    from ui.instance import Command, send_command

    _app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    answer = send_command(ctx.paths.socket_name, Command.STOP if ctx.args.stop else Command.TALK)
    if answer is None:
        print("aris: Aris is not running. Start it with: python main.py", file=sys.stderr)
        return 1
    print(answer.removeprefix("ok ").strip())
    return 0
