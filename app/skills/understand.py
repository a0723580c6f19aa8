"""The second stage's answers: a request the classifier gave to a skill, answered from slots read out of the
free text. The request is first tried again on that skill's templates without the words around it ("i wanna
know how many pounds are in 10 kilos"); failing that, each action reads its own slots; a slot that is missing
gets a question back ("For how long?") and the next utterance completes the request."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.skills import clock, lists, maths, reminders, timers, units
from app.skills.base import SkillContext
from app.skills.extract import (
    find_day,
    find_duration,
    find_place,
    list_name_of,
    same_thing,
    strip_fillers,
    timer_name,
)
from app.skills.matcher import IntentMatch
from app.skills.numbers import parse_number, to_digits
from app.skills.places import find_zone, zone_in_phrase
from app.skills.speech import say_day, say_number, say_time
from app.skills.store import TimerKind

SKILL_OF_CLASS = {
    "time": "time",
    "date": "date",
    "math": "math",
    "units": "units",
    "timer_set": "timer",
    "timer_query": "timer",
    "timer_cancel": "timer",
    "reminder_set": "reminder",
    "reminder_query": "reminder",
    "reminder_cancel": "reminder",
    "list_add": "list",
    "list_query": "list",
    "list_remove": "list",
    "offline": "offline",
}
"""The skill that answers each class of the classifier."""

ACTS = frozenset({"timer_set", "timer_cancel", "reminder_set", "reminder_cancel", "list_add", "list_remove"})
"""Classes whose answer changes something: never run only to see whether they would answer."""


@dataclass(frozen=True)
class Answer:
    """A skill's reply, and what to do with the next utterance when it was a question."""

    skill: str
    text: str
    awaiting: Callable[[str], str | None] | None = None
    """Completes the request with the user's next words (None when they don't fit: then they are a new
    request)."""


GENERAL_QUESTION = re.compile(
    r"^(?:why|who|whom|whose|explain|define|describe)\b"
    r"|^(?:tell me|teach me|talk) about\b"
    r"|^what(?:'s| is| are| was| were)? (?:a|an)\b"
    r"|^what (?:does|do) .+ mean\b|\bmeaning of\b|\bhistory of\b|(?<!time )\bdifference between\b"
    r"|^how (?:does|do|did) (?:a|an|the)\b|\bhow (?:do|does|did|can) .+ work\b"
    r"|\b(?:on|in|with) (?:my|an?|the) (?:phone|iphone|android|computer|app)\b"
    r"|\bin (?:python|java|javascript|excel|programming|accounting|music)\b"
    r"|\b(?:mean|saving|standard) time\b|\btime (?:signature|complexity|travel)\b"
    r"|\btime of (?:the )?(?:year|day|month)\b|\b(?:sunset|sunrise|dawn|dusk|tide)\b|\bapps?\b"
    r"|\b(?:best|recommend|should|good|ideas?)\b"
    r"|^what(?:'s| is) (?:time|a day|a date|a list)$"
    r"|^how (?:do|does|can|should|would) (?:you|one|people|we|i) (?!convert\b)"
    r"|^(?:list|name|give me|write|suggest) (?:me )?(?:a list of|some|a few|three|five|ten|\d+)\b"
    r"|^(?:make|create) (?:me )?(?:a list of (?!.*\bto be \w+$)|some|a few|three|five|ten|\d+)"
    r"|^(?:timers|alarms|reminders|lists|clocks|calendars) (?:are|were|make|seem)\b|\bborn\b"
)
"""Questions about things rather than requests to a skill ("what is a timer", "who decides the date of
easter", "how do alarms work"), opinions about them ("timers are useful") and the user's own past ("what
day was I born on"): the classifier sees the skill's words in them, but the model should answer."""

Retry = Callable[[str, str], str | None]
"""Runs a rephrased sentence through one skill's templates: (sentence, skill) → reply or None."""


def answer(label: str, text: str, ctx: SkillContext, retry: Retry) -> Answer | None:
    """The reply of the skill the classifier chose; None leaves the request to the language model."""
    skill = SKILL_OF_CLASS.get(label)
    plain = strip_fillers(text)
    if skill == "time":
        converted = _convert(plain, ctx)  # "… eastern standard time": a conversion, not a question about time
        if converted is not None:
            return Answer(skill, converted)
    if skill is None or (GENERAL_QUESTION.search(plain) and not _is_sum(label, plain)):
        return None
    if plain != text.lower().strip(" ?.!,"):
        again = retry(plain, skill)
        if again is not None:
            return Answer(skill, again)
    found = _ACTIONS[label](plain, ctx)
    if found is None:
        return None
    return found if isinstance(found, Answer) else Answer(skill, found)


