"""Deterministic fact extraction: the common ways people tell an assistant about themselves.

The local model is tiny, so these rules carry the everyday cases and give each fact a *slot* (what it is
about). Two live facts with the same slot and different values contradict each other, which is how "I moved
to Lisbon" replaces "I live in Berlin".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.memory.phrasing import sentence, to_first_person, to_third_person

KINDS = ("fact", "preference", "person", "event", "task", "note")


@dataclass(frozen=True)
class Candidate:
    """A fact worth keeping, phrased as stored (third person)."""

    text: str
    kind: str = "fact"
    slot: str | None = None
    """What it is about; facts with the same slot and different values conflict."""
    value: str | None = None
    """The slot's value as said ("Lisbon"), to tell a restatement from a contradiction."""
    source: str = "rule"
    """rule | llm | user (an explicit "remember that")."""


_RELATIONS = (
    r"sister|brother|mother|mom|mum|father|dad|wife|husband|partner|girlfriend|boyfriend|fiancée?|son|daughter|"
    r"kids?|children|child|friend|best friend|boss|manager|cousin|aunt|uncle|grandmother|grandfather|grandma|"
    r"grandpa|dog|cat|puppy|kitten|pet|colleague|coworker|neighbou?r|roommate|flatmate|baby|twin|niece|nephew"
)
_TRAILING_TIME = re.compile(
    r"[\s,]+(?:last|this|next|a few) (?:week|month|year|summer|winter|spring|fall|autumn|weeks|months|years)"
    r"|[\s,]+(?:recently|yesterday|today|now|lately|a while ago|at the moment|these days)"
    r"|[\s,]+\w+ (?:days|weeks|months|years) ago",
    re.I,
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:well|so|oh|ok|okay|also|and|but|actually|by the way|btw|fyi|just so you know|you know|hey|"
    r"anyway|guess what|fun fact)[,:]?\s+)+",
    re.I,
)
_IGNORED_SUBJECTS = frozenset(
    [
        "question",
        "point",
        "guess",
        "problem",
        "issue",
        "answer",
        "turn",
        "pleasure",
        "fault",
        "bad",
        "mistake",
        "day",
        "plan",
        "idea",
        "bet",
        "apologies",
        "condolences",
    ]
)
_IGNORED_OBJECTS = frozenset(["it", "that", "this", "them", "you", "him", "her", "those", "these"])
_CONVERSATION_VERBS = re.compile(
    r"^(?:ask|tell|say|know|hear|see|talk|understand|try|check|find out|learn|get|make sure|be)\b", re.I
)


def _clean(value: str) -> str:
    value = _TRAILING_TIME.sub("", value.strip())
    # Quotes are the user's words: stripping one end would leave the other unbalanced ('"blue' or 'blue"').
    return value.strip(" .,!;:")


def _norm(value: str) -> str:
    return re.sub(r"[^\w ]+", "", value.lower()).strip()


def _moved(m: re.Match[str]) -> Candidate:
    # Only the new place is kept: a tiny model reads "lives in Lisbon (moved from Berlin)" as a riddle, and
    # the old place survives anyway as the superseded memory.
    to = _clean(m.group("to"))
    return Candidate(sentence(f"The user lives in {to}"), "fact", "lives_in", to)


def _moved_reversed(m: re.Match[str]) -> Candidate:
    to = _clean(m.group("to"))
    return Candidate(sentence(f"The user lives in {to}"), "fact", "lives_in", to)


def _lives(m: re.Match[str]) -> Candidate:
    place = _clean(m.group("place"))
    return Candidate(sentence(f"The user lives in {place}"), "fact", "lives_in", place)


def _from(m: re.Match[str]) -> Candidate:
    place = _clean(m.group("place"))
    return Candidate(sentence(f"The user is from {place}"), "fact", "from", place)


def _works_at(m: re.Match[str]) -> Candidate:
    org = _clean(m.group("org"))
    return Candidate(sentence(f"The user works {m.group('prep').lower()} {org}"), "fact", "works_at", org)


def _works_as(m: re.Match[str]) -> Candidate:
    job = _clean(m.group("job"))
    return Candidate(sentence(f"The user works as {job}"), "fact", "occupation", job)


