"""Push-to-talk with the real global shortcut, ten questions in a row: Aris runs on Xvfb with X's key
auto-repeat on, another application has the focus, and xdotool holds Ctrl+Alt+Space for the whole question
(hold mode) or presses it once to start and once to finish (toggle mode). Every question must be heard whole
and answered: the conversation Aris stored afterwards holds ten questions and ten answers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CAPITAL_QUESTION, ROOT
from tests.hearing import assert_heard
from tests.ui.test_hotkey_xvfb import display, wait_for, x11_env  # noqa: F401 - the Xvfb fixture

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

QUESTIONS = 10
HOLD_S = 2.8
"""The recorded question lasts ~2.2 s; the key is held past its end (X repeats it after ~660 ms)."""
TURN_TIMEOUT_S = 180
"""A hang guard for one question and its answer on a busy machine."""


def _log(paths) -> str:  # type: ignore[no-untyped-def]
    log_file = paths.log_dir / "aris.log"
    return log_file.read_text() if log_file.exists() else ""


@pytest.fixture
def running_aris(display: str, paths, question_wav: Path) -> Iterator[dict[str, str]]:  # noqa: F811
    """The desktop app on the X server with the recorded question as its microphone, and another
    application focused; yields the environment for xdotool."""
    from ui.instance import Command, send_command

    app = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py")],
        cwd=ROOT,
        env=x11_env(display, ARIS_DATA_DIR=str(paths.root), ARIS_MIC_WAV=str(question_wav)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    other = subprocess.Popen(["xmessage", "-name", "other-app", "Another application"], env=x11_env(display))
    env = x11_env(display)
    try:
        wait_for(lambda: "is active" in _log(paths), 60, "the hotkey listener")
        wait_for(lambda: "Models loaded" in _log(paths), 180, "the models")
        window = subprocess.run(
            ["xdotool", "search", "--sync", "--name", "other-app"],
            env=env, capture_output=True, text=True, check=True, timeout=20,
        ).stdout.split()[0]  # fmt: skip
        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True, timeout=20)
        yield env
    finally:
        answer = send_command(paths.socket_name, Command.QUIT)
        try:
            app.wait(30)
        except subprocess.TimeoutExpired:
            app.kill()
        other.terminate()
        other.wait(5)
    assert answer is not None and answer.startswith("ok")
    assert app.returncode == 0, app.stderr.read() if app.stderr else ""


def _key(env: dict[str, str], action: str) -> None:
    subprocess.run(["xdotool", action, "ctrl+alt+space"], env=env, check=True, timeout=20)


def _wait_until_answered(paths, turn: int) -> None:  # type: ignore[no-untyped-def]
    """The ``turn``-th answer was spoken and Aris is idle again."""
    wait_for(lambda: _log(paths).count("State: speaking") >= turn, TURN_TIMEOUT_S, f"answer {turn}")
    wait_for(
        lambda: _log(paths).rstrip().endswith("State: idle"), TURN_TIMEOUT_S, f"the end of answer {turn}"
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
    log = _log(paths)
    assert log.count("Hotkey pressed") == log.count("Hotkey released")


def test_holding_the_shortcut_asks_ten_whole_questions_in_ten(running_aris: dict[str, str], paths) -> None:
    for turn in range(1, QUESTIONS + 1):
        _key(running_aris, "keydown")
        time.sleep(HOLD_S)
        _key(running_aris, "keyup")
        _wait_until_answered(paths, turn)
    assert _log(paths).count("Hotkey pressed") == QUESTIONS  # auto-repeat never split a hold
    _assert_every_question_heard_and_answered(paths)


@pytest.fixture
def toggle_mode(paths) -> None:  # type: ignore[no-untyped-def]
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(json.dumps({"hotkey": {"mode": "toggle"}}), encoding="utf-8")


@pytest.mark.usefixtures("toggle_mode")
def test_in_toggle_mode_ten_questions_are_each_heard_whole_and_answered(
    running_aris: dict[str, str], paths
) -> None:
    for turn in range(1, QUESTIONS + 1):
        _key(running_aris, "key")  # press and release: start
        time.sleep(HOLD_S)
        _key(running_aris, "key")  # again: the question is finished
        _wait_until_answered(paths, turn)
    _assert_every_question_heard_and_answered(paths)
