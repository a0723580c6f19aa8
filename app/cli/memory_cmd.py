"""`memory`: look at and manage what Aris remembers (add, list, search, edit, forget, pin, export, import,
reindex). These commands never load the language model: adding uses the rules only."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import CommandContext, Commands
from app.cli.common import print_json
from app.memory.rules import KINDS
from app.storage.records import Memory

if TYPE_CHECKING:
    from app.memory.service import MemoryService


def register(commands: Commands) -> None:
    """Add `memory …` to the CLI."""
    group = commands.add_parser("memory", help="look at and manage what Aris remembers")
    sub = group.add_subparsers(dest="memory_command", metavar="ACTION", required=True)

    p = sub.add_parser("add", help="remember TEXT (first person is fine: 'my sister is Alice')")
    p.add_argument("text")
    p.add_argument("--kind", choices=KINDS, help="what sort of memory (default: guessed)")
    p.add_argument("--pin", action="store_true", help="pin it: preferred whenever it is relevant")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=add)

    p = sub.add_parser("list", help="list the memories (pinned first, newest first)")
    p.add_argument("--history", action="store_true", help="also show memories replaced by newer ones")
    p.add_argument("--limit", type=int, help="show at most N")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=list_)

    p = sub.add_parser("search", help="memories relevant to QUERY, best first (the ranking recall uses)")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=10, help="show at most N (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON with scores")
    p.set_defaults(handler=search)

    p = sub.add_parser("edit", help="replace the text of memory ID (the old text is kept as history)")
    p.add_argument("id", help="a memory id or its first characters (see: memory list)")
    p.add_argument("text")
    p.add_argument("--kind", choices=KINDS, help="change its kind too")
    p.add_argument("--json", action="store_true", help="print the new memory as JSON")
    p.set_defaults(handler=edit)

    p = sub.add_parser("forget", help="forget memories by ID, or everything matching --about TEXT")
    p.add_argument("ids", nargs="*", metavar="ID", help="memory ids or their first characters")
    p.add_argument("--about", metavar="TEXT", help="forget every memory about TEXT (e.g. 'my car')")
    p.add_argument("--all", action="store_true", help="forget every memory")
    p.add_argument("--json", action="store_true", help="print what was forgotten as JSON")
    p.set_defaults(handler=forget)

    p = sub.add_parser("pin", help="pin memory ID so recall prefers it (--off to unpin)")
    p.add_argument("id")
    p.add_argument("--off", action="store_true", help="unpin instead")
    p.set_defaults(handler=pin)

    p = sub.add_parser("export", help="write every memory to a JSON file (or stdout)")
    p.add_argument("file", nargs="?", type=Path, help="output file (default: print to stdout)")
    p.set_defaults(handler=export)

    p = sub.add_parser("import", help="add the memories of an exported JSON file (all or nothing)")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p.set_defaults(handler=import_)

    p = sub.add_parser("reindex", help="rebuild the search index from the database")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=reindex)


def _open(ctx: CommandContext) -> MemoryService:
    from app.memory.service import MemoryService  # chromadb takes 0.3 s to import: only when needed

    return MemoryService.open(ctx.paths)


def _line(memory: Memory) -> str:
    flags = "*" if memory.pinned else " "
    if not memory.is_live:
        flags = "~"
    return f"{memory.id[:8]} {flags} {memory.kind:<10} {memory.text}"


def add(ctx: CommandContext) -> int:
    """`memory add TEXT`."""
    service = _open(ctx)
    try:
        decision = service.add(ctx.args.text, ctx.args.kind, pinned=ctx.args.pin)
        memory = decision.stored or (decision.targets[0] if decision.targets else None)
    finally:
        service.close()
    if ctx.args.json:
        print_json(
            {
                "action": decision.action.value,
                "memory": memory.to_dict() if memory else None,
                "replaced": [m.id for m in decision.targets],
            }
        )
        return 0
    if decision.action.value == "none":
        print(
            f"Already remembered: {decision.targets[0].text if decision.targets else decision.candidate.text}"
        )
    elif decision.action.value == "update":
        print(f"Updated: {decision.candidate.text} (replaces: {'; '.join(m.text for m in decision.targets)})")
    else:
        print(f"Remembered: {decision.candidate.text}")
    return 0


def list_(ctx: CommandContext) -> int:
    """`memory list`."""
    service = _open(ctx)
    try:
        memories = service.list(include_history=ctx.args.history, limit=ctx.args.limit)
    finally:
        service.close()
    if ctx.args.json:
        print_json([m.to_dict() for m in memories])
        return 0
    if not memories:
        print('No memories yet. Add one with: python main.py memory add "My sister\'s name is Alice"')
        return 0
    for memory in memories:
        print(_line(memory))
    print(f"({len(memories)} shown; * pinned{', ~ replaced' if ctx.args.history else ''})", file=sys.stderr)
    return 0


def search(ctx: CommandContext) -> int:
    """`memory search QUERY`."""
    service = _open(ctx)
    try:
        ranked = service.search(ctx.args.query, limit=ctx.args.limit)
    finally:
        service.close()
    if ctx.args.json:
        print_json(
            [
                {
                    **r.memory.to_dict(),
                    "score": round(r.score, 5),
                    "similarity": round(r.similarity, 4),
                    "vector_rank": r.vector_rank,
                    "text_rank": r.text_rank,
                }
                for r in ranked
            ]
        )
        return 0
    if not ranked:
        print("No memory matches.")
    for r in ranked:
        print(f"{r.similarity:5.2f} {_line(r.memory)}")
    return 0


def edit(ctx: CommandContext) -> int:
    """`memory edit ID TEXT`."""
    service = _open(ctx)
    try:
        memory = service.edit(ctx.args.id, ctx.args.text, ctx.args.kind)
    finally:
        service.close()
    if ctx.args.json:
        print_json(memory.to_dict())
    else:
        print(f"Edited: {_line(memory)}")
    return 0


def forget(ctx: CommandContext) -> int:
    """`memory forget ID… | --about TEXT | --all`."""
    chosen = sum(bool(x) for x in (ctx.args.ids, ctx.args.about, ctx.args.all))
    if chosen != 1:
        print("aris: give memory IDs, or --about TEXT, or --all (exactly one of them).", file=sys.stderr)
        return 1
    service = _open(ctx)
    try:
        if ctx.args.all:
            count = service.forget_all()
            forgotten: list[Memory] = []
        elif ctx.args.about:
            forgotten = service.forget_matching(ctx.args.about)
            count = len(forgotten)
        else:
            targets = [service.get(memory_id) for memory_id in ctx.args.ids]  # all must exist before any go
            forgotten = [service.forget(m.id) for m in targets]
            count = len(forgotten)
    finally:
        service.close()
    if ctx.args.json:
        print_json({"forgotten": count, "ids": [m.id for m in forgotten]})
        return 0
    for memory in forgotten:
        print(f"Forgot: {memory.text}")
    if count == 0:
        print("Nothing matched; nothing was forgotten.")
    elif ctx.args.all:
        print(f"Forgot all {count} memories.")
    return 0


def pin(ctx: CommandContext) -> int:
    """`memory pin ID [--off]`."""
    service = _open(ctx)
    try:
        memory = service.pin(ctx.args.id, not ctx.args.off)
    finally:
        service.close()
    print(f"{'Pinned' if memory.pinned else 'Unpinned'}: {memory.text}")
    return 0


def export(ctx: CommandContext) -> int:
    """`memory export [FILE]`."""
    service = _open(ctx)
    try:
        document = service.export_json()
    finally:
        service.close()
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if ctx.args.file is None:
        sys.stdout.write(text)
        return 0
    try:
        ctx.args.file.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"aris: cannot write {ctx.args.file}: {error.strerror}.", file=sys.stderr)
        return 1
    print(f"Exported {len(document['memories'])} memories to {ctx.args.file}", file=sys.stderr)
    return 0


def import_(ctx: CommandContext) -> int:
    """`memory import FILE`: validated completely first, then written in one transaction."""
    from app.memory.transfer import read_export

    document = read_export(ctx.args.file)
    service = _open(ctx)
    try:
        report = service.import_json(document)
    finally:
        service.close()
    if ctx.args.json:
        print_json({"added": report.added, "skipped": report.skipped})
    else:
        print(f"Imported {report.added} memories ({report.skipped} already here).")
    return 0


def reindex(ctx: CommandContext) -> int:
    """`memory reindex`."""
    service = _open(ctx)
    try:
        report = service.reindex()
    finally:
        service.close()
    if ctx.args.json:
        print_json({"indexed": report.added, "seconds": round(report.seconds, 3)})
    else:
        print(f"Rebuilt the search index: {report.added} memories.")
    return 0