def _is_sum(label: str, text: str) -> bool:
    """ "how do i subtract four from two": a how-to question that is really a sum to work out."""
    return label in ("math", "units") and len(re.findall(r"\d+(?:\.\d+)?", to_digits(text))) >= 2


_ASKS_TO_BE_REMINDED = re.compile(
    r"(?:\b(?:can|could|will|would) you(?: please)?|\bplease|,)\s+remind me(?: of (?:it|that)| about (?:it|that)| then)?$"
)


def relabel(label: str, text: str) -> str:
    """The class a request really is: "i have a meeting at four on wednesday, can you remind me" sounds like
    a question about reminders to the classifier but asks for one."""
    if label == "reminder_query" and _ASKS_TO_BE_REMINDED.search(text.lower().strip(" ?.!")):
        return "reminder_set"
    return label


def would_act(label: str, text: str) -> bool:
    """Whether an acting class would take ``text`` (checked without acting, for the pipeline's head start):
    the same tests its action makes before it changes anything."""
    plain = strip_fillers(text)
    if label not in ACTS or GENERAL_QUESTION.search(plain):
        return False
    if label == "reminder_set":
        return bool(_REMINDER_LEAD.search(plain) or _WHEN_WORDS.search(to_digits(plain)))
    if label == "list_add":
        return bool(
            _ADD.search(re.sub(r"^remember to\s+", "", plain))
            or re.search(r"\b(add|added|adding|put|enter|insert|update|include|create|make|start)\b", plain)
        )
    if label == "list_remove":
        return _REMOVE.search(plain) is not None
    return True


def _time(text: str, ctx: SkillContext) -> str | None:  # noqa: PLR0911 - one answer per kind of time question
    between = re.search(r"\bdifference between (.+?) and (.+)$", text)
    if between:
        return _difference(between.group(1), between.group(2), ctx)
    converted = _convert(text, ctx)
    if converted is not None:
        return converted
    place = find_place(text)
    named = re.fullmatch(
        r"(?:what(?:'s| is) )?(?:the )?([a-z][a-z .'-]+?) time(?: now| please| right now)*"
        r"|(?:show |give me |tell me )?(?:the )?(?:current |local )?time (?:now )?(?:in |at |for )?([a-z][a-z .'-]+?)"
        r"(?: now| please| right now)*",
        text,
    )
    said = (named.group(1) or named.group(2)) if named else None
    if place is None and said and zone_in_phrase(said) is not None:
        place = (said, said)  # "new york time please", "current time new york"
    zone_question = re.search(r"\b(time ?zone|timezone|eastern|central|pacific|mountain)\b", text)
    if place is None:
        zone_of = re.search(r"(?:is|does|in)\s+([a-z][a-z .,'-]+?)\s+(?:in|use|on|observe)\b", text)
        if zone_question and zone_of:
            place = (zone_of.group(1), zone_of.group(1))
    if place is None:
        if re.search(r"\b(after|past|before) (noon|midday|midnight)\b", text):
            now = ctx.local_now()
            after = now.hour >= 12
            yes = after if re.search(r"\b(after|past)\b", text) else not after
            return f"{'Yes' if yes else 'No'}, it's {say_time(now)}."
        return clock.time_here(IntentMatch("ArisTime"), ctx)
    said, known = place
    if not known:
        return f"Sorry, I don't know the time zone of {said.title()}. Try a nearby big city."
    found = find_zone(known)
    if found is None:
        return None
    name, zone = found
    there = datetime.fromtimestamp(ctx.now(), zone)
    if zone_question:
        offset = there.strftime("%z")
        sign, hours, minutes = offset[0], int(offset[1:3]), offset[3:]
        utc = f"UTC{sign}{hours}" + (f":{minutes}" if minutes != "00" else "")
        short = there.tzname() or ""
        said = f"{short} ({utc})" if short and not short.startswith(("+", "-")) else utc
        return f"{name} is on {said} right now; it's {say_time(there)} there."
    return f"It's {say_time(there)} in {name}, {there:%A}."


_CLOCK_SAID = r"(?P<clock>\d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d\d|noon|midnight)"
_CONVERSIONS = (
    # "if it's 8 pm on the east coast what time is it in sacramento", "given it is 4:35 pm in london …"
    rf"^(?:(?:if|when|given|assuming)(?: that)? )?(?:it's|it is|its) {_CLOCK_SAID} (?:(?:in|on|at) )?"
    r"(?P<source>.+?),? what(?:'s| is)? (?:the )?time (?:is it|will it be|would it be|it is)(?: now)?"
    r"(?: in| on| at| for| it)? (?P<target>.+)$",
    # "8 am manila time is what in eastern time"
    rf"^{_CLOCK_SAID} (?:in )?(?P<source>.+?) is what(?: time)? (?:in|on|at|for) (?P<target>.+)$",
    # "what time will it be locally at 9 am bangalore time", "what time is 3 pm london time in tokyo"
    rf"^what time (?:will|would|is) it (?:be )?(?P<target>locally|here|for me|in my time ?zone) "
    rf"(?:at|when it's|when it is) {_CLOCK_SAID} (?:in )?(?P<source>.+)$",
    rf"^what(?:'s| is)? (?:time is )?{_CLOCK_SAID} (?:in )?(?P<source>.+?) (?:in|to) (?P<target>.+)$",
    rf"^convert {_CLOCK_SAID} (?:in )?(?P<source>.+?) (?:to|into|in) (?P<target>.+)$",
)
"""A clock time in one place asked in another."""


