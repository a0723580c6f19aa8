"""llama.cpp computes on one thread whoever asks (engine/llm_thread.py): a second generating thread made
every token ~60 % slower on two cores."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from engine.chat import SYSTEM_PROMPT, ChatMessage, Role
from engine.llm_thread import LLAMA_THREAD, ComputeThread

QUESTION = [ChatMessage(Role.SYSTEM, SYSTEM_PROMPT), ChatMessage(Role.USER, "What is the capital of France?")]


def test_replies_asked_from_any_thread_are_computed_on_the_llama_thread(factory, monkeypatch) -> None:
    responder = factory.responder()
    computed_on: list[str] = []
    create = responder._create

    def noting(*args, **kwargs):
        computed_on.append(threading.current_thread().name)
        return create(*args, **kwargs)

    monkeypatch.setattr(responder, "_create", noting)
    here = "".join(responder.respond(QUESTION))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="another") as other:
        there = other.submit(lambda: "".join(responder.respond(QUESTION))).result()
        whole = other.submit(responder.complete, QUESTION).result()
    assert "Paris" in here and here == there == whole  # the same seeded reply, wherever it was asked from
    assert len(computed_on) == 3 and set(computed_on) == {LLAMA_THREAD.name}


def test_a_call_from_the_thread_itself_runs_inline_and_errors_reach_the_caller() -> None:
    worker = ComputeThread("test-compute")
    assert worker.call(lambda: worker.call(threading.current_thread)).name == worker.name  # no deadlock
    with pytest.raises(ZeroDivisionError):
        worker.call(lambda: 1 / 0)


def test_a_stream_left_early_is_closed_on_its_thread() -> None:
    worker = ComputeThread("test-stream")
    closed_on: list[str] = []

    def numbers() -> Iterator[int]:
        try:
            yield from range(100)
        finally:
            closed_on.append(threading.current_thread().name)

    taken = []
    for number in worker.stream(numbers()):
        taken.append(number)
        if number == 2:
            break
    assert taken == [0, 1, 2]
    assert closed_on == [worker.name]
