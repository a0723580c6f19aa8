"""`bench skills --replies`: whether the skills' replies are right, not only whether the right skill answered.

Over a file in HWU64's format (``text``, ``intent``, ``annotated`` with slots such as ``[time : six am]``) it
keeps the requests whose answer can be worked out independently: sums and unit conversions (``qa_maths``), the
time, the date, a weekday and the time in or between places (``datetime_query``, ``datetime_convert``), alarms
and reminders at a stated time or day (``alarm_set``, ``calendar_set``), the alarms set and cancelling one
(``alarm_query``, ``alarm_remove``) and adding to, reading and removing from named lists (``lists_*``). Each
request runs through the real skills router on a fresh temporary database, at a fixed moment (Wednesday
10 June 2026, 14:25 local time), with any alarms or lists it needs stored first. The expected value is computed
by app/bench/reply_facts.py, which shares no code with the skills: the arithmetic with fractions, dates and
times with ``datetime`` and ``zoneinfo``, alarm times from the dataset's own slot annotation. An alarm is right
when the database holds it at the right time (and the reply says that time); a list request when the list holds
(or no longer holds) the item. Requests these readers don't understand are left out and counted as such.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from app.bench.reply_facts import (
    PARTS_OF_DAY,
    clock_times,
    dates_said,
    expected_conversion,
    expected_sum,
    repeats,
    says_number,
    says_yes_no,
    zone_of,
)
from app.bench.skills import SkillFigures, read_tsv
from app.skills.router import SkillRouter
from app.skills.store import SkillStore, TimerKind
from app.storage.database import open_database

FIXED_NOW = datetime(2026, 6, 10, 14, 25)
"""The moment every request is asked at (local time): a Wednesday afternoon, so "nine am" is tomorrow and
"ten pm" today."""

Verify = Callable[[str, SkillStore], bool]
"""(reply, the database after the reply) → whether the reply was right."""


@dataclass(frozen=True)
class ReplyCase:
    """One request whose right reply the checker knows."""

    text: str
    intent: str
    skill: str
    """The group it is scored in: math, time, date, alarm or list."""
    expected: str
    """What a right reply says or does, for the report."""
    verify: Verify = field(compare=False)
    lists: dict[str, list[str]] = field(default_factory=dict)
    """Lists stored before the request (name → items)."""
    alarms: list[datetime] = field(default_factory=list)
    """Alarms stored before the request."""


@dataclass(frozen=True)
class RepliesBenchResult:
    """What `bench skills --replies --json` prints."""

    utterances: int
    in_scope: int
    """Requests of the skills' intents in the file."""
    checked: int
    """Those whose right reply the checker could work out."""
    right: int
    accuracy: float
    """Share of the checked replies that were right."""
    per_skill: dict[str, SkillFigures]
    per_intent: dict[str, SkillFigures]
    wrong: list[tuple[str, str, str]]
    """[text, expected, reply] of every wrong reply ("(none)" where the model would have answered)."""
    median_ms: float
    p95_ms: float


CHECKED_INTENTS = (
    "qa_maths",
    "datetime_query",
    "datetime_convert",
    "alarm_set",
    "alarm_query",
    "alarm_remove",
    "calendar_set",
    "lists_createoradd",
    "lists_query",
    "lists_remove",
)
IN_SCOPE_INTENTS = (*CHECKED_INTENTS, "calendar_query", "calendar_remove")


def slots_of(annotated: str) -> list[tuple[str, str]]:
    """ "wake me at [time : six am]" → [("time", "six am")]."""
    return [(n.strip(), v.strip()) for n, v in re.findall(r"\[\s*([\w-]+)\s*:\s*([^\]]*)\]", annotated)]


def read_annotated_file(path: Path) -> list[tuple[str, str, str]]:
    """(text, intent, annotated) rows of an HWU64-format TSV.

    Raises:
        SkillError: the file is missing or lacks the columns (one sentence saying which).
    """
    table = read_tsv(
        path, {"text", "intent", "annotated"}, "the columns text, intent and annotated (HWU64's)"
    )
    return [(row["text"], row["intent"], row["annotated"]) for row in table]


