"""Reminders and alarms: "remind me to call the dentist tomorrow morning", "every weekday at 7"."""

from __future__ import annotations

import re
from datetime import datetime

from app.skills.base import SkillContext
from app.skills.extract import singular
from app.skills.matcher import IntentMatch
from app.skills.speech import join_items, say_day, say_time
from app.skills.store import TimerKind, TimerState
from app.skills.timers import RINGS_NOTE
from app.skills.when import BadTimeError, When, parse_when

_STARTS = re.compile(
    r"\b(every|in|at|tomorrow|tonight|today|this|next|on|by|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|half past|quarter past)\b"
)


def _split(text: str, now: datetime) -> tuple[str, When] | None:
    """The task and the time in "to call Bob at 5 pm" or "at 5 pm to call Bob"."""
    text = text.strip(" .?!")
    lead = re.match(r"^(.*?)\s+(?:to|that|about|for)\s+(.+)$", text)
    if lead and not re.match(r"^(to|that|about)\b", text):
        when = parse_when(lead.group(1), now)
        if when is not None:
            return _task(lead.group(2)), when
    for found in _STARTS.finditer(text):
        if found.start() == 0:
            continue
        when = parse_when(text[found.start() :], now)
        if when is not None:
            return _task(text[: found.start()]), when
    return None


def _task(text: str) -> str:
    task = re.sub(r"^(to|that|about|for)\s+", "", text.strip()).strip()
    # "wake me up with an alarm at 5:30": the alarm is how it rings, not what it is about
    return re.sub(r"^(?:with|using|by)?\s*(?:an?|the|my)?\s*(?:alarm|wake-?up call)$", "", task).strip()


def _when_said(when: When, now: datetime) -> str:
    at = when.at
    if when.recurrence:
        every = {"daily": "every day", "weekdays": "every weekday", "weekends": "every weekend day"}
        return f"{every.get(when.recurrence, 'every ' + when.recurrence.title())} at {say_time(at)}"
    if at.date() == now.date():
        return f"at {say_time(at)}"
    if (at.date() - now.date()).days == 1:
        return f"tomorrow at {say_time(at)}"
    return f"on {say_day(at)} at {say_time(at)}"


def remind(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Store a reminder; a missing or impossible time gets a question back, never a guess."""
    text = str(match.slots.get("reminder", ""))
    now = ctx.local_now()
    try:
        when_only = parse_when(re.sub(r"^(for|at)\s+(?=\d)", "at ", text.strip()), now)
        found = ("", when_only) if when_only is not None else _split(text, now)
    except BadTimeError as error:
        return str(error)
    if found is None:
        if not re.match(r"^(to|that|about)\b", text.strip()):
            return None  # "remind me what we talked about": a question for the model, not a reminder
        return "When should I remind you? Say, for example, remind me to call Sam at 5 pm."
    task, when = found
    if when.at.timestamp() <= ctx.now():
        return "That time has already passed. When should I remind you?"
    ctx.store.add_timer(TimerKind.REMINDER, task, when.at.timestamp(), recurrence=when.recurrence)
    what = f" to {_spoken_task(task)}" if task else ""
    return f"Okay, I'll remind you{what} {_when_said(when, now)}.{RINGS_NOTE}"


def _spoken_task(task: str) -> str:
    """ "call my mum" → "call your mum": the reminder is repeated back to the user."""
    return re.sub(r"\bmy\b", "your", re.sub(r"\bme\b", "you", task))


def list_reminders(match: IntentMatch, ctx: SkillContext) -> str | None:
    """The reminders still to ring."""
    reminders = ctx.store.active(TimerKind.REMINDER)
    if not reminders:
        return "You have no reminders set."
    now = ctx.local_now()
    parts = []
    for reminder in reminders[:5]:
        at = datetime.fromtimestamp(reminder.fires_at).astimezone()
        when = When(at, reminder.recurrence)
        task = f"to {_spoken_task(reminder.name)}" if reminder.name else ""
        parts.append(f"{task} {_when_said(when, now)}".strip())
    more = f", and {len(reminders) - 5} more" if len(reminders) > 5 else ""
    return (
        f"You have {len(reminders)} reminder{'s' if len(reminders) > 1 else ''}: {join_items(parts)}{more}."
    )


def cancel_reminder(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Cancel a reminder by what it's about, or the only one."""
    reminders = ctx.store.active(TimerKind.REMINDER)
    if not reminders:
        return "You have no reminders set."
    about = _task(str(match.slots.get("reminder", ""))).lower()
    if about:
        words = set(re.findall(r"\w+", about)) - {"the", "a", "my", "to"}
        reminders = [r for r in reminders if words & set(re.findall(r"\w+", r.name.lower()))]
        if not reminders:
            return f"I have no reminder about {about}."
    if len(reminders) > 1 and not about and "all" not in str(match.slots):
        for reminder in reminders:
            ctx.store.set_state(reminder, TimerState.CANCELLED)
        return f"Cancelled all {len(reminders)} reminders."
    for reminder in reminders:
        ctx.store.set_state(reminder, TimerState.CANCELLED)
    if len(reminders) == 1:
        return f"Cancelled {_spoken_task(reminders[0].label())}."
    return f"Cancelled {len(reminders)} reminders."


def reminder_about(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "did I ask you to remind me about laundry": whether a reminder about it is set, and when."""
    subject = _task(str(match.slots.get("reminder", ""))).strip(" ?.!")
    if not subject:
        return list_reminders(match, ctx)
    found = [r for r in ctx.store.active(TimerKind.REMINDER) if _overlaps(subject, r.name)]
    if not found:
        return f"No, I have no reminder about {subject}."
    at = datetime.fromtimestamp(found[0].fires_at).astimezone()
    return f"Yes: {_spoken_task(found[0].name)}, {say_day(at)} at {say_time(at)}."


def _overlaps(said: str, stored: str) -> bool:
    """Whether a reminder's words share a content word with what was said ("laundry" finds "do the laundry")."""
    common = {"the", "a", "an", "my", "to", "about", "for", "of", "me"}
    said_words = {singular(w) for w in re.findall(r"\w+", said.lower()) if w not in common}
    return bool(said_words & {singular(w) for w in re.findall(r"\w+", stored.lower())})