def _convert(text: str, ctx: SkillContext) -> str | None:
    """ "if it's 8 pm in new york what time is it in london": the same moment on the other clock."""
    spoken = re.sub(r"\b(\d{1,2}) ([0-5]\d)(?=\s*(?:am|pm)\b)", r"\1:\2", to_digits(text))
    for pattern in _CONVERSIONS:
        found = re.search(pattern, spoken)
        if found is None:
            continue
        source, target = _zone_named(found.group("source"), ctx), _zone_named(found.group("target"), ctx)
        clock_said = found.group("clock").replace(".", "")
        if source is None or target is None:
            return None
        hour, minute = _clock_of(clock_said)
        if hour is None:
            return None
        at = source[1].replace(hour=hour, minute=minute, second=0, microsecond=0)
        there = at.astimezone(target[1].tzinfo)
        day = (
            ""
            if there.date() == at.date()
            else (" the next day" if there.date() > at.date() else " the day before")
        )
        where = "here" if target[0] == "here" else f"in {target[0]}"
        source_where = "here" if source[0] == "here" else f"in {source[0]}"
        return f"When it's {say_time(at)} {source_where}, it's {say_time(there)} {where}{day}."
    return None


def _clock_of(said: str) -> tuple[int | None, int]:
    """ "8 pm" → (20, 0), "9:30 am" → (9, 30), "noon" → (12, 0); a bare "10:00" keeps its hour."""
    if said in ("noon", "midnight"):
        return (12 if said == "noon" else 0), 0
    found = re.fullmatch(r"(\d{1,2})(?::(\d\d))?\s*(am|pm)?", said.strip())
    if found is None:
        return None, 0
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if hour > 23 or minute > 59 or (found.group(3) and not 1 <= hour <= 12):
        return None, 0
    if found.group(3):
        hour = hour % 12 + (12 if found.group(3) == "pm" else 0)
    return hour, minute


def _zone_named(said: str, ctx: SkillContext) -> tuple[str, datetime] | None:
    """(name, the time there now) for a place or zone said any way; "here" and "my location" are local."""
    said = re.sub(r"^(?:the|in|on|at)\s+", "", said.strip(" ?.!,"))
    said = re.sub(r"\s+(?:standard|daylight)(?= time\b|$)", "", said)
    if re.fullmatch(
        r"(?:here|locally|for me|in my time ?zone|my (?:location|place|city|time ?zone)|me|us here)", said
    ):
        return "here", ctx.local_now()
    words = said.removesuffix(" time").split()
    pieces = [" ".join(words[:n]) for n in range(len(words) - 1, 0, -1)]
    pieces += [" ".join(words[-n:]) for n in range(len(words) - 1, 0, -1)]
    for candidate in (said, f"{said} time", said.removesuffix(" time"), f"the {said}", *pieces):
        found = find_zone(candidate)
        if found is not None:
            return found[0], datetime.fromtimestamp(ctx.now(), found[1])
    return None


def _difference(first: str, second: str, ctx: SkillContext) -> str | None:
    """ "the time difference between london and tokyo": hours between the two zones right now."""
    one, other = _zone_named(first, ctx), _zone_named(second, ctx)
    if one is None or other is None:
        return None
    offset_one = one[1].utcoffset() or timedelta()
    offset_other = other[1].utcoffset() or timedelta()
    hours = (offset_other - offset_one).total_seconds() / 3600
    if hours == 0:
        return f"{one[0].capitalize()} and {other[0]} are on the same time."
    ahead, behind = (other[0], one[0]) if hours > 0 else (one[0], other[0])
    amount = say_number(abs(hours))
    return f"{ahead.capitalize()} is {amount} hour{'s' if abs(hours) != 1 else ''} ahead of {behind}."


