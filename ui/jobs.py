"""The shell's one way to run work off the GUI thread: `run_job(work, on_done, on_error)`.

Each job gets its own small QObject living in the GUI thread; the worker thread emits the result (or the
ArisError) on it, Qt queues the signal to the GUI thread, and the callbacks run there. Results are typed by
the callbacks (`work: () -> T`, `on_done: (T) -> None`), so no caller dispatches on a job's name. A job whose
owner was deleted meanwhile (a dialog closed while it ran) is dropped quietly."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal

from app.errors import ArisError

log = logging.getLogger(__name__)

T = TypeVar("T")

_running: set[threading.Thread] = set()
_running_lock = threading.Lock()


class JobError(ArisError):
    """A bug in a background job, reported to the user instead of vanishing with the thread."""

    code = "internal"


class _Job(QObject):
    """Carries one job's outcome from its thread to the GUI thread."""

    succeeded = Signal(object)
    """The work's return value."""
    failed = Signal(ArisError)
    """The ArisError it raised (a JobError for an unexpected exception)."""

    def __init__(
        self, on_done: Callable[[Any], None] | None, on_error: Callable[[ArisError], None] | None
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self.dropped = False
        self.succeeded.connect(self._deliver_result)
        self.failed.connect(self._deliver_error)

    def drop(self) -> None:
        """The owner is gone: deliver nothing."""
        self.dropped = True

    def _deliver_result(self, result: object) -> None:
        _jobs.discard(self)
        if not self.dropped and self._on_done is not None:
            self._on_done(result)

    def _deliver_error(self, error: ArisError) -> None:
        _jobs.discard(self)
        if not self.dropped and self._on_error is not None:
            self._on_error(error)


_jobs: set[_Job] = set()
"""Jobs waiting to deliver (they have no Qt parent, which may live in another thread)."""


def run_job(
    work: Callable[[], T],
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[ArisError], None] | None = None,
    *,
    owner: QObject | None = None,
    name: str = "job",
) -> threading.Thread:
    """Run ``work`` in a daemon thread; ``on_done(result)`` or ``on_error(error)`` then run in the GUI thread.

    Callable from any thread (a job may start another).

    Args:
        owner: the QObject the callbacks belong to; when it is deleted first, the outcome is dropped.
        name: the thread's name, for logs and debuggers.
    """
    job = _Job(on_done, on_error)
    app = QCoreApplication.instance()
    if app is not None and job.thread() is not app.thread():
        job.moveToThread(app.thread())
    if owner is not None:
        owner.destroyed.connect(job.drop, Qt.ConnectionType.DirectConnection)
    _jobs.add(job)

    def run() -> None:
        try:
            try:
                result = work()
            except ArisError as error:
                log.info("Background %s failed (%s): %s", name, error.code, error.message)
                _emit(job.failed, error)
                return
            except Exception as error:  # the thread's boundary: a bug reaches the user as a message
                log.exception("Unexpected error in background %s", name)
                _emit(job.failed, JobError(f"Something went wrong ({error}). Details are in the log."))
                return
            _emit(job.succeeded, result)
        finally:
            with _running_lock:
                _running.discard(threading.current_thread())

    thread = threading.Thread(target=run, name=f"aris-{name}", daemon=True)
    with _running_lock:
        _running.add(thread)
    thread.start()
    return thread


def _emit(signal: object, value: object) -> None:
    try:
        signal.emit(value)  # type: ignore[attr-defined]
    except RuntimeError:  # the owner (and so the carrier) was deleted while the job ran
        log.debug("A background job outlived its owner; its result is dropped")


def wait_for_jobs(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for running jobs (tests, quitting); True when none is left."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        with _running_lock:
            threads = list(_running)
        if not threads:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        threads[0].join(remaining)
