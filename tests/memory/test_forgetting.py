"""Forgetting really forgets: while the app keeps the store open, no file under the data folder holds any
trace of the forgotten text, in any case, and the logs never held it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

SECRET = "Zanzibarquux"
EDITED = "Quetzalvorn"


class Holder:
    """The holder process (tests/memory/holder.py) and its conversation."""

    def __init__(self, data: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.memory.holder", str(data)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.ask_line() == {"ready": True}

    def ask_line(self) -> dict:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(self.proc.stderr.read() if self.proc.stderr else "holder died")
        return json.loads(line)

    def ask(self, command: str) -> object:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.ask_line()["answer"]

    def close(self) -> str:
        """Stop the holder; returns what it logged."""
        _, err = self.proc.communicate(timeout=60)
        return err


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[Holder]:
    running = Holder(tmp_path / "data")
    yield running
    if running.proc.poll() is None:
        running.proc.kill()
        running.proc.wait()


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
