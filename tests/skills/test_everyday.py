"""The skills answer everyday requests themselves, through the real templates and a real database."""

from __future__ import annotations

import pytest

from app.skills.alarms import AlarmWatcher, Ring, missed_text
from app.skills.store import TimerKind, TimerState
from tests.skills.conftest import say


@pytest.mark.parametrize(
    ("request_", "skill", "reply"),
    [
        ("What time is it?", "time", "It's 10:00 AM."),
        ("What time is it in Tokyo right now?", "time", "It's 7:00 PM in Tokyo, Monday."),
        ("what's the time in New York", "time", "It's 5:00 AM in New York, Monday."),
        ("what time is it in CET", "time", "It's 11:00 AM in CET, Monday."),
        ("What is today's date?", "date", "Today is Monday, November 30, 2026."),
        ("What is seventeen times three?", "math", "That's 51."),
        ("what's fifteen percent of eighty", "math", "That's 12."),
        ("square root of two", "math", "That's about 1.41."),
        ("what is one hundred and twenty divided by four", "math", "That's 30."),
        ("How many centimeters are in an inch?", "units", "1 inch is 2.54 centimeters."),
        (
            "convert 100 fahrenheit to celsius",
            "units",
            "100 degrees Fahrenheit is about 37.78 degrees Celsius.",
        ),
        ("how many tablespoons in a cup", "units", "1 cup is 16 tablespoons."),
        ("how many ounces in a cup", "units", "1 cup is 8 ounces."),  # fluid ounces, in a kitchen
        ("what is 12 inches in feet", "units", "12 inches is 1 foot."),
        ("what is half of 50", "math", "That's 25."),
        (
            "set an alarm for 7 am tomorrow",
            "reminder",
            "Okay, I'll remind you tomorrow at 7:00 AM. I'll ring while the Aris app is running.",
        ),
    ],
)
def test_answers(router, request_, skill, reply) -> None:
    assert say(router, request_) == (skill, reply)


@pytest.mark.parametrize(
    ("request_", "skill", "reply"),
    [
        (
            "set a timer for zero minutes",
            "timer",
            "A timer needs a length above zero. How long should it run?",
        ),
        (
            "set a timer for minus five minutes",
            "timer",
            "A timer needs a length above zero. How long should it run?",
        ),
        (
            "remind me at 25 o'clock",
            "reminder",
            "There's no 25 o'clock: a clock time runs from 0:00 to 23:59.",
        ),
        ("what is ten divided by zero", "math", "You can't divide by zero."),
        (
            "convert 5 meters to kilograms",
            "units",
            "I can't convert meters to kilograms: they measure different things.",
        ),
        (
            "what time is it in Atlantis",
            "time",
            "Sorry, I don't know the time zone of Atlantis. Try a nearby big city.",
        ),
    ],
)
def test_bad_input_gets_a_clear_answer(router, store, request_, skill, reply) -> None:
    assert say(router, request_) == (skill, reply)
    assert store.active() == []  # nothing was stored for a request that made no sense


@pytest.mark.parametrize(
    "question",
    [
        "who invented the calculator?",
        "tell me about the history of clocks",
        "what is the capital of France",
        "what is love",
        "how long does it take to boil an egg",
        "make a list of things to pack for a beach trip",
        "remind me what we talked about",
        "__import__('os').system('touch /tmp/x') times 2",
    ],
)
def test_other_questions_go_to_the_model(router, question) -> None:
    assert router.handle(question) is None


def test_timers_named_paused_extended_and_cancelled(router, store, clock) -> None:
    assert say(router, "Set a timer for ten minutes.")[1].startswith("Timer set for 10 minutes.")
    assert say(router, "set a pasta timer for 8 minutes")[1].startswith("Pasta timer set for 8 minutes.")
    clock.value += 60
    assert say(router, "how much time is left on my timers") == (
        "timer",
        "The pasta timer has 7 minutes left and the timer has 9 minutes left.",
    )
    assert say(router, "pause the pasta timer") == ("timer", "Paused the pasta timer with 7 minutes left.")
    clock.value += 300
    assert say(router, "how much time is left on the pasta timer") == (
        "timer",
        "The pasta timer has 7 minutes left (paused).",
    )
    assert say(router, "resume the pasta timer") == ("timer", "Resumed the pasta timer: 7 minutes left.")
    assert say(router, "add 2 minutes to my pasta timer") == (
        "timer",
        "The pasta timer now has 9 minutes left.",
    )
    assert say(router, "cancel the timer")[1].startswith("You have 2 timers")  # which one? it asks
    assert say(router, "cancel my pasta timer") == ("timer", "Cancelled the pasta timer.")
    assert [(t.name, t.kind) for t in store.active()] == [("", TimerKind.TIMER)]


