"""`timers` and `lists`: what the skills layer keeps, for scripts and people."""

from __future__ import annotations

import time
from typing import Any

from app.cli import CommandContext, Commands
from app.cli.common import print_json
from app.skills.errors import NoSuchListError, NoSuchTimerError
from app.skills.lists import list_name
from app.skills.speech import say_duration
from app.skills.store import SkillStore, TimerState
from app.storage.database import open_database


def register(commands: Commands) -> None:
    """Add `timers` and `lists` to the CLI."""
    p = commands.add_parser("timers", help="active timers and reminders (the desktop app rings them)")
    p.add_argument(
        "--json", action="store_true", help="a JSON list of {id, kind, name, fires_at, remaining_s}"
    )
    p.add_argument("--cancel", metavar="ID", help="cancel this timer or reminder (an id from the list)")
    p.set_defaults(handler=timers)
    p = commands.add_parser("lists", help="your lists (shopping, to-do, …), or the items of one")
    p.add_argument("name", nargs="?", metavar="NAME", help="one list, e.g. shopping")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=lists)


def _store(ctx: CommandContext) -> SkillStore:
    return SkillStore(open_database(ctx.paths.database))


def timers(ctx: CommandContext) -> int:
    """`timers [--json]`."""
    store = _store(ctx)
    if ctx.args.cancel:
        try:
            return _cancel(store, ctx.args.cancel)
        finally:
            store.db.conn.close()
    now = time.time()
    rows = [
        {
            "id": t.id,
            "kind": str(t.kind),
            "name": t.name,
            "fires_at": t.fires_at_iso(),
            "remaining_s": round(t.remaining(now), 1),
            "state": str(t.state),
            "recurrence": t.recurrence,
        }
        for t in store.active()
    ]
    store.db.conn.close()
    if ctx.args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No timers or reminders.")
    for row in rows:
        label = row["name"] or "(unnamed)"
        print(
            f"{row['kind']:8}  {label:24}  {row['fires_at']}  in {say_duration(float(str(row['remaining_s'])))}"
            f"{'  (paused)' if row['state'] == 'paused' else ''}"
        )
    return 0


def _cancel(store: SkillStore, timer_id: str) -> int:
    matches = [t for t in store.active() if t.id.startswith(timer_id)] if len(timer_id) >= 4 else []
    if len(matches) != 1:
        raise NoSuchTimerError(
            f"No running timer or reminder has the id {timer_id!r}. See: python main.py timers"
        )
    store.set_state(matches[0], TimerState.CANCELLED)
    print(f"Cancelled {matches[0].label()}.")
    return 0


def lists(ctx: CommandContext) -> int:
    """`lists [NAME] [--json]`."""
    store = _store(ctx)
    try:
        if ctx.args.name:
            name = list_name(ctx.args.name)
            named = store.find_list(name)
            if named is None:
                known = ", ".join(n.name for n in store.lists()) or "none yet"
                raise NoSuchListError(f"There is no list called {ctx.args.name!r} (lists: {known}).")
            chosen = [named]
        else:
            chosen = store.lists()
    finally:
        store.db.conn.close()
    documents: list[dict[str, Any]] = [
        {"name": n.name, "items": [{"text": i.text, "done": i.done} for i in n.items]} for n in chosen
    ]
    if ctx.args.json:
        print_json(documents[0] if ctx.args.name else documents)
        return 0
    if not documents:
        print("No lists yet.")
    for document in documents:
        print(f"{document['name']}:")
        for item in document["items"]:
            print(f"  [{'x' if item['done'] else ' '}] {item['text']}")
    return 0
