"""Replies that were wrong in ways the reply checker found: spoken clock times, a repeat said last, a time
converted between places, calendar dates, lists named loosely. The clock is Monday 30 November 2026, 10:00 UTC.

Several requests are quoted from HWU64 (Liu, Eshghi, Swietojanski, Rieser, 2019; CC BY 4.0)."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.skills.store import TimerKind
from tests.skills.conftest import say


def _alarms(store) -> list[tuple[str, str | None]]:
    """(local "Mon 30 06:30", recurrence) of each alarm or reminder set."""
    return [
        (datetime.fromtimestamp(t.fires_at).strftime("%a %d %H:%M"), t.recurrence)
        for t in store.active(TimerKind.REMINDER)
    ]


@pytest.mark.parametrize(
    ("request_", "rings"),
    [
        ("wake me up at six thirty am", ("Tue 01 06:30", None)),
        ("make me a wake up alarm for eight forty five am", ("Tue 01 08:45", None)),
        ("set an alarm for this eight hundred pm this evening", ("Mon 30 20:00", None)),
        ("set the alarm to seven am for work", ("Tue 01 07:00", None)),
        ("remind me at 5 am every day", ("Tue 01 05:00", "daily")),
        ("set a timer at five am seven days a week", ("Tue 01 05:00", "daily")),
        ("set an alarm for 7 am every weekday", ("Tue 01 07:00", "weekdays")),
    ],
)
def test_alarms_ring_at_the_time_said(router, store, request_: str, rings: tuple[str, str | None]) -> None:
    skill, reply = say(router, request_)
    assert skill == "reminder", reply
    assert _alarms(store) == [rings]


def test_a_reminder_still_reads_its_task_before_or_after_the_time(router, store) -> None:
    assert "call bob at 5:00 PM" in say(router, "remind me to call bob at 5 pm")[1]
    assert "call bob at 6:00 PM" in say(router, "remind me at 6 pm to call bob")[1]


@pytest.mark.parametrize(
    ("request_", "said"),
    [
        (
            "if it's eight pm on the east coast what time is it in sacramento california",
            "it's 5:00 PM in Sacramento",
        ),
        ("if it is four pm in missouri what time is it in london", "it's 10:00 PM in London"),
        ("it is ten am in eastern standard time what time is it in pacific standard time", "it's 7:00 AM"),
        ("what time will it be locally at nine am bangalore india time", "it's 3:30 AM here"),
        ("convert 3 pm london time to tokyo time", "it's 12:00 AM in Tokyo the next day"),
    ],
)
def test_a_time_in_one_place_is_converted_to_another(router, request_: str, said: str) -> None:
    skill, reply = say(router, request_)
    assert skill == "time" and said in reply, reply


def test_a_place_named_before_time_and_a_smaller_city(router) -> None:
    assert say(router, "new york time please") == ("time", "It's 5:00 AM in New York, Monday.")
    assert "in Geneva" in say(router, "what is the time in geneva")[1]


def test_a_calendar_date_gets_its_weekday(router) -> None:
    assert "Sunday, August 15, 2027" in say(router, "august fifteenth is what day of the week")[1]
    assert "Wednesday, December 2, 2026" in say(router, "what day is the 2nd of december")[1]


def test_lists_named_loosely(router, store) -> None:
    store.add_items("shopping", ["bread", "grocery buying", "apples", "milk"])
    assert say(router, "take bread out from the shopping list")[1] == "Removed bread from your shopping list."
    assert "Removed grocery buying" in say(router, "take grocery buying off of the list")[1]
    assert "Removed apples" in say(router, "i want to remove apples from list")[1]
    assert [i.text for i in store.find_list("shopping").items] == ["milk"]
    assert "dog breeds list" in say(router, "make a new list of dog breeds")[1]
    assert store.find_list("dog breeds") is not None


def test_alarms_are_found_and_cancelled_by_when_they_ring(router, store) -> None:
    say(router, "wake me up at 7 am tomorrow")
    say(router, "remind me to call sam at 9 pm")
    assert say(router, "is there an alarm for 7 am")[1] == "Yes: your alarm tomorrow at 7:00 AM."
    assert (
        say(router, "do i have any alarms for tomorrow morning")[1] == "Yes: your alarm tomorrow at 7:00 AM."
    )
    assert say(router, "is there an alarm at ten am")[1] == "No, you have no alarm or reminder at 10:00 AM."
    assert say(router, "delete my alarm for eight am")[1] == "You have no alarm or reminder at 8:00 AM."
    assert (
        say(router, "cancel my alarm for tomorrow morning")[1] == "Cancelled your alarm tomorrow at 7:00 AM."
    )
    assert [t.name for t in store.active(TimerKind.REMINDER)] == ["call sam"]


@pytest.mark.parametrize(
    ("request_", "reply"),
    [
        ("four plus five equals nine", "Yes, that's right: it's 9."),
        ("four divided by two equals three", "No, it's 2, not 3."),
        ("find me square root of forty nine", "That's 7."),
        ("can you take five and divide it by three", "That's about 1.67."),
        ("add five plus eighteen minus four please", "That's 19."),
        ("what do you get when you multiply sixteen by nine", "That's 144."),
        ("can you add up thirteen plus five plus nine for me", "That's 27."),
    ],
)
def test_sums_said_every_day_ways(router, request_: str, reply: str) -> None:
    assert say(router, request_) == ("math", reply)


def test_a_time_said_before_the_alarm_word_or_a_remind_me_at_the_end(router, store) -> None:
    assert say(router, "i need a six am wakeup call")[0] == "reminder"
    say(router, "every wednesday night at five pm remind me to meet phil")
    say(router, "i have a meeting tomorrow morning at ten please remind me")
    assert sorted(_alarms(store)) == [
        ("Tue 01 06:00", None),
        ("Tue 01 10:00", None),
        ("Wed 02 17:00", "wednesday"),
    ]


def test_a_calendar_date_inside_a_reminder_is_a_day_not_a_clock_time(router, store) -> None:
    reply = say(router, "please add shopping at mall on twenty six march at twelve pm")[1]
    assert "Friday, March 26 at 12:00 PM" in reply
    say(router, "remind me on march 3rd at 5 pm to call mom")
    assert ("Wed 03 17:00", None) in _alarms(store)


def test_today_in_the_afternoon(router, store, clock) -> None:
    clock.value += 5 * 3600  # 15:00
    assert "at 7:00 PM" in say(router, "make an alarm for the meeting with bob at seven today")[1]
    assert say(router, "remind me to go grocery shopping today")[1].startswith("When should I remind you?")


def test_lists_read_and_changed_however_they_are_named(router, store) -> None:
    store.add_items("to-do", ["call the bank"])
    store.add_items("shopping", ["bread", "bathroom paint", "milk"])
    assert "call the bank" in say(router, "to do list for today please")[1]
    assert "call the bank" in say(router, "what's in my list of tasks")[1]
    assert say(router, "did i add milk to the shopping list")[1] == "Yes, milk is on your shopping list."
    assert say(router, "cross out bread from shopping list")[1] == "Removed bread from your shopping list."
    said = say(router, "we're out of paint so take bathroom paint off the list")[1]
    assert said == "Removed bathroom paint from your shopping list."


def test_a_request_to_be_reminded_said_as_a_question_sets_the_reminder(router, store) -> None:
    request_ = "i have a meeting with sean at four pm on wednesday can you remind me"
    assert router.claims(request_) and _alarms(store) == []  # claiming acts on nothing
    assert "about a meeting with sean on Wednesday, December 2 at 4:00 PM" in say(router, request_)[1]
    assert _alarms(store) == [("Wed 02 16:00", None)]