def _date(text: str, ctx: SkillContext) -> str | None:
    now = ctx.local_now()
    found = find_day(text, now.date())
    if found is None:
        if not re.search(r"\b(date|day|today)\b", text):
            return None  # "when is the next leap year": not a question about today
        return clock.date_today(IntentMatch("ArisDate"), ctx)
    day, said = found
    moment = datetime(day.year, day.month, day.day)
    if re.search(r"\bhow many (days|weeks)\b|\bhow long (until|till|to|before)\b", text):
        days = (day - now.date()).days
        return f"{said} is {days} day{'s' if days != 1 else ''} away, on {say_day(moment)}."
    verb = "was" if day < now.date() else "is"
    return f"{said} {verb} {say_day(moment)}, {day.year}."


def _calculate(text: str, ctx: SkillContext) -> str | None:
    text = re.sub(r"\$\s*(?=\d)", "", text)
    convert = re.search(r"\bconvert\s+(.+?)\s+(?:to|into|in)\s+(.+)$", text)
    if convert:
        quantity = convert.group(1)
        quantity = quantity if re.match(r"^(\d|a |an |one )", quantity) else f"1 {quantity}"
        converted = units.convert(
            IntentMatch("ArisUnits", {"quantity": quantity, "unit": convert.group(2)}), ctx
        )
        if converted is not None:
            return converted
    text = re.sub(r"\s+(?:please|for me)$", "", text)
    text = re.sub(
        r"^(?:what (?:do|would) (?:you|i|we) get (?:when|if) (?:you|i|we) |find(?: me)? |please )", "", text
    )
    text = re.sub(r"^take (.+?) and (divide|multiply) (?:it|that) (by .+)$", r"\2 \1 \3", text)
    how_many = re.search(r"^how (?:many|much) (\S+) (?:do|does|are|is|make|in) (.+?)(?: make| equal)?$", text)
    if how_many and re.search(
        r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|a|an)\b", how_many.group(2)
    ):
        converted = units.convert(
            IntentMatch("ArisUnits", {"quantity": how_many.group(2), "unit": how_many.group(1)}), ctx
        )
        if converted is not None:
            return converted
    equality = _check_sum(text, ctx)
    if equality is not None:
        return equality
    sums = re.sub(
        r"^(?:(?:show me|tell me|give me|what(?:'s| is| are)|how (?:do|can) i (?:get|find|work out)|"
        r"answer|solve|can you do|can you|do)\s+)?(?:the |this )?(?:answer|result|solution)?\s*"
        r"(?:to|for|of)?\s*(?:this |the )?(?:problem|equation|question)?\s*",
        "",
        text,
    )
    sums = re.sub(
        r"^(?:what(?:'s| is| are)?|how much is|calculate|compute|work out|figure out|solve|how do i)\s+",
        "",
        sums,
    )
    sums = re.sub(r"^(?:the )?product of (.+?) and (.+?)(?: is)?$", r"\1 times \2", sums)
    sums = re.sub(r"\b(?:the )?root of\b", "square root of", sums).replace("square square", "square")
    sums = re.sub(r"\s+(?:is|equals|makes|for me)$", "", sums)
    sums = re.sub(r"(\d)\s*%", r"\1 percent", sums)
    special = _percent_off(sums) or _divisible(sums)
    if special is not None:
        return special
    for said, meant in _SPOKEN_SUMS:
        sums = re.sub(said, meant, sums)
    sums = _lists_of_numbers(sums)
    return maths.calculate(IntentMatch("ArisMath", {"expression": sums}), ctx)


def _check_sum(text: str, ctx: SkillContext) -> str | None:
    """ "four plus five equals nine", "is the answer of five plus two seven": whether the sum is right."""
    found = re.fullmatch(
        r"(?:is )?(?:it true that |the answer (?:of|to) )?(.+?) (?:equals?|is equal to|makes|is|=) (.+?)\??",
        text,
    ) or re.fullmatch(
        r"is (?:the answer (?:of|to) )?(.+ (?:plus|minus|times|divided by|multiplied by) \S+) (\S+)", text
    )
    if found is None:
        return None
    claimed = parse_number(found.group(2))
    if claimed is None:
        return None
    said = maths.calculate(IntentMatch("ArisMath", {"expression": found.group(1)}), ctx)
    digits = re.fullmatch(r"That's (?:about )?(-?[\d,]+(?:\.\d+)?)\.", said or "")
    if digits is None:
        return None
    value = float(digits.group(1).replace(",", ""))
    if abs(value - claimed) < 1e-9:
        return f"Yes, that's right: it's {say_number(value)}."
    return f"No, it's {say_number(value)}, not {say_number(claimed)}."


