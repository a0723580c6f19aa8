"""`bench skills --replies`: the checker's own readings of sums, times, dates and places, and a run of the real
skills on a small file in HWU64's format written here (the third-party files stay out of the repository; the
few requests quoted from HWU64, by Liu, Eshghi, Swietojanski and Rieser, 2019, are CC BY 4.0)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.bench.replies import (
    plan,
    read_annotated_file,
    run_replies_bench,
    says_clock,
    says_date,
)
from app.bench.reply_facts import (
    clock_times,
    dates_said,
    expected_conversion,
    expected_sum,
    says_number,
    zone_of,
)
from app.skills.store import SkillStore
from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("text", "value", "truth"),
    [
        ("two by two is", 4.0, None),
        ("what is two hundred and twenty plus five", 225.0, None),
        ("divide two hundred by four", 50.0, None),
        ("subtract seven from twenty", 13.0, None),
        ("what is three plus four times two", 11.0, None),
        ("can you add up thirteen plus five plus nine for me", 27.0, None),
        ("what is twenty percent of one hundred and twenty", 24.0, None),
        ("what is the sum of 9 and 12", 21.0, None),
        ("is ninety one divisible by seven", None, True),
        ("three times two equals seven", 6.0, False),
    ],
)
def test_the_checker_works_out_sums_itself(text: str, value: float | None, truth: bool | None) -> None:
    assert expected_sum(text) == (value, truth)


def test_words_that_are_no_sum_are_left_out() -> None:
    assert expected_sum("what is the answer to this math question") is None
    assert expected_sum("who won the game") is None


def test_unit_conversions_come_from_the_checkers_own_table() -> None:
    assert expected_conversion("convert ten inches to centimeters") == pytest.approx(25.4)
    assert expected_conversion("how many inches make one foot") == pytest.approx(12)
    assert expected_conversion("convert 100 fahrenheit to celsius") == pytest.approx(37.78, abs=0.01)
    assert expected_conversion("how are you") is None


@pytest.mark.parametrize(
    ("said", "times"),
    [
        ("nine am", {(9, 0)}),
        ("midnight", {(0, 0)}),
        ("ten", {(10, 0), (22, 0)}),
        ("six thirty am", {(6, 30)}),
        ("eight forty five pm", {(20, 45)}),
        ("eight hundred pm", {(20, 0)}),
        ("7:30 pm", {(19, 30)}),
        ("three hours", None),
        ("before five mins", None),
    ],
)
def test_clock_times_from_the_annotation(said: str, times: set[tuple[int, int]] | None) -> None:
    assert clock_times(said) == times


def test_a_part_of_the_day_settles_am_or_pm() -> None:
    assert clock_times("seven", "evening") == {(19, 0)}


def test_days_are_counted_with_datetime() -> None:
    wednesday = date(2026, 6, 10)
    assert dates_said("tomorrow", wednesday) == ({date(2026, 6, 11)}, None)
    assert dates_said("friday", wednesday) == ({date(2026, 6, 12)}, None)
    assert dates_said("next friday", wednesday) == ({date(2026, 6, 12), date(2026, 6, 19)}, None)
    assert dates_said("march twenty first", wednesday) == ({date(2026, 3, 21), date(2027, 3, 21)}, None)
    assert dates_said("every sunday", wednesday) == ({date(2026, 6, 14)}, "sunday")
    assert dates_said("the holidays", wednesday) is None


def test_places_resolve_through_the_iana_names() -> None:
    assert str(zone_of("dakar")) == "Africa/Dakar"
    assert str(zone_of("dallas texas")) == "America/Chicago"
    assert str(zone_of("the east coast")) == "America/New_York"
    assert zone_of("narnia") is None


def test_replies_are_read_with_slack_for_rounding_but_not_for_wrong_values() -> None:
    assert says_number("That's about 1.41.", 2**0.5)
    assert says_number("That's 1,250.", 1250)
    assert not says_number("That's 26.", 25.4)
    assert says_clock("It's 9:05 PM in Tokyo.", {(21, 5)})
    assert not says_clock("It's 9:05 AM in Tokyo.", {(21, 5)})
    assert says_date("Today is Wednesday, June 10, 2026.", date(2026, 6, 10))
    assert not says_date("Today is Wednesday, June 11, 2026.", date(2026, 6, 10))


def test_a_wrong_reply_and_a_wrong_alarm_are_caught(tmp_path: Path) -> None:
    sums = plan("what is fifteen plus twenty", "qa_maths", "what is fifteen plus twenty")
    assert sums is not None
    store = SkillStore.__new__(SkillStore)
    assert sums.verify("That's 35.", store)
    assert not sums.verify("That's 36.", store)
    alarm = plan("wake me up at seven am", "alarm_set", "wake me up at [time : seven am]")
    assert alarm is not None and alarm.expected.endswith("07:00")


_OWN_REQUESTS = """text\tintent\tannotated
what is seventeen times three\tqa_maths\twhat is seventeen times three
convert five miles to kilometers\tqa_maths\tconvert five miles to kilometers
what time is it\tdatetime_query\twhat time is it
what's the date today\tdatetime_query\twhat's the date [date : today]
what time is it in tokyo\tdatetime_query\twhat time is it in [place_name : tokyo]
wake me up at six thirty am\talarm_set\twake me up at [time : six thirty am]
set an alarm for seven pm on friday\talarm_set\tset an alarm for [time : seven pm] on [date : friday]
what alarms do i have\talarm_query\twhat alarms do i have
cancel my alarm\talarm_remove\tcancel my alarm
add apples and pears to my shopping list\tlists_createoradd\tadd apples and pears to my [list_name : shopping] list
what's on my to do list\tlists_query\twhat's on my [list_name : to do] list
remove eggs from my shopping list\tlists_remove\tremove eggs from my [list_name : shopping] list
play some jazz\tplay_music\tplay some [music_genre : jazz]
"""


def test_the_real_skills_answer_a_small_file_right(tmp_path: Path) -> None:
    path = tmp_path / "own.tsv"
    path.write_text(_OWN_REQUESTS, encoding="utf-8")
    rows = read_annotated_file(path)
    result = run_replies_bench(rows)
    assert result.utterances == 13 and result.in_scope == 12 and result.checked == 12
    assert result.wrong == []
    assert set(result.per_skill) == {"math", "time", "date", "alarm", "list"}


def test_the_command_prints_json_and_skips_without_a_file(tmp_path: Path) -> None:
    path = tmp_path / "own.tsv"
    path.write_text(_OWN_REQUESTS, encoding="utf-8")
    result = run_cli("bench", "skills", "--replies", "--file", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert '"checked": 12' in result.stdout and '"accuracy": 1.0' in result.stdout
    missing = run_cli("bench", "skills", "--replies", "--file", str(tmp_path / "none.tsv"))
    assert missing.returncode == 0 and "skipped" in missing.stderr


def test_the_checkers_readers_share_no_code_with_the_skills() -> None:
    import ast

    import app.bench.reply_facts as facts

    tree = ast.parse(Path(facts.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(str(name).startswith("app.") for name in imported), imported
