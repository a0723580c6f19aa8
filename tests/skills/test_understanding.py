"""Requests in other people's words: the second understanding stage (the classifier over sentence vectors),
the slots read from free text, clarifying questions, and `bench skills --file` on third-party sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.skills.store import TimerKind
from tests.conftest import ROOT, run_cli
from tests.skills.conftest import say

HWU64 = ROOT.parent / "shared" / "data" / "intents"


@pytest.mark.parametrize(
    ("request_", "skill", "words"),
    [
        ("i wanna know how many pounds are in 10 kilos", "units", "22"),
        ("how do i convert miles to kilometers", "units", "1.61"),
        ("what's 15% of 68", "math", "10.2"),
        ("could you work out the average of 4, 8 and 15", "math", "9"),
        ("what's the sum of 45 and 16", "math", "61"),
        ("can you tell me the square root of 144", "math", "12"),
        ("what time is it right now in adelaide, australia", "time", "Adelaide"),
        ("what timezone is texas in", "time", "CST (UTC-6)"),
        ("what is the time difference between london and tokyo", "time", "Tokyo is 9 hours ahead of London"),
        ("divide two hundred by four", "math", "50"),
        ("how much is 15% off $35", "math", "29.75"),
        ("how do i subtract four from two", "math", "-2"),
        ("is 91 divisible by 7", "math", "Yes"),
        ("what is the current day", "date", "Monday, November 30"),
        ("please tell me what the date is tomorrow", "date", "Tuesday, December 1, 2026"),
        ("how many days until christmas", "date", "25 days"),
        ("what day of the week is new year's day", "date", "Friday, January 1"),
        ("wake me up with an alarm at 5:30am", "reminder", "5:30 AM"),
        ("i need an alarm for six o'clock tomorrow", "reminder", "6:00"),
    ],
)
def test_everyday_phrasings_reach_the_skill_that_answers(
    router, request_: str, skill: str, words: str
) -> None:
    got, reply = say(router, request_)
    assert got == skill, reply
    assert words in reply


@pytest.mark.parametrize(
    "request_",
    [
        "who invented the calculator",
        "what is the capital of australia",
        "tell me a joke",
        "how do I boil an egg",
        "why do we have leap years",
        "who sang thriller",
        "let's play a game of chess",
        "send an email to my sister",
        "what's a good name for a dog",
    ],
)
def test_general_questions_still_reach_the_model(router, request_: str) -> None:
    assert say(router, request_) == (None, "")


def test_exchange_rates_and_the_weather_get_an_honest_sentence(router) -> None:
    assert say(router, "how many dollars would i get for 100 euros today") == (
        "offline",
        "I can't check exchange rates offline.",
    )
    assert say(router, "will it rain in london tomorrow") == ("offline", "I can't check the weather offline.")


@pytest.mark.parametrize(
    ("request_", "sentence"),
    [
        ("play some music by the beatles", "I can't play music, radio or podcasts: I have no media player."),
        (
            "could you put on my workout playlist",
            "I can't play music, radio or podcasts: I have no media player.",
        ),
        (
            "play the latest episode of my podcast",
            "I can't play music, radio or podcasts: I have no media player.",
        ),
        ("what are today's headlines", "I can't check the news offline."),
        ("what's the latest news on the election", "I can't check the news offline."),
        ("how are apple's stocks doing today", "I can't check stock prices offline."),
    ],
)
def test_music_news_and_stocks_get_one_honest_sentence(router, request_: str, sentence: str) -> None:
    assert router.claims(request_)
    assert say(router, request_) == ("offline", sentence)


def test_a_timer_without_a_length_asks_for_it_and_the_answer_completes_it(router, store) -> None:
    assert say(router, "can i get a timer set") == ("timer", "For how long?")
    skill, reply = say(router, "ten minutes")
    assert skill == "timer" and "10 minutes" in reply
    [timer] = store.active(TimerKind.TIMER)
    assert timer.duration_s == 600


def test_an_alarm_without_a_time_asks_for_it(router, store) -> None:
    assert say(router, "i'd like an alarm please") == ("reminder", "For what time?")
    skill, reply = say(router, "6 am")
    assert skill == "reminder" and "6:00 AM" in reply
    assert len(store.active(TimerKind.REMINDER)) == 1


def test_never_mind_drops_the_question(router, store) -> None:
    assert say(router, "can i get a timer set") == ("timer", "For how long?")
    assert say(router, "never mind")[0] == "help"
    say(router, "ten minutes")
    assert store.active(TimerKind.TIMER) == []


def test_questions_about_lists_and_items_said_the_other_way(router, store) -> None:
    say(router, "add milk and eggs to my shopping list")
    assert say(router, "is milk on my shopping list") == ("list", "Yes, milk is on your shopping list.")
    assert say(router, "is butter on my grocery list") == ("list", "No, butter isn't on your shopping list.")
    assert say(router, "add bananas to my to-buy list")[0] == "list"
    assert say(router, "remove egg")[0] == "list"
    assert [i.text for i in store.find_list("shopping").items] == ["milk", "bananas"]


def test_a_new_list_is_started_and_filled_from_the_next_answer(router, store) -> None:
    skill, reply = say(router, "can you start a new list called camping")
    assert (skill, reply) == ("list", "Okay, I started your camping list. What should I put on it?")
    assert say(router, "a tent and matches") == ("list", "Added tent and matches to your camping list.")
    skill, reply = say(router, "please remove the camping list")
    assert skill == "list" and reply.endswith("Clear it? Say yes or no.")


def test_a_timer_said_singular_finds_the_plural_one(router, store) -> None:
    say(router, "set an eggs timer for 5 minutes")
    assert say(router, "please cancel the egg timer") == ("timer", "Cancelled the eggs timer.")


def test_questions_about_reminders(router) -> None:
    say(router, "remind me to do the laundry at 6 pm")
    skill, reply = say(router, "did i ask you to remind me about laundry")
    assert skill == "reminder" and reply.startswith("Yes")
    skill, reply = say(router, "what are my reminders")
    assert skill == "reminder" and "laundry" in reply


def test_bench_skills_reads_a_labelled_file(tmp_path: Path) -> None:
    labelled = tmp_path / "set.tsv"
    labelled.write_text(
        "text\tskill\n"
        "what time is it\ttime\n"
        "wake me up at 7 am\treminder|alarm\n"
        "what is the capital of france\tnone\n"
        "what is 2 plus 2\tunits\n",
        encoding="utf-8",
    )
    result = run_cli("bench", "skills", "--file", str(labelled), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["in_scope"], report["negatives"]) == (3, 1)
    assert report["accuracy"] == pytest.approx(2 / 3, abs=0.01)
    assert report["false_match_rate"] == 0
    assert report["misses"] == [["what is 2 plus 2", "units", "math"]]
    assert report["false_matches"] == []
    assert report["per_skill"]["reminder|alarm"]["right"] == 1


def test_bench_skills_says_what_is_wrong_with_a_file(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.tsv"
    wrong.write_text("sentence\tlabel\nhello\tnone\n", encoding="utf-8")
    result = run_cli("bench", "skills", "--file", str(wrong))
    assert result.returncode == 1
    assert result.stderr.strip() == f"aris: {wrong} needs a header with the columns text and skill."


@pytest.mark.skipif(not (HWU64 / "hwu64-test.tsv").is_file(), reason="no third-party data beside the clone")
def test_bench_skills_on_hwu64_test_meets_the_targets() -> None:
    result = run_cli("bench", "skills", "--file", str(HWU64 / "hwu64-test.tsv"), "--hwu64", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["in_scope"] > 150 and report["negatives"] > 800
    assert report["accuracy"] >= 0.85, report["misses"]
    assert report["false_match_rate"] <= 0.03, report["false_matches"]