def _name(m: re.Match[str]) -> Candidate:
    name = _clean(m.group("name"))
    return Candidate(sentence(f"The user's name is {name}"), "person", "name", name)


def _age(m: re.Match[str]) -> Candidate:
    return Candidate(sentence(f"The user is {m.group('n')} years old"), "fact", "age", m.group("n"))


def _allergy(m: re.Match[str]) -> Candidate:
    what = _clean(m.group("x"))
    return Candidate(sentence(f"The user is allergic to {what}"), "fact", f"allergy:{_norm(what)}", what)


def _diet(m: re.Match[str]) -> Candidate:
    diet = m.group("diet").lower()
    return Candidate(sentence(f"The user is {diet}"), "preference", "diet", diet)


def _preference(m: re.Match[str]) -> Candidate | None:
    what = _clean(m.group("x"))
    if not what or what.lower() in _IGNORED_OBJECTS:
        return None
    first = m.group(0)[: m.end("verb") - m.start(0)] + " " + what
    return Candidate(to_third_person(first), "preference", f"pref:{_norm(what)}", m.group("verb").lower())


def _fan(m: re.Match[str]) -> Candidate:
    what = _clean(m.group("x"))
    return Candidate(sentence(f"The user is a big fan of {what}"), "preference", f"pref:{_norm(what)}", "fan")


def _my_is(m: re.Match[str]) -> Candidate | None:
    subject = re.sub(r"\bmy\b", "the user's", m.group("subj").strip(), flags=re.I)  # "my dog and my cat"
    value = _clean(m.group("val"))
    if not value or subject.split()[-1].lower() in _IGNORED_SUBJECTS or subject.lower() in _IGNORED_SUBJECTS:
        return None
    named = m.group("named")
    if named:
        text = f"The user's {subject} is {named.strip()} {value}"
        slot_subject = f"{subject}'s name"
    else:
        text = f"The user's {subject} {m.group('verb')} {value}"
        slot_subject = subject
    relation = re.match(rf"(?:{_RELATIONS})\b", subject, re.I)
    kind = "person" if relation else "fact"
    if "favo" in subject.lower():
        kind = "preference"
    return Candidate(sentence(text), kind, f"my:{_norm(slot_subject)}", value)


def _person(m: re.Match[str]) -> Candidate | None:
    rest = m.group("rest").strip()
    if not rest:
        return None
    return Candidate(to_third_person(m.group(0)), "person", None, None)


def _has(m: re.Match[str]) -> Candidate | None:
    words = m.group("x").strip().split()
    first_word = words[1].lower() if len(words) > 1 else ""
    if first_word in {
        "question",
        "idea",
        "problem",
        "minute",
        "second",
        "moment",
        "request",
        "feeling",
        "headache",
        "cold",
        "suggestion",
        "favor",
        "favour",
        "quick",
        "doubt",
    }:
        return None
    return Candidate(to_third_person(m.group(0)), "fact", None, None)


def _plan(m: re.Match[str]) -> Candidate | None:
    rest = m.group("x").strip()
    if _CONVERSATION_VERBS.match(rest):
        return None
    return Candidate(to_third_person(m.group(0)), "event", None, None)


def _appointment(m: re.Match[str]) -> Candidate:
    return Candidate(to_third_person(m.group(0)), "event", None, None)