_SPOKEN_SUMS = (
    (r"^divide (.+?) by (.+)$", r"\1 divided by \2"),
    (r"^multiply (.+?) (?:by|and|with) (.+)$", r"\1 times \2"),
    (r"^subtract (.+?) from (.+)$", r"\2 minus \1"),
    (r"^take (.+?) (?:away )?from (.+)$", r"\2 minus \1"),
    (r"^add (\S+) (?:to|and) (\S+)$", r"\1 plus \2"),
    (r"^(?:add up|add together|add) (.+ (?:plus|minus) .+)$", r"\1"),
    (r"^(\S+) by (\S+)$", r"\1 times \2"),
)
"""Sums said as instructions ("divide two hundred by four") as the arithmetic parser reads them."""


def _percent_off(text: str) -> str | None:
    """ "15% off 35": the price after the discount."""
    found = re.search(
        r"(\d+(?:\.\d+)?)\s*(?:%|percent|per cent) off (?:of )?(\d+(?:\.\d+)?)", to_digits(text)
    )
    if not found:
        return None
    rate, price = float(found.group(1)), float(found.group(2))
    return f"That's {say_number(price * (1 - rate / 100))}."


def _divisible(text: str) -> str | None:
    """ "is 91 divisible by 7"."""
    found = re.search(r"^is (.+?) divisible by (.+)$", text)
    if not found:
        return None
    number, divisor = parse_number(found.group(1)), parse_number(found.group(2))
    if number is None or divisor is None or divisor == 0:
        return None
    yes = number % divisor == 0
    return f"{'Yes' if yes else 'No'}, {say_number(number)} divided by {say_number(divisor)} is {say_number(number / divisor)}."


def _lists_of_numbers(text: str) -> str:
    """ "the average of 4, 8 and 15" → "(4 + 8 + 15) / 3"; "the sum of 45 and 16" → "45 + 16"."""
    found = re.search(r"\b(?:the )?(sum|total|average|mean) of (.+)$", text)
    if not found:
        found = re.search(r"\b(add up|add together) (.+)$", text)
    if not found:
        return text
    parts = re.split(r",|\band\b|\bplus\b", found.group(2))  # "500 and 23" must not read as 523
    numbers = [n for part in parts for n in re.findall(r"-?\d+(?:\.\d+)?", to_digits(part))]
    if len(numbers) < 2:
        return text
    total = " + ".join(numbers)
    return f"({total}) / {len(numbers)}" if found.group(1) in ("average", "mean") else total


def _timer_set(text: str, ctx: SkillContext) -> str | Answer | None:
    name = timer_name(text)
    duration = find_duration(text)
    if duration is None:

        def complete(reply: str) -> str | None:
            length = find_duration(reply)
            if length is None:
                return None
            return timers.start(IntentMatch("ArisStartTimer", {"duration": length, "timer_label": name}), ctx)

        return Answer("timer", "For how long?", complete)
    return timers.start(IntentMatch("ArisStartTimer", {"duration": duration, "timer_label": name}), ctx)


def _timer_query(text: str, ctx: SkillContext) -> str | None:
    return timers.status(IntentMatch("HassTimerStatus", {"timer_label": _known_timer(text, ctx)}), ctx)


def _timer_cancel(text: str, ctx: SkillContext) -> str | None:
    if re.search(r"\ball\b|\btimers\b", text):
        return timers.cancel_all(IntentMatch("HassCancelAllTimers"), ctx)
    return timers.cancel(IntentMatch("HassCancelTimer", {"timer_label": _known_timer(text, ctx)}), ctx)


def _known_timer(text: str, ctx: SkillContext) -> str:
    """The timer's stored name for the name said ("egg" finds "eggs")."""
    said = timer_name(text)
    if not said:
        return ""
    for timer in ctx.store.active(TimerKind.TIMER):
        if same_thing(timer.name, said):
            return timer.name
    return said


_WHEN_WORDS = re.compile(
    r"\b(?:\d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.|o'? ?clock)|noon|midnight|tomorrow|tonight|today|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|next week|every|schedule|appointment|"
    r"meeting|event|calendar|notification)\b"
)
"""What makes a request without "remind me" a reminder: a time or a calendar word."""

_REMINDER_LEAD = re.compile(
    r"^.*\b(?:remind me|reminder|alarm|wake me(?: up)?|wake up call|wake up|wake-up call|wakeup call|notification|"
    r"don't let me forget|do not let me forget|make sure i|ping me|notify me|alert me|alert|get me up|"
    r"timer(?= at\b))\b"
)


