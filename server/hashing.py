"""A bounded pool for password work, so sign-in floods cannot starve the rest of the API.

Argon2 is slow on purpose (tens of milliseconds of CPU and 64 MiB each). Run in the API's shared thread pool,
forty concurrent sign-ins occupy every worker and both cores, and honest pulls queue behind them. Here the
work runs on a few threads of its own, and callers wait in the event loop (holding no worker); when too many
already wait, the request is refused at once with 503 instead of piling up.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from server.errors import ServerBusyError

T = TypeVar("T")


class PasswordWorkPool:
    """At most `workers` password checks at a time, and at most `queue` more waiting."""

    def __init__(self, workers: int, queue: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aris-password")
        self._limit = workers + queue
        self._lock = threading.Lock()
        self._admitted = 0

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` (a sign-in, registration or password change) on the pool; ServerBusyError when full."""
        with self._lock:
            if self._admitted >= self._limit:
                raise ServerBusyError(
                    "The server is busy with other sign-ins; try again in a few seconds.", retry_after=2
                )
            self._admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, work)
        finally:
            with self._lock:
                self._admitted -= 1

    def shutdown(self) -> None:
        """Stop the threads (waiting for running work)."""
        self._executor.shutdown(wait=True)
