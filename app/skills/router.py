"""The skills layer the pipeline asks before the language model: template matches, tried from the most literal,
until a skill answers; no match, or no skill that wants it, and the model answers."""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.skills import clock, help, lists, maths, reminders, russian, timers, understand, units
from app.skills.base import SkillContext, SkillHandler
from app.skills.classifier import Guess, IntentClassifier, classifier_for
from app.skills.matcher import CYRILLIC, IntentMatcher
from app.skills.russian import calendar as ru_calendar
from app.skills.russian import help as ru_help
from app.skills.russian import lists as ru_lists
from app.skills.russian import maths as ru_maths
from app.skills.russian import reminders as ru_reminders
from app.skills.russian import timers as ru_timers
from app.skills.store import SkillStore
from app.storage.errors import StorageError
from engine.skills import SkillReply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """Which skill answers an intent, and how."""

    skill: str
    handler: SkillHandler
    acts: bool = False
    """Changes something (sets a timer, edits a list): never run just to see whether it would answer."""


ROUTES: dict[str, Route] = {
    "ArisHelp": Route("help", help.overview),
    "HassNevermind": Route("help", help.never_mind, acts=True),
    "HassGetCurrentTime": Route("time", clock.time_here),
    "ArisTime": Route("time", clock.time_here),
    "ArisTimeIn": Route("time", clock.time_in),
    "HassGetCurrentDate": Route("date", clock.date_today),
    "ArisDate": Route("date", clock.date_today),
    "ArisMath": Route("math", maths.calculate),
    "ArisUnits": Route("units", units.convert),
    "HassStartTimer": Route("timer", timers.start, acts=True),
    "ArisStartTimer": Route("timer", timers.start, acts=True),
    "HassCancelTimer": Route("timer", timers.cancel, acts=True),
    "HassCancelAllTimers": Route("timer", timers.cancel_all, acts=True),
    "HassTimerStatus": Route("timer", timers.status),
    "ArisListTimers": Route("timer", timers.list_all),
    "ArisTimerLeft": Route("timer", timers.list_all),
    "ArisResumeTimer": Route("timer", timers.resume, acts=True),
    "HassPauseTimer": Route("timer", timers.pause, acts=True),
    "HassUnpauseTimer": Route("timer", timers.resume, acts=True),
    "HassIncreaseTimer": Route("timer", timers.increase, acts=True),
    "HassDecreaseTimer": Route("timer", timers.decrease, acts=True),
    "ArisReminder": Route("reminder", reminders.remind, acts=True),
    "ArisListReminders": Route("reminder", reminders.list_reminders),
    "ArisReminderAbout": Route("reminder", reminders.reminder_about),
    "ArisCancelReminder": Route("reminder", reminders.cancel_reminder, acts=True),
    "HassShoppingListAddItem": Route("list", lists.add, acts=True),
    "ArisListAdd": Route("list", lists.add, acts=True),
    "ArisListCheck": Route("list", lists.check_off, acts=True),
    "ArisListRemove": Route("list", lists.remove, acts=True),
    "ArisListRead": Route("list", lists.read),
    "ArisListClear": Route("list", lists.clear, acts=True),
    "ArisLists": Route("list", lists.all_lists),
}
_CONFIRM = {"ArisConfirm": True, "ArisDeny": False}

