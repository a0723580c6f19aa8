"""The conversation sent to the model: a fixed system prompt, recent turns trimmed to fit the context
window, and recalled memories placed just before the new question.

Order matters for speed: llama.cpp reuses the evaluated prefix of the previous prompt, so the system
prompt never changes and anything that varies per turn (memories) comes after the history. For the same
reason old turns are dropped in large steps: dropping one turn per new turn would change the prompt right
after the system prompt every time, and llama.cpp would re-read the whole history for every answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine.chat import SYSTEM_PROMPT, ChatMessage, Role
from engine.documents import DOCUMENTS_HEADER, Source

MEMORY_HEADER = "Facts about the user:"


def local_now() -> datetime:
    """Now, in the computer's time zone."""
    return datetime.now().astimezone()


def clock_line(now: datetime) -> str:
    """What the model is told about the moment: date, weekday, time and time zone, so it never guesses them
    (a small model otherwise answers "what day is it" with a date from its training data)."""
    offset = now.strftime("%z")
    utc = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    zone = now.tzname() or utc
    said_zone = zone if zone.startswith(("UTC", "GMT")) and offset in ("", "+0000") else f"{zone}, {utc}"
    return (
        f"It is now {now:%A}, {now:%B} {now.day}, {now.year}, "
        f"{now.strftime('%I:%M %p').lstrip('0')} (time zone {said_zone})."
    )


TIME_WORDS = re.compile(
    r"\b(time|times|date|dates|day|days|today|tonight|tomorrow|yesterday|now|week|weeks|weekend|month|months|"
    r"year|years|hour|hours|minute|minutes|morning|afternoon|evening|night|when|long|ago|until|till|since|"
    r"age|old|birthday|anniversary|holiday|holidays|christmas|easter|season|late|early|soon|schedule|calendar|"
    r"deadline|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|"
    r"july|august|september|october|november|december|сейчас|сегодня|завтра|вчера|время|дата|день|год|когда)\b",
    re.IGNORECASE,
)
"""Words that make a question depend on the moment. The clock is told to the model only then: on questions
that do not (general knowledge), the extra line derailed the built-in 135M model (3 of 24 answers wrong with
it, 0 without, over 8 dates)."""


def needs_the_clock(user_text: str) -> bool:
    """Whether answering ``user_text`` may depend on today's date or the time."""
    return TIME_WORDS.search(user_text) is not None


@dataclass
class Conversation:
    """The running dialogue of one session."""

    system_prompt: str = SYSTEM_PROMPT
    history: list[ChatMessage] = field(default_factory=list)
    keep_after_trim: float = 0.5
    """When the history no longer fits, the oldest turns go until it fills at most this share of its room
    (0-1): the prompt's prefix then stays the same for the many turns it takes to fill up again."""
    clock: Callable[[], datetime] | None = local_now
    """The current moment, told to the model whenever the question may depend on it (after the history, so
    the cached prefix stays); None leaves it out."""
    _first: int = field(default=0, init=False, repr=False)
    """Index of the oldest message still sent; it only moves forward, in large steps."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.keep_after_trim <= 1.0:
            raise ValueError(f"keep_after_trim must be between 0 and 1, got {self.keep_after_trim}")

    def add_exchange(self, user_text: str, reply: str) -> None:
        """Remember a completed (or interrupted, up to what was heard) exchange."""
        self.history.append(ChatMessage(Role.USER, user_text))
        if reply.strip():
            self.history.append(ChatMessage(Role.ASSISTANT, reply.strip()))

    def clear(self) -> None:
        """Start a new conversation."""
        self.history.clear()
        self._first = 0

    def build(
        self,
        user_text: str,
        memories: Sequence[str] = (),
        *,
        count_tokens: Callable[[str], int] | None = None,
        budget_tokens: int = 1536,
        passages: Sequence[Source] = (),
    ) -> list[ChatMessage]:
        """Messages for the model; when the history no longer fits ``budget_tokens``, the oldest turns are
        dropped until it takes ``keep_after_trim`` of its room, and stay dropped.

        Args:
            user_text: the new question.
            memories: recalled memory texts, most relevant first.
            count_tokens: the model's tokenizer; a rough 4-characters-per-token estimate without it.
            budget_tokens: context window minus room for the reply.
            passages: passages from the user's documents that answer the question, best first.
        """
        count = count_tokens or (lambda text: len(text) // 4 + 1)
        per_message = 4  # chat-template tokens around each message
        system = ChatMessage(Role.SYSTEM, self.system_prompt)
        tail: list[ChatMessage] = []
        if self.clock is not None and needs_the_clock(user_text):
            tail.append(ChatMessage(Role.SYSTEM, clock_line(self.clock())))
        if memories:
            lines = "\n".join(f"- {memory}" for memory in memories)
            tail.append(ChatMessage(Role.SYSTEM, f"{MEMORY_HEADER}\n{lines}"))
        if passages:
            quoted = "\n".join(f"[{p.label()}] {p.text}" for p in passages)
            tail.append(ChatMessage(Role.SYSTEM, f"{DOCUMENTS_HEADER}\n{quoted}"))
        tail.append(ChatMessage(Role.USER, user_text))
        used = sum(count(m.content) + per_message for m in (system, *tail))
        room = max(0, budget_tokens - used)
        self._first = min(self._first, len(self.history))
        costs = [count(m.content) + per_message for m in self.history[self._first :]]
        if sum(costs) > room:
            target = room * self.keep_after_trim
            total = sum(costs)
            dropped = 0
            while dropped < len(costs) and total > target:
                total -= costs[dropped]
                dropped += 1
            self._first += dropped
        # Never start the history with an orphaned assistant reply.
        while self._first < len(self.history) and self.history[self._first].role is Role.ASSISTANT:
            self._first += 1
        return [system, *self.history[self._first :], *tail]
