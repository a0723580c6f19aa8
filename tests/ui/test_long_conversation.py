"""A long typed conversation in the desktop app, memory on: no turn re-reads the whole conversation.

Counted in prompt tokens llama.cpp actually evaluated (its own counters), not in seconds: a turn that
re-evaluates the history is what made the 10th question of a session take 10 s."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.bench.voice import CONVERSATION

QUESTIONS = CONVERSATION  # the bench's 20-turn conversation, so the shell test and the figure agree


@pytest.mark.slow
def test_twenty_typed_turns_never_re_evaluate_the_history(make_session, qtbot) -> None:
    session = make_session()
    window, bridge = session.window, session.bridge
    bridge.set_speaking_paused(True)  # the replies' audio is not what this test is about
    responder = bridge.assistant.factory.responder()
    stats = []
    for question in QUESTIONS:
        with qtbot.waitSignal(bridge.turn_finished, timeout=120_000):
            qtbot.keyClicks(window.input, question)
            qtbot.keyClick(window.input, Qt.Key.Key_Return)
        stats.append(responder.last_prompt)
        # Memory learns from the turn between questions, as it would while the user reads the answer.
        qtbot.waitUntil(lambda: not bridge._pending, timeout=30_000)
        bridge.assistant.wait_for_learning(timeout=300)

    assert len(window.conversation.bubbles) == 2 * len(QUESTIONS)
    assert bridge.assistant.learning_model.completed > 0, "memory learning never ran a model extraction"
    evaluated = [s.evaluated_tokens for s in stats]
    prompts = [s.prompt_tokens for s in stats]
    print("prompt tokens per turn:", prompts)
    print("evaluated tokens per turn:", evaluated)
    assert prompts[-1] > 3 * prompts[0], "the history did not reach the prompt"
    # Each turn evaluates its new question, the memories recalled for it and the previous exchange; the
    # rest (system prompt and older turns) comes from llama.cpp's cache. Only a history trim, which drops
    # a large block of old turns at once, may re-read what is left.
    rereads = [i for i, (e, p) in enumerate(zip(evaluated, prompts, strict=True)) if i > 0 and e > 0.5 * p]
    assert len(rereads) <= 1, (rereads, evaluated, prompts)
    assert all(e < 400 for i, e in enumerate(evaluated) if i not in rereads), evaluated
