"""Recognising explicit memory commands ("remember that …", "forget …", "what do you know about me")
deterministically, before the language model sees the turn."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class CommandKind(StrEnum):
    """What the user asked the memory to do."""

    REMEMBER = "remember"
    FORGET = "forget"
    FORGET_ALL = "forget_all"
    LIST = "list"


@dataclass(frozen=True)
class MemoryCommand:
    """A parsed command; ``body`` is what to remember, what to forget, or the topic to list ("" = all)."""

    kind: CommandKind
    body: str


_WAKE = r"(?:(?:hey|hi|ok|okay)\s+)?(?:aris[,!.]?\s+)?"
_POLITE = (
    r"(?:(?:please|can you|could you|would you|will you|i want you to|i need you to|i'd like you to|"
    r"make sure (?:to|you)|try to|always)\s+)*(?:please\s+)?"
)
_END = r"[\s,]*(?:please|thanks|thank you|ok|okay)?[\s.!?]*$"

_REMEMBER = re.compile(
    rf"^{_WAKE}{_POLITE}"
    r"(?:remember|memori[sz]e|don'?t\s+forget|do\s+not\s+forget|never\s+forget|keep\s+in\s+mind|bear\s+in\s+mind|"
    r"(?:make|take)\s+a\s+note|(?:note|save|store|write\s+down|learn|record)(?=\s+(?:that|this)\b|\s*:))"
    r"(?:\s+(?:that|this|the\s+fact\s+that|about\s+me\s+that))?\s*[:,-]?\s+(?P<body>.+?)" + _END,
    re.I,
)
_FORGET = re.compile(
    rf"^{_WAKE}{_POLITE}"
    r"(?:(?P<forget>forget|unlearn|stop\s+remembering)|(?P<erase>delete|remove|erase|drop|wipe|clear|purge))\s+"
    r"(?P<rest>.+?)" + _END,
    re.I,
)
_MEMORY_NOUN = re.compile(
    r"^(?:(?:the|that|this|any|all|my|your|every)\s+)*(?:memor(?:y|ies)|notes?|facts?|things?|everything|"
    r"what\s+(?:i|you)\s+(?:told|said\s+to|taught|know|remember|learned|learnt)(?:\s+(?:you|me))?)\b\s*",
    re.I,
)
_ABOUT = re.compile(r"^(?:about|that|of|on|regarding|concerning|where|saying|which\s+says)\s+", re.I)
_ALL = re.compile(
    r"^(?:everything|all(?:\s+(?:of\s+)?(?:my|your|the))?\s*(?:memor(?:y|ies)|facts|notes|things)?|"
    r"(?:all\s+)?(?:my|your)\s+memories|everything\s+(?:you\s+know\s+)?about\s+me|all\s+about\s+me)$",
    re.I,
)
_LIST = re.compile(
    rf"^{_WAKE}(?:(?:so|and|ok|okay|tell me|can you tell me|please tell me|tell me again)[,]?\s+)*"
    r"(?:"
    r"(?:what|which\s+things|what\s+things|what\s+else|what\s+facts)\s+(?:do|did|have)\s+you\s+"
    r"(?:know|remember|recall|store[d]?|save[d]?|learn(?:ed|t)?|memori[sz]ed?|got)"
    r"|what\s+have\s+you\s+(?:remembered|stored|saved|learned|learnt|memori[sz]ed)"
    r"|what\s+(?:are|is\s+in)\s+your\s+memor(?:y|ies)"
    r"|(?:list|show|read|tell\s+me)\s+(?:me\s+)?(?:all\s+)?(?:my|your|the)\s+memories"
    r"|what\s+you\s+(?:know|remember)"
    r")"
    r"(?:\s+(?:about|of|regarding|on)\s+(?P<topic>.+?))?(?:\s+so\s+far)?[\s.!?]*$",
    re.I,
)
_SELF = re.compile(r"^(?:me|myself|me\s+so\s+far|us|me\s+and\s+my\s+life)$", re.I)
_NOT_A_TARGET = frozenset({"it", "that", "this", "about it", "about that", "it please", "that please"})


def parse_command(text: str) -> MemoryCommand | None:
    """The memory command in ``text``, or None if it is an ordinary turn."""
    said = re.sub(r"\s+", " ", text).strip()
    if not said:
        return None
    m = _LIST.match(said)
    if m:
        topic = (m.group("topic") or "").strip()
        return MemoryCommand(CommandKind.LIST, "" if _SELF.match(topic) else topic)
    m = _REMEMBER.match(said)
    if m and not said.lower().startswith(("do you", "did you", "can you remember when", "remember when")):
        body = m.group("body").strip()
        if body.lower() not in _NOT_A_TARGET:
            return MemoryCommand(CommandKind.REMEMBER, body)
    m = _FORGET.match(said)
    return _forget_command(m) if m else None


def _forget_command(m: re.Match[str]) -> MemoryCommand | None:
    rest = m.group("rest").strip()
    noun = _MEMORY_NOUN.match(rest)
    if m.group("erase") and noun is None:
        return None  # "delete the timer" is not about memories
    if _ALL.match(rest):
        return MemoryCommand(CommandKind.FORGET_ALL, "")
    body = rest[noun.end() :] if noun else rest
    body = _ABOUT.sub("", body).strip()
    if body.lower() in _NOT_A_TARGET or (not body and noun is None):
        return None  # "forget it", "never mind, forget that": conversation, not a command
    return MemoryCommand(CommandKind.FORGET, body)
