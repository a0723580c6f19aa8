"""A one-shot question opens memory only as far as it needs it: not before its answer when nothing is
remembered, in the background (overlapping the model's load) when something is, and a remembered fact
still reaches the answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.assistant import Assistant
from app.config import Settings
from app.memory.opening import OpeningMemory
from app.memory.service import MemoryService
from app.paths import DataPaths
from app.storage.database import open_database

pytestmark = pytest.mark.slow


def _assistant(factory, paths: DataPaths) -> Assistant:  # type: ignore[no-untyped-def]
    built = Assistant(paths, Settings())
    built.factory = factory  # the session's loaded models
    built.open_memory_in_background()
    return built


@pytest.fixture
def opened(store_paths: DataPaths, embedder) -> Iterator[list[MemoryService]]:  # type: ignore[no-untyped-def]
    services: list[MemoryService] = []
    yield services
    for service in services:
        service.close()


def test_an_empty_store_is_not_opened_for_an_ordinary_question(
    store_paths: DataPaths, embedder, opened: list[MemoryService]
) -> None:  # type: ignore[no-untyped-def]
    open_database(store_paths.database).conn.close()  # an existing database without memories

    def open_store() -> MemoryService:
        opened.append(MemoryService.open(store_paths, embedder=embedder))
        return opened[-1]

    hook = OpeningMemory(open_store, store_paths.database)
    assert hook.intercept("What is the capital of France?") is None
    assert hook.recall("What is the capital of France?") == []
    assert opened == []  # neither Chroma nor the embedder was waited for
    assert hook.intercept("Remember that my sister's name is Alice") is not None  # a command opens it
    assert len(opened) == 1
    assert hook.recall("What is my sister's name?") == ["The user's sister's name is Alice."]
    hook.close()
    opened.clear()


def test_a_remembered_fact_reaches_a_one_shot_answer(factory, store_paths: DataPaths) -> None:  # type: ignore[no-untyped-def]
    first = _assistant(factory, store_paths)
    try:
        first.ask("Remember that my sister's name is Alice")
    finally:
        first.close()
    second = _assistant(factory, store_paths)  # a new process: something is remembered, so it opens at once
    try:
        assert isinstance(second.memory, OpeningMemory)
        assert "Alice" in second.ask("What is my sister's name?").reply
        assert isinstance(second.open_memory(), MemoryService)  # the memory browser gets the real store
    finally:
        second.close()
