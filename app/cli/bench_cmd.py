"""`bench`: latency benchmarks (voice turn by default; `bench live` for the whole voice loop heard through a
private sound server; `bench memory` for the memory store; `bench sync` for end-to-end encrypted sync between
two devices)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from app.cli import CommandContext, Handler

SUITES = ("voice", "memory", "sync", "live")


def register(commands: argparse._SubParsersAction, extra_suites: Mapping[str, Handler] | None = None) -> None:
    """Add `bench` to the CLI, with the suites that layers above `app/` add (the desktop's `startup`)."""
    extra_suites = dict(extra_suites or {})
    names = [*SUITES, *extra_suites]
    p = commands.add_parser(
        "bench", help=f"measure voice-turn latency (or: bench {', bench '.join(names[1:])})"
    )
    p.add_argument("suite", nargs="?", default="voice", choices=names, help="what to measure")
    p.add_argument("--turns", type=int, default=5, help="voice turns per pipeline (default 5)")
    p.add_argument(
        "--count",
        type=int,
        help="memories for `bench memory` (default 100000) or `bench sync` (default 10000)",
    )
    p.add_argument("--runs", type=int, default=5, help="app launches for `bench startup` (default 5)")
    p.add_argument(
        "--echo-minutes",
        type=float,
        default=2.0,
        help="`bench live`: minutes of echoed reply checked for self-interruptions (default 2)",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(handler=bench, extra_suites=extra_suites)


def bench(ctx: CommandContext) -> int:
    """Run the chosen benchmark."""
    extra = ctx.args.extra_suites.get(ctx.args.suite)
    if extra is not None:
        return extra(ctx)
    if ctx.args.suite == "memory":
        from app.memory.bench import run_memory_bench

        run_memory_bench(ctx.paths, count=ctx.args.count or 100_000, as_json=ctx.args.json)
        return 0
    if ctx.args.suite == "sync":
        from app.sync.bench import run_sync_bench

        run_sync_bench(count=ctx.args.count or 10_000, as_json=ctx.args.json)
        return 0
    if ctx.args.suite == "live":
        from app.livebench.run import LiveOptions, run_live_bench

        options = LiveOptions(turns=ctx.args.turns, echo_minutes=ctx.args.echo_minutes)
        run_live_bench(ctx.paths, options, as_json=ctx.args.json)
        return 0
    from app.bench import run_voice_bench

    run_voice_bench(ctx.paths, turns=ctx.args.turns, as_json=ctx.args.json)
    return 0