def test_reminders_absolute_relative_and_repeating(router, store) -> None:
    assert say(router, "Remind me to call the dentist tomorrow morning.") == (
        "reminder",
        "Okay, I'll remind you to call the dentist tomorrow at 9:00 AM. I'll ring while the Aris app is running.",
    )
    assert say(router, "remind me in 20 minutes to check the oven")[1].startswith(
        "Okay, I'll remind you to check the oven at 10:20 AM."
    )
    assert say(router, "remind me every weekday at 7 to take my pills")[1].startswith(
        "Okay, I'll remind you to take your pills every weekday at 7:00 AM."
    )
    reminders = store.active(TimerKind.REMINDER)
    assert [r.name for r in reminders] == ["check the oven", "take my pills", "call the dentist"]
    assert reminders[1].recurrence == "weekdays"
    assert say(router, "cancel the reminder to call the dentist") == (
        "reminder",
        "Cancelled your reminder to call the dentist.",
    )
    assert len(store.active(TimerKind.REMINDER)) == 2


def test_commas_between_items_make_separate_items(router, store) -> None:
    assert say(router, "Add milk, eggs and bread to my shopping list.") == (
        "list",
        "Added milk, eggs and bread to your shopping list.",
    )
    assert say(router, "what's on my shopping list") == (
        "list",
        "Your shopping list has 3 items: milk, eggs and bread.",
    )


def test_lists_add_check_remove_read_and_clear_asks_first(router, store) -> None:
    assert say(router, "Add milk and eggs to my shopping list.") == (
        "list",
        "Added milk and eggs to your shopping list.",
    )
    assert say(router, "add sunscreen to my packing list") == (
        "list",
        "Added sunscreen to your packing list.",
    )
    assert say(router, "add milk to the shopping list") == ("list", "Milk is already on your shopping list.")
    assert say(router, "check off milk on my shopping list") == (
        "list",
        "Checked off milk on your shopping list.",
    )
    assert say(router, "what's on my shopping list") == ("list", "Your shopping list has 1 item: eggs.")
    assert say(router, "clear my shopping list") == (
        "list",
        "Your shopping list has 2 items. Clear it? Say yes or no.",
    )
    assert say(router, "no") == ("list", "Okay, I kept your shopping list.")
    assert say(router, "yes") == (None, "")  # nothing is pending any more: "yes" goes to the model
    say(router, "clear my shopping list")
    assert say(router, "yes") == ("list", "Cleared your shopping list.")
    assert store.find_list("shopping").items == ()
    assert [i.text for i in store.find_list("packing").items] == ["sunscreen"]


def test_help_overview(router) -> None:
    skill, reply = say(router, "What can you do?")
    assert skill == "help"
    assert "timers" in reply and "lists" in reply and len(reply) < 300


def test_due_timer_rings_once_and_missed_ones_are_announced(router, store, clock) -> None:
    say(router, "set a pasta timer for 1 minute")
    say(router, "remind me every day at 9 pm to read")
    rings: list[Ring] = []
    watcher = AlarmWatcher(store, rings.append)
    clock.value += 61
    assert [r.text for r in watcher.check()] == ["Your pasta timer is done."]
    assert watcher.check() == []  # rang once only
    clock.value += 86400  # Aris was closed past 9 pm
    missed = watcher.missed_at_start()
    assert missed_text(missed) == "While I was closed, I missed your reminder to read at 9:00 PM."
    reminder = store.active(TimerKind.REMINDER)[0]
    assert reminder.state is TimerState.RUNNING  # a repeating reminder moves to its next day
    assert reminder.fires_at > clock.value