# ---- what a reply says ----------------------------------------------------------------------------------


def says_clock(reply: str, times: set[tuple[int, int]]) -> bool:
    """Whether the reply states one of the clock times ("9:00 AM", "21:00")."""
    for hour, minute, half in re.findall(r"\b(\d{1,2}):(\d\d)\s*([AaPp]\.?[Mm]\.?)?", reply):
        h, m = int(hour), int(minute)
        if half:
            h = h % 12 + (12 if half[0].lower() == "p" else 0)
            if (h, m) in times:
                return True
        elif (h, m) in times or (h + 12, m) in times:
            return True
    return False


def says_date(reply: str, day: date) -> bool:
    """Whether the reply names the day of the month and its month ("June 11", "11th of June")."""
    month = day.strftime("%B")
    pattern = rf"\b{month}\s+{day.day}\b|\b{day.day}(?:st|nd|rd|th)?\s+(?:of\s+)?{month}\b"
    return re.search(pattern, reply, re.IGNORECASE) is not None


def _clock_now() -> float:
    return FIXED_NOW.timestamp()


def _local(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp)


# ---- maths ------------------------------------------------------------------------------------------------


def _maths(text: str) -> ReplyCase | None:
    converted = expected_conversion(text)
    if converted is not None:
        amount = converted
        return ReplyCase(text, "qa_maths", "math", f"{amount:.4g}", lambda r, _s: says_number(r, amount))
    found = expected_sum(text)
    if found is None:
        return None
    value, truth = found
    if truth is not None:

        def judged(reply: str, _store: SkillStore) -> bool:
            return says_yes_no(reply, truth) or (truth and value is not None and says_number(reply, value))

        return ReplyCase(text, "qa_maths", "math", "yes" if truth else "no", judged)
    assert value is not None
    result = value
    return ReplyCase(text, "qa_maths", "math", f"{result:.4g}", lambda r, _s: says_number(r, result))


# ---- time and date ------------------------------------------------------------------------------------------


def _time_in(text: str, intent: str, place: str) -> ReplyCase | None:
    zone = zone_of(place)
    if zone is None:
        return None
    there = FIXED_NOW.astimezone().astimezone(zone)
    if re.search(r"\bdifference\b", text):
        here = FIXED_NOW.astimezone()
        hours = (
            (there.utcoffset() or timedelta()) - (here.utcoffset() or timedelta())
        ).total_seconds() / 3600
        if hours == 0:
            return ReplyCase(text, intent, "time", "the same time", lambda r, _s: "same" in r.lower())
        return ReplyCase(
            text, intent, "time", f"{abs(hours):g} hours", lambda r, _s: says_number(r, abs(hours))
        )
    wanted = {(there.hour, there.minute)}
    return ReplyCase(text, intent, "time", f"{there:%H:%M} in {place}", lambda r, _s: says_clock(r, wanted))


def _datetime_query(text: str, slots: dict[str, str]) -> ReplyCase | None:  # noqa: PLR0911 - one per question
    today = FIXED_NOW.date()
    place = slots.get("place_name")
    if place:
        return _time_in(text, "datetime_query", place)
    if "time_zone" in slots:
        return None  # "this time zone": which zone is meant depends on the machine
    said = slots.get("date", "")
    if said and said != "today":
        found = dates_said(said, today)
        if found is None:
            return None
        days = found[0]
        if re.search(r"\bday of the week\b|\bwhat day\b|\bwhich day\b", text):
            names = {d.strftime("%A") for d in days}
            return ReplyCase(
                text,
                "datetime_query",
                "date",
                "/".join(sorted(names)),
                lambda r, _s: any(n in r for n in names),
            )
        return ReplyCase(
            text,
            "datetime_query",
            "date",
            "/".join(f"{d:%B} {d.day}" for d in sorted(days)),
            lambda r, _s: any(says_date(r, d) for d in days),
        )
    if re.search(r"\bevent_name\b", " ".join(slots)) or slots.keys() - {"date"}:
        return None
    if re.search(r"\b(date|day)\b", text) or said == "today":
        return ReplyCase(
            text, "datetime_query", "date", f"{today:%B} {today.day}", lambda r, _s: says_date(r, today)
        )
    if re.search(r"\btime\b", text):
        now = {(FIXED_NOW.hour, FIXED_NOW.minute)}
        return ReplyCase(
            text, "datetime_query", "time", f"{FIXED_NOW:%H:%M}", lambda r, _s: says_clock(r, now)
        )
    return None


