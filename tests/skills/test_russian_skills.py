"""Typed Russian requests for every everyday family, several phrasings each, through the real router, templates
and store (Monday 30 November 2026, 10:00 UTC): sums, units, the time in other places, days and holidays,
alarms, reminders and lists, answered in Russian with the right forms."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.bench.skills import run_skills_bench
from app.skills.router import SkillRouter
from app.skills.russian.lists import same_item
from app.skills.russian.words import parse_duration, plural, to_digits
from app.skills.store import SkillStore, TimerKind
from tests.skills.conftest import Clock, say


def _utc(day: int, hour: int, minute: int = 0, month: int = 12) -> float:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("Сколько будет 15% от 68?", "Это 10,2."),
        ("пятнадцать процентов от шестидесяти восьми", "Это 10,2."),
        ("Сколько будет 15% от 68%?", "Это 10,2."),  # how Whisper writes it, through `listen`
        ("сколько будет 17 умножить на 3", "Это 51."),
        ("сколько будет сто двадцать разделить на четыре", "Это 30."),
        ("Раздели 120 на 4.", "Это 30."),
        ("корень из 144", "Это 12."),
        ("Квадратный корень из двух", "Это примерно 1,41."),
        ("сумма 45 и 16", "Это 61."),
        ("среднее 4, 8 и 15", "Это 9."),
        ("посчитай 2 плюс 2", "Это 4."),
        ("чему равно 7 в квадрате", "Это 49."),
        ("сколько будет 2,5 умножить на 4", "Это 10."),
        ("сколько будет 1000 минус 1", "Это 999."),
        ("сколько будет 5 разделить на 0", "На ноль делить нельзя."),
    ],
)
def test_sums_in_russian(russian: SkillRouter, text: str, reply: str) -> None:
    assert say(russian, text) == ("math", reply)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("Сколько фунтов в 10 килограммах?", "10 килограммов — это примерно 22,05 фунта."),
        ("сколько фунтов в десяти килограммах", "10 килограммов — это примерно 22,05 фунта."),
        ("Сколько сантиметров в дюйме?", "1 дюйм — это 2,54 сантиметра."),
        ("переведи 5 миль в километры", "5 миль — это примерно 8,05 километра."),
        ("сколько граммов в 2 фунтах", "2 фунта — это примерно 907,18 грамма."),
        ("сколько минут в 3 часах", "3 часа — это 180 минут."),
        ("сколько метров в 1 миле", "1 миля — это 1\u00a0609,3 метра."),
        ("сколько килограммов в 5 метрах", "Нельзя перевести метров в килограммов: они измеряют разное."),
    ],
)
def test_units_in_russian(russian: SkillRouter, text: str, reply: str) -> None:
    assert say(russian, text) == ("units", reply)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("Который час в Токио?", "В Токио сейчас 19:00, понедельник."),
        ("сколько сейчас времени в Нью-Йорке", "В Нью-Йорке сейчас 05:00, понедельник."),
        ("Какое время в Лондоне?", "В Лондоне сейчас 10:00, понедельник."),
        ("который час во Владивостоке", "Во Владивостоке сейчас 20:00, понедельник."),
        ("сколько времени в Москве", "В Москве сейчас 13:00, понедельник."),
        ("время в Сиднее", "В Сиднее сейчас 21:00, понедельник."),
        ("сколько времени в Урюпинске", "Я не знаю часового пояса места «Урюпинске». Назовите ближайший крупный город."),
    ],
)  # fmt: skip
def test_time_in_other_places_in_russian(russian: SkillRouter, text: str, reply: str) -> None:
    assert say(russian, text) == ("time", reply)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("Какой день недели будет в Рождество?", "Рождество, 7 января 2027 года — четверг."),
        ("в какой день недели будет католическое рождество", "Католическое Рождество, 25 декабря 2026 года — пятница."),
        ("Сколько дней до Нового года?", "До Нового года 32 дня: это пятница, 1 января 2027 года."),
        ("сколько дней осталось до первого сентября", "До 1 сентября 275 дней: это среда, 1 сентября 2027 года."),
        ("сколько дней до 8 марта", "До 8 Марта 98 дней: это понедельник, 8 марта 2027 года."),
        ("какое число будет через 5 дней", "Через 5 дней будет суббота, 5 декабря."),
        ("какой день недели будет через неделю", "Через неделю будет понедельник, 7 декабря."),
        ("какое число будет завтра", "Завтра будет вторник, 1 декабря."),
        ("какой день недели будет двадцать пятое декабря", "25 декабря 2026 года — пятница."),
        ("когда Новый год", "Новый год, 1 января 2027 года — пятница."),
        ("какой день недели сегодня", "Сегодня понедельник, 30 ноября."),
        ("какой день недели был вчера", "Вчера было воскресенье, 29 ноября."),
        ("какое число будет в следующую пятницу", "В пятницу будет 4 декабря."),
        ("какое число будет в понедельник", "В понедельник будет 7 декабря."),  # said on a Monday
        ("сколько дней до субботы", "До субботы 5 дней: это суббота, 5 декабря 2026 года."),
    ],
)  # fmt: skip
def test_days_and_holidays_in_russian(russian: SkillRouter, text: str, reply: str) -> None:
    assert say(russian, text) == ("date", reply)


@pytest.mark.parametrize(
    ("text", "rings_at", "said"),
    [
        ("Разбуди меня в 5:30", _utc(1, 5, 30), "завтра в 05:30"),
        ("разбуди меня в пять тридцать", _utc(1, 5, 30), "завтра в 05:30"),
        ("Поставь будильник на 6 утра", _utc(1, 6), "завтра в 06:00"),
        ("заведи будильник на семь", _utc(1, 7), "завтра в 07:00"),
        ("разбуди меня завтра в семь", _utc(1, 7), "завтра в 07:00"),
        ("поставь будильник на 11 вечера", _utc(30, 23, month=11), "сегодня в 23:00"),
        ("разбуди меня в субботу в 9", _utc(5, 9), "в субботу, 5 декабря, в 09:00"),
        ("поставь будильник на завтра на 7", _utc(1, 7), "завтра в 07:00"),
        ("поставь будильник на 6:00 по будням", _utc(1, 6), "по будням в 06:00"),
        ("разбуди меня через 20 минут", _utc(30, 10, 20, month=11), "сегодня в 10:20"),
    ],
)
def test_alarms_in_russian(
    russian: SkillRouter, store: SkillStore, text: str, rings_at: float, said: str
) -> None:
    assert say(russian, text) == (
        "reminder",
        f"Будильник поставлен: {said}. Сигнал прозвучит, пока Aris запущен.",
    )
    [alarm] = store.active(TimerKind.REMINDER)
    assert (alarm.fires_at, alarm.name) == (rings_at, "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Напомни мне купить хлеб завтра в 9", ("купить хлеб", _utc(1, 9), " купить хлеб завтра в 09:00")),
        ("напомни мне завтра в девять утра позвонить врачу", ("позвонить врачу", _utc(1, 9), " позвонить врачу завтра в 09:00")),
        ("напомни через 10 минут проверить духовку", ("проверить духовку", _utc(30, 10, 10, month=11), " проверить духовку сегодня в 10:10")),
        ("напомни через полчаса выключить суп", ("выключить суп", _utc(30, 10, 30, month=11), " выключить суп сегодня в 10:30")),
        ("Напомни мне в пятницу в 6 вечера позвонить маме", ("позвонить маме", _utc(4, 18), " позвонить маме в пятницу, 4 декабря, в 18:00")),
        ("напомни полить цветы в 5", ("полить цветы", _utc(30, 17, month=11), " полить цветы сегодня в 17:00")),
        ("напомни мне, что в 3 часа встреча", ("встреча", _utc(30, 15, month=11), ": «встреча» — сегодня в 15:00")),
        ("напомни мне о встрече в 15:00", ("о встрече", _utc(30, 15, month=11), " о встрече сегодня в 15:00")),
        ("напомни мне каждый понедельник в 10 выносить мусор", ("выносить мусор", _utc(7, 10), " выносить мусор каждый понедельник в 10:00")),
        ("создай напоминание оплатить интернет 15 декабря", ("оплатить интернет", _utc(15, 9), " оплатить интернет во вторник, 15 декабря, в 09:00")),
        ("напомни мне 31 февраля купить торт", ("", None, "")),
    ],
)  # fmt: skip
def test_reminders_in_russian(
    russian: SkillRouter, store: SkillStore, text: str, expected: tuple[str, float | None, str]
) -> None:
    """The task, when it rings (None: not understood, so asked) and how the time is said back."""
    task, rings_at, said = expected
    skill, reply = say(russian, text)
    if rings_at is None:  # a date that doesn't exist: said so, nothing stored
        assert (skill, reply) == ("reminder", "Такой даты нет: 31 февраля.")
        assert store.active(TimerKind.REMINDER) == []
        return
    assert (skill, reply) == (
        "reminder",
        f"Хорошо, напомню{said}. Сигнал прозвучит, пока Aris запущен.",
    )
    [reminder] = store.active(TimerKind.REMINDER)
    assert (reminder.fires_at, reminder.name) == (rings_at, task)


def test_reminders_listed_and_cancelled_in_russian(russian: SkillRouter, store: SkillStore) -> None:
    assert say(russian, "какие у меня напоминания") == ("reminder", "У вас нет напоминаний.")
    say(russian, "напомни мне купить хлеб завтра в 9")
    say(russian, "разбуди меня в 7 утра")
    assert say(russian, "Какие у меня напоминания?") == (
        "reminder",
        "У вас 2 напоминания: будильник завтра в 07:00; «купить хлеб» завтра в 09:00.",
    )
    assert say(russian, "покажи мои будильники")[0] == "reminder"
    assert say(russian, "отмени будильник") == ("reminder", "Отменено: будильник завтра в 07:00.")
    assert say(russian, "отмени напоминание про хлеб") == (
        "reminder",
        "Отменено: «купить хлеб» завтра в 09:00.",
    )
    assert store.active(TimerKind.REMINDER) == []


def test_a_reminder_without_a_time_is_asked_for(russian: SkillRouter, store: SkillStore) -> None:
    skill, reply = say(russian, "напомни мне купить хлеб")
    assert skill == "reminder" and reply.startswith("Когда напомнить?")
    assert say(russian, "напомни мне купить хлеб в 25:00") == (
        "reminder",
        "Такого времени нет: 25:00. Часы идут от 0:00 до 23:59.",
    )
    assert store.active(TimerKind.REMINDER) == []


def _items(store: SkillStore, name: str) -> list[str]:
    named = store.find_list(name)
    return [i.text for i in named.items if not i.done] if named else []


def test_lists_in_russian(russian: SkillRouter, store: SkillStore) -> None:
    assert say(russian, "Добавь молоко в список покупок") == ("list", "Добавил молоко в список покупок.")
    assert say(russian, "добавь хлеб, колбасу и яйца в список покупок") == (
        "list",
        "Добавил хлеб, колбасу и яйца в список покупок.",
    )
    assert say(russian, "нужно купить сыр") == ("list", "Добавил сыр в список покупок.")
    assert say(russian, "добавь молоко в покупки") == ("list", "Молоко уже в списке покупок.")
    assert _items(store, "shopping") == ["молоко", "хлеб", "колбаса", "яйца", "сыр"]
    assert say(russian, "Есть ли молоко в списке покупок?") == ("list", "Да, молоко есть в списке покупок.")
    assert say(russian, "есть ли колбаса в списке покупок") == ("list", "Да, колбаса есть в списке покупок.")
    assert say(russian, "есть ли рыба в списке покупок") == (
        "list",
        "Нет, этого нет в списке покупок. Там: молоко, хлеб, колбаса, яйца, сыр.",
    )
    assert say(russian, "удали молоко из списка покупок") == ("list", "Удалил молоко из списка покупок.")
    assert say(russian, "вычеркни хлеба") == ("list", "Удалил хлеб из списка покупок.")
    assert say(russian, "Что мне нужно купить?") == ("list", "В списке покупок 3 пункта: колбаса, яйца, сыр.")
    assert say(russian, "что в списке покупок") == ("list", "В списке покупок 3 пункта: колбаса, яйца, сыр.")


def test_to_do_and_named_lists_in_russian(russian: SkillRouter, store: SkillStore) -> None:
    assert say(russian, "Прочитай список дел") == ("list", "Список дел пуст.")
    assert say(russian, "добавь позвонить врачу в список дел") == (
        "list",
        "Добавил позвонить врачу в список дел.",
    )
    assert say(russian, "запиши оплатить счета в список задач") == (
        "list",
        "Добавил оплатить счета в список дел.",
    )
    assert say(russian, "прочитай список дел") == (
        "list",
        "В списке дел 2 пункта: позвонить врачу, оплатить счета.",
    )
    assert say(russian, "добавь палатку в список для похода") == (
        "list",
        "Добавил палатку в список «похода».",
    )
    assert _items(store, "похода") == ["палатка"]


def test_clearing_a_russian_list_asks_first(russian: SkillRouter, store: SkillStore) -> None:
    say(russian, "добавь молоко и хлеб в список покупок")
    assert say(russian, "очисти список покупок") == (
        "list",
        "В списке покупок 2 пункта. Очистить? Скажите да или нет.",
    )
    assert say(russian, "нет") == ("list", "Хорошо, список покупок остаётся как есть.")
    say(russian, "очисти список покупок")
    assert say(russian, "да") == ("list", "Список покупок очищен.")
    assert _items(store, "shopping") == []


def test_a_list_made_in_russian_is_read_in_english(russian: SkillRouter, router: SkillRouter) -> None:
    say(russian, "добавь молоко в список покупок")
    assert say(router, "what's on my shopping list") == ("list", "Your shopping list has 1 item: молоко.")


@pytest.mark.parametrize(
    "text", ["Кто написал Войну и мир?", "расскажи про 1812 год", "сколько лет Москве", "я люблю списки"]
)
def test_other_russian_requests_still_go_to_the_model(russian: SkillRouter, text: str) -> None:
    assert say(russian, text) == (None, "")


def test_help_in_russian(russian: SkillRouter) -> None:
    skill, reply = say(russian, "что ты умеешь")
    assert skill == "help" and "таймер" in reply


def test_russian_numbers_said_in_words() -> None:
    assert to_digits("двадцать пять минут") == "25 минут"
    assert to_digits("сто двадцать три") == "123"
    assert to_digits("две тысячи двадцать шесть") == "2026"
    assert to_digits("пять тридцать") == "5 30"  # a clock time, not 35
    assert to_digits("одну минуту") == "1 минуту"
    assert to_digits("два с половиной часа") == "2.5 часа"
    assert to_digits("в Нью-Йорке") == "в нью-йорке"
    assert [parse_duration(t) for t in ("полчаса", "час", "1 час 30 минут", "неделю", "синий")] == [
        1800, 3600, 5400, 604800, None,
    ]  # fmt: skip
    assert plural(2.5, ("фунт", "фунта", "фунтов")) == "фунта"


def test_russian_items_match_in_any_case() -> None:
    assert same_item("молоко", "молока") and same_item("яйца", "яйцо") and same_item("хлеб", "хлеба")
    assert not same_item("молоко", "мука") and not same_item("сыр", "рыба")


def test_the_clock_of_these_tests(clock: Clock) -> None:
    assert clock() == _utc(30, 10, month=11)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("поставь таймер на полчаса", "Таймер поставлен на 30 минут."),
        ("Поставь таймер на полтора часа", "Таймер поставлен на 1 час 30 минут."),
        ("заведи таймер на 1 час 15 минут", "Таймер поставлен на 1 час 15 минут."),
    ],
)
def test_timers_said_freely_in_russian(
    russian: SkillRouter, store: SkillStore, text: str, reply: str
) -> None:
    assert say(russian, text) == ("timer", reply)
    assert len(store.active(TimerKind.TIMER)) == 1


def test_the_russian_regression_set_routes_every_request() -> None:
    """`python main.py bench skills --language ru`: every request of the set reaches its skill (or the model)."""
    result = run_skills_bench("ru")
    assert (result.misses, result.false_matches) == ([], [])
    assert result.in_scope >= 80 and result.negatives >= 15


def test_pausing_and_changing_a_russian_timer(russian: SkillRouter, store: SkillStore, clock: Clock) -> None:
    say(russian, "поставь таймер на 5 минут")
    clock.value += 60
    assert say(russian, "приостанови таймер") == ("timer", "Таймер на паузе, осталось 4 минуты.")
    clock.value += 600  # paused: nothing runs down
    assert say(russian, "поставь таймер на паузу") == ("timer", "Таймер уже на паузе.")
    assert say(russian, "продолжи таймер") == ("timer", "Таймер снова идёт, осталось 4 минуты.")
    assert say(russian, "добавь 2 минуты к таймеру") == ("timer", "Добавил 2 минуты: до сигнала 6 минут.")
    assert say(russian, "убери 3 минуты у таймера") == ("timer", "Убавил 3 минуты: до сигнала 3 минуты.")
    assert say(russian, "отними 10 минут у таймера") == ("timer", "На таймере осталось всего 3 минуты.")
    [timer] = store.active(TimerKind.TIMER)
    assert timer.remaining(clock()) == 180


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("какая погода завтра", "Без интернета я не могу узнать погоду."),
        ("пойдет ли дождь сегодня", "Без интернета я не могу узнать погоду."),
        ("какой курс доллара", "Без интернета я не могу узнать курс валют."),
    ],
)
def test_the_weather_and_exchange_rates_are_said_to_need_the_internet(
    russian: SkillRouter, text: str, reply: str
) -> None:
    assert say(russian, text) == ("offline", reply)
