"""Turns through the desktop: spoken (a WAV file as the microphone), typed, and stopped."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from engine.events import TurnState
from tests.conftest import CAPITAL_QUESTION
from tests.hearing import assert_heard, words


def test_a_spoken_turn_shows_the_transcript_and_streams_the_reply(
    make_session, factory, question_wav: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = make_session(mic=question_wav)
    # Which threads ask the models: never the GUI thread (STYLE 5), whatever the machine's speed.
    askers: set[str] = set()
    for model, verb in ((factory.transcriber(), "transcribe"), (factory.responder(), "respond"),
                        (factory.synthesizer(), "synthesize")):  # fmt: skip
        real = getattr(model, verb)

        def recorded(*args, _real=real, **kwargs):
            askers.add(threading.current_thread().name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(model, verb, recorded)
    controller, bridge, window = session.controller, session.bridge, session.window
    seen_while_streaming: list[str] = []
    states: list[TurnState] = []
    # The GUI thread must stay responsive during the turn: a 10 ms timer records every gap between ticks.
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    bridge.state_changed.connect(states.append)
    bridge.token_generated.connect(
        lambda _turn, _piece: seen_while_streaming.append(window.conversation.bubbles[-1].text)
    )

    with qtbot.waitSignal(bridge.turn_finished, timeout=90_000) as finished:
        controller.talk_toggle()  # a click: listen until the question ends

    user, reply = window.conversation.bubbles[-2:]
    assert user.role == "user"
    assert_heard(CAPITAL_QUESTION, user.text)
    assert reply.role == "assistant" and "paris" in words(reply.text)
    assert reply.text == finished.args[1]
    # Streamed: the bubble grew token by token before the turn finished.
    growing = [text for text in seen_while_streaming if text]
    assert len(growing) >= 3 and len(set(growing)) >= 3
    assert states[0] is TurnState.LISTENING
    assert TurnState.TRANSCRIBING in states and TurnState.THINKING in states and TurnState.SPEAKING in states
    qtbot.waitUntil(lambda: window.state_badge.text == "Ready", timeout=10_000)
    assert not window.stop_button.isEnabled()
    timer.stop()
    assert askers and threading.main_thread().name not in askers, askers
    worst = max(b - a for a, b in itertools.pairwise(ticks))
    # A hang guard, not a speed target: the GUI thread kept ticking through the turn.
    print(f"longest GUI-thread gap during the turn: {worst * 1000:.0f} ms")
    assert worst < 2.0, f"the GUI thread stalled for {worst * 1000:.0f} ms"


def test_a_typed_question_is_answered(make_session, qtbot) -> None:
    session = make_session()
    window, bridge = session.window, session.bridge
    window.input.setText("What is the capital of France?")
    with qtbot.waitSignal(bridge.turn_finished, timeout=60_000):
        window.input.returnPressed.emit()
    user, reply = window.conversation.bubbles[-2:]
    assert user.text == "What is the capital of France?"
    assert "paris" in words(reply.text)
    assert window.input.text() == ""


def test_stop_cancels_the_turn(make_session, qtbot) -> None:
    session = make_session()
    window, bridge = session.window, session.bridge
    window.input.setText("Tell me a long story about a dragon who learns to cook.")
    with qtbot.waitSignal(bridge.token_generated, timeout=60_000):
        window.input.returnPressed.emit()
    assert window.stop_button.isEnabled()
    with qtbot.waitSignal(bridge.turn_cancelled, timeout=10_000):
        window.stop_button.click()
    qtbot.waitUntil(lambda: window.state_badge.text == "Ready", timeout=10_000)
    assert "stopped" in window.conversation.bubbles[-1]._meta.text()
    # The engine is free again: the next question is answered.
    with qtbot.waitSignal(bridge.turn_finished, timeout=60_000):
        session.controller.ask("What is the capital of France?")


def test_no_microphone_is_explained_not_a_crash(make_session, qtbot) -> None:
    session = make_session()
    qtbot.waitUntil(session.window.notice.isVisible, timeout=10_000)
    session.controller.talk_toggle()
    assert "microphone" in session.window.notice.text.lower()
    assert not session.controller.button_ptt.listening


def test_the_answer_says_it_is_thinking_until_its_first_word(
    make_session, factory, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = make_session()
    window, bridge = session.window, session.bridge
    # A busy machine: the model takes its time over the prompt before the first word.
    go_on = threading.Event()
    model = factory.responder()
    real_respond = model.respond

    def slow_to_start(*args, **kwargs):
        go_on.wait(30)
        yield from real_respond(*args, **kwargs)

    monkeypatch.setattr(model, "respond", slow_to_start)
    session.controller.ask("What is the capital of France?")
    qtbot.waitUntil(lambda: len(window.conversation.bubbles) == 2, timeout=30_000)
    thinking = window.conversation.bubbles[-1]
    assert thinking.role == "assistant" and thinking.thinking
    assert thinking._text.text().startswith("Thinking")
    first = thinking._text.text()
    qtbot.waitUntil(lambda: thinking._text.text() != first, timeout=5000)  # the dots move: not frozen
    assert window.state_badge.text == "Thinking…"

    with qtbot.waitSignal(bridge.turn_finished, timeout=60_000) as finished:
        go_on.set()
    assert window.conversation.bubbles[-1] is thinking and not thinking.thinking
    assert thinking.text == finished.args[1] and "paris" in words(thinking.text)
    assert thinking._text.text() and not thinking._text.text().startswith("Thinking")


def test_a_turn_stopped_while_thinking_says_so(make_session, factory, qtbot, monkeypatch) -> None:
    session = make_session()
    window, bridge = session.window, session.bridge
    model = factory.responder()
    real_respond = model.respond

    def never_starts(messages, cancel=None, *args, **kwargs):
        assert cancel is not None
        cancel.wait(30)
        yield from real_respond(messages, cancel, *args, **kwargs)

    monkeypatch.setattr(model, "respond", never_starts)
    session.controller.ask("What is the capital of France?")
    qtbot.waitUntil(lambda: len(window.conversation.bubbles) == 2, timeout=30_000)
    with qtbot.waitSignal(bridge.turn_cancelled, timeout=10_000):
        window.stop_button.click()
    reply = window.conversation.bubbles[-1]
    assert not reply.thinking and reply.text == "(stopped before answering)"
    assert "stopped" in reply._meta.text()
