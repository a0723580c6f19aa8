"""How soon a chat model would start answering on this computer: a figure `bench llm` measured here when
there is one, else an estimate from the model's file size and the number of cores.

The estimate's rule: the bundled SmolLM2-135M (98 MB) gives its first token ~100 ms after a short question
and then ~85 tokens/s on 2 cores, so its first spoken sentence (about 8 tokens) is ready after ~0.19 s.
Generating on a CPU reads the whole model once per token, so that time grows with the file size and shrinks
with the cores: ``seconds = 0.19 * size / 98 MB * 2 / cores``. A model whose first sentence would take more
than about a second is too slow to talk with, however good its answers."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.paths import DataPaths

log = logging.getLogger(__name__)

REFERENCE_BYTES = 98_362_432
"""Size of the bundled SmolLM2-135M GGUF, whose speed was measured on 2 cores."""
REFERENCE_SECONDS = 0.1 + 8 / 85
"""Its first token (0.1 s) plus 8 tokens at 85 tokens/s: the time to a first short spoken sentence."""
SENTENCE_TOKENS = 8
"""Tokens in a short first sentence, which the voice starts speaking as soon as it is complete."""
CONVERSATIONAL_SECONDS = 1.0
"""Longest wait for the first sentence that still feels like a conversation."""
MEASURED_FILE = "llm-speed.json"
"""Written under the data folder by `bench llm`: each measured model's first-token time and tokens/s."""


@dataclass(frozen=True)
class ReplySpeed:
    """How long a model takes to have its first sentence ready here, and whether that was measured."""

    seconds: float
    measured: bool

    @property
    def conversational(self) -> bool:
        """Fast enough to talk with (first sentence within about a second)."""
        return self.seconds <= CONVERSATIONAL_SECONDS


def core_count() -> int:
    """The cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def estimate_seconds(size_bytes: int, cores: int) -> float:
    """The module's rule: first-sentence time from the file size and the cores."""
    return REFERENCE_SECONDS * size_bytes / REFERENCE_BYTES * 2 / max(1, cores)


def load_measured(paths: DataPaths) -> dict[str, float]:
    """First-sentence seconds per model from the last `bench llm` on this computer (empty if none)."""
    path = paths.root / MEASURED_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("Ignoring the measured speeds in %s: %s", path, error)
        return {}
    measured: dict[str, float] = {}
    for name, figures in data.items() if isinstance(data, dict) else ():
        try:
            first = float(figures["first_token_ms_median"]) / 1000
            rate = float(figures["tokens_per_second_median"])
        except (KeyError, TypeError, ValueError):
            continue
        if rate > 0:
            measured[str(name)] = first + SENTENCE_TOKENS / rate
    return measured


def record_measured(paths: DataPaths, results: list[dict[str, Any]]) -> Path:
    """Keep `bench llm`'s figures (merged with earlier ones) so the Models page can prefer them."""
    path = paths.root / MEASURED_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    for result in results:
        data[result["model"]] = {
            "first_token_ms_median": result["first_token_ms_median"],
            "tokens_per_second_median": result["tokens_per_second_median"],
        }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def reply_speed(
    name: str, size_bytes: int | None, cores: int, measured: dict[str, float]
) -> ReplySpeed | None:
    """The measured figure when there is one, else the estimate; None when the size is unknown."""
    if name in measured:
        return ReplySpeed(measured[name], measured=True)
    if not size_bytes:
        return None
    return ReplySpeed(estimate_seconds(size_bytes, cores), measured=False)