_I = r"\bI"
_AM = r"(?:'m|\s+am)"
_RULES: list[tuple[re.Pattern[str], object]] = [
    (
        re.compile(
            rf"{_I}(?:'ve|\s+have)?\s+(?:just\s+|recently\s+|finally\s+)?moved\s+to\s+(?P<to>.+?)\s+from\s+(?P<from>.+)",
            re.I,
        ),
        _moved_reversed,
    ),
    (
        re.compile(
            rf"{_I}(?:'ve|\s+have)?\s+(?:just\s+|recently\s+|finally\s+)?moved\s+(?:from\s+(?P<from>.+?)\s+)?to\s+(?P<to>.+)",
            re.I,
        ),
        _moved,
    ),
    (
        re.compile(
            rf"{_I}(?:{_AM}\s+(?:now\s+|currently\s+)?living|\s+(?:now\s+|currently\s+|still\s+)?(?:live|reside))\s+in\s+(?P<place>.+)",
            re.I,
        ),
        _lives,
    ),
    (re.compile(rf"{_I}{_AM}\s+(?:originally\s+)?from\s+(?P<place>.+)", re.I), _from),
    (
        re.compile(
            rf"{_I}(?:{_AM}\s+working|\s+(?:now\s+|currently\s+)?work)\s+(?P<prep>at|for)\s+(?P<org>.+)", re.I
        ),
        _works_at,
    ),
    (
        re.compile(
            rf"{_I}(?:{_AM}\s+working|\s+(?:now\s+|currently\s+)?work)\s+as\s+(?P<job>an?\s+.+)", re.I
        ),
        _works_as,
    ),
    (
        re.compile(
            r"\b(?:my\s+name\s+is|call\s+me|I'm\s+called|I\s+am\s+called)\s+(?P<name>[A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?)",
            re.I,
        ),
        _name,
    ),
    (re.compile(rf"{_I}{_AM}\s+(?P<n>\d{{1,3}})(?:\s+years?\s+old)?\s*[.!]?$", re.I), _age),
    (
        re.compile(
            rf"{_I}{_AM}\s+(?:severely\s+|very\s+|deathly\s+|a\s+bit\s+|mildly\s+|also\s+)?allergic\s+to\s+(?P<x>.+)",
            re.I,
        ),
        _allergy,
    ),
    (
        re.compile(
            rf"{_I}{_AM}\s+(?:an?\s+)?(?:strict\s+)?(?P<diet>vegetarian|vegan|pescatarian|gluten[- ]free|lactose[- ]intolerant|diabetic|c[oe]?eliac)\b",
            re.I,
        ),
        _diet,
    ),
    (re.compile(rf"{_I}{_AM}\s+(?:a\s+)?(?:big|huge|massive)\s+fan\s+of\s+(?P<x>.+)", re.I), _fan),
    (
        re.compile(
            rf"{_I}\s+(?:really\s+|absolutely\s+|also\s+|just\s+|totally\s+)?(?P<verb>like|love|enjoy|adore|prefer|hate|dislike|detest|can't stand|cannot stand|don't like|do not like|don't eat|do not eat|never eat)\s+(?P<x>.+)",
            re.I,
        ),
        _preference,
    ),
    (
        re.compile(
            r"\bmy\s+(?P<subj>[\w' -]{1,40}?)\s+(?P<verb>is|are|was)\s+(?P<named>(?:called|named)\s+)?(?P<val>.+)",
            re.I,
        ),
        _my_is,
    ),
    (re.compile(rf"\bmy\s+(?:{_RELATIONS})\s+(?-i:[A-Z][\w-]+)(?P<rest>\s+.+)", re.I), _person),
    (
        re.compile(
            rf"\bmy\s+(?:{_RELATIONS})\s+(?P<rest>(?:has|lives|works|likes|loves|is|was|studies|plays|just|got)\b.+)",
            re.I,
        ),
        _person,
    ),
    (
        re.compile(
            rf"{_I}(?:'ve\s+got|\s+have)\s+(?:an?\s+)?(?:appointment|meeting|exam|interview|flight|dentist|doctor'?s?\s+appointment|birthday party|date)\b.+",
            re.I,
        ),
        _appointment,
    ),
    (
        re.compile(
            rf"{_I}(?:'ve\s+got|\s+have\s+got|\s+have|\s+own)\s+(?P<x>(?:an?|two|three|four|\d+)\s+.+)", re.I
        ),
        _has,
    ),
    (
        re.compile(
            rf"{_I}(?:{_AM}\s+(?:going|planning|flying|travell?ing|driving|heading|moving)\s+to|\s+(?:plan|intend|want|hope|need)\s+to|'ll\s+be|\s+will\s+be)\s+(?P<x>.+)",
            re.I,
        ),
        _plan,
    ),
]


_ANYMORE = r"(?:\s+any\s?more|\s+any\s+longer)"
_RETRACTIONS: list[re.Pattern[str]] = [
    re.compile(rf"^(?P<pre>I)\s+no\s+longer\s+(?P<x>.+?)(?:{_ANYMORE})?$", re.I),
    re.compile(rf"^(?P<pre>I)\s+(?:don't|do\s+not)\s+(?P<x>.+?){_ANYMORE}$", re.I),
    re.compile(rf"^(?P<pre>I(?:'m|\s+am))\s+(?:no\s+longer|not)\s+(?P<x>.+?){_ANYMORE}$", re.I),
    re.compile(r"^(?P<pre>I(?:'m|\s+am))\s+no\s+longer\s+(?P<x>.+?)$", re.I),
]
_GOT_RID = re.compile(
    r"^I\s+(?:just\s+)?(?:sold|got\s+rid\s+of|gave\s+away|lost)\s+my\s+(?P<x>[\w' -]+?)$", re.I
)


