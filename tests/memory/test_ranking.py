"""The fusion's two paths on a real store: a second hop through names for two-part questions, and meaning
alone for questions about time."""

from __future__ import annotations

from app.memory.ranking import about_time, is_personal, linked_names
from app.memory.service import MemoryService


def test_names_are_the_capitalised_words_the_question_lacks() -> None:
    assert linked_names("My sister is called Rosa.", "Which city does my sister live in?") == ["Rosa"]
    assert linked_names("Rosa and I went hiking at Eagle Crag.", "Who did I hike with at Eagle Crag?") == [
        "Rosa"
    ]
    assert linked_names("The user's sister lives in Lyon.", "Where does Lyon lie?") == []


def test_questions_about_time_are_told_apart() -> None:
    assert about_time("When did I adopt Pepper?")
    assert about_time("Where did I live before I moved to Porto?")
    assert about_time("Which city do I live in now?")
    assert not about_time("Which city does my sister live in?")


def test_a_two_part_question_finds_both_parts(memory: MemoryService) -> None:
    memory.add("My sister is called Rosa", kind="note")
    for name, city in (
        ("Jonas", "Lisbon"),
        ("Marta", "Porto"),
        ("Tomas", "Ghent"),
        ("Rosa", "Lyon"),
        ("Ingrid", "Bergen"),
        ("Kalani", "Tartu"),
        ("Oskar", "Graz"),
        ("Priya", "Cork"),
    ):
        memory.add(f"{name} lives in {city}", kind="note")
    top = [r.memory.text for r in memory.search("Which city does my sister live in?", limit=2)]
    assert sorted(top) == sorted(["The user's sister is called Rosa.", "Rosa lives in Lyon."]), top


def test_questions_that_name_no_one_are_told_apart() -> None:
    assert is_personal("Where does my sister live?") and is_personal("What do you know about me?")
    assert is_personal("Where does Rosa live?") and is_personal("I'm cold, what should I wear?")
    assert not is_personal("Which ocean is the largest?") and not is_personal("What do bees make?")


def test_a_general_question_gets_only_memories_close_to_it(memory: MemoryService) -> None:
    """The conversation bench's turn 20: "Which ocean is the largest?" drew "Tom lives near the sea" (cosine
    0.30) into the prompt, ~20 tokens that slowed the answer and did not help it."""
    memory.add("My best friend Tom lives near the sea.")
    memory.add("The wifi password is tulip42.")
    assert memory.recall("Which ocean is the largest?") == []
    assert memory.recall("Where does Tom live?") == ["The user's best friend Tom lives near the sea."]
    assert memory.recall("What's the wifi password?") == ["The wifi password is tulip42."]
