"""Reading a long-conversation benchmark in LoCoMo's format (Maharana et al., ACL 2024) and turning each
conversation into an Aris memory export, so it enters a store the way a user's own import would.

The format: a JSON list of samples, each with ``conversation`` (``speaker_a``, ``speaker_b``, ``session_N``
lists of turns with ``speaker``, ``dia_id``, ``text`` and sometimes ``blip_caption`` for a shared photo, and
``session_N_date_time`` such as "1:56 pm on 8 May, 2023") and ``qa`` (``question``, ``evidence`` dialogue ids,
``category`` 1-5). The data itself is never part of this repository: benches read it from a given path."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.memory.errors import MemoryImportError
from app.memory.transfer import FORMAT, VERSION

CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}
"""LoCoMo's question categories. Category 5 asks about something the conversation never says (often a fact
of one speaker attributed to the other); its evidence is the turn the question twists."""

_NAMESPACE = uuid.UUID("5b0d3c1e-7f55-4c69-9a4f-0c3e0c7b1f21")
_SESSION = re.compile(r"^session_(\d+)$")
_DIA_ID = re.compile(r"D\d+:\d+")


@dataclass(frozen=True)
class Turn:
    """One line of the conversation: who said it, when (the session's date) and what."""

    dia_id: str
    speaker: str
    text: str
    when: datetime


@dataclass(frozen=True)
class Question:
    """A question with the dialogue ids of the turns that hold its answer."""

    text: str
    category: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class LocomoConversation:
    """One sample: two speakers over many dated sessions, and the questions about them."""

    id: str
    turns: tuple[Turn, ...]
    questions: tuple[Question, ...]


def read_locomo(path: Path) -> list[LocomoConversation]:
    """Every conversation of a LoCoMo-format file.

    Raises:
        MemoryImportError: unreadable, not JSON or not in LoCoMo's format; says which.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MemoryImportError(f"There is no file at {path}.") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise MemoryImportError(f"Cannot read {path} as JSON ({error}).") from error
    if not isinstance(data, list) or not data:
        raise MemoryImportError(f"{path} is not in LoCoMo's format: expected a list of conversations.")
    try:
        return [_conversation(sample, n) for n, sample in enumerate(data)]
    except (KeyError, TypeError, ValueError) as error:
        raise MemoryImportError(
            f"{path} is not in LoCoMo's format ({type(error).__name__}: {error})."
        ) from error


def select(conversations: list[LocomoConversation], ids: str | None) -> list[LocomoConversation]:
    """The conversations named in ``ids`` (comma-separated sample ids such as "conv-42,conv-43"), in the
    file's order; all of them for None. A change decided on some conversations is checked on the others.

    Raises:
        MemoryImportError: an id names no conversation of the file; says which ids there are.
    """
    if ids is None:
        return conversations
    wanted = [i.strip() for i in ids.split(",") if i.strip()]
    known = [c.id for c in conversations]
    missing = [i for i in wanted if i not in known]
    if missing or not wanted:
        raise MemoryImportError(
            f"No conversation {', '.join(missing) or '(none given)'} in the file; it has {', '.join(known)}."
        )
    return [c for c in conversations if c.id in wanted]


def session_time(text: str) -> datetime:
    """A session's date-time as LoCoMo writes it ("1:56 pm on 8 May, 2023"), read as UTC."""
    clean = " ".join(text.replace(",", " ").split())
    return datetime.strptime(clean, "%I:%M %p on %d %B %Y").replace(tzinfo=UTC)


def _conversation(sample: dict[str, Any], n: int) -> LocomoConversation:
    talk = sample["conversation"]
    turns: list[Turn] = []
    sessions = sorted((int(m.group(1)), key) for key in talk if (m := _SESSION.match(key)))
    for number, key in sessions:
        when = session_time(talk[f"session_{number}_date_time"])
        for line in talk[key]:
            text = " ".join(str(line.get("text", "")).split())
            caption = line.get("blip_caption")
            if caption:
                text = f"{text} [shares a photo of {' '.join(str(caption).split())}]".strip()
            if text:
                turns.append(Turn(str(line["dia_id"]), str(line["speaker"]), text, when))
    known = {t.dia_id for t in turns}
    questions = []
    for qa in sample.get("qa", []):
        # Some evidence lists hold several ids in one string ("D8:6; D9:17") or ids of no turn.
        evidence = tuple(
            dict.fromkeys(i for e in qa["evidence"] for i in _DIA_ID.findall(str(e)) if i in known)
        )
        if evidence:
            questions.append(Question(str(qa["question"]), int(qa["category"]), evidence))
    return LocomoConversation(str(sample.get("sample_id", f"sample-{n}")), tuple(turns), tuple(questions))


def memory_text(turn: Turn) -> str:
    """A turn as a memory: the speaker first, so a name in a question finds what that person said."""
    return f"{turn.speaker}: {turn.text}"


def export_document(conversation: LocomoConversation) -> tuple[dict[str, Any], dict[str, str]]:
    """The conversation as an Aris memory export (one memory per turn, dated by its session, in order), and
    each memory id's dialogue id."""
    memories: list[dict[str, str]] = []
    dia_of: dict[str, str] = {}
    for turn in conversation.turns:
        memory_id = str(uuid.uuid5(_NAMESPACE, f"{conversation.id}/{turn.dia_id}/{len(memories)}"))
        stamp = turn.when.isoformat(timespec="milliseconds")
        memories.append(
            {
                "id": memory_id,
                "text": memory_text(turn)[:2000],
                "kind": "note",
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        dia_of[memory_id] = turn.dia_id
    document = {"format": FORMAT, "version": VERSION, "exported_at": _now(), "memories": memories}
    return document, dia_of


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
