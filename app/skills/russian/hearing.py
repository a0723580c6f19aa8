"""What Whisper bends in a Russian request, put right before matching: the command word's ending ("разбудим"
for "разбуди", "напомним" for "напомни", "которые" for "который") and the middle of the few nouns the skills
key on ("напроминания"). Only words close to one of these are changed; a case form ("таймере") or another
verb ("подскажи") is left alone."""

from __future__ import annotations

import difflib
import re

from app.skills.russian.words import shared_prefix

LEADS = (
    "напомни", "разбуди", "поставь", "заведи", "засеки", "добавь", "запиши", "удали", "убери", "вычеркни",
    "прочитай", "покажи", "отмени", "сколько", "который", "какой", "какое", "какая", "какие", "раздели",
    "умножь", "переведи", "посчитай", "есть", "очисти", "когда", "через",
)  # fmt: skip
"""Words a request starts with."""

KEYWORDS = ("напоминания", "напоминание", "будильник", "будильники", "таймер", "покупок", "списке", "список")
"""Nouns the templates need word for word, long enough that a near miss is not another word."""


def repair(text: str) -> str:
    """``text`` (lower case) with a misheard first word and misheard key nouns put right."""
    words = text.split(" ")
    if words and words[0] and words[0] not in LEADS:
        bare = words[0].strip(",.?!")
        close = difflib.get_close_matches(bare, LEADS, n=1, cutoff=0.8)
        if close and len(bare) >= 5 and shared_prefix(bare, close[0]) >= max(4, len(close[0]) - 2):
            words[0] = close[0] + words[0][len(bare) :]  # only the ending was misheard
    for index, word in enumerate(words):
        bare = word.strip(",.?!")
        if len(bare) >= 7 and bare not in KEYWORDS:
            close = difflib.get_close_matches(bare, KEYWORDS, n=1, cutoff=0.85)
            if close and shared_prefix(bare, close[0]) < len(close[0]) - 2:
                words[index] = close[0]  # misheard inside the word, not a case ending
    return re.sub(r"^(напомни|разбуди),", r"\1", " ".join(words))