def _said_before_lead(text: str) -> str:
    """The time said before "alarm" or "remind me" ("i need a six am wakeup call", "every friday at 5 pm
    remind me to …", "i have a meeting at noon, can you remind me"), or ""."""
    lead = _REMINDER_LEAD.search(text)
    if lead is None:
        return ""
    starts = [
        found.start()
        for found in re.finditer(
            r"\b(?:remind|reminder|alarm|wake|wakeup|wake-up|notification|notify|alert|ping|get me up|make sure|"
            r"don't let|do not let|timer)\b",
            lead.group(0),
        )
    ]
    before = text[: starts[-1]] if starts else ""
    before = re.sub(
        r"\b(?:can|could|will|would) you(?: please)?\s*$|\bplease\s*$|\band\s*$", "", before.strip()
    ).strip()
    before = re.sub(
        r"^(?:(?:please|set|make|create|i need|i want|give me|add)\s+)*(?:(?:an?|the|my|new)\s+)*", "", before
    )
    clockish = re.sub(r"\b([1-9]|1[0-2])00(?=\s*(?:am|pm)\b)", r"\1:00", to_digits(before))
    relative = re.search(r"\bin \d+ (?:minutes?|hours?|days?|weeks?)\b", clockish)
    if not before or not (
        relative
        or _WHEN_WORDS.search(clockish)
        or re.search(r"\b(morning|evening|afternoon|night)\b", before)
    ):
        return ""
    return before


def _reminder_set(text: str, ctx: SkillContext) -> str | Answer | None:
    if not _REMINDER_LEAD.search(text) and not _WHEN_WORDS.search(to_digits(text)):
        return None  # "set the table for dinner": nothing to remind of, no time to do it
    before = _said_before_lead(text)
    rest = _REMINDER_LEAD.sub("", text, count=1).strip()
    rest = re.sub(r"^(?:set |for me |please |with an alarm |clock |call )+", "", rest).strip()
    rest = re.sub(r"\s+(?:set|set it|set one for me|please|for me|on)$", "", rest).strip()
    rest = re.sub(r"^when it(?:'s| is)\s+", "at ", rest)
    if before:
        rest = (
            f"{before} {rest}".strip()
            if re.match(r"^(?:to|about|that)\b", rest) or not rest
            else f"{rest} {before}"
        )
    rest = re.sub(
        r"^(for|on)\s+(?=\d|tomorrow|today|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
        "at ",
        rest,
    )
    rest = re.sub(r"\bat (\d{1,2}) (\d{2})\b", r"at \1:\2", rest)
    if re.match(r"^(?:to|for|on)\s+\d", to_digits(rest)):
        rest = "at " + rest.split(" ", 1)[1]  # "set the alarm to seven am": "to" names the time here
    alarm = bool(re.search(r"\b(alarm|wake)\b", text))
    if rest:
        said = reminders.remind(IntentMatch("ArisReminder", {"reminder": rest}), ctx)
        if said is not None and not said.startswith("When should"):
            return said

    def complete(reply: str) -> str | None:
        at = re.sub(r"^(?:for|at)\s+", "", strip_fillers(reply))
        task = "" if alarm else re.sub(r"^(?:to|about)\s+", "", rest)
        phrase = f"to {task} at {at}" if task else f"at {at}"
        said = reminders.remind(IntentMatch("ArisReminder", {"reminder": phrase}), ctx)
        return None if said is None or said.startswith("When should") else said

    return Answer("reminder", "For what time?" if alarm else "When should I remind you?", complete)


def _reminder_query(text: str, ctx: SkillContext) -> str | None:
    at = reminders.reminders_at(text, ctx)
    if at is not None:
        return reminders.said_at(
            at, ctx, question=re.match(r"^(?:is|are|do|did|have|has)\b", text) is not None
        )
    about = re.search(r"\b(?:remind me|reminder|alarm)s?\s+(?:about|to|for|of)\s+(.+)$", text)
    if about and re.match(r"^(did|have|do|is|are)\b", text):
        return reminders.reminder_about(IntentMatch("ArisReminderAbout", {"reminder": about.group(1)}), ctx)
    return reminders.list_reminders(IntentMatch("ArisListReminders"), ctx)


def _reminder_cancel(text: str, ctx: SkillContext) -> str | None:
    if reminders.reminders_at(text, ctx) is not None:
        return reminders.cancel_reminder(IntentMatch("ArisCancelReminder", {"reminder": text}), ctx)
    about = re.search(r"\b(?:about|to|for)\s+(.+)$", text)
    slot = about.group(1) if about else ""
    if not slot:
        named = re.search(r"\b(?:the|my)\s+([a-z]+)\s+(?:reminder|alarm)\b", text)
        slot = named.group(1) if named and named.group(1) not in {"first", "next", "last", "morning"} else ""
    return reminders.cancel_reminder(IntentMatch("ArisCancelReminder", {"reminder": slot}), ctx)


_ADD = re.compile(
    r"^(?:please )?(?:add|put|stick|pop|place|include|write|jot down|throw|save)\s+(.+?)\s+"
    r"(?:to|on|onto|in|into|under)\s+(?:my|the|our|a)?\s*(.+?)(?:\s+list)?$"
)


