"""What the desktop shell calls: start background sync for a data folder, nudge it after local edits, stop it.

`on_state` is called from the sync thread: a Qt shell must hand it to the GUI thread (a queued signal) before
touching widgets. `app.sync.service.overview` gives the same facts without a running sync (settings page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from app.paths import DataPaths
from app.sync.client import RetryPolicy
from app.sync.errors import SyncNotConfiguredError
from app.sync.live import LiveChannel
from app.sync.runner import RunnerSettings, SyncRunner, SyncState
from app.sync.service import SyncSession, open_session

log = logging.getLogger(__name__)


@dataclass
class BackgroundSync:
    """A running background sync and the session it drives."""

    runner: SyncRunner
    session: SyncSession
    live: LiveChannel | None = None
    """The server's change notifications; None when turned off (polling only)."""

    @property
    def state(self) -> SyncState:
        """The latest state (status, last sync, pending, last error)."""
        return self.runner.state

    def sync_soon(self) -> None:
        """Run a round now: after a local edit, or once the user fixed a sign-in problem."""
        self.runner.sync_now()

    def allow_deletions_once(self) -> None:
        """The user said yes to deletions the last round stopped for (`sync_confirm_deletions`); apply them."""
        self.session.engine.allow_mass_deletion = True
        self.runner.sync_now()

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop after the current round and close the session; True if the thread ended within `timeout`."""
        if self.live is not None:
            self.live.stop()
        stopped = self.runner.stop(timeout)
        if stopped:
            self.session.close()
        else:
            log.warning("Background sync did not stop within %.0f s; leaving its connection open", timeout)
        return stopped


def start_background_sync(
    paths: DataPaths,
    on_state: Callable[[SyncState], None],
    settings: RunnerSettings | None = None,
    *,
    retry: RetryPolicy | None = None,
    live: bool = True,
) -> BackgroundSync | None:
    """Start syncing in the background if sync is set up for `paths`; None when it is not (sync is optional).

    With `live`, the server's change notifications start a round at once; the interval is the fallback.

    Raises:
        SyncError: sync is set up but cannot start (secrets missing from the keyring, database unusable).
    """
    try:
        session = open_session(paths, retry=retry)
    except SyncNotConfiguredError:
        return None
    runner = SyncRunner(session, on_state, settings)
    runner.start()
    channel = None
    if live and session.client.token:
        channel = LiveChannel(
            session.client.base_url, session.client.token, session.account.device_id, runner.sync_now
        )
        channel.start()
    return BackgroundSync(runner, session, channel)