def extract_retractions(text: str) -> list[Candidate]:
    """Facts the user says no longer hold ("I don't live in Berlin anymore", "I sold my car"), each in the
    positive form it was stored in, so the memory it contradicts can be found."""
    found: list[Candidate] = []
    for part in split_sentences(text):
        clause = _LEADING_FILLER.sub("", part).rstrip(" .!")
        m = _GOT_RID.match(clause)
        if m:
            thing = _clean(m.group("x"))
            found.append(Candidate(sentence(f"The user has a {thing}"), "fact", f"my:{_norm(thing)}", None))
            continue
        for pattern in _RETRACTIONS:
            m = pattern.match(clause)
            if m:
                positive = f"{m.group('pre')} {m.group('x')}"
                candidate = match_rule(positive)
                found.append(candidate or Candidate(to_third_person(positive), "fact", None, None))
                break
    return found


_BARE_SUBJECT = re.compile(r"^(?:my\s+)?[\w'-]+(?:\s+(?-i:[A-Z])[\w'-]*)?$", re.I)
"""A noun phrase with no verb ("my sister Alice"): the first half of a compound subject, not a clause."""


def split_sentences(text: str) -> list[str]:
    """Sentences and "and"-joined clauses of an utterance ("I'm allergic to peanuts and my wife is Maria"),
    keeping compound subjects together ("My sister Alice and my brother Tom live in Paris")."""
    parts = re.split(r"(?<=[.!?;])\s+|,\s+and\s+|\s+but\s+|\s+and\s+(?=(?:I|my)\b)", text.strip())
    clauses: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if clauses and _BARE_SUBJECT.match(clauses[-1]) and part.lower().startswith("my "):
            clauses[-1] = f"{clauses[-1]} and {part}"
        else:
            clauses.append(part)
    return clauses


_QUESTION = re.compile(
    r"^(?:what|who|where|when|why|how|which|do|does|did|can|could|is|are|will|would|should|have|has)\b", re.I
)


def is_question(text: str) -> bool:
    """A question asks rather than tells (speech-to-text often drops the question mark)."""
    return text.rstrip().endswith("?") or bool(_QUESTION.match(_LEADING_FILLER.sub("", text.strip())))


def extract_facts(text: str) -> list[Candidate]:
    """Candidate facts in a user's turn. Questions are skipped: they ask, they do not tell."""
    found: list[Candidate] = []
    for part in split_sentences(text):
        if is_question(part):
            continue
        clause = _LEADING_FILLER.sub("", part)
        if _is_retraction(clause):
            continue
        candidate = match_rule(clause)
        if candidate is not None and all(c.text != candidate.text for c in found):
            found.append(candidate)
    return found


def _is_retraction(clause: str) -> bool:
    clause = clause.rstrip(" .!")
    return bool(_GOT_RID.match(clause) or any(p.match(clause) for p in _RETRACTIONS))


def match_rule(clause: str) -> Candidate | None:
    """The first rule that matches a first-person clause, as a candidate."""
    for pattern, build in _RULES:
        m = pattern.search(clause)
        if m is not None:
            candidate: Candidate | None = build(m)  # type: ignore[operator]
            if candidate is not None:
                return candidate
    return None


def classify(text: str, kind: str, source: str) -> Candidate:
    """A stored-form (third-person) fact from elsewhere (the user or the model), with a slot when a rule
    recognises it, so it can still contradict an older fact."""
    text = re.sub(r"^(?:the\s+)?user\b", "The user", text.strip(), flags=re.I)
    recognised = match_rule(to_first_person(text).rstrip("."))
    if recognised is not None:
        return Candidate(recognised.text, recognised.kind, recognised.slot, recognised.value, source)
    return Candidate(sentence(text), kind if kind in KINDS else "fact", None, None, source)
