"""A long-running Aris-like process for tests: holds the memory store open and runs one command per stdin
line ("add TEXT", "edit ID TEXT", "forget-about TEXT", "forget-all", "search TEXT", "ids"), answering each
with one JSON line. Logging goes to stderr at DEBUG, so tests can check what the logs would hold."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from app.memory.service import MemoryService
from app.paths import DataPaths


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
        elif verb == "search":
            answer = [r.memory.text for r in service.search(rest)]
        else:
            answer = sorted(m.id for m in service.memories())
        ms = (time.perf_counter() - started) * 1000
        print(json.dumps({"answer": answer, "ms": ms}), flush=True)
    service.close()


if __name__ == "__main__":
    main()
