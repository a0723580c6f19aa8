"""`bench recall --locomo`: a file in LoCoMo's format is read, imported as `memory import` would, and every
question scored. The conversation here is made up for the test (the benchmark's own data never enters the
repository)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.bench.locomo_format import export_document, read_locomo, select, session_time
from app.memory.errors import MemoryImportError
from app.memory.transfer import parse_export
from tests.conftest import run_cli

_SESSIONS = [
    (
        "10:15 am on 3 March, 2024",
        [
            ("Nora", "Hi Theo! I finally adopted a greyhound yesterday, she is called Fern."),
            ("Theo", "That's lovely Nora. I have been restoring an old sailing boat in my garage."),
            ("Nora", "A boat! Where will you sail it?"),
            ("Theo", "On Lake Windmere, my uncle keeps a mooring there."),
        ],
    ),
    (
        "6:40 pm on 20 April, 2024",
        [
            ("Theo", "I ran my first half marathon last Sunday, it took two hours and five minutes."),
            ("Nora", "Congratulations! Fern and I started agility classes this week."),
            ("Theo", "Does Fern like the tunnels?", "a greyhound running through a blue agility tunnel"),
            ("Nora", "She loves them, the trainer says she is a natural."),
        ],
    ),
]


def _locomo_file(path: Path, samples: tuple[str, ...] = ("made-up-1",)) -> Path:
    conversation: dict[str, object] = {"speaker_a": "Nora", "speaker_b": "Theo"}
    for number, (when, lines) in enumerate(_SESSIONS, start=1):
        conversation[f"session_{number}_date_time"] = when
        turns = []
        for index, line in enumerate(lines, start=1):
            turn = {"speaker": line[0], "dia_id": f"D{number}:{index}", "text": line[1]}
            if len(line) > 2:
                turn["blip_caption"] = line[2]
            turns.append(turn)
        conversation[f"session_{number}"] = turns
    qa = [
        {
            "question": "When did Nora adopt Fern?",
            "answer": "2 March 2024",
            "evidence": ["D1:1"],
            "category": 2,
        },
        {
            "question": "What is Theo restoring?",
            "answer": "a sailing boat",
            "evidence": ["D1:2"],
            "category": 4,
        },
        {
            "question": "Where will Theo sail the boat he is restoring?",
            "answer": "Lake Windmere",
            "evidence": ["D1:2; D1:4"],
            "category": 1,
        },
        {
            "question": "What would Nora enjoy on a weekend?",
            "answer": "dogs",
            "evidence": ["D2:2"],
            "category": 3,
        },
        {"question": "How long did Nora's half marathon take?", "evidence": ["D2:1"], "category": 5},
        {"question": "Which dog sport?", "answer": "agility", "evidence": ["D9:9"], "category": 4},
    ]
    path.write_text(json.dumps([{"sample_id": s, "conversation": conversation, "qa": qa} for s in samples]))
    return path


def test_a_locomo_file_becomes_an_aris_export(tmp_path: Path) -> None:
    (conversation,) = read_locomo(_locomo_file(tmp_path / "talk.json"))
    assert len(conversation.turns) == 8
    assert conversation.turns[0].when == datetime(2024, 3, 3, 10, 15, tzinfo=UTC)
    assert "[shares a photo of a greyhound running" in conversation.turns[6].text
    # "D1:2; D1:4" is two ids; an id of no turn leaves its question out.
    assert [q.evidence for q in conversation.questions][2] == ("D1:2", "D1:4")
    assert len(conversation.questions) == 5
    document, dia_of = export_document(conversation)
    parsed = parse_export(document)  # the same validation as `memory import`
    assert parsed.memories[4].text.startswith("Theo: I ran my first half marathon")
    assert parsed.memories[4].created_at.startswith("2024-04-20T18:40")
    assert sorted(dia_of.values())[:2] == ["D1:1", "D1:2"]


def test_a_file_not_in_locomo_format_is_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"memories": []}')
    with pytest.raises(MemoryImportError, match="LoCoMo's format"):
        read_locomo(bad)
    assert session_time("1:56 pm on 8 May, 2023") == datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def test_conversations_are_chosen_by_sample_id_for_a_held_out_check(tmp_path: Path) -> None:
    every = read_locomo(_locomo_file(tmp_path / "talk.json", ("a-1", "b-2", "c-3")))
    assert select(every, None) == every
    assert [c.id for c in select(every, "c-3, a-1")] == ["a-1", "c-3"]  # the file's order
    with pytest.raises(MemoryImportError, match="No conversation d-4 in the file; it has a-1, b-2, c-3"):
        select(every, "a-1,d-4")
    with pytest.raises(MemoryImportError, match="none given"):
        select(every, " , ")


@pytest.mark.slow
def test_bench_recall_on_a_locomo_file(tmp_path: Path) -> None:
    path = _locomo_file(tmp_path / "talk.json", ("made-up-1", "made-up-2"))
    result = run_cli(
        "bench",
        "recall",
        "--locomo",
        str(path),
        "--samples",
        "made-up-2",
        "--json",
        data_dir=tmp_path / "aris",
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["conversation_ids"] == ["made-up-2"]
    assert figures["questions"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "all": 4}
    assert set(figures["recall"]) == {"fused", "bm25", "vector"}
    for groups in figures["recall"].values():
        for at in groups.values():
            assert 0.0 <= at["@1"] <= at["@5"] <= at["@10"] <= 1.0
    # Eight memories: every evidence turn is in every ranking's top 10.
    assert figures["recall"]["fused"]["all"]["@10"] == 1.0
    assert figures["recall"]["fused"]["4"]["@1"] == 1.0  # "restoring" is said once
    shares = figures["prompt_evidence_share"]
    assert shares["downloaded"]["all"] >= shares["built-in"]["all"] > 0.0
    assert figures["recall_ms"]["p95"] >= figures["recall_ms"]["p50"] > 0.0


def test_bench_recall_skips_a_missing_locomo_file(tmp_path: Path) -> None:
    result = run_cli(
        "bench", "recall", "--locomo", str(tmp_path / "absent.json"), data_dir=tmp_path / "aris", timeout=120
    )
    assert result.returncode == 0
    assert "skipped" in result.stderr and result.stdout == ""
