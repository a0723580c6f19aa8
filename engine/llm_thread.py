"""One thread for every llama.cpp computation in the process.

llama.cpp computes a token on an OpenMP team that belongs to the thread asking for it, so every thread that
ever generates gets a team of its own; once there are more team threads than cores, libgomp stops spinning
between parallel regions and each token waits for sleeping threads to wake. Measured on this 2-core machine
with the built-in model (7 tokens, medians): 10 ms a token while one thread generates, 16 ms once a second
thread has (the reply's head start, memory learning), whichever thread generates then. So every
llama.cpp model loads and computes here, and callers on any thread receive the results, a streamed reply
token by token (a hand-over costs well under a millisecond)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_END = object()


class ComputeThread:
    """A single worker thread that runs calls in order; a call made from the thread itself runs inline."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[tuple[Callable[..., Any], tuple[object, ...], Future[Any]]] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            function, args, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as error:  # handed to the caller, who raises it
                future.set_exception(error)

    def call(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` on the thread; exceptions reach the caller."""
        if threading.current_thread() is self._thread:
            return function(*args)
        future: Future[T] = Future()
        self._jobs.put((function, args, future))
        return future.result()

    def stream(self, items: Generator[T, None, None]) -> Iterator[T]:
        """``items`` advanced on the thread, one item per request of the consumer, and closed there."""
        try:
            while True:
                item = self.call(next, items, _END)
                if item is _END:
                    return
                yield item
        finally:
            self.call(items.close)


LLAMA_THREAD = ComputeThread("aris-llama")
"""Where every llama.cpp model of the process loads and computes."""
