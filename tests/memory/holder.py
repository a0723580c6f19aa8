"""A long-running Aris-like process for tests: holds the memory store open and runs one command per stdin
line ("add TEXT", "edit ID TEXT", "forget-about TEXT", "forget-all", "search TEXT", "ids", "fill N" to add N
generated memories in one batch, "vector ID" for a memory's stored vector), answering each
with one JSON line. Logging goes to stderr at DEBUG, so tests can check what the logs would hold."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from app.bench.memory import memory_sentences
from app.memory.service import MemoryService
from app.paths import DataPaths


class Holder:
    """Runs this module as a child process and talks to it."""

    def __init__(self, data: Path) -> None:
        root = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": str(root)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.memory.holder", str(data)],
            cwd=root,
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


def main() -> None:
    """Serve commands until stdin closes."""
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    service = MemoryService.open(DataPaths(Path(sys.argv[1])).ensure())
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        verb, _, rest = line.rstrip("\n").partition(" ")
        started = time.perf_counter()
        if verb == "add":
            decision = service.add(rest)
            answer: object = decision.stored.id if decision.stored else None
        elif verb == "edit":
            memory_id, _, text = rest.partition(" ")
            answer = service.edit(memory_id, text).id
        elif verb == "forget-about":
            answer = len(service.forget_matching(rest))
        elif verb == "forget-all":
            answer = service.forget_all()
        elif verb == "fill":
            texts = memory_sentences(int(rest), seed=int(time.time()))
            service.rows.insert_many([(text, None) for text in texts])
            service.store.keeper.sync()
            answer = service.rows.live_count()
        elif verb == "vector":
            assert service.index is not None
            answer = [float(x) for x in service.index.vectors([rest])[rest]]
        elif verb == "search":
            answer = [r.memory.text for r in service.search(rest)]
        else:
            answer = sorted(m.id for m in service.memories())
        ms = (time.perf_counter() - started) * 1000
        print(json.dumps({"answer": answer, "ms": ms}), flush=True)
    service.close()


if __name__ == "__main__":
    main()
