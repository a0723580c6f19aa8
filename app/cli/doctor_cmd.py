"""`doctor`: check models, audio devices and disk, and say what to do about each problem."""

from __future__ import annotations

from app.cli import CommandContext, Commands
from app.cli.common import print_json
from app.doctor import run_checks


def register(commands: Commands) -> None:
    """Add `doctor` to the CLI."""
    p = commands.add_parser("doctor", help="check models, audio devices and disk space")
    p.add_argument("--json", action="store_true", help="machine-readable results")
    p.set_defaults(handler=doctor)


def doctor(ctx: CommandContext) -> int:
    """Print each check; exit 1 if any failed."""
    results = run_checks(ctx.paths)
    if ctx.args.json:
        print_json([{"name": r.name, "ok": r.ok, "detail": r.detail, "fix": r.fix} for r in results])
    else:
        for r in results:
            mark = "ok  " if r.ok else "FAIL"
            print(f"[{mark}] {r.name}: {r.detail}")
            if not r.ok and r.fix:
                print(f"       fix: {r.fix}")
    return 0 if all(r.ok for r in results) else 1
