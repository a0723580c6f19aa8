"""A real router on a real SQLite database in tmp_path, with a clock the test moves."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.skills.router import SkillRouter
from app.skills.store import SkillStore
from app.storage.database import open_database


@dataclass
class Clock:
    """Seconds since the epoch, moved by the test."""

    value: float

    def __call__(self) -> float:
        return self.value


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Local time is UTC in these tests, so spoken times are known."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture
def clock() -> Clock:
    """Monday 30 November 2026, 10:00 UTC."""
    return Clock(1796032800.0)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> SkillStore:
    """The skills' store on a fresh database."""
    opened = SkillStore(open_database(tmp_path / "aris.db"), clock=clock)
    yield opened
    opened.db.conn.close()


@pytest.fixture
def router(store: SkillStore, clock: Clock) -> SkillRouter:
    """Skills as the pipeline asks them."""
    return SkillRouter(lambda: store, now=clock)


@pytest.fixture
def russian(store: SkillStore, clock: Clock) -> SkillRouter:
    """Skills with the language set to Russian."""
    return SkillRouter(lambda: store, language="ru", now=clock)


def say(router: SkillRouter, text: str) -> tuple[str | None, str]:
    """(skill, reply) for one request; (None, "") when the language model should answer."""
    reply = router.handle(text)
    return (reply.skill, reply.text) if reply else (None, "")
