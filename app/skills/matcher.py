"""Sentence → intent with hassil: home-assistant-intents' English templates where they fit (timers, the time
and date, the shopping list, never mind) merged with ours from resources/intents/LANG/*.yaml."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from models.locate import resource_path

log = logging.getLogger(__name__)

HOME_ASSISTANT_INTENTS = frozenset(
    {
        "HassStartTimer",
        "HassCancelTimer",
        "HassCancelAllTimers",
        "HassTimerStatus",
        "HassPauseTimer",
        "HassUnpauseTimer",
        "HassIncreaseTimer",
        "HassDecreaseTimer",
        "HassGetCurrentTime",
        "HassGetCurrentDate",
        "HassShoppingListAddItem",
        "HassNevermind",
    }
)
"""The Home Assistant intents that make sense on a desktop; the rest control devices Aris doesn't have.
(HassShoppingListCompleteItem is left out: it reads "remove milk" as checking it off, and ours tell them apart.)"""


MISHEARD = (
    (r"^(center|centre|sent a|said a|set up) (timer|reminder|alarm)\b", r"set a \2"),
    (
        r"^(at|had|and),? (.+) (to|on|onto) (my|the) ((?:shopping|grocery|to-?do|to do) list)$",
        r"add \2 \3 \4 \5",
    ),
)
"""Command words whisper mishears at the start of a request ("Center timer for 10 minutes")."""

MISHEARD_RU = (
    # festival's Russian "поставь таймер" reaches Whisper base as "поставьте мир", "ты мир", "те мир"…
    (r"\bпоставьте мир(а|е|у|ом)?\b", r"поставь таймер\1"),
    (r"\b(?:ты|те|тэ|тай|та) ?мир(а|е|у|ом)?\b", r"таймер\1"),
    (r"\bтаймеры?\b(?= на )", "таймер"),
)
"""What Whisper mishears in Russian requests, put right before matching (only words no request means)."""

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass(frozen=True)
class IntentMatch:
    """One way a sentence fits a template."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    wildcard_chars: int = 0
    """Characters captured by open slots: fewer means a more literal, more certain match."""


class IntentMatcher:
    """All templates of one language, loaded once."""

    def __init__(self, language: str = "en") -> None:
        from hassil import (
            Intents,
            SlotList,
            TextSlotList,
        )  # imported with the first matcher, not at app start

        self.language = language
        self._intents = Intents.from_dict(_templates(language))
        empty = TextSlotList.from_strings([])
        # Home Assistant fills these from the user's devices; Aris has none.
        self._slot_lists: dict[str, SlotList] = {"area": empty, "floor": empty, "name": empty}

    def matches(self, text: str) -> list[IntentMatch]:
        """Every template the sentence fits, most literal first."""
        from hassil import recognize_all

        sentence = normalise(text, self.language)
        if not sentence:
            return []
        found = []
        for result in recognize_all(sentence, self._intents, slot_lists=self._slot_lists):
            slots = {
                name: _with_punctuation(entity.value, sentence) if entity.is_wildcard else entity.value
                for name, entity in result.entities.items()
            }
            wild = sum(len(str(e.value)) for e in result.entities.values() if e.is_wildcard)
            found.append(IntentMatch(result.intent.name, slots, wild))
        found.sort(key=lambda m: (m.wildcard_chars, m.intent.startswith("Aris")))
        return found


def _with_punctuation(value: Any, sentence: str) -> Any:
    """An open slot as the user said it: hassil drops the commas inside a wildcard ("milk, eggs and bread"
    came back as "milk eggs and bread", one item too few), so the words are found again in the sentence."""
    words = str(value).split()
    if not words:
        return value
    found = re.search(r"[\s,;]+".join(map(re.escape, words)), sentence)
    return found.group(0) if found else value


def normalise(text: str, language: str = "en") -> str:
    """What the templates are written against: lower case, plain apostrophes, no closing punctuation."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").strip().lower()
    if language == "ru":
        from app.skills.russian.hearing import repair

        text = re.sub(r"^(эй |окей )?арис[,. ]+", "", text.replace("ё", "е")).rstrip(" ?.!")
        for misheard, meant in MISHEARD_RU:
            text = re.sub(misheard, meant, text)
        text = repair(text)
        return re.sub(r"[,]?\s*пожалуйста$", "", text).strip(" ?.!,")
    text = re.sub(r"^(hey |ok |okay )?aris[,. ]+", "", text)
    text = re.sub(r"[,]?\s*please$", "", text.rstrip(" ?.!"))
    for misheard, meant in MISHEARD:
        text = re.sub(misheard, meant, text)
    text = re.sub(r"^(please|so|and|um|uh|hey|ok|okay)[, ]+", "", text)
    return text.strip(" ?.!,")


def _templates(language: str) -> dict[str, Any]:
    """Home Assistant's templates for this language, narrowed to ours, with our own files merged in."""
    import home_assistant_intents
    import yaml  # type: ignore[import-untyped]

    merged: dict[str, Any] = {"language": language, "intents": {}, "lists": {}, "expansion_rules": {}}
    try:
        upstream = home_assistant_intents.get_intents(language) or {}
    except (OSError, ValueError):
        log.warning("No Home Assistant templates for %s", language)
        upstream = {}
    for key in ("lists", "expansion_rules", "skip_words"):
        if key in upstream:
            merged[key] = dict(upstream[key]) if isinstance(upstream[key], dict) else list(upstream[key])
    merged["intents"] = {k: v for k, v in upstream.get("intents", {}).items() if k in HOME_ASSISTANT_INTENTS}
    folder = resource_path("intents", language)
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        ours = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged["intents"].update(ours.get("intents", {}))
        merged["lists"].update(ours.get("lists", {}))
        merged["expansion_rules"].update(ours.get("expansion_rules", {}))
    return merged
