"""A reply's head start: while the speaker pauses at what may be the end of the question, the first clause of
the answer is generated and synthesized from the speculative transcript (engine/speculation.py), so it can
play the moment the endpoint confirms that the question ended.

Hands-free, the endpoint waits 600 ms of silence; the speculative transcript is ready ~400 ms after the last
word, and generating and synthesizing the first clause takes ~300 ms more. Started in the pause, that work
is mostly done when the wait ends instead of starting then.

Nothing the user could notice happens before the question really ends: no skill runs, no memory command,
no event, no sound. If they go on talking, the head start is dropped.

The reply's token stream stays on the head start's own thread for the whole turn (llama.cpp's generator
holds the model's lock, which only the thread that took it may release); the turn pulls the tokens one at
a time, so generation and synthesis still take turns on the two cores instead of competing for them."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass

from engine.audio import AudioChunk
from engine.cancel import CancelToken
from engine.errors import TurnCancelledError
from engine.stt import Transcript
from engine.text import SentenceSplitter

log = logging.getLogger(__name__)

UNCLAIMED_S = 20.0
"""A prepared clause no turn has taken over after this long is let go, with the model it holds: the turn
that would take it starts as soon as the question ends, so it was abandoned (a listen whose question was
never answered, a pipeline replaced)."""

ReplySource = Callable[[str, CancelToken], Iterable[str] | None]
"""The reply tokens the turn would stream for a transcript, or None when the turn would not go to the
language model (a skill or a memory command answers it: those act, so they are never run ahead)."""
Synthesize = Callable[[str, CancelToken], Iterable[AudioChunk]]


@dataclass(frozen=True)
class _Reply:
    """One answer of the head start's thread to the turn's request for the next token."""

    token: str | None = None
    """The next token; None when the reply is over (or failed: see error)."""
    error: BaseException | None = None


class HeadStart:
    """The first clause of a reply, prepared on its own thread from a transcript that is still on its way."""

    def __init__(
        self,
        transcript: Future[Transcript],
        reply: ReplySource,
        synthesize: Synthesize,
        first_clause_chars: int,
    ) -> None:
        self.cancel = CancelToken()
        self.text: str | None = None
        """The transcript it answers (None until known)."""
        self.first_sentence: str | None = None
        self._transcript = transcript
        self._reply = reply
        self._synthesize = synthesize
        self._first_clause_chars = first_clause_chars
        self._tokens: list[str] = []
        """Tokens generated before the turn took over: the first clause and nothing more."""
        self._first_audio: list[AudioChunk] | None = None
        self._usable = False
        self._ready = threading.Event()
        self._requests: queue.SimpleQueue[bool] = queue.SimpleQueue()
        """True: send the next token; False: stop and release the model."""
        self._replies: queue.SimpleQueue[_Reply] = queue.SimpleQueue()
        self.cancel.on_cancel(lambda: self._requests.put(False))
        self._thread = threading.Thread(target=self._run, name="aris-head-start", daemon=True)
        self._thread.start()

    # ---- the turn's side ---------------------------------------------------------------------------

    def ready_for(self, text: str, timeout: float | None = None) -> bool:
        """Whether the prepared clause answers ``text`` (waiting for it to be prepared)."""
        if not self._ready.wait(timeout):
            return False
        return self._usable and not self.cancel.cancelled and self.text == text

    def tokens(self, cancel: CancelToken) -> Iterator[str]:
        """The whole reply, taken over by the turn: the tokens generated ahead, then the rest, one token
        per request. Cancelling ``cancel`` stops the generation."""
        cancel.on_cancel(lambda: self.cancel.cancel(cancel.reason))
        try:
            yield from self._tokens
            while True:
                cancel.raise_if_cancelled()
                self._requests.put(True)
                reply = self._replies.get()
                if reply.error is not None:
                    raise reply.error
                if reply.token is None:
                    return
                yield reply.token
        finally:
            self._requests.put(False)

    def take_first_audio(self, sentence: str) -> list[AudioChunk] | None:
        """The prepared speech for the reply's first sentence, once; None for any other sentence."""
        if sentence != self.first_sentence or self._first_audio is None:
            return None
        audio, self._first_audio = self._first_audio, None
        return audio

    def drop(self, wait: bool = True) -> None:
        """Stop: the speaker went on, or the turn answered otherwise. With ``wait``, return only once the
        language model and the synthesizer are free again."""
        self.cancel.cancel("dropped")
        if wait:
            self._thread.join(timeout=10.0)

    # ---- its own thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        tokens: Iterator[str] | None = None
        try:
            text = self._transcript.result(timeout=UNCLAIMED_S * 3).text.strip()
            self.text = text
            source = self._reply(text, self.cancel) if text and not self.cancel.cancelled else None
            if source is None:
                return
            tokens = iter(source)
            sentence = self._first_clause(tokens)
            if sentence is not None:
                self.first_sentence = sentence
                self._first_audio = list(self._synthesize(sentence, self.cancel))
            self._usable = True
            self._ready.set()
            self._serve(tokens)
        except (CancelledError, TurnCancelledError):
            log.debug("Head start dropped")
        except FutureTimeoutError:
            log.info("Head start gave up: no transcript after %.0f s", UNCLAIMED_S * 3)
        except Exception:  # the turn does the same work again, so it meets the error itself and reports it
            log.debug("Head start failed", exc_info=True)
        finally:
            self._ready.set()
            if isinstance(tokens, Generator):
                tokens.close()  # on this thread: the generator releases the model's lock here

    def _first_clause(self, tokens: Iterator[str]) -> str | None:
        """Generate up to the end of the first sentence (cut as the turn's splitter will cut it)."""
        splitter = SentenceSplitter(self._first_clause_chars)
        for token in tokens:
            self._tokens.append(token)
            sentences = splitter.feed(token)
            if sentences:
                return sentences[0]
        rest = splitter.flush()
        return rest[0] if rest else None

    def _serve(self, tokens: Iterator[str]) -> None:
        """Hand the rest of the reply to the turn, one token per request, until it stops asking (or, if no
        turn asks for UNCLAIMED_S, give up)."""
        try:
            asked = self._requests.get(timeout=UNCLAIMED_S)
        except queue.Empty:
            log.info("Head start unclaimed for %.0f s: released", UNCLAIMED_S)
            self.cancel.cancel("unclaimed")
            return
        while asked and not self.cancel.cancelled:
            try:
                reply = _Reply(next(tokens))
            except StopIteration:
                reply = _Reply()
            except BaseException as error:  # the turn raises it, as if it had generated the token itself
                self._replies.put(_Reply(error=error))
                return
            self._replies.put(reply)
            asked = self._requests.get()
        # Stopped: a request still waiting (the turn was cancelled between two tokens) gets the news.
        self._replies.put(_Reply(error=TurnCancelledError(f"Turn cancelled: {self.cancel.reason}")))