def _datetime_convert(text: str, annotated: str) -> ReplyCase | None:
    found = slots_of(annotated)
    said = [value for name, value in found if name == "time"]
    places = [value for name, value in found if name in ("place_name", "time_zone")]
    if len(said) != 1:
        return None
    times = clock_times(said[0])
    zones = [zone_of(place) for place in places]
    if times is None or any(zone is None for zone in zones) or not zones:
        return None
    distinct = list(dict.fromkeys(zones))
    here = FIXED_NOW.astimezone().tzinfo
    source: tzinfo | None
    target: tzinfo | None
    if re.search(r"\b(?:here|locally|my time)\b.*\bwhat time\b", text):
        source, target = here, distinct[0]  # "when it's ten pm here what time is it in brisbane"
    elif re.search(r"\blocal(?:ly)?\b|\bhere\b", text):
        source, target = distinct[0], here
    elif len(distinct) == 2:
        source, target = distinct
    else:
        return None
    wanted = set()
    for hour, minute in times:
        moment = datetime(FIXED_NOW.year, FIXED_NOW.month, FIXED_NOW.day, hour, minute, tzinfo=source)
        there = moment.astimezone(target)
        wanted.add((there.hour, there.minute))
    shown = "/".join(f"{h:02}:{m:02}" for h, m in sorted(wanted))
    return ReplyCase(text, "datetime_convert", "time", shown, lambda r, _s: says_clock(r, wanted))


# ---- alarms and reminders --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _AlarmSpec:
    times: set[tuple[int, int]] | None
    """Exact clock times it may ring at; None when only the day or a part of the day was said."""
    hours: range | None
    days: set[date] | None
    recurring: bool


def _alarm_spec(text: str, annotated: str) -> _AlarmSpec | None:  # noqa: PLR0911 - one per slot kind
    found = slots_of(annotated)
    names = [name for name, _ in found]
    if names.count("time") > 1 or names.count("date") > 1:
        return None
    slots = dict(found)
    part = slots.get("timeofday", "").replace("this ", "").strip()
    times: set[tuple[int, int]] | None = None
    hours: range | None = None
    if "time" in slots:
        times = clock_times(slots["time"], part)
        if times is None:
            return None
    elif part in ("noon", "midday", "midnight"):
        times = clock_times(part)
    elif part:
        hours = PARTS_OF_DAY.get(part)
        if hours is None:
            return None
    days: set[date] | None = None
    weekly = None
    if "date" in slots:
        said = dates_said(slots["date"], FIXED_NOW.date())
        if said is None:
            return None
        days, weekly = said
    frequency = slots.get("general_frequency", "")
    recurring = repeats(text) or weekly is not None
    if frequency and not repeats(frequency):
        return None  # "monthly", "repeat": not a repeat a reader of words can pin down
    if times is None and hours is None and days is None:
        return None
    return _AlarmSpec(times, hours, days, recurring)


def _rings_as_said(spec: _AlarmSpec, fires_at: float, recurrence: str | None) -> bool:
    local = _local(fires_at)
    if spec.times is not None and (local.hour, local.minute) not in spec.times:
        return False
    if spec.hours is not None and local.hour not in spec.hours:
        return False
    if spec.days is not None:
        if local.date() not in spec.days:
            return False
    elif not 0 < fires_at - FIXED_NOW.timestamp() <= 86_400:
        return False  # a time without a day is its next occurrence
    return bool(recurrence) == spec.recurring


