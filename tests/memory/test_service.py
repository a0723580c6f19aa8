"""MemoryService on a real store with real embeddings: learning decisions, recall, forgetting, export/import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.memory.decisions import Action
from app.memory.embeddings import MiniLMEmbedder
from app.memory.errors import MemoryImportError, MemoryInputError, MemoryNotFoundError
from app.memory.service import MemoryService
from app.memory.transfer import parse_export, read_export
from app.paths import DataPaths
from tests.memory.conftest import fts_ids, index_ids, reopen


def test_remember_command_then_recall_after_restart(memory: MemoryService, embedder: MiniLMEmbedder) -> None:
    reply = memory.intercept("Remember that my sister's name is Alice")
    assert reply == "OK, I'll remember that your sister's name is Alice."
    again = reopen(memory, embedder)
    try:
        assert again.recall("What is my sister's name?") == ["The user's sister's name is Alice."]
    finally:
        again.close()


def test_ordinary_questions_are_not_commands(memory: MemoryService) -> None:
    assert memory.intercept("What is the capital of France?") is None
    assert memory.intercept("Can you remember when the Berlin wall fell?") is None
    assert memory.intercept("Delete the timer") is None
    assert memory.rows.live_count() == 0


def test_moving_replaces_where_i_live_and_keeps_history(memory: MemoryService) -> None:
    memory.learn("I live in Berlin.")
    decisions = memory.learn("I moved from Berlin to Lisbon last year.")
    assert [d.action for d in decisions] == [Action.UPDATE]
    live = [m.text for m in memory.list()]
    assert live == ["The user lives in Lisbon."]
    history = memory.list(include_history=True)
    berlin = next(m for m in history if "Berlin" in m.text)
    lisbon = next(m for m in history if "Lisbon" in m.text)
    assert berlin.superseded_by == lisbon.id and not berlin.is_live
    assert memory.recall("Where do I live?") == ["The user lives in Lisbon."]
    assert fts_ids(memory, "berlin") == []
    assert berlin.id not in index_ids(memory)


def test_duplicates_are_not_stored_twice(memory: MemoryService) -> None:
    first = memory.learn("My sister's name is Alice.")
    assert [d.action for d in first] == [Action.ADD]
    assert [d.action for d in memory.learn("my sister's name is alice")] == [Action.NONE]
    assert memory.add("My sister's name is Alice").action is Action.NONE
    assert memory.intercept("Remember that my sister's name is Alice.") == (
        "I already know that your sister's name is Alice."
    )
    assert memory.add("The user's sister's name is Alice.").action is Action.NONE
    assert memory.rows.live_count() == 1
    assert memory.index.count() == 1


def test_retraction_deletes_the_fact_from_recall(memory: MemoryService) -> None:
    memory.learn("I work at Google.")
    decisions = memory.learn("I no longer work at Google.")
    assert [d.action for d in decisions] == [Action.DELETE]
    assert memory.list() == []
    assert memory.recall("Where do I work?") == []


def test_recall_puts_the_relevant_memory_first_among_distractors(memory: MemoryService) -> None:
    for text in (
        "I live in Lisbon.",
        "My dog is called Rex.",
        "I am allergic to peanuts.",
        "I work at Google.",
        "My favourite colour is green.",
        "I have two cats.",
        "My brother Tom is a doctor.",
        "I love sushi.",
        "My car is a red Volvo.",
        "My birthday is on March 3rd.",
    ):
        memory.add(text)
    assert memory.recall("What's my dog called?")[0] == "The user's dog is called Rex."
    assert memory.recall("What am I allergic to?")[0] == "The user is allergic to peanuts."
    assert memory.recall("When is my birthday?")[0] == "The user's birthday is on March 3rd."
    assert memory.recall("What car do I drive?")[0] == "The user's car is a red Volvo."
    assert memory.recall("What does my brother do?")[0] == "The user's brother Tom is a doctor."
    # Unrelated questions get no memories at all: a tiny model mixes unrelated facts into its answer.
    assert memory.recall("What is the capital of France?") == []
    assert memory.recall("Tell me a joke.") == []


def test_pinned_memory_wins_a_tie(memory: MemoryService) -> None:
    memory.add("I like jazz.")
    pinned = memory.add("I like blues.", pinned=True)
    assert pinned.action is Action.ADD
    ranked = memory.search("What music do I like?")
    assert ranked[0].memory.text == "The user likes blues." and ranked[0].memory.pinned


def test_forget_removes_it_from_rows_fts_index_and_recall(
    memory: MemoryService, embedder: MiniLMEmbedder
) -> None:
    memory.add("My car is a red Volvo.")
    memory.add("I live in Lisbon.")
    car = next(m for m in memory.list() if "Volvo" in m.text)
    assert fts_ids(memory, "volvo") == [car.id] and car.id in index_ids(memory)

    reply = memory.intercept("Forget what I told you about my car")
    assert reply == "OK, I've forgotten that."
    assert "Volvo" not in reply
    row = memory.rows.get(car.id)
    assert row is not None and row.deleted_at is not None and row.text == ""  # a tombstone, text erased
    assert [m.text for m in memory.list()] == ["The user lives in Lisbon."]
    assert fts_ids(memory, "volvo") == []
    assert car.id not in index_ids(memory)
    assert all("Volvo" not in text for text in memory.recall("What car do I drive?"))
    assert "Volvo" not in json.dumps(memory.export_json())

    again = reopen(memory, embedder)  # and it does not come back after a restart (index repair)
    try:
        assert car.id not in index_ids(again)
        assert all("Volvo" not in text for text in again.recall("What car do I drive?"))
    finally:
        again.close()


def test_forget_with_nothing_to_forget_says_so(memory: MemoryService) -> None:
    memory.add("I live in Lisbon.")
    assert memory.intercept("Forget what I told you about my car") == (
        "I don't have anything about your car to forget."
    )
    assert memory.rows.live_count() == 1


def test_what_do_you_know_about_me_lists_memories(memory: MemoryService) -> None:
    assert memory.intercept("What do you know about me?") == (
        "I don't know anything about you yet. Tell me, and I'll remember."
    )
    memory.add("I live in Lisbon.")
    memory.add("My sister's name is Alice.")
    reply = memory.intercept("so what do you remember about me")
    assert reply is not None
    assert "you live in Lisbon" in reply and "your sister's name is Alice" in reply
    memory.add("Call me Samantha")
    assert memory.intercept("What do you know about my sister?") == (
        "Here's what I know: your sister's name is Alice."
    )


def test_edit_pin_and_forget_by_id(memory: MemoryService) -> None:
    memory.add("I like tea.")
    tea = memory.list()[0]
    pinned = memory.pin(tea.id[:8])
    assert pinned.pinned
    edited = memory.edit(tea.id[:8], "I like green tea.")
    assert edited.text == "The user likes green tea." and edited.pinned
    assert [m.text for m in memory.list()] == ["The user likes green tea."]
    with pytest.raises(MemoryNotFoundError, match="replaced by a newer one"):
        memory.edit(tea.id, "I like coffee.")
    memory.forget(edited.id)
    assert memory.list() == []
    with pytest.raises(MemoryNotFoundError, match="No memory has the id"):
        memory.get(edited.id)
    with pytest.raises(MemoryInputError, match="empty"):
        memory.add("   ")


def test_export_import_round_trip_into_an_empty_store(
    memory: MemoryService, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    memory.learn("I live in Berlin.")
    memory.learn("I moved to Lisbon.")
    memory.add("My sister's name is Alice.", pinned=True)
    memory.add("My car is a red Volvo.")
    memory.forget_matching("my car")
    document = memory.export_json()
    assert document["format"] == "aris-memories" and document["version"] == 1
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    other = MemoryService.open(DataPaths(tmp_path / "other").ensure(), embedder=embedder)
    try:
        report = other.import_json(read_export(path))
        assert (report.added, report.skipped) == (3, 0)  # Lisbon, Berlin (as history), Alice; not the car
        original = {m.id: m for m in memory.list(include_history=True)}
        imported = {m.id: m for m in other.list(include_history=True)}
        assert imported == original
        assert other.recall("What is my sister's name?") == ["The user's sister's name is Alice."]
        assert other.recall("Where do I live?") == ["The user lives in Lisbon."]
        assert other.index.count() == 2
        assert other.import_json(read_export(path)).added == 0  # importing twice adds nothing
        assert other.rows.live_count() == 2
    finally:
        other.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": "something-else", "version": 1, "memories": []}', "not an Aris memory export"),
        ('[{"text": "hello"}]', "not an Aris memory export"),
        ('{"format": "aris-memories", "version": 7, "exported_at": "x", "memories": []}', "format version 7"),
        (
            '{"format": "aris-memories", "version": 1, "exported_at": "x", "memories": ['
            '{"id": "a", "text": "The user likes tea.", "kind": "fact", "created_at": "2026-01-01T00:00:00+00:00",'
            ' "updated_at": "2026-01-01T00:00:00+00:00"},'
            '{"id": "b", "text": "", "kind": "fact", "created_at": "2026-01-01T00:00:00+00:00",'
            ' "updated_at": "2026-01-01T00:00:00+00:00"}]}',
            "memories.1.text",
        ),
        (
            '{"format": "aris-memories", "version": 1, "exported_at": "x", "memories": ['
            '{"id": "a", "text": "The user likes tea.", "kind": "spaceship", "created_at": "2026-01-01T00:00:00+00:00",'
            ' "updated_at": "2026-01-01T00:00:00+00:00"}]}',
            "unknown kind",
        ),
    ],
)
def test_malformed_or_foreign_imports_change_nothing(
    memory: MemoryService, tmp_path: Path, content: str, message: str
) -> None:
    memory.add("I live in Lisbon.")
    before = memory.export_json()["memories"]
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MemoryImportError, match=message) as caught:
        memory.import_json(read_export(path))
    assert "\n" not in caught.value.message
    assert memory.export_json()["memories"] == before
    assert memory.index.count() == 1


def test_import_is_one_transaction(memory: MemoryService) -> None:
    """A failure half-way through the writes (here: a duplicate primary key) leaves nothing behind."""
    from app.storage.errors import StorageError

    memory.add("I live in Lisbon.")
    document = parse_export(
        {
            "format": "aris-memories",
            "version": 1,
            "exported_at": "2026-01-01T00:00:00+00:00",
            "memories": [
                {
                    "id": f"m{i}",
                    "text": f"The user owns {i} plants.",
                    "kind": "fact",
                    "created_at": "2026-01-01T00:00:00+00:00",
                    "updated_at": "2026-01-01T00:00:00+00:00",
                }
                for i in range(5)
            ],
        }
    )
    original_insert = memory.rows.insert_memory
    calls = {"n": 0}

    def failing_insert(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 4:
            memory.rows.db.execute("INSERT INTO no_such_table VALUES (1)")
        return original_insert(*args, **kwargs)  # type: ignore[arg-type]

    memory.rows.insert_memory = failing_insert  # type: ignore[method-assign]
    with pytest.raises(StorageError):
        memory.import_json(document)
    memory.rows.insert_memory = original_insert  # type: ignore[method-assign]
    assert [m.text for m in memory.list()] == ["The user lives in Lisbon."]
    assert memory.index.count() == 1


def test_forgetting_erases_the_exchange_it_was_learned_from(memory: MemoryService) -> None:
    log = memory.conversations
    conversation = log.start_conversation()

    def turn(said: str, reply: str) -> None:
        # What the Assistant does: the reply (intercepted or not), the log, then learning with the message id.
        answer = memory.intercept(said) or reply
        user_id = log.add_message(conversation, "user", said)
        log.add_message(conversation, "assistant", answer)
        memory.learn(said, answer, user_id)

    turn("Remember that my car is a red Volvo", "")
    turn("My bike is a green Brompton.", "Nice, a green Brompton!")
    turn("What is the capital of France?", "Paris.")
    sources = {m.text: m.source_message_id for m in memory.list()}
    assert all(sources.values()) and len(sources) == 2

    assert memory.intercept("Forget what I told you about my car") == "OK, I've forgotten that."
    assert memory.intercept("forget that my bike is a green Brompton") == "OK, I've forgotten that."
    assert log.search_messages("Volvo") == [] and log.search_messages("Brompton") == []
    assert [m.text for m in log.messages(conversation)] == ["What is the capital of France?", "Paris."]


def test_import_accepts_a_parsed_document_and_validates_it(memory: MemoryService) -> None:
    with pytest.raises(MemoryImportError, match="not an Aris memory export"):
        memory.import_json({"format": "joplin", "items": []})
    document = memory.export_json()
    memory.add("I live in Lisbon.")
    assert memory.import_json(memory.export_json()).skipped == 1
    assert memory.import_json(document).added == 0
