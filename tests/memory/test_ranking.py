"""The fusion's two paths on a real store: a second hop through names for two-part questions, and meaning
alone for questions about time."""

from __future__ import annotations

from app.memory.ranking import about_time, linked_names
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