def _spec_said(spec: _AlarmSpec) -> str:
    parts = []
    if spec.days:
        parts.append("/".join(f"{d:%a} {d:%b} {d.day}" for d in sorted(spec.days)))
    if spec.times:
        parts.append("/".join(f"{h:02}:{m:02}" for h, m in sorted(spec.times)))
    if spec.hours:
        parts.append(f"between {spec.hours.start}:00 and {spec.hours.stop}:00")
    if spec.recurring:
        parts.append("repeating")
    return "an alarm or reminder " + " ".join(parts)


def _alarm_set(text: str, intent: str, annotated: str) -> ReplyCase | None:
    if intent == "calendar_set" and not re.search(
        r"\b(remind|reminder|alarm|schedule|set|add|create|notify|alert|wake)\b", text
    ):
        return None  # "see if john is available on monday": not a request to be reminded
    spec = _alarm_spec(text, annotated)
    if spec is None:
        return None

    if _all_past(spec):

        def passed(reply: str, store: SkillStore) -> bool:
            return not store.active() and "passed" in reply

        return ReplyCase(text, intent, "alarm", "that the time has passed", passed)

    def judged(reply: str, store: SkillStore) -> bool:
        rung = [t for t in store.active() if _rings_as_said(spec, t.fires_at, t.recurrence)]
        if spec.times is None and spec.hours is None and not store.active() and reply.rstrip().endswith("?"):
            return True  # a day without a time: asking for the time is right too
        return bool(rung) and (spec.times is None or says_clock(reply, spec.times))

    return ReplyCase(text, intent, "alarm", _spec_said(spec), judged)


def _all_past(spec: _AlarmSpec) -> bool:
    """ "today at ten am", asked at 14:25: every moment the request may mean is over."""
    if spec.days != {FIXED_NOW.date()} or spec.recurring or not (spec.times or spec.hours):
        return False
    now = (FIXED_NOW.hour, FIXED_NOW.minute)
    if spec.times:
        return all(t <= now for t in spec.times)
    return spec.hours is not None and spec.hours.stop <= FIXED_NOW.hour


def _seed_alarm(spec: _AlarmSpec | None) -> datetime:
    """A moment matching what the request names (or tomorrow at 7:00)."""
    today = FIXED_NOW.date()
    day = min(spec.days) if spec and spec.days else None
    if spec and spec.times:
        hour, minute = sorted(spec.times)[0]
    elif spec and spec.hours:
        hour, minute = spec.hours.start + 2, 0
    else:
        hour, minute = 7, 0
    if day is None:
        day = today if (hour, minute) > (FIXED_NOW.hour, FIXED_NOW.minute) else today + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute)


def _alarm_query(text: str, annotated: str) -> ReplyCase | None:
    spec = _alarm_spec(text, annotated) if slots_of(annotated) else None
    if slots_of(annotated) and spec is None:
        return None
    at = _seed_alarm(spec)
    wanted = {(at.hour, at.minute)}
    return ReplyCase(
        text,
        "alarm_query",
        "alarm",
        f"says the alarm at {at:%H:%M}",
        lambda r, _s: says_clock(r, wanted),
        alarms=[at],
    )


def _alarm_remove(text: str, annotated: str) -> ReplyCase | None:
    spec = _alarm_spec(text, annotated) if slots_of(annotated) else None
    if slots_of(annotated) and spec is None:
        return None
    at = _seed_alarm(spec)

    def judged(reply: str, store: SkillStore) -> bool:
        return not store.active() and not reply.rstrip().endswith("?")

    return ReplyCase(text, "alarm_remove", "alarm", f"the alarm at {at:%H:%M} cancelled", judged, alarms=[at])