ROUTES_BY_LANGUAGE: dict[str, dict[str, Route]] = {
    "en": ROUTES,
    "ru": {
        "ArisHelp": Route("help", ru_help.overview),
        "ArisOffline": Route("offline", ru_help.offline),
        "HassNevermind": Route("help", help.never_mind, acts=True),
        "HassGetCurrentTime": Route("time", russian.time_here),
        "ArisTime": Route("time", russian.time_here),
        "ArisTimeIn": Route("time", ru_calendar.time_in),
        "ArisTimeInShort": Route("time", ru_calendar.time_in_known),
        "HassGetCurrentDate": Route("date", russian.date_today),
        "ArisDate": Route("date", russian.date_today),
        "ArisDayOf": Route("date", ru_calendar.day_of),
        "ArisDaysUntil": Route("date", ru_calendar.days_until),
        "ArisWhenIs": Route("date", ru_calendar.when_is),
        "ArisMath": Route("math", ru_maths.calculate),
        "ArisUnits": Route("units", ru_maths.convert),
        "HassStartTimer": Route("timer", russian.start_timer, acts=True),
        "ArisStartTimer": Route("timer", russian.start_timer, acts=True),
        "HassCancelTimer": Route("timer", russian.cancel_timer, acts=True),
        "HassCancelAllTimers": Route("timer", russian.cancel_timer, acts=True),
        "HassTimerStatus": Route("timer", russian.timer_status),
        "HassPauseTimer": Route("timer", ru_timers.pause_timer, acts=True),
        "HassUnpauseTimer": Route("timer", ru_timers.resume_timer, acts=True),
        "HassIncreaseTimer": Route("timer", ru_timers.add_time, acts=True),
        "HassDecreaseTimer": Route("timer", ru_timers.take_time, acts=True),
        "ArisTimerAdd": Route("timer", ru_timers.add_time, acts=True),
        "ArisTimerTake": Route("timer", ru_timers.take_time, acts=True),
        "ArisReminder": Route("reminder", ru_reminders.remind, acts=True),
        "ArisAlarm": Route("reminder", ru_reminders.alarm, acts=True),
        "ArisListReminders": Route("reminder", ru_reminders.list_reminders),
        "ArisCancelReminder": Route("reminder", ru_reminders.cancel_reminder, acts=True),
        "ArisCancelAlarm": Route("reminder", ru_reminders.cancel_alarm, acts=True),
        "HassShoppingListAddItem": Route("list", ru_lists.add, acts=True),
        "ArisListAdd": Route("list", ru_lists.add, acts=True),
        "ArisListRemove": Route("list", ru_lists.remove, acts=True),
        "ArisListRead": Route("list", ru_lists.read),
        "ArisListHas": Route("list", ru_lists.has),
        "ArisListClear": Route("list", ru_lists.clear, acts=True),
    },
}
"""The skills that answer in each language; a request in another language (or one these don't cover) goes to
the language model, which answers in the reply language."""


def skills_language(setting: str, text: str) -> str | None:
    """Which language's templates and replies fit ``text``: Cyrillic is Russian whatever the setting (Whisper
    on "auto" hears Russian too), otherwise the fixed language, English on "auto"; None when the skills don't
    speak it."""
    if CYRILLIC.search(text):
        return "ru"
    language = "en" if setting == "auto" else setting
    return language if language in ROUTES_BY_LANGUAGE else None


@functools.cache
def matcher_for(language: str) -> IntentMatcher:
    """Templates load once per process (hassil compiles them on first use)."""
    return IntentMatcher(language)


