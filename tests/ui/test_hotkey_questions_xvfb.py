"""Push-to-talk with the real global shortcut, ten questions in a row: Aris runs on Xvfb with X's key
auto-repeat on, another application has the focus, and xdotool holds Ctrl+Alt+Space for the whole question
(hold mode) or presses it once to start and once to finish (toggle mode). Every question must be heard whole
and answered: the conversation Aris stored afterwards holds ten questions and ten answers."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.conftest import CAPITAL_QUESTION
from tests.hearing import assert_heard
from tests.ui.test_hotkey_xvfb import app_log, aris_on_x, display, wait_for  # noqa: F401 - the fixtures

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

QUESTIONS = 10
HOLD_S = 2.8
"""The recorded question lasts ~2.2 s; the key is held past its end (X repeats it after ~660 ms)."""
TURN_TIMEOUT_S = 180
"""A hang guard for one question and its answer on a busy machine."""


def _key(env: dict[str, str], action: str) -> None:
    subprocess.run(["xdotool", action, "ctrl+alt+space"], env=env, check=True, timeout=20)


def _wait_until_answered(paths, turn: int) -> None:  # type: ignore[no-untyped-def]
    """The ``turn``-th answer was spoken and Aris is idle again."""
    wait_for(lambda: app_log(paths).count("State: speaking") >= turn, TURN_TIMEOUT_S, f"answer {turn}")
    wait_for(
        lambda: app_log(paths).rstrip().endswith("State: idle"), TURN_TIMEOUT_S, f"the end of answer {turn}"
    )


def _stored_exchanges(paths) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(question, answer) of every turn Aris stored, oldest first."""
    import sqlite3

    with sqlite3.connect(paths.database) as db:
        rows = db.execute("SELECT role, text FROM messages ORDER BY rowid").fetchall()
    questions = [text for role, text in rows if role == "user"]
    answers = [text for role, text in rows if role == "assistant"]
    return list(zip(questions, answers, strict=True))


def _assert_every_question_heard_and_answered(paths) -> None:  # type: ignore[no-untyped-def]
    exchanges = _stored_exchanges(paths)
    assert len(exchanges) == QUESTIONS, exchanges
    for question, answer in exchanges:
        assert_heard(CAPITAL_QUESTION, question)
        assert "paris" in answer.lower(), (question, answer)
    log = app_log(paths)
    assert log.count("Hotkey pressed") == log.count("Hotkey released")


def test_holding_the_shortcut_asks_ten_whole_questions_in_ten(aris_on_x: dict[str, str], paths) -> None:  # noqa: F811
    for turn in range(1, QUESTIONS + 1):
        _key(aris_on_x, "keydown")
        time.sleep(HOLD_S)
        _key(aris_on_x, "keyup")
        _wait_until_answered(paths, turn)
    assert app_log(paths).count("Hotkey pressed") == QUESTIONS  # auto-repeat never split a hold
    _assert_every_question_heard_and_answered(paths)


@pytest.fixture
def toggle_mode(paths) -> None:  # type: ignore[no-untyped-def]
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(json.dumps({"hotkey": {"mode": "toggle"}}), encoding="utf-8")


@pytest.mark.usefixtures("toggle_mode")
def test_in_toggle_mode_ten_questions_are_each_heard_whole_and_answered(
    aris_on_x: dict[str, str],  # noqa: F811
    paths,
) -> None:
    for turn in range(1, QUESTIONS + 1):
        _key(aris_on_x, "key")  # press and release: start
        time.sleep(HOLD_S)
        _key(aris_on_x, "key")  # again: the question is finished
        _wait_until_answered(paths, turn)
    _assert_every_question_heard_and_answered(paths)
