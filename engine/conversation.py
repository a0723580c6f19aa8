"""The conversation sent to the model: a fixed system prompt, recent turns trimmed to fit the context
window, and recalled memories placed just before the new question.

Order matters for speed: llama.cpp reuses the evaluated prefix of the previous prompt, so the system
prompt never changes and anything that varies per turn (memories) comes after the history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from engine.chat import SYSTEM_PROMPT, ChatMessage, Role

MEMORY_HEADER = "Facts about the user:"


@dataclass
class Conversation:
    """The running dialogue of one session."""

    system_prompt: str = SYSTEM_PROMPT
    history: list[ChatMessage] = field(default_factory=list)

    def add_exchange(self, user_text: str, reply: str) -> None:
        """Remember a completed (or interrupted, up to what was heard) exchange."""
        self.history.append(ChatMessage(Role.USER, user_text))
        if reply.strip():
            self.history.append(ChatMessage(Role.ASSISTANT, reply.strip()))

    def clear(self) -> None:
        """Start a new conversation."""
        self.history.clear()

    def build(
        self,
        user_text: str,
        memories: Sequence[str] = (),
        *,
        count_tokens: Callable[[str], int] | None = None,
        budget_tokens: int = 1536,
    ) -> list[ChatMessage]:
        """Messages for the model, dropping the oldest turns until everything fits ``budget_tokens``.

        Args:
            user_text: the new question.
            memories: recalled memory texts, most relevant first.
            count_tokens: the model's tokenizer; a rough 4-characters-per-token estimate without it.
            budget_tokens: context window minus room for the reply.
        """
        count = count_tokens or (lambda text: len(text) // 4 + 1)
        per_message = 4  # chat-template tokens around each message
        system = ChatMessage(Role.SYSTEM, self.system_prompt)
        tail: list[ChatMessage] = []
        if memories:
            lines = "\n".join(f"- {memory}" for memory in memories)
            tail.append(ChatMessage(Role.SYSTEM, f"{MEMORY_HEADER}\n{lines}"))
        tail.append(ChatMessage(Role.USER, user_text))
        used = sum(count(m.content) + per_message for m in (system, *tail))
        kept: list[ChatMessage] = []
        for message in reversed(self.history):
            cost = count(message.content) + per_message
            if used + cost > budget_tokens:
                break
            kept.append(message)
            used += cost
        kept.reverse()
        # Never start the history with an orphaned assistant reply.
        while kept and kept[0].role is Role.ASSISTANT:
            kept.pop(0)
        return [system, *kept, *tail]