class SkillRouter:
    """Implements the engine's ``SkillHook``: ``handle(text)`` returns a ``SkillReply`` or None."""

    def __init__(
        self,
        open_store: Callable[[], SkillStore],
        *,
        language: str = "en",
        now: Callable[[], float] = time.time,
        second_stage: bool = True,
    ) -> None:
        self.context = SkillContext(open_store, now=now)
        self.language = language
        """The language setting ("auto", "en", "ru"…)."""
        self.matcher = matcher_for(skills_language(language, "") or "en")
        self.second_stage = second_stage
        """Whether requests the templates miss go to the classifier (English only)."""
        self._last_guess: tuple[str, Guess | None] = ("", None)

    def warm_up(self) -> None:
        """Compile the templates, load the unit registry and the second stage's embedder now, so the first
        real request is fast."""
        self.matcher.matches("what time is it in tokyo")
        units._registry().Unit("inch")
        if self.second_stage:
            self._guess("what time is it in tokyo")

    def close(self) -> None:
        """Release the store's database connection."""
        store, self.context._store = self.context._store, None
        if store is not None:
            store.db.conn.close()

    def handle(self, text: str) -> SkillReply | None:
        """A skill's reply, or None so that the language model answers."""
        started = time.perf_counter()
        pending, self.context.pending = self.context.pending, None
        awaiting, self.context.awaiting = self.context.awaiting, None
        reply = self._complete(text, awaiting) if awaiting is not None else None
        reply = reply or self._answer(text, pending)
        log.debug("Skills took %.1f ms for %r: %s", (time.perf_counter() - started) * 1000, text, reply)
        return reply

    def claims(self, text: str) -> bool:
        """Whether a skill would answer ``text``, decided without acting, so the pipeline can ask while the
        speaker may still go on: a skill that only reads (the time, a sum) is asked; one that acts (a timer,
        a list change) claims any request its templates match, and a yes/no question waiting claims all."""
        found = self._routes_and_matcher(text)
        if found is None:
            return False
        if self.context.pending is not None or self.context.awaiting is not None:
            return True
        routes, matcher = found
        matches = matcher.matches(text)
        for match in matches:
            route = routes.get(match.intent)
            if route is None:
                continue
            if route.acts:
                return True
            try:
                if route.handler(match, self.context) is not None:
                    return True
            except StorageError:
                return True  # handle() will answer with the error
        return routes is ROUTES and self._second_stage_claims(text)

    def _second_stage_claims(self, text: str) -> bool:
        """Whether the classifier's skill would answer: one that acts claims what it is given; one that only
        reads is asked (with templates that only read)."""
        guess = self._guess(text)
        if guess is not None and understand.out_of_reach(guess.kind, text) is not None:
            return True
        if guess is None or not guess.in_scope:
            return False
        if guess.label in understand.ACTS:
            return understand.would_act(guess.label, text)
        try:
            return understand.answer(guess.label, text, self.context, self._retry_reading) is not None
        except StorageError:
            return True  # handle() will answer with the error

    def _routes_and_matcher(self, text: str) -> tuple[dict[str, Route], IntentMatcher] | None:
        """The skills and templates for the language ``text`` is in; None when no skill speaks it."""
        language = skills_language(self.language, text)
        if language is None:
            return None
        matcher = self.matcher if self.matcher.language == language else matcher_for(language)
        return ROUTES_BY_LANGUAGE[language], matcher

    def _answer(self, text: str, pending: Callable[[bool], str] | None) -> SkillReply | None:
        found = self._routes_and_matcher(text)
        if found is None:
            return None
        routes, matcher = found
        for match in matcher.matches(text):
            if match.intent in _CONFIRM:
                if pending is None:
                    continue
                return SkillReply("list", pending(_CONFIRM[match.intent]))
            route = routes.get(match.intent)
            if route is None:
                continue
            try:
                answer = route.handler(match, self.context)
            except StorageError as error:
                return SkillReply(route.skill, f"Sorry, I couldn't do that: {error.message}")
            if answer is not None:
                return SkillReply(route.skill, answer)
        return self._second_stage(text) if routes is ROUTES else None

    def _classifier(self) -> IntentClassifier | None:
        return classifier_for("en") if self.second_stage else None

    def _guess(self, text: str) -> Guess | None:
        """The classifier's reading, kept for the one sentence asked twice (claims, then handle)."""
        if self._last_guess[0] == text:
            return self._last_guess[1]
        classifier = self._classifier()
        guess = classifier.guess(text) if classifier is not None else None
        if guess is not None and guess.in_scope:
            guess = dataclasses.replace(guess, label=understand.relabel(guess.label, text))
        self._last_guess = (text, guess)
        return guess

    def _second_stage(self, text: str) -> SkillReply | None:
        """A request the templates missed, given to the skill the classifier reads in it."""
        guess = self._guess(text)
        refusal = understand.out_of_reach(guess.kind, text) if guess is not None else None
        if refusal is not None:
            return SkillReply("offline", refusal)
        if guess is None or not guess.in_scope:
            return None
        try:
            found = understand.answer(guess.label, text, self.context, self._retry)
        except StorageError as error:
            return SkillReply(
                understand.SKILL_OF_CLASS[guess.label], f"Sorry, I couldn't do that: {error.message}"
            )
        if found is None:
            return None
        if found.awaiting is not None:
            self.context.awaiting, self.context.awaiting_skill = found.awaiting, found.skill
        return SkillReply(found.skill, found.text)

    def _retry(self, sentence: str, skill: str, *, reading_only: bool = False) -> str | None:
        """``sentence`` (a request without its fillers) on one skill's templates."""
        for match in self.matcher.matches(sentence):
            route = ROUTES.get(match.intent)
            if route is None or route.skill != skill or (reading_only and route.acts):
                continue
            answer = route.handler(match, self.context)
            if answer is not None:
                return answer
        return None

    def _retry_reading(self, sentence: str, skill: str) -> str | None:
        return self._retry(sentence, skill, reading_only=True)

    def _complete(self, text: str, awaiting: Callable[[str], str | None]) -> SkillReply | None:
        """The answer to a question a skill asked ("For how long?" → "ten minutes"); None when the words
        are a new request instead (including "never mind", which drops the question)."""
        try:
            said = awaiting(text)
        except StorageError as error:
            return SkillReply(self.context.awaiting_skill, f"Sorry, I couldn't do that: {error.message}")
        return SkillReply(self.context.awaiting_skill, said) if said is not None else None


def open_skill_store(database_path: object) -> Callable[[], SkillStore]:
    """A store opener for the data folder's database (opened on the first request that needs it)."""

    def opener() -> SkillStore:
        from app.storage.database import open_database

        return SkillStore(open_database(str(database_path)))

    return opener
