"""Russian requests through the real router and templates (home-assistant-intents' Russian ones plus ours):
the time, the date and timers answered in Russian with the right plural forms."""

from __future__ import annotations

import pytest

from app.skills.alarms import AlarmWatcher, missed_text
from app.skills.router import SkillRouter
from app.skills.russian import plural, say_duration
from app.skills.store import SkillStore, TimerKind
from tests.skills.conftest import Clock, say


@pytest.mark.parametrize(
    "text",
    ["Сколько сейчас времени?", "Который час?", "который сейчас", "сколько время", "Подскажи, который час"],
)
def test_the_time_in_russian(russian: SkillRouter, text: str) -> None:
    assert say(russian, text) == ("time", "Сейчас 10:00.")


def test_the_date_in_russian(russian: SkillRouter) -> None:
    assert say(russian, "Какая сегодня дата?") == ("date", "Сегодня понедельник, 30 ноября 2026 года.")


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("Поставь таймер на пять минут.", "Таймер поставлен на 5 минут."),
        ("поставь таймер на одну минуту", "Таймер поставлен на 1 минуту."),
        ("Поставь таймер на две минуты", "Таймер поставлен на 2 минуты."),
        ("таймер на 21 минуту", "Таймер поставлен на 21 минуту."),
        ("поставь таймер на 30 секунд", "Таймер поставлен на 30 секунд."),
        # what Whisper base hears when festival says "таймер"
        ("Поставь ты мир на пять минут.", "Таймер поставлен на 5 минут."),
        ("Поставь те мир на 5 минут.", "Таймер поставлен на 5 минут."),
        ("поставьте мир на 5 минут", "Таймер поставлен на 5 минут."),
        ("Засеки 2 минуты.", "Таймер поставлен на 2 минуты."),
    ],
)
def test_timers_in_russian(russian: SkillRouter, store: SkillStore, text: str, reply: str) -> None:
    assert say(russian, text) == ("timer", reply)
    assert len(store.active(TimerKind.TIMER)) == 1


def test_timer_status_and_cancel_in_russian(russian: SkillRouter, store: SkillStore, clock: Clock) -> None:
    say(russian, "Поставь таймер на пять минут")
    clock.value += 90
    assert say(russian, "Сколько осталось на таймере?") == (
        "timer",
        "До сигнала осталось 3 минуты 30 секунд.",
    )
    assert say(russian, "Отмени таймер") == ("timer", "Таймер отменён.")
    assert store.active(TimerKind.TIMER) == []


def test_auto_hears_russian_by_its_letters_and_english_still_works(store: SkillStore, clock: Clock) -> None:
    auto = SkillRouter(lambda: store, language="auto", now=clock)
    assert say(auto, "Который час?") == ("time", "Сейчас 10:00.")
    assert say(auto, "what time is it") == ("time", "It's 10:00 AM.")


def test_other_russian_requests_go_to_the_language_model(russian: SkillRouter) -> None:
    assert say(russian, "Кто написал Войну и мир?") == (None, "")
    assert say(russian, "Какой мир большой") == (None, "")


def test_russian_plurals() -> None:
    forms = ("минуту", "минуты", "минут")
    assert [plural(n, forms) for n in (1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111)] == [
        "минуту", "минуты", "минуты", "минут", "минут", "минут", "минут",
        "минуту", "минуты", "минут", "минуту", "минут",
    ]  # fmt: skip
    assert say_duration(5400) == "1 час 30 минут"
    assert say_duration(0) == "0 секунд"


def test_a_russian_timer_rings_in_russian(russian: SkillRouter, store: SkillStore, clock: Clock) -> None:
    language = "ru"
    watcher = AlarmWatcher(store, lambda ring: None, language=lambda: language)
    say(russian, "Поставь таймер на пять минут")
    say(russian, "Засеки 2 минуты")
    clock.value += 121
    assert [r.text for r in watcher.check()] == ["Таймер на 2 минуты сработал."]
    language = "en"  # the setting changed: the next ring follows it
    clock.value += 180
    assert [r.text for r in watcher.check()] == ["Your timer is done."]


def test_what_rang_while_closed_is_announced_in_russian(
    russian: SkillRouter, store: SkillStore, clock: Clock
) -> None:
    say(russian, "Поставь таймер на пять минут")
    clock.value += 3600
    missed = AlarmWatcher(store, lambda ring: None, language=lambda: "ru").missed_at_start()
    assert missed_text(missed, "ru") == "Пока я был закрыт, сработали: таймер на 5 минут в 10:05."