# ---- lists ----------------------------------------------------------------------------------------------------

_SAME_LISTS = (
    ("shopping", ("shopping", "grocery", "groceries", "grocery shopping", "food")),
    ("to-do", ("to do", "todo", "to-do", "tasks", "task", "things to do", "chores", "things i need to do")),
)
_NOT_ITEMS = re.compile(
    r"^(?:this|these|that|those|it|him|her|them|item|items|an item|entry|something|the item|everything|all|"
    r"the (?:first|second|third|last|next)|(?:first|second|third|last|next) (?:one|item|row|entry))\b"
)


def same_list(name: str) -> str:
    """A list name compared loosely: "my groceries list" and "shopping" are the same list."""
    said = re.sub(r"[^a-z' -]", "", name.lower())
    said = re.sub(r"\b(?:today|tomorrow|this week|next week)'s\s+|'s\b|'", "", said)
    said = re.sub(r"^(?:my|the|our|a|new)\s+|\s+list$", "", said.strip()).strip()
    said = re.sub(r"^list (?:of|for)\s+", "", said)
    if re.fullmatch(
        r"(?:things|stuff|items)(?: (?:i|we) (?:need|have|want))?(?: to)? (?:buy|get|shop for)", said
    ):
        return "shopping"
    for canonical, names in _SAME_LISTS:
        if said in names:
            return canonical
    return said


def _names_match(one: str, other: str) -> bool:
    """ "jewels" and "jewels to be bought": a name said with more words after it is the same list."""
    return one == other or one.startswith(f"{other} ") or other.startswith(f"{one} ")


def _has_item(store: SkillStore, list_said: str, item: str) -> bool:
    """Whether the list (any list, for "the list" unnamed) holds the item, not checked off."""
    wanted = _stem(item)
    return any(
        same_list(list_said) in ("", "list", same_list(named.name))
        and any(_stem(i.text) == wanted and not i.done for i in named.items)
        for named in store.lists()
    )


def _stem(text: str) -> str:
    return re.sub(r"(?<=[a-z])(?:es|s)$", "", re.sub(r"^(?:some|a|an|the)\s+", "", text.lower().strip()))


def _split_items(said: str) -> list[str]:
    return [p.strip() for p in re.split(r",\s*|\s+and\s+", said) if p.strip()]


def _lists_add(text: str, slots: dict[str, str]) -> ReplyCase | None:
    found = re.search(
        r"\b(?:add|put)\s+(.+?)\s+(?:to|on|onto|in|into)\s+(?:my|the|our)\s+(.+?)(?:\s+list)?$", text.lower()
    )
    if found:
        items, list_said = _split_items(found.group(1)), slots.get("list_name") or found.group(2)
        if not items or any(_NOT_ITEMS.match(item) for item in items):
            return None

        def judged(_reply: str, store: SkillStore) -> bool:
            return all(_has_item(store, list_said, item) for item in items)

        return ReplyCase(text, "lists_createoradd", "list", f"{' and '.join(items)} on {list_said}", judged)
    if re.search(r"\b(?:create|make|start|begin|set up)\b.*\blist\b", text) and slots.get("list_name"):
        named = slots["list_name"]

        def exists(_reply: str, store: SkillStore) -> bool:
            return any(_names_match(same_list(n.name), same_list(named)) for n in store.lists())

        return ReplyCase(text, "lists_createoradd", "list", f"a list called {named}", exists)
    return None


_SEEDED = {"shopping": ["milk", "eggs", "bread"], "to-do": ["call the bank"]}


