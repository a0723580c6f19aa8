"""Timers, reminders and lists in the Aris database, so they survive a restart and the CLI and the desktop
app (two processes) see the same ones."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlite_utils import Database

from app.storage.clock import HybridClock, utc_now
from app.storage.database import db_lock, node_clock, write


class TimerKind(StrEnum):
    """What rings: a countdown or a reminder at a time of day."""

    TIMER = "timer"
    REMINDER = "reminder"


class TimerState(StrEnum):
    """Where a timer is in its life."""

    RUNNING = "running"
    PAUSED = "paused"
    RANG = "rang"
    MISSED = "missed"
    CANCELLED = "cancelled"


ACTIVE = (TimerState.RUNNING, TimerState.PAUSED)


@dataclass(frozen=True)
class Timer:
    """A timer or reminder as stored."""

    id: str
    kind: TimerKind
    name: str
    duration_s: float
    fires_at: float
    """Seconds since the epoch when it rings (for a paused timer: when it would if resumed now)."""
    state: TimerState
    remaining_s: float | None
    """Frozen time left while paused."""
    recurrence: str | None
    """"weekdays", "daily" or a weekday name; None for one ring."""

    def remaining(self, now: float) -> float:
        """Seconds until it rings (frozen while paused)."""
        if self.state is TimerState.PAUSED and self.remaining_s is not None:
            return self.remaining_s
        return max(0.0, self.fires_at - now)

    def fires_at_iso(self) -> str:
        """When it rings, ISO 8601 with the local offset."""
        return datetime.fromtimestamp(self.fires_at, UTC).astimezone().isoformat(timespec="seconds")

    def label(self) -> str:
        """How to name it aloud: "the pasta timer", "the 10 minute timer", "your reminder to call Bob"."""
        if self.kind is TimerKind.REMINDER:
            return f"your reminder to {self.name}" if self.name else "your reminder"
        return f"the {self.name} timer" if self.name else "the timer"


@dataclass(frozen=True)
class ListItem:
    """One entry of a list."""

    id: str
    text: str
    done: bool


@dataclass(frozen=True)
class NamedList:
    """A list and its live items, oldest first."""

    id: str
    name: str
    items: tuple[ListItem, ...]


class SkillStore:
    """Timer and list rows on one database connection (shared with the rest of the app when given)."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.now = clock
        self._hlc: HybridClock | None = None

    @property
    def hlc(self) -> HybridClock:
        """The device's hybrid clock, stamped on list rows for sync; it first observes the newest list change
        (synced ones included), so a local edit after a pull is never older than what was pulled."""
        if self._hlc is None:
            self._hlc = node_clock(self.db)
        for table in ("lists", "list_items"):
            latest = self.db.execute(f"SELECT max(hlc) FROM {table}").fetchone()[0]
            if latest and latest[:13].isdigit():
                self._hlc.observe(latest)
        return self._hlc

    # ---- timers ----------------------------------------------------------------------------------------

    def add_timer(
        self,
        kind: TimerKind,
        name: str,
        fires_at: float,
        duration_s: float = 0.0,
        recurrence: str | None = None,
    ) -> Timer:
        """Store a new running timer or reminder."""
        timer_id = uuid.uuid4().hex[:12]
        stamp = utc_now()
        with write(self.db, "save the timer"):
            self.db.execute(
                "INSERT INTO timers(id, kind, name, duration_s, fires_at, state, recurrence, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [timer_id, kind, name, duration_s, fires_at, TimerState.RUNNING, recurrence, stamp, stamp],
            )
        return self.get(timer_id)

    def get(self, timer_id: str) -> Timer:
        """One timer by id."""
        with db_lock(self.db):
            row = self.db.execute(f"SELECT {_TIMER_COLUMNS} FROM timers WHERE id = ?", [timer_id]).fetchone()
        return _timer(row)

    def active(self, kind: TimerKind | None = None) -> list[Timer]:
        """Running and paused timers (and reminders), soonest first."""
        sql = f"SELECT {_TIMER_COLUMNS} FROM timers WHERE state IN ('running', 'paused')"
        params: list[object] = []
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        with db_lock(self.db):
            rows = self.db.execute(sql + " ORDER BY fires_at", params).fetchall()
        timers = [_timer(row) for row in rows]
        now = self.now()
        return sorted(timers, key=lambda t: t.remaining(now))

    def due(self) -> list[Timer]:
        """Running timers whose time has come."""
        with db_lock(self.db):
            rows = self.db.execute(
                f"SELECT {_TIMER_COLUMNS} FROM timers WHERE state = 'running' AND fires_at <= ? ORDER BY fires_at",
                [self.now()],
            ).fetchall()
        return [_timer(row) for row in rows]

    def set_state(
        self,
        timer: Timer,
        state: TimerState,
        *,
        fires_at: float | None = None,
        remaining_s: float | None = None,
    ) -> Timer:
        """Move a timer on (paused, resumed, rang, cancelled) or reschedule it."""
        with write(self.db, "update the timer"):
            self.db.execute(
                "UPDATE timers SET state = ?, fires_at = ?, remaining_s = ?, updated_at = ? WHERE id = ?",
                [
                    state,
                    fires_at if fires_at is not None else timer.fires_at,
                    remaining_s,
                    utc_now(),
                    timer.id,
                ],
            )
        return self.get(timer.id)

    def claim(self, timer: Timer, state: TimerState, *, fires_at: float | None = None) -> bool:
        """Move a running timer that is due to ``state`` (rang, missed, or running again for a repeat) unless
        another process got there first: only one Aris window rings it."""
        with write(self.db, "update the timer"):
            cursor = self.db.execute(
                "UPDATE timers SET state = ?, fires_at = ?, updated_at = ? "
                "WHERE id = ? AND state = 'running' AND fires_at = ?",
                [
                    state,
                    fires_at if fires_at is not None else timer.fires_at,
                    utc_now(),
                    timer.id,
                    timer.fires_at,
                ],
            )
        return cursor.rowcount == 1

    # ---- lists -----------------------------------------------------------------------------------------

    def lists(self) -> list[NamedList]:
        """Every live list with its items, by name."""
        with db_lock(self.db):
            rows = self.db.execute(
                "SELECT id, name FROM lists WHERE deleted_at IS NULL ORDER BY name"
            ).fetchall()
        return [self._load(list_id, name) for list_id, name in rows]

    def find_list(self, name: str) -> NamedList | None:
        """The live list called ``name``, or None."""
        with db_lock(self.db):
            row = self.db.execute(
                "SELECT id, name FROM lists WHERE name = ? AND deleted_at IS NULL", [name]
            ).fetchone()
        return self._load(row[0], row[1]) if row else None

    def add_items(self, name: str, texts: list[str]) -> tuple[NamedList, list[str]]:
        """Add items (creating the list if needed); returns the list and the texts that were already on it."""
        stamp = utc_now()
        already: list[str] = []
        with write(self.db, f"add to the {name} list"):
            existing = self.find_list(name)
            if existing is None:
                list_id = list_id_for(name)
                # A list cleared away (or only known from synced items) comes back under the same id.
                self.db.execute(
                    "INSERT INTO lists(id, name, created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET name = excluded.name, deleted_at = NULL, "
                    "updated_at = excluded.updated_at, hlc = excluded.hlc",
                    [list_id, name, stamp, stamp, self.hlc.now()],
                )
                existing = NamedList(list_id, name, ())
            open_items = {item.text.lower() for item in existing.items if not item.done}
            for text in texts:
                if text.lower() in open_items:
                    already.append(text)
                    continue
                self.db.execute(
                    "INSERT INTO list_items(id, list_id, text, created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?)",
                    [uuid.uuid4().hex[:12], existing.id, text, stamp, stamp, self.hlc.now()],
                )
                open_items.add(text.lower())
        found = self.find_list(name)
        assert found is not None
        return found, already

    def update_items(self, named: NamedList, item_ids: list[str], *, done: bool | None = None) -> None:
        """Check items off (``done=True``) or delete them (``done=None``), keeping tombstones for sync."""
        stamp = utc_now()
        with write(self.db, f"change the {named.name} list"):
            for item_id in item_ids:
                if done is None:
                    self.db.execute(
                        "UPDATE list_items SET deleted_at = ?, updated_at = ?, hlc = ? WHERE id = ?",
                        [stamp, stamp, self.hlc.now(), item_id],
                    )
                else:
                    self.db.execute(
                        "UPDATE list_items SET done = ?, updated_at = ?, hlc = ? WHERE id = ?",
                        [int(done), stamp, self.hlc.now(), item_id],
                    )

    def _load(self, list_id: str, name: str) -> NamedList:
        with db_lock(self.db):
            rows = self.db.execute(
                "SELECT id, text, done FROM list_items WHERE list_id = ? AND deleted_at IS NULL "
                "ORDER BY created_at, rowid",
                [list_id],
            ).fetchall()
        return NamedList(list_id, name, tuple(ListItem(r[0], r[1], bool(r[2])) for r in rows))


_LIST_NAMESPACE = uuid.UUID("0e6f2b4a-7c1d-4f5e-9a3b-8d2c6e1f4a70")


def list_id_for(name: str) -> str:
    """A list's id, derived from its name: two computers that each start a shopping list make one list, so
    sync merges their items instead of holding two lists of the same name."""
    return uuid.uuid5(_LIST_NAMESPACE, name).hex[:12]


_TIMER_COLUMNS = "id, kind, name, duration_s, fires_at, state, remaining_s, recurrence"


def _timer(row: tuple[Any, ...]) -> Timer:
    return Timer(row[0], TimerKind(row[1]), row[2], row[3], row[4], TimerState(row[5]), row[6], row[7])
