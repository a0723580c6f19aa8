"""Forgetting really forgets: while the app keeps the store open, no file under the data folder holds any
trace of the forgotten text, in any case, and the logs never held it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.memory.embeddings import MiniLMEmbedder
from app.memory.service import MemoryService
from app.memory.vector_index import VectorIndex
from tests.conftest import run_cli
from tests.memory.conftest import reopen
from tests.memory.holder import Holder

SECRET = "Zanzibarquux"
EDITED = "Quetzalvorn"


def traces(folder: Path, *words: str) -> list[str]:
    """Files under ``folder`` holding any of ``words`` (any case, also as UTF-16), or their stemmed start."""
    needles = []
    for word in words:
        for form in {word.lower(), word.upper(), word.capitalize(), word.lower()[1:-2]}:
            needles += [form.encode("utf-8"), form.encode("utf-16-le")]
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            lowered = data.lower()
            if any(n in data or n.lower() in lowered for n in needles):
                found.append(str(path.relative_to(folder)))
    return found


def test_a_running_app_forgets_and_no_file_keeps_the_text(holder: Holder, tmp_path: Path) -> None:
    data = tmp_path / "data"
    for i in range(30):  # other memories share the pages and the index segments
        holder.ask(f"add My colleague number {i} works on the project called Alpha{i}")
    memory_id = holder.ask(f"add My boat is named {SECRET}")
    holder.ask(f"edit {memory_id} My boat is named {SECRET} {EDITED}")
    assert traces(data, SECRET, EDITED), "the probe must see the text before the forget"
    assert holder.ask("forget-about my boat") == 1
    # The app is still running, with the database and the index open.
    assert traces(data, SECRET, EDITED) == []
    assert any("Alpha7" in text for text in holder.ask("search colleague Alpha7"))  # the rest still works
    log = holder.close()
    assert SECRET.lower() not in log.lower() and EDITED.lower() not in log.lower()


def test_forget_all_leaves_no_text(holder: Holder, tmp_path: Path) -> None:
    data = tmp_path / "data"
    for word in (SECRET, EDITED, "Plumbovex"):
        holder.ask(f"add My password hint is {word}")
    assert holder.ask("forget-all") >= 1
    assert traces(data, SECRET, EDITED, "Plumbovex") == []
    assert holder.ask("ids") == []
    holder.close()


def test_a_forget_from_the_cli_is_scrubbed_by_the_running_app_too(holder: Holder, tmp_path: Path) -> None:
    data = tmp_path / "data"
    for i in range(10):
        holder.ask(f"add My colleague number {i} works on the project called Beta{i}")
    holder.ask(f"add My boat is named {SECRET}")
    forgot = run_cli("memory", "forget", "--about", "my boat", data_dir=data)
    assert forgot.returncode == 0, forgot.stderr
    holder.ask("search boat")  # the app's next read catches up, dropping the index entry and its log rows
    assert traces(data, SECRET) == []
    holder.close()


def vector_traces(folder: Path, vector: list[float]) -> list[str]:
    """Files under ``folder`` holding ``vector`` as consecutive float32 values at any byte offset (to 1e-5,
    so a copy normalised again still counts)."""
    target = np.asarray(vector, dtype=np.float32)
    anchor = int(np.argmax(np.abs(target)))
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for shift in range(4 if len(data) >= 4 * len(target) + 3 else 0):
            values = np.frombuffer(data, dtype=np.float32, count=(len(data) - shift) // 4, offset=shift)
            with np.errstate(invalid="ignore"):
                starts = np.nonzero(np.abs(values - target[anchor]) <= 1e-5)[0] - anchor
            if any(
                0 <= s <= len(values) - len(target)
                and np.allclose(values[s : s + len(target)], target, atol=1e-5)
                for s in starts
            ):
                found.append(str(path.relative_to(folder)))
                break
    return found


@pytest.mark.slow
def test_a_forgotten_memorys_vector_leaves_the_saved_vector_index(holder: Holder, tmp_path: Path) -> None:
    data = tmp_path / "data"
    memory_id = holder.ask(f"add My boat is named {SECRET}")
    vector = holder.ask(f"vector {memory_id}")
    holder.ask("fill 1200")  # enough changes for Chroma to save its HNSW segment, the boat's vector with it
    assert any(p.endswith("data_level0.bin") for p in vector_traces(data / "chroma", vector)), (
        "the probe must see the vector in the saved index before the forget"
    )
    assert holder.ask("forget-about my boat") == 1
    assert vector_traces(data, vector) == []
    assert traces(data, SECRET) == []
    holder.ask("fill 1100")  # Chroma saves its segment again: what it writes back is not the old vector
    assert vector_traces(data, vector) == []
    assert not any(SECRET in text for text in holder.ask("search boat"))
    assert len(holder.ask("search meeting")) > 0  # the index still answers
    holder.close()


def test_vectors_chroma_has_not_saved_survive_a_restart(
    memory: MemoryService, embedder: MiniLMEmbedder
) -> None:
    """Aris purges Chroma's log itself (zeroing what it deletes): only rows both segments have saved go, so
    vectors still only in the log are replayed at the next start."""
    ids = [
        memory.add(f"My colleague number {i} works on the project called Gamma{i}").stored.id
        for i in range(5)
    ]
    forgotten = memory.forget(ids[0])
    again = reopen(memory, embedder)
    try:
        assert again.index is not None
        assert set(again.index.vectors(ids[1:])) == set(ids[1:])
        assert ids[0] not in again.index.ids()
        nearest = again.store.keeper.nearest(embedder.embed_one("Gamma3 project colleague"), 2)
        assert ids[3] in [memory_id for memory_id, _ in nearest]
        assert forgotten.id == ids[0]
    finally:
        again.close()


@pytest.mark.slow
def test_the_index_keeps_every_entry_across_saves_and_restarts(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    """Aris purges Chroma's log itself; the newest row must stay, or Chroma numbers the next rows from the
    start again and its segments, having saved up to those numbers, skip them."""
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((4500, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    folder = tmp_path / "chroma"
    index = VectorIndex(folder, embedder)
    for start in range(0, 4500, 2000):  # Chroma saves its HNSW segment every 1,000 changes
        index.upsert(
            [(f"id{i}", f"text {i}") for i in range(start, min(4500, start + 2000))], vectors[start:]
        )
    index.delete(["id7"])
    index.close()
    again = VectorIndex(folder, embedder)
    try:
        assert again.count() == 4499
        assert set(again.vectors(["id4499", "id2500", "id7"])) == {"id4499", "id2500"}
        assert again.query(vectors[4321], 1)[0].id == "id4321"
    finally:
        again.close()
