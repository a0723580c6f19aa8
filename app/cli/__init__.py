"""The `python main.py …` command line. Each command group lives in its own module and registers itself.

Layers above `app/` (the desktop shell in `ui/`) add their commands through `CommandLineExtensions`, which
`main.py` composes; `app/` itself never imports `ui/` or Qt."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Protocol, TypeAlias

from app.paths import DataPaths, resolve_data_paths
from app.version import VERSION
from models.errors import ArisError
from models.locate import is_frozen

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandContext:
    """What every command gets: its parsed arguments and the data folder."""

    args: argparse.Namespace
    paths: DataPaths


Handler = Callable[[CommandContext], int]
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""The sub-command list each command module adds its commands to."""


class CommandModule(Protocol):
    """A command group: adds its sub-commands to the parser."""

    def register(self, commands: Commands) -> None:
        """Add this group's commands."""
        ...


@dataclass(frozen=True)
class CommandLineExtensions:
    """What a layer above `app/` adds to the command line: the desktop shell registers the desktop app
    (no command), `talk`, `bench startup` and the self-test's Qt step this way."""

    command_modules: tuple[CommandModule, ...] = ()
    bench_suites: Mapping[str, Handler] = field(default_factory=dict)
    """Extra `bench SUITE` names and what runs them."""
    self_test_steps: tuple[tuple[str, Callable[..., str]], ...] = ()
    """Extra `--self-test` steps, run after the app's own."""
    desktop: Handler | None = None
    """What runs with no command; without it, the help is printed."""
    show_desktop_error: Callable[[str], None] | None = None
    """Shows a sentence that stops the desktop app from starting in a window (a GUI user sees no stderr)."""


NO_EXTENSIONS = CommandLineExtensions()


def build_parser(extensions: CommandLineExtensions = NO_EXTENSIONS) -> argparse.ArgumentParser:
    """The full parser with every registered command."""
    from app.cli import (
        bench_cmd,
        docs_cmd,
        doctor_cmd,
        memory_cmd,
        models_cmd,
        skills_cmd,
        sync_cmd,
        voice_cmds,
    )

    parser = argparse.ArgumentParser(
        prog="aris" if is_frozen() else "python main.py",  # the packaged app is run as `aris`
        description="Aris, a local-first voice assistant with a long-term memory. "
        "With no command, starts the desktop app.",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep all user state in DIR (default: $ARIS_DATA_DIR or the platform's user data folder)",
    )
    parser.add_argument("--version", action="version", version=f"Aris {VERSION}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check headless that speech recognition, the language model, the voice and memory work "
        "(in a temporary data folder), then exit: 0 if all passed",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (
        voice_cmds,
        doctor_cmd,
        memory_cmd,
        docs_cmd,
        models_cmd,
        sync_cmd,
        skills_cmd,
        *extensions.command_modules,
    ):
        module.register(commands)
    bench_cmd.register(commands, extra_suites=extensions.bench_suites)
    return parser


class _TerminalFormatter(logging.Formatter):
    """For the terminal: one short line."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _without_tracebacks(record: logging.LogRecord) -> bool:
    """Records with a traceback precede a coded error that the CLI prints as one sentence; the traceback
    itself belongs in the log file, not in front of the user."""
    return record.exc_info is None


def configure_logging(verbosity: int, log_dir: Path | None = None, *, windowed: bool = False) -> None:
    """Warnings to stderr (with tracebacks only at -v), everything from INFO up to logs/aris.log.

    ``windowed``: the desktop app says what is wrong in its window, so its terminal gets only errors
    (a normal start prints nothing); -v brings the rest back."""
    root = logging.getLogger()
    root.handlers.clear()
    root.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
    console = logging.StreamHandler()
    quiet = logging.ERROR if windowed else logging.WARNING
    console.setLevel(quiet if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG)
    if verbosity == 0:
        console.setFormatter(_TerminalFormatter())
        console.addFilter(_without_tracebacks)
    else:
        console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            file_handler = RotatingFileHandler(log_dir / "aris.log", maxBytes=2_000_000, backupCount=3)
        except OSError:
            return  # a read-only or full disk must not stop the app; the console still gets warnings
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(file_handler)


def main(argv: Sequence[str] | None = None, extensions: CommandLineExtensions = NO_EXTENSIONS) -> int:
    """Parse and run one command; user-facing errors become one clear line and exit status 1."""
    parser = build_parser(extensions)
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    if args.self_test:
        from app.selftest import STEPS, run_self_test

        # uses its own temporary data folder, never the user's
        return run_self_test(steps=(*STEPS, *extensions.self_test_steps))
    handler: Handler | None = getattr(args, "handler", None) or extensions.desktop
    if handler is None:
        parser.print_help()
        return 2
    try:
        paths = resolve_data_paths(args.data_dir).ensure()
        configure_logging(args.verbose, paths.log_dir, windowed=handler is extensions.desktop)
        return handler(CommandContext(args, paths))
    except ArisError as error:
        log.debug("Command failed", exc_info=True)
        print(f"aris: {error.message}", file=sys.stderr)
        if handler is extensions.desktop and extensions.show_desktop_error is not None:
            extensions.show_desktop_error(error.message)
        return 1
    except KeyboardInterrupt:
        print("aris: interrupted", file=sys.stderr)
        return 130