def _list_add(text: str, ctx: SkillContext) -> str | Answer | None:
    if _ON_LIST.search(text):
        return _list_query(text, ctx)  # "did i add milk to the shopping list": a question, not an addition
    text = re.sub(r"^re(?=add\b)|^(?:i need you to|you need to)\s+", "", text)
    text = re.sub(r"\s+(?:for (?:today|tomorrow|tonight|this week|next week)|please|for me)$", "", text)
    found = _ADD.search(re.sub(r"^remember to\s+", "", text))
    if found:
        items, name = found.group(1), list_name_of(found.group(2))
        said = lists.add(IntentMatch("ArisListAdd", {"items": items, "list_name": name}), ctx)
        if said is not None:
            return said
    create = re.search(r"\b(?:create|make|start|open|prepare|begin|set up)\b.*\blist\b", text)
    if create:
        return _new_list(text, ctx)
    if not re.search(r"\b(add|added|adding|put|enter|insert|update|include)\b", text):
        return None
    return "What should I add, and to which list? Say, for example, add milk to my shopping list."


def _new_list(text: str, ctx: SkillContext) -> str | Answer:
    """ "create a new list called camping", "i need to make a grocery list": the list, then its items."""
    text = re.sub(
        r"\b(?:this|next|last) week's |\btoday's |\btomorrow's |\b(?:monthly|weekly|daily) ", "", text
    )
    named = (
        re.search(r"\b(?:called|named|titled) ([a-z' -]+)$", text)
        or re.search(
            r"\b(?:new|empty|blank|a) list (?:of|for) (?:my |the )?([a-z' -]+?)"
            r"(?: to be [a-z]+| (?:that|which|i|we) .+| for (?:me|today|tomorrow|the \w+))?$",
            text,
        )
        or re.search(
            r"^(?:create|make|start|begin|open|set up|prepare)\s+([a-z'-]+(?: [a-z'-]+){0,2}?)\s+list$", text
        )
    ) or re.search(r"\b(?:a|an|my|new|the)\s+(?!new\b)([a-z'-]+(?: [a-z'-]+)?)\s+list\b", text)
    name = list_name_of(named.group(1)) if named else ""

    def items_for(list_called: str) -> Callable[[str], str | None]:
        def complete(reply: str) -> str | None:
            items = re.sub(r"^(?:add|put)\s+", "", strip_fillers(reply))
            return lists.add(IntentMatch("ArisListAdd", {"items": items, "list_name": list_called}), ctx)

        return complete

    if not name:

        def called(reply: str) -> str | None:
            spoken = re.sub(r"^(?:call it|it's|name it)\s+", "", strip_fillers(reply))
            if not spoken or len(spoken.split()) > 3:
                return None
            ctx.store.add_items(list_name_of(spoken), [])
            return f"Okay, I started your {list_name_of(spoken)} list."

        return Answer("list", "What should the list be called?", called)
    ctx.store.add_items(name, [])
    return Answer("list", f"Okay, I started your {name} list. What should I put on it?", items_for(name))


_ON_LIST = re.compile(
    r"^(?:is|are|do i have|did i (?:put|add)|have i (?:got|put|added))\s+(?:any\s+)?(.+?)\s+"
    r"(?:on|in|to)\s+(?:my|the|our)?\s*(.*?)\s*list$"
)


def _list_query(text: str, ctx: SkillContext) -> str | None:
    member = _ON_LIST.search(text)
    if member:
        item, name = member.group(1), list_name_of(member.group(2) or "shopping")
        named = ctx.store.find_list(name)
        found = (
            [i for i in named.items if same_thing(i.text, item) or item in i.text.lower()] if named else []
        )
        if not found:
            return f"No, {item} isn't on your {name} list."
        state = " (checked off)" if all(i.done for i in found) else ""
        return f"Yes, {found[0].text} is on your {name} list{state}."
    called = (
        re.search(r"\b(?:my|the|our)\s+([a-z -]+?)\s+list\b", text)
        or re.search(r"\b(?:my|the|our)\s+(list (?:of|for) [a-z -]+)$", text)
        or re.fullmatch(
            r"(?!lists?\b)([a-z-]+(?: [a-z-]+){0,2}?) list(?: for (?:today|tomorrow|this week))?(?: please)?",
            text,
        )
        or re.fullmatch(r"(list (?:of |for )?(?!the\b|all\b|my\b)[a-z -]+)", text)
    )
    read = (
        lists.read(IntentMatch("ArisListRead", {"list_name": list_name_of(called.group(1))}), ctx)
        if called
        else None
    )
    if read is not None:
        return read
    if re.match(r"^(?:i|i'm|we|you|lists?)\b", text) and not re.search(
        r"\b(what|which|show|read|tell|have|all)\b", text
    ):
        return None  # "i love lists": said about lists, not asking for one
    if re.search(r"\blists\b", text):
        return lists.all_lists(IntentMatch("ArisLists"), ctx)
    return lists.read(IntentMatch("ArisListRead", {"list_name": "shopping"}), ctx)


