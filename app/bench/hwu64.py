"""Which Aris skill should take each HWU64 intent (Liu et al. 2019, CC BY 4.0), for scoring and training.

The labels are the dataset's; this table is ours, reviewed by hand. Where an intent spans two skills the
expected value lists both ("time|date"), and a reply from either counts as reaching the right skill:
- ``alarm_*``: an alarm is a reminder that rings, and HWU64's alarm phrasings include "set a timer at five
  am", so alarms count when they reach the reminder, alarm or timer skill.
- ``calendar_*``: Aris's only calendar is its reminders ("remind me of my meeting with Sam at four").
- ``datetime_query`` asks for either the time or the date; ``datetime_convert`` is time zones (the time skill).
- ``qa_maths`` includes a few unit conversions ("convert ten inches to centimeters").
- ``qa_currency`` has no offline answer: it must reach the model or the honest "I can't check exchange rates
  offline" (skill ``offline``), never a maths or units guess.
Music, radio, podcasts, the news and stock prices may also get the honest one-sentence refusal (skill
``offline``: "I can't check the news offline."). Every other intent (email, general questions…) must reach the
language model.
"""

from __future__ import annotations

import re

SKILL_OF_INTENT: dict[str, str] = {
    "alarm_set": "alarm|reminder|timer",
    "alarm_query": "alarm|reminder|timer",
    "alarm_remove": "alarm|reminder|timer",
    "calendar_set": "reminder|alarm",
    "calendar_query": "reminder|alarm",
    "calendar_remove": "reminder|alarm",
    "datetime_query": "time|date",
    "datetime_convert": "time",
    "lists_createoradd": "list",
    "lists_query": "list",
    "lists_remove": "list",
    "qa_maths": "math|units",
    "qa_currency": "none|offline",
    "weather_query": "none|offline",
    "play_music": "none|offline",
    "play_radio": "none|offline",
    "play_podcasts": "none|offline",
    "play_audiobook": "none|offline",
    "music_query": "none|offline",
    "music_settings": "none|offline",
    "news_query": "none|offline",
    "qa_stock": "none|offline",
}
"""HWU64 intent → expected skill(s); intents not listed expect ``none`` (the language model)."""


def expected_skill(intent: str) -> str:
    """The expected-skill cell for one HWU64 intent (``none`` for the intents no skill serves)."""
    return SKILL_OF_INTENT.get(intent.strip(), "none")


_DATE_WORDS = r"\b(date|day|days|month|year|today|tomorrow|yesterday|week|weekday|weekend|calendar)\b"

CLASS_OF_INTENT: dict[str, str] = {
    "alarm_set": "reminder_set",
    "alarm_query": "reminder_query",
    "alarm_remove": "reminder_cancel",
    "calendar_set": "reminder_set",
    "calendar_query": "reminder_query",
    "calendar_remove": "reminder_cancel",
    "datetime_convert": "time",
    "lists_createoradd": "list_add",
    "lists_query": "list_query",
    "lists_remove": "list_remove",
    "qa_maths": "math",
    "qa_currency": "offline",
    "weather_query": "offline",
}
"""HWU64 intent → the second stage's class (a skill action) for training; the rest train "none"."""


def training_class(intent: str, text: str) -> str:
    """The class one HWU64 training utterance teaches: ``datetime_query`` is the date when it names a day
    and not the time, else the time; a request no skill serves teaches "none:" and its scenario ("none:music",
    "none:email"), so the classifier learns the kinds of request apart instead of one shapeless rest."""
    if intent == "datetime_query":
        asks_date = re.search(_DATE_WORDS, text) and not re.search(r"\btime\b", text)
        return "date" if asks_date else "time"
    return CLASS_OF_INTENT.get(intent, f"none:{intent.split('_', maxsplit=1)[0]}")