def _lists_query(text: str, slots: dict[str, str]) -> ReplyCase | None:
    seeded = {name: list(items) for name, items in _SEEDED.items()}
    named = slots.get("list_name")
    if "playlist" in text:
        return None
    if named and same_list(named) not in (same_list(n) for n in seeded):
        seeded[_stored_name(named)] = ["batteries", "stamps"]
    member = re.search(
        r"^(?:did i (?:put|add)|have i (?:put|added)|is there|are there|do i have|is|are)\s+(?:any\s+)?(.+?)\s+"
        r"(?:on|in|to)\s+"
        r"(?:my|the|our)\s+(.+?)\s+list\b",
        text,
    )
    if member:
        item, list_said = member.group(1), member.group(2)
        holds = any(
            same_list(n) == same_list(list_said) and _stem(item) in map(_stem, i) for n, i in seeded.items()
        )
        return ReplyCase(
            text,
            "lists_query",
            "list",
            "yes" if holds else "no",
            lambda r, _s: says_yes_no(r, holds),
            lists=seeded,
        )
    if named:
        items = next(i for n, i in seeded.items() if same_list(n) == same_list(named))
        return ReplyCase(
            text,
            "lists_query",
            "list",
            ", ".join(items),
            lambda r, _s: all(i in r.lower() for i in items),
            lists=seeded,
        )
    if re.search(r"\blists\b", text):

        def names_all(reply: str, _store: SkillStore) -> bool:
            said = reply.lower().replace("to do", "to-do")
            return all(name in said for name in seeded)

        return ReplyCase(text, "lists_query", "list", " and ".join(seeded), names_all, lists=seeded)
    if re.search(r"\b(?:what(?:'s| is)|whats) on (?:the|my) list$|\b(?:read|show) me (?:the|my) list$", text):

        def reads_one(reply: str, _store: SkillStore) -> bool:
            return any(all(i in reply.lower() for i in items) for items in seeded.values())

        return ReplyCase(text, "lists_query", "list", "the items of one list", reads_one, lists=seeded)
    return None


def _lists_remove(text: str, slots: dict[str, str]) -> ReplyCase | None:
    found = re.search(
        r"\b(?:remove|delete|take|get rid of|cross|erase|scratch)\s+(.+?)"
        r"(?:\s+(?:off of|out from|out of|from|off)\s+(?:my|the|our)?\s*(.*?))?$",
        text.lower(),
    )
    if not found:
        return None
    item = re.sub(r"^(?:the|my|some)\s+", "", found.group(1))
    if _NOT_ITEMS.match(item) or re.search(r"\b(?:list|item|entry|last|first|what)\b", item):
        return None
    list_said = slots.get("list_name") or re.sub(r"\s*list$", "", found.group(2) or "").strip() or "shopping"
    kept = "paper towels"
    seeded = {_stored_name(list_said): [item, kept]}

    def judged(_reply: str, store: SkillStore) -> bool:
        gone = not any(_stem(i.text) == _stem(item) and not i.done for n in store.lists() for i in n.items)
        return gone and _has_item(store, list_said, kept)

    return ReplyCase(
        text, "lists_remove", "list", f"{item} off the {list_said} list, {kept} kept", judged, lists=seeded
    )


def _stored_name(said: str) -> str:
    """The name a list said this way has in the database, had the user made it by voice ("my grocery
    list" is the shopping list; "list" alone, the shopping list)."""
    name = same_list(said)
    return "shopping" if name in ("", "list") else name


# ---- planning and running -------------------------------------------------------------------------------------


def plan(text: str, intent: str, annotated: str) -> ReplyCase | None:
    """The check for one request, or None when its right reply can't be worked out independently."""
    text = text.lower().strip()
    slots = dict(slots_of(annotated))
    planners: dict[str, Callable[[], ReplyCase | None]] = {
        "qa_maths": lambda: _maths(text),
        "datetime_query": lambda: _datetime_query(text, slots),
        "datetime_convert": lambda: _datetime_convert(text, annotated),
        "alarm_set": lambda: _alarm_set(text, intent, annotated),
        "calendar_set": lambda: _alarm_set(text, intent, annotated),
        "alarm_query": lambda: _alarm_query(text, annotated),
        "alarm_remove": lambda: _alarm_remove(text, annotated),
        "lists_createoradd": lambda: _lists_add(text, slots),
        "lists_query": lambda: _lists_query(text, slots),
        "lists_remove": lambda: _lists_remove(text, slots),
    }
    planner = planners.get(intent)
    return planner() if planner is not None else None