_REMOVE = re.compile(
    r"^(?:.*?\b(?:so|and|then|now)\s+)??(?:please )?"
    r"(?:remove|delete|take|cross out|cross off|cross|erase|scratch|strike|get rid of|drop)\s+(.+?)"
    r"(?:\s+(?:off|from|out of|out from)\s+(?:my|the|our)?\s*(.+?)(?:\s+list)?)?(?:\s+off)?$"
)


def _list_remove(text: str, ctx: SkillContext) -> str | None:
    found = _REMOVE.search(text)
    if not found:
        return "What should I take off, and from which list?"
    items = re.sub(r"^(?:the|some|my)\s+", "", found.group(1))
    if items in ("it", "that", "this", "everything", "all"):
        return None
    if items.endswith(" list") and items != "this list":
        called = list_name_of(items)  # "remove grocery list": clearing loses items, so it asks first
        return lists.clear(IntentMatch("ArisListClear", {"list_name": called}), ctx)
    name = list_name_of(found.group(2)) if found.group(2) else _list_holding(items, ctx)
    if name is None:
        return f"{items.capitalize()} isn't on any of your lists."
    named = ctx.store.find_list(name)
    if named is not None:
        stored = [i.text for i in named.items if same_thing(i.text, items)]
        items = stored[0] if stored else items
    return lists.remove(IntentMatch("ArisListRemove", {"items": items, "list_name": name}), ctx)


def _list_holding(item: str, ctx: SkillContext) -> str | None:
    for named in ctx.store.lists():
        if any(same_thing(i.text, item) for i in named.items):
            return named.name
    return None


def _offline(text: str, ctx: SkillContext) -> str | None:
    if re.search(r"\b(weather|rain|raining|snow|snowing|sunny|forecast|umbrella|humidity|windy)\b", text):
        return "I can't check the weather offline."
    if re.search(
        r"\b(exchange|rate|currency|dollars?|euros?|yen|pounds? sterling|rupees?|usd|eur|gbp|bitcoin|worth)\b",
        text,
    ):
        return "I can't check exchange rates offline."
    return None


_PLAY = (
    r"^(?:(?:can|could|would|will) you |please |i (?:want|wanna|would like) to |let's |let me )?"
    r"(?:play|put on|shuffle|skip|queue|resume|listen to|turn on the radio)\b"
)
_MEDIA = (
    r"\b(?:music|songs?|album|playlist|tracks?|radio|station|podcasts?|audio ?books?|episode|jazz|rock|pop|"
    r"classical|hip hop|rap|country|beatles|spotify|pandora)\b"
)
_OUT_OF_REACH: dict[str, tuple[re.Pattern[str], str]] = {
    "music": (
        re.compile(rf"{_PLAY}(?!.*\b(?:games?|quiz|movie|film|video|cards|chess|tennis)\b)"),
        "I can't play music, radio or podcasts: I have no media player.",
    ),
    "play": (
        re.compile(rf"{_PLAY}(?=.*{_MEDIA})"),
        "I can't play music, radio or podcasts: I have no media player.",
    ),
    "news": (re.compile(r"\b(?:news|headlines?)\b"), "I can't check the news offline."),
    "qa": (
        re.compile(r"\b(?:stocks?|share prices?|stock prices?|nasdaq|dow jones)\b"),
        "I can't check stock prices offline.",
    ),
}
"""Kinds of request no skill can do, by the classifier's out-of-scope kind, with the words that confirm it
(playing media, not a question about a song) and the honest sentence that answers instead of a model's guess.
Weather and exchange rates are a class of their own ("offline")."""


def out_of_reach(kind: str, text: str) -> str | None:
    """The one honest sentence for a request of a kind no skill can do ("play some jazz"), or None."""
    found = _OUT_OF_REACH.get(kind)
    plain = strip_fillers(text.lower().strip(" ?.!,"))
    if found is None or found[0].search(plain) is None:
        return None
    return found[1]


_ACTIONS: dict[str, Callable[[str, SkillContext], str | Answer | None]] = {
    "time": _time,
    "date": _date,
    "math": _calculate,
    "units": _calculate,
    "timer_set": _timer_set,
    "timer_query": _timer_query,
    "timer_cancel": _timer_cancel,
    "reminder_set": _reminder_set,
    "reminder_query": _reminder_query,
    "reminder_cancel": _reminder_cancel,
    "list_add": _list_add,
    "list_query": _list_query,
    "list_remove": _list_remove,
    "offline": _offline,
}
