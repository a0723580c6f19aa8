"""Reminders and alarms: "remind me to call the dentist tomorrow morning", "every weekday at 7"."""

from __future__ import annotations

import re
from datetime import datetime

from app.skills.base import SkillContext
from app.skills.extract import find_day, singular
from app.skills.matcher import IntentMatch
from app.skills.numbers import to_digits
from app.skills.speech import join_items, say_day, say_time
from app.skills.store import Timer, TimerKind, TimerState
from app.skills.timers import RINGS_NOTE
from app.skills.when import BadTimeError, When, parse_when

_STARTS = re.compile(
    r"\b(every|in|at|tomorrow|tonight|today|this|next|on|by|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|half past|quarter past|january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\b"
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
    task = re.sub(
        r"^(?:i|we) (?:have|need|must|should|got)(?: to)?\s+|\s+(?:can|could|will|would) you$", "", task
    )
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
    about = re.match(
        r"^(?:a|an|the|my|our|his|her|their)\b", task
    )  # "a meeting with Sam": about it, not to it
    what = f" {'about' if about else 'to'} {_spoken_task(task)}" if task else ""
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


_PART_HOURS = {
    "morning": range(3, 12),
    "afternoon": range(12, 18),
    "evening": range(17, 23),
    "night": range(18, 24),
    "tonight": range(17, 24),
}


def reminders_at(phrase: str, ctx: SkillContext) -> tuple[list[Timer], str] | None:
    """The reminders and alarms at the day, part of the day or clock time ``phrase`` names ("tomorrow
    morning", "for 8 am", "on friday"), and how to say that time; None when it names none."""
    spoken = to_digits(phrase.lower())
    spoken = re.sub(r"\b(\d{1,2}) ([0-5]\d)(?=\s*(?:am|pm)\b)", r"\1:\2", spoken)
    spoken = re.sub(r"\b([1-9]|1[0-2])00(?=\s*(?:am|pm)\b)", r"\1:00", spoken)
    now = ctx.local_now()
    day = (now.date(), "today") if re.search(r"\b(?:today|tonight)\b", spoken) else None
    found_day = day or find_day(spoken, now.date())
    clock = re.search(r"\b(\d{1,2})(?::(\d\d))?\s*(a\.?m\.?|p\.?m\.?)(?!\w)", spoken)
    noon = re.search(r"\b(noon|midnight)\b", spoken)
    part = re.search(r"\b(morning|afternoon|evening|night|tonight)\b", spoken)
    if found_day is None and clock is None and noon is None and part is None:
        return None
    times: set[tuple[int, int]] = set()
    if clock:
        hour, minute = int(clock.group(1)) % 12, int(clock.group(2) or 0)
        times = {(hour + (12 if clock.group(3).startswith("p") else 0), minute)}
    elif noon:
        times = {(12 if noon.group(1) == "noon" else 0, 0)}
    found = []
    for reminder in ctx.store.active(TimerKind.REMINDER):
        at = datetime.fromtimestamp(reminder.fires_at).astimezone()
        if found_day is not None and at.date() != found_day[0]:
            continue
        if times and (at.hour, at.minute) not in times:
            continue
        if part and at.hour not in _PART_HOURS[part.group(1)]:
            continue
        found.append(reminder)
    said = []
    if found_day is not None:
        label = found_day[1].lower()
        said.append(label if label in ("today", "tomorrow") else f"on {found_day[1]}")
    if part and part.group(1) != "tonight":
        said.append(f"in the {part.group(1)}" if not said else part.group(1))
    if times:
        hour, minute = next(iter(times))
        said.append(f"at {say_time(now.replace(hour=hour, minute=minute))}")
    return found, " ".join(said)


def _said_reminder(reminder: Timer, now: datetime) -> str:
    """ "your alarm tomorrow at 7:00 AM", "your reminder to call Sam at 5:00 PM"."""
    when = _when_said(When(datetime.fromtimestamp(reminder.fires_at).astimezone(), reminder.recurrence), now)
    what = f"your reminder to {_spoken_task(reminder.name)}" if reminder.name else "your alarm"
    return f"{what} {when}"


def cancel_reminder(match: IntentMatch, ctx: SkillContext) -> str | None:  # noqa: PLR0911 - one answer per case
    """Cancel a reminder by what it's about or when it rings, or the only one."""
    reminders = ctx.store.active(TimerKind.REMINDER)
    if not reminders:
        return "You have no reminders set."
    at = reminders_at(str(match.slots.get("reminder", "")), ctx)
    if at is not None:
        found, when = at
        if not found:
            return f"You have no alarm or reminder {when}."
        for reminder in found:
            ctx.store.set_state(reminder, TimerState.CANCELLED)
        return f"Cancelled {join_items([_said_reminder(r, ctx.local_now()) for r in found])}."
    about = _task(str(match.slots.get("reminder", ""))).lower()
    if not re.sub(
        r"\b(?:the|my|a|an|which|that|i|set|latest|earliest|first|last|next|one|alarm|reminder)\b|\W",
        "",
        about,
    ):
        about = ""  # "the alarm which i set", "my latest alarm": no subject, so the only one
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
    timed = reminders_at(subject, ctx)
    if timed is not None:
        return said_at(timed, ctx, question=True)
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


def said_at(at: tuple[list[Timer], str], ctx: SkillContext, *, question: bool) -> str:
    """The reminders at a time, as the answer to "is there an alarm at 8" (``question``) or "what alarms do
    I have tomorrow"."""
    found, when = at
    if not found:
        return (
            f"No, you have no alarm or reminder {when}."
            if question
            else f"You have no alarm or reminder {when}."
        )
    listed = join_items([_said_reminder(r, ctx.local_now()) for r in found])
    return f"Yes: {listed}." if question else f"{listed[0].upper()}{listed[1:]}."