def run_case(
    case: ReplyCase, folder: Path, router_options: dict[str, object] | None = None
) -> tuple[str, bool, float]:
    """(reply, right, milliseconds) of one request on a fresh database in ``folder``."""
    store = SkillStore(open_database(str(folder / f"case-{abs(hash(case.text))}.db")), clock=_clock_now)
    for name, items in case.lists.items():
        store.add_items(name, items)
    for at in case.alarms:
        store.add_timer(TimerKind.REMINDER, "", at.timestamp())
    router = SkillRouter(lambda: store, now=_clock_now, **(router_options or {}))  # type: ignore[arg-type]
    started = time.perf_counter()
    reply = router.handle(case.text)
    elapsed = (time.perf_counter() - started) * 1000
    said = reply.text if reply is not None else ""
    right = reply is not None and case.verify(said, store)
    router.close()
    return (said or "(none)"), right, elapsed


def run_replies_bench(rows: Iterable[tuple[str, str, str]]) -> RepliesBenchResult:
    """Check every request whose right reply can be worked out (each on its own fresh database)."""
    rows = list(rows)
    cases = [case for text, intent, annotated in rows if (case := plan(text, intent, annotated)) is not None]
    tally: dict[str, list[int]] = {}
    by_intent: dict[str, list[int]] = {}
    wrong: list[tuple[str, str, str]] = []
    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="aris-bench-replies-") as folder:
        SkillRouter(lambda: SkillStore(open_database(str(Path(folder) / "warm.db")))).warm_up()
        for case in cases:
            said, right, elapsed = run_case(case, Path(folder))
            times.append(elapsed)
            for table, key in ((tally, case.skill), (by_intent, case.intent)):
                figures = table.setdefault(key, [0, 0])
                figures[0] += 1
                figures[1] += right
            if not right:
                wrong.append((case.text, case.expected, said))
    right_n = len(cases) - len(wrong)

    def figures_of(table: dict[str, list[int]]) -> dict[str, SkillFigures]:
        return {key: SkillFigures(n, ok, round(ok / n, 4)) for key, (n, ok) in sorted(table.items())}

    return RepliesBenchResult(
        utterances=len(rows),
        in_scope=sum(intent in IN_SCOPE_INTENTS for _, intent, _ in rows),
        checked=len(cases),
        right=right_n,
        accuracy=round(right_n / max(len(cases), 1), 4),
        per_skill=figures_of(tally),
        per_intent=figures_of(by_intent),
        wrong=wrong,
        median_ms=round(statistics.median(times), 2) if times else 0.0,
        p95_ms=round(statistics.quantiles(times, n=20)[-1], 2) if len(times) > 1 else 0.0,
    )


def replies_report(result: RepliesBenchResult) -> dict[str, object]:
    """The JSON document (wrong replies as [text, expected, reply] lists)."""
    document = asdict(result)
    document["wrong"] = [list(row) for row in result.wrong]
    return document


def print_replies(result: RepliesBenchResult) -> None:
    """The plain-text report: the headline, each skill and intent, then every wrong reply."""
    print(
        f"{result.utterances} utterances, {result.in_scope} for the skills, {result.checked} with a checkable "
        f"reply: {result.right}/{result.checked} right ({result.accuracy:.1%}); "
        f"median {result.median_ms:.2f} ms, p95 {result.p95_ms:.2f} ms"
    )
    for title, table in (("skill", result.per_skill), ("intent", result.per_intent)):
        print(f"by {title}:")
        for key, figures in table.items():
            print(f"  {key:<22} {figures.right:>5}/{figures.requests:<5} {figures.accuracy:.1%}")
    for text, expected, reply in result.wrong:
        print(f"  wrong: {text!r}: expected {expected}; replied {reply!r}")
