"""The skills in Russian: Russian words read into the English skills' store, calendar, arithmetic and units,
and Russian replies with the right plural forms and cases. One module per family of skills; ``words`` holds
what they share (numbers said in words, plurals, dates)."""

from app.skills.russian.timers import (
    cancel_timer,
    date_today,
    label,
    missed_text,
    ring_text,
    start_timer,
    time_here,
    timer_status,
)
from app.skills.russian.words import plural, say_duration

__all__ = [
    "cancel_timer",
    "date_today",
    "label",
    "missed_text",
    "plural",
    "ring_text",
    "say_duration",
    "start_timer",
    "time_here",
    "timer_status",
]
