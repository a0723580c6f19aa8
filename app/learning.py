"""Background use of the language model that always makes way for the user's turn.

Memory learning asks the model for facts after a turn. Run on the turn's own llama.cpp context it would
both hold the model while the next question waits (1-20 s on two cores) and overwrite the cached prompt,
so the next answer re-reads the whole conversation. So learning gets its own context, waits while a turn
runs, and a turn that starts mid-extraction aborts it (inside the token being computed); the extraction
is retried once the turn is over."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from engine.cancel import CancelToken
from engine.chat import ChatMessage
from engine.errors import TurnCancelledError

log = logging.getLogger(__name__)


class CancellableJsonCompleter(Protocol):
    """A model that fills a JSON schema and can be stopped part-way (LlamaResponder)."""

    def complete_json(
        self,
        messages: Sequence[ChatMessage],
        schema: dict[str, Any],
        max_tokens: int = 256,
        *,
        cancel: CancelToken | None = None,
    ) -> Any:
        """A reply constrained to ``schema``, parsed."""
        ...


class TurnGate:
    """Knows whether a user turn is running; background work waits for it and is cancelled by it."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._turns = 0
        self._background: set[CancelToken] = set()

    @property
    def busy(self) -> bool:
        """True while a turn runs."""
        with self._condition:
            return self._turns > 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold for the length of a user turn: background model work stops at once and waits."""
        with self._condition:
            self._turns += 1
            running = list(self._background)
        for token in running:
            token.cancel("a turn started")
        try:
            yield
        finally:
            with self._condition:
                self._turns -= 1
                self._condition.notify_all()

    def wait_idle(self) -> None:
        """Block until no turn runs."""
        with self._condition:
            self._condition.wait_for(lambda: self._turns == 0)

    @contextmanager
    def background(self) -> Iterator[CancelToken]:
        """A token for one piece of background work, started only when no turn runs; cancelled when one
        starts."""
        token = CancelToken()
        with self._condition:
            self._condition.wait_for(lambda: self._turns == 0)
            self._background.add(token)
        try:
            yield token
        finally:
            with self._condition:
                self._background.discard(token)


class YieldingCompleter:
    """The JSON completer memory extraction uses: a separate model context, run only between turns."""

    def __init__(self, model: Callable[[], CancellableJsonCompleter], gate: TurnGate) -> None:
        """``model`` builds (once, lazily, in the learning thread) the background context."""
        self._make_model = model
        self._model: CancellableJsonCompleter | None = None
        self._gate = gate
        self.interruptions = 0
        """How often a turn stopped this completer part-way (for tests and the log)."""
        self.completed = 0
        """Replies computed."""

    def complete_json(
        self, messages: Sequence[ChatMessage], schema: dict[str, Any], max_tokens: int = 256
    ) -> Any:
        """The model's reply, computed between turns; retried after any turn that interrupts it."""
        if self._model is None:
            self._model = self._make_model()
        while True:
            with self._gate.background() as cancel:
                try:
                    reply = self._model.complete_json(messages, schema, max_tokens, cancel=cancel)
                    self.completed += 1
                    return reply
                except TurnCancelledError:
                    self.interruptions += 1
                    log.debug("Learning paused for a turn; it resumes after the turn")
