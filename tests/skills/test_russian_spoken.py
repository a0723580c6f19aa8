"""Ten everyday Russian requests spoken end to end, as `python main.py listen` hears them: festival's Russian
voice → the listen path (endpointing, then whisper-base joined from its PyPI packages with the language set to
"ru") → the Russian skills. Each
reply is checked against what the test works out itself (the timer's length, the list's items, the days to a
date); at least 8 of 10 must be right (festival's voice is synthetic and Whisper base bends some of its
words differently on different CPUs, so one in five may be lost)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.assistant import Assistant
from app.config import ModelSettings, Settings
from app.paths import DataPaths
from app.skills.router import SkillRouter
from app.skills.russian.lists import same_item
from app.skills.russian.words import WEEKDAYS
from app.skills.store import SkillStore, TimerKind
from engine.audio import WavSource
from tests.conftest import run_cli, russian_speech
from tests.skills.conftest import Clock

pytestmark = pytest.mark.slow  # synthesizes ten clips, loads Whisper base and the chat model (~1 min here)

RIGHT = 8
"""Requests of the ten that must be answered right end to end."""


@dataclass(frozen=True)
class Check:
    """What the reply (and the store after it) must show for a request to count as right."""

    skill: str
    holds: Callable[[str, SkillStore, datetime], bool]


def _at(store: SkillStore, moment: datetime, *, name_has: str) -> bool:
    """Whether a reminder rings at ``moment`` with ``name_has`` in its task ("" for an alarm: no task)."""
    return any(
        abs(r.fires_at - moment.timestamp()) < 1 and (name_has in r.name if name_has else not r.name)
        for r in store.active(TimerKind.REMINDER)
    )


def _items(store: SkillStore, name: str) -> list[str]:
    named = store.find_list(name)
    return [item.text for item in named.items if not item.done] if named else []


def _comma(value: float) -> str:
    return f"{round(value, 2):g}".replace(".", ",")


REQUESTS: list[tuple[str, Check]] = [
    ("Сколько будет пятнадцать процентов от шестидесяти восьми?", Check("math", lambda text, s, now: _comma(15 * 68 / 100) in text)),
    ("Поставь таймер на пять минут.", Check("timer", lambda text, s, now: [t.duration_s for t in s.active(TimerKind.TIMER)] == [300])),
    ("Сколько фунтов в десяти килограммах?", Check("units", lambda text, s, now: _comma(10 / 0.45359237) in text and "фунт" in text)),
    ("Сколько времени в Лондоне?", Check("time", lambda text, s, now: f"{now.astimezone(ZoneInfo('Europe/London')):%H:%M}" in text)),
    ("Сколько дней до Нового года?", Check("date", lambda text, s, now: f" {(date(now.year + 1, 1, 1) - now.date()).days} " in text)),
    ("Разбуди меня в семь утра.", Check("reminder", lambda text, s, now: _at(s, (now + timedelta(days=1)).replace(hour=7, minute=0), name_has=""))),
    ("Напомни мне купить хлеб завтра в девять.", Check("reminder", lambda text, s, now: _at(s, (now + timedelta(days=1)).replace(hour=9, minute=0), name_has="хлеб"))),
    ("Добавь молоко в список покупок.", Check("list", lambda text, s, now: any(same_item(item, "молоко") for item in _items(s, "shopping")))),
    ("Есть ли молоко в списке покупок?", Check("list", lambda text, s, now: text.startswith("Да"))),
    ("Какой день недели будет в Рождество?", Check("date", lambda text, s, now: WEEKDAYS[date(now.year + 1, 1, 7).weekday()] in text)),
]  # fmt: skip
"""Everyday requests, one or two per family, in the order a person might ask them (the milk is added before it
is asked about)."""


@pytest.fixture(scope="module")
def whisper_base(tmp_path_factory: pytest.TempPathFactory) -> DataPaths:
    """A data folder where `models download whisper-base` joined and verified the model."""
    data = tmp_path_factory.mktemp("ru-spoken")
    result = run_cli("models", "download", "whisper-base", data_dir=data, timeout=300)
    assert result.returncode == 0, result.stderr
    return DataPaths(data)


@pytest.fixture
def assistant(whisper_base: DataPaths, store: SkillStore, clock: Clock) -> Assistant:
    """An assistant set to Russian whose skills use the test's store and clock (so replies are known)."""
    built = Assistant(whisper_base, Settings(models=ModelSettings(language="ru"), memory_enabled=False))
    built._skills = SkillRouter(lambda: store, language="ru", now=clock)
    yield built
    built._skills = None  # the store is the fixture's to close
    built.close()


def test_ten_spoken_russian_requests(
    assistant: Assistant, store: SkillStore, clock: Clock, tmp_path: Path
) -> None:
    now = datetime.fromtimestamp(clock()).astimezone()
    outcomes = []
    for index, (sentence, check) in enumerate(REQUESTS):
        clip = russian_speech(sentence, tmp_path / f"{index}.wav")
        result = assistant.listen_and_answer(WavSource.from_file(clip, pad_seconds=1.0))
        heard, reply = (result.transcript, result.reply) if result else ("", "")
        right = result is not None and result.skill == check.skill and check.holds(reply, store, now)
        outcomes.append((right, sentence, heard, reply))
    report = "\n".join(f"{'ok ' if r else 'MISS'} {s!r} heard {h!r} → {t!r}" for r, s, h, t in outcomes)
    print(report)  # the figure, with -s
    assert sum(r for r, *_ in outcomes) >= RIGHT, report
