"""`models list|download|use|remove|verify`: the model manager on the command line."""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

from app.cli import CommandContext, Commands
from app.cli.common import print_json
from app.config import load_settings
from app.model_manager import ModelManager, ModelRow
from models.catalogue import parse_kind
from models.download import DownloadProgress

if TYPE_CHECKING:
    from rich.console import Console
from models.errors import ModelError


def register(commands: Commands) -> None:
    """Add `models …` to the CLI."""
    models = commands.add_parser("models", help="list, download, choose and check models")
    sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="the catalogue: what is installed, in use and downloadable")
    p.add_argument("--kind", help="only llm, stt, tts (voice) or embedding models")
    p.add_argument("--installed", action="store_true", help="only installed models")
    p.add_argument("--language", metavar="CODE", help="only models that speak this language (en, ru, …)")
    p.add_argument("--json", action="store_true", help="a JSON list of objects")
    p.set_defaults(handler=list_models)

    p = sub.add_parser("download", help="download and verify models (resumes an interrupted download)")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--use", action="store_true", help="use the model once it is installed")
    p.set_defaults(handler=download)

    p = sub.add_parser("use", help="use an installed model for its kind")
    p.add_argument("id", metavar="ID")
    p.set_defaults(handler=use)

    p = sub.add_parser("remove", help="delete a downloaded model")
    p.add_argument("id", metavar="ID")
    p.set_defaults(handler=remove)

    p = sub.add_parser("verify", help="re-check the checksum of every installed model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=verify)


def _manager(ctx: CommandContext) -> ModelManager:
    return ModelManager(ctx.paths, load_settings(ctx.paths.settings_file))


def list_models(ctx: CommandContext) -> int:
    """`models list`."""
    try:
        kind = parse_kind(ctx.args.kind) if ctx.args.kind else None
    except ValueError as error:
        raise ModelError(str(error)) from None
    rows = _manager(ctx).rows(kind=kind, installed_only=ctx.args.installed, language=ctx.args.language)
    if ctx.args.json:
        print_json([row.as_json() for row in rows])
        return 0
    for row in rows:
        print(_line(row))
    return 0


def _line(row: ModelRow) -> str:
    state = (
        "in use"
        if row.in_use
        else "installed"
        if row.installed
        else "available"
        if row.available
        else "no checksum"
    )
    size = f"{row.size_bytes / 1e6:,.0f} MB" if row.size_bytes else "? MB"
    mark = " *recommended" if row.recommended else ""
    return f"{row.id:<40} {row.kind:<9} {','.join(row.languages)[:14]:<14} {size:>9}  {state}{mark}"


def download(ctx: CommandContext) -> int:
    """`models download ID…` with a rich progress bar (speed and ETA)."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    manager = _manager(ctx)
    specs = [manager.spec(model_id) for model_id in ctx.args.ids]  # unknown ids fail before any download
    for spec in specs:
        manager.check_installable(spec)
    cancel = threading.Event()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=_stderr_console(),
        transient=False,
    ) as bar:
        for spec in specs:
            task = bar.add_task(spec.name, total=spec.size_bytes)

            def on_progress(update: DownloadProgress, task: TaskID = task) -> None:
                bar.update(task, completed=update.done_bytes)

            try:
                manager.install(spec.name, on_progress, cancel)
            except KeyboardInterrupt:
                cancel.set()
                raise
    for spec in specs:
        print(f"Installed {spec.name}.")
        if ctx.args.use:
            manager.use(spec.name)  # verifies again and saves the settings
            print(f"Now using {spec.name} for {spec.kind}.")
    return 0


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def use(ctx: CommandContext) -> int:
    """`models use ID`: verify it and make it the model of its kind."""
    manager = _manager(ctx)
    manager.use(ctx.args.id)
    print(f"Now using {ctx.args.id} for {manager.spec(ctx.args.id).kind}.")
    return 0


def remove(ctx: CommandContext) -> int:
    """`models remove ID`."""
    manager = _manager(ctx)
    manager.remove(ctx.args.id)
    print(f"Removed {ctx.args.id}.")
    return 0


def verify(ctx: CommandContext) -> int:
    """`models verify`: exit 1 if any installed model is damaged."""
    results = _manager(ctx).verify_all()
    if ctx.args.json:
        print_json([{"id": name, "ok": problem is None, "problem": problem} for name, problem in results])
    else:
        for name, problem in results:
            print(f"{name:<40} {'ok' if problem is None else 'DAMAGED: ' + problem}")
    damaged = [name for name, problem in results if problem is not None]
    if damaged:
        print(f"aris: {len(damaged)} model(s) damaged: {', '.join(damaged)}", file=sys.stderr)
        return 1
    return 0
