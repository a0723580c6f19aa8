"""Memory learning never holds the model when a turn starts: it waits between turns, a turn stops it part-way,
and it resumes after the turn."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest

from app.learning import TurnGate, YieldingCompleter
from app.memory.extraction import FACT_SCHEMA
from engine.cancel import CancelToken
from engine.chat import SYSTEM_PROMPT, ChatMessage, Role
from engine.errors import TurnCancelledError


class BlockingModel:
    """Computes 'forever' until cancelled, the first ``stalls`` times; then answers at once."""

    def __init__(self, stalls: int) -> None:
        self.stalls = stalls
        self.started = threading.Event()
        self.calls: list[Sequence[ChatMessage]] = []

    def complete_json(
        self,
        messages: Sequence[ChatMessage],
        schema: dict[str, Any],
        max_tokens: int = 256,
        *,
        cancel: CancelToken | None = None,
    ) -> Any:
        self.calls.append(messages)
        self.started.set()
        if len(self.calls) <= self.stalls:
            assert cancel is not None
            if not cancel.wait(10):
                raise AssertionError("a starting turn did not cancel background work")
            raise TurnCancelledError("cancelled")
        return {"facts": []}


def test_a_turn_stops_background_work_which_resumes_after_it() -> None:
    gate = TurnGate()
    model = BlockingModel(stalls=1)
    completer = YieldingCompleter(lambda: model, gate)
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(completer.complete_json([], {})))
    worker.start()
    assert model.started.wait(5)
    with gate.turn():
        time.sleep(0.1)
        assert len(model.calls) == 1, "background work restarted while the turn was running"
        assert not result
    worker.join(5)
    assert result == [{"facts": []}]
    assert completer.interruptions == 1 and completer.completed == 1 and len(model.calls) == 2


def test_background_work_waits_for_a_running_turn() -> None:
    gate = TurnGate()
    model = BlockingModel(stalls=0)
    completer = YieldingCompleter(lambda: model, gate)
    with gate.turn():
        worker = threading.Thread(target=lambda: completer.complete_json([], {}))
        worker.start()
        time.sleep(0.2)
        assert not model.calls
    worker.join(5)
    assert len(model.calls) == 1


def test_the_real_model_stops_inside_a_structured_completion(factory) -> None:
    """llama.cpp's abort callback ends a JSON completion part-way, and the context stays usable."""
    model = factory.background_responder()
    messages = [
        ChatMessage(Role.SYSTEM, SYSTEM_PROMPT + " " + "Take notes carefully. " * 80),
        ChatMessage(Role.USER, "Message: My brother Tom is a doctor."),
    ]
    schema = FACT_SCHEMA
    cancel = CancelToken()
    timer = threading.Timer(0.05, cancel.cancel)
    timer.start()
    started = time.monotonic()
    with pytest.raises(TurnCancelledError):
        model.complete_json(messages, schema, max_tokens=200, cancel=cancel)
    print(f"stopped {(time.monotonic() - started) * 1000:.0f} ms after the start (cancel at 50 ms)")
    assert isinstance(model.complete_json(messages, schema, max_tokens=200), dict)
    assert factory.background_responder() is not factory.responder()
