"""What the desktop shell adds to the command line: the desktop app itself (no command), `talk`, `bench startup`,
`bench desktop` and the self-test's Qt step. `main.py` hands `DESKTOP_EXTENSIONS` to `app.cli.main`.

Importing this module must stay cheap (no Qt): every CLI command loads it."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import types

from app.cli import CommandContext, CommandLineExtensions
from app.selftest import SelfTestContext
from models.locate import resource_path


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
    from ui.talk_client import Command, send_line

    answer = send_line(ctx.paths.socket_name, Command.STOP if ctx.args.stop else Command.TALK)
    if answer is None:
        print("aris: Aris is not running. Start it with: python main.py", file=sys.stderr)
        return 1
    print(answer.removeprefix("ok ").strip())
    return 0


def run_desktop(ctx: CommandContext) -> int:
    """`python main.py` with no command: start the desktop app (or show the running one)."""
    from ui.app import run_desktop as start

    return start(ctx.paths)


def show_desktop_error(message: str) -> None:
    """The desktop app cannot start: say why in a window, with the way out."""
    from ui.startup_errors import show_start_error

    show_start_error(message)


def bench_startup(ctx: CommandContext) -> int:
    """`bench startup`: launch to window shown, in fresh processes."""
    from ui.bench.startup import run_startup_bench

    run_startup_bench(ctx.args.runs, as_json=ctx.args.json)
    return 0


def bench_desktop(ctx: CommandContext) -> int:
    """`bench desktop`: a fresh `talk` process against the running app, and Quit to exit."""
    from ui.bench.desktop import run_desktop_bench

    run_desktop_bench(ctx.args.runs, as_json=ctx.args.json)
    return 0


def step_qt(ctx: SelfTestContext) -> str:
    """Qt starts offscreen (platform plugin, fonts, the modules the shell uses) and the shell imports."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtDBus, QtNetwork, QtSvg  # noqa: F401 - loading them is the check
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([sys.argv[0]])
    label = QLabel("Aris self-test")
    label.setWindowIcon(QIcon(str(resource_path("icons", "aris-256.png"))))
    label.show()
    app.processEvents()
    label.close()
    assert importlib.util.find_spec("ui.app") is not None
    import ui.app  # noqa: F401 - every module the shell needs must be in the build

    return f"Qt {qVersion()} on {QApplication.platformName()}; desktop shell loaded"


DESKTOP_EXTENSIONS = CommandLineExtensions(
    command_modules=(types.SimpleNamespace(register=register),),
    bench_suites={"startup": bench_startup, "desktop": bench_desktop},
    self_test_steps=(("qt", step_qt),),
    desktop=run_desktop,
    show_desktop_error=show_desktop_error,
)
