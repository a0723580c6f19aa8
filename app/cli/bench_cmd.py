"""`bench`: latency benchmarks (voice turn by default; `bench memory` for the memory store; `bench sync` for
end-to-end encrypted sync between two devices)."""

from __future__ import annotations

import argparse

from app.cli import CommandContext


def register(commands: argparse._SubParsersAction) -> None:
    """Add `bench` to the CLI."""
    p = commands.add_parser(
        "bench", help="measure voice-turn latency (or: bench memory, bench sync, bench startup)"
    )
    p.add_argument(
        "suite",
        nargs="?",
        default="voice",
        choices=["voice", "memory", "sync", "startup"],
        help="what to measure",
    )
    p.add_argument("--turns", type=int, default=5, help="voice turns per pipeline (default 5)")
    p.add_argument(
        "--count",
        type=int,
        help="memories for `bench memory` (default 100000) or `bench sync` (default 10000)",
    )
    p.add_argument("--runs", type=int, default=5, help="app launches for `bench startup` (default 5)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(handler=bench)


def bench(ctx: CommandContext) -> int:
    """Run the chosen benchmark."""
    if ctx.args.suite == "memory":
        from app.memory.bench import run_memory_bench

        run_memory_bench(ctx.paths, count=ctx.args.count or 100_000, as_json=ctx.args.json)
        return 0
    if ctx.args.suite == "sync":
        from app.sync.bench import run_sync_bench

        run_sync_bench(count=ctx.args.count or 10_000, as_json=ctx.args.json)
        return 0
    if ctx.args.suite == "startup":
        from ui.startup_bench import run_startup_bench

        run_startup_bench(ctx.args.runs, as_json=ctx.args.json)
        return 0
    from app.bench import run_voice_bench

    run_voice_bench(ctx.paths, turns=ctx.args.turns, as_json=ctx.args.json)
    return 0
