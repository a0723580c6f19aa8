"""One sync round against the server: pull → decrypt → apply → push pending → (pull again if we lost races).

The engine knows nothing of memories: it talks to a `SyncStore` (the memory database implements it later).
Safety rules it keeps:
- the cursor is saved only after the store committed the page it covers, so a client killed mid-pull
  re-reads that page and applying it twice changes nothing;
- nothing is ever deleted because the remote lacks it: only explicit tombstones delete, and an empty or
  rolled-back server (`SyncServerResetError`) never empties the device;
- a record that fails authentication is reported and not applied; when this device has a good copy it sends
  that copy again under a newer clock, so the damaged version on the server is replaced (not skipped forever);
- a record this version of Aris cannot read (an unknown kind, a newer format) is kept aside in the store and
  tried again every round, so updating Aris applies it; the status says so meanwhile.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.sync.client import SyncClient
from app.sync.crypto import RecordCipher, RecordHeader
from app.sync.errors import (
    SyncDeletionsNeedConfirmationError,
    SyncKeyChangedError,
    SyncServerResetError,
    SyncTamperedError,
)
from app.sync.protocol import CLOCK_VALUE, WireRecord
from server.wire import PushStatus, RecordKind

log = logging.getLogger(__name__)

# A safety stop for a server that keeps answering has_more: 10 million records at the default page size.
MAX_PAGES_PER_ROUND = 20_000


@dataclass(frozen=True)
class LocalRecord:
    """A record version in plaintext, as the store holds it."""

    id: str
    kind: RecordKind
    hlc: str
    deleted: bool
    payload: bytes
    """The serialised record (empty for a tombstone is fine); encrypted before it leaves the device."""


@dataclass(frozen=True)
class ApplyResult:
    """What the store did with remote records."""

    applied: list[str] = field(default_factory=list)
    """Ids written (remote was newer, or unknown locally)."""
    skipped: list[str] = field(default_factory=list)
    """Ids kept as they were (the local version is the same or newer)."""
    rejected: list[str] = field(default_factory=list)
    """Ids whose (authenticated) contents this version of Aris cannot read; they were kept aside (`defer`)."""


class SyncStore(Protocol):
    """The local side of sync. Implementations must keep last-writer-wins by HLC, as documented per method."""

    def pending_changes(self) -> list[LocalRecord]:
        """Local record versions not yet acknowledged by the server (tombstones included)."""
        ...

    def mark_pushed(self, records: Sequence[LocalRecord]) -> None:
        """The server stored these versions; a record edited since (other HLC) stays pending."""
        ...

    def pending_count(self) -> int:
        """How many local versions the server has not acknowledged (cheaper than `pending_changes`)."""
        ...

    def reset(self) -> None:
        """Forget what was exchanged with the server (cursor included): everything becomes pending."""
        ...

    def resync(self) -> None:
        """Like `reset`, for the same server gone back in time: everything becomes pending and the feed is read
        anew, but what this device knows of each record's history (text lineage) is kept."""
        ...

    def live_memory_count(self) -> int:
        """How many memories recall can return here."""
        ...

    def deletions_among(self, records: Sequence[LocalRecord]) -> int:
        """How many of `records` would turn a live local memory into a tombstone."""
        ...

    def apply_remote(self, records: Sequence[LocalRecord]) -> ApplyResult:
        """Atomically apply each record whose HLC is greater than the local one (tombstones included).

        Equal or smaller HLCs are skipped; a newer local edit is never overwritten. Must be idempotent.
        """
        ...

    def get_cursor(self) -> str | None:
        """The saved feed cursor (None before the first pull)."""
        ...

    def restamp(self, damaged: Sequence[tuple[str, str]]) -> list[str]:
        """Give each local record among (id, bad clock) a clock value newer than the bad one, so it is pushed
        again and replaces the damaged version on the server; returns the ids that had a local copy."""
        ...

    def defer(self, records: Sequence[tuple[str, str, str, bool, bytes]]) -> None:
        """Keep authenticated records this version cannot read (kind, id, hlc, deleted, payload) for later."""
        ...

    def apply_deferred(self) -> tuple[int, int]:
        """Apply the kept records this version can now read; returns (applied, still unreadable)."""
        ...

    def set_cursor(self, cursor: str) -> None:
        """Save the cursor; called only after `apply_remote` returned for every record it covers."""
        ...


@dataclass
class SyncReport:
    """What one round did."""

    pulled: int = 0
    applied: int = 0
    skipped: int = 0
    pushed: int = 0
    stale: int = 0
    tampered: list[str] = field(default_factory=list)
    """Ids of remote records that failed authentication and were not applied."""
    repaired: list[str] = field(default_factory=list)
    """Of those, the ids this device held a good copy of and sent again to replace the damaged version."""
    unreadable: int = 0
    """Records this version of Aris cannot read yet, kept on the device until an update can apply them."""
    server_reset: bool = False
    """The server knew less than this device (restored or replaced): everything local was offered again."""
    pending: int = 0
    """Local changes still not acknowledged after the round."""


@dataclass(frozen=True)
class EngineLimits:
    """Batch and page sizes; the server refuses bodies over 5 MiB and batches over 1,000 records."""

    page_limit: int = 500
    """Records per pull page."""
    batch_records: int = 250
    """Records per push batch."""
    batch_bytes: int = 3 * 1024 * 1024
    """Approximate largest push body, in bytes of ciphertext (base64 adds a third)."""
    confirm_deletions_share: float = 0.25
    """Deleting more than this share of the live memories in one round waits for the user's yes …"""
    confirm_deletions_min: int = 20
    """… unless it is at most this many memories (small collections change a lot in relative terms)."""


class _DeletionGuard:
    """Stops a round before it deletes a large share of the device's memories (Joplin's lesson: a bug or a
    mistaken "forget everything" elsewhere must not silently empty this device). Every deletion waiting on the
    server is counted before the first one is applied (`count_ahead`); pages are checked again as they are
    applied, for deletions that arrive meanwhile."""

    def __init__(self, store: SyncStore, limits: EngineLimits, *, enabled: bool) -> None:
        self.store = store
        self.enabled = enabled
        self.live = store.live_memory_count() if enabled else 0
        self.allowed = max(limits.confirm_deletions_min, int(self.live * limits.confirm_deletions_share))
        self.seen = 0

    def count_ahead(self, client: SyncClient, cursor: str | None, page_limit: int) -> None:
        """Count the memory deletions waiting after `cursor` (tombstones only, nothing applied); raise if too many."""
        if not self.enabled:
            return
        waiting = 0
        for _ in range(MAX_PAGES_PER_ROUND):
            page = client.pull(cursor, page_limit, deleted_only=True)
            # Unauthenticated here: a forged tombstone can at worst make us ask, never delete.
            tombstones = [
                LocalRecord(w.id, RecordKind.MEMORY, w.hlc, True, b"")
                for w in page.records
                if w.deleted and w.kind == RecordKind.MEMORY.value
            ]
            waiting += self.store.deletions_among(tombstones)
            cursor = page.cursor
            if not page.has_more:
                break
        self._raise_if_over(waiting, "Nothing was deleted here.")

    def check(self, records: Sequence[LocalRecord]) -> None:
        """Count this page's deletions; raise if the round's total goes over the allowance."""
        if not self.enabled or not records:
            return
        self.seen += self.store.deletions_among(records)
        self._raise_if_over(self.seen, "Nothing more was deleted here.")

    def _raise_if_over(self, deletions: int, done: str) -> None:
        if deletions > self.allowed:
            raise SyncDeletionsNeedConfirmationError(
                f"The sync server holds deletions of {deletions} of the {self.live} memories on this device, "
                f"made on another device. {done} If that is what you want, run "
                "`python main.py sync now --allow-deletions` (or confirm in the app).",
                deletions,
                self.live,
            )


class SyncEngine:
    """Runs sync rounds for one device."""

    def __init__(
        self,
        client: SyncClient,
        cipher: RecordCipher,
        store: SyncStore,
        device_id: str,
        *,
        limits: EngineLimits | None = None,
        key_version: int | None = None,
    ) -> None:
        self.client = client
        self.key_version = key_version
        """The key envelope version this device's data key came from (None: unknown, set up before rotation)."""
        self.cipher = cipher
        self.store = store
        self.device_id = device_id
        self.limits = limits or EngineLimits()
        self._damaged: list[tuple[str, str]] = []
        self._unreadable: list[tuple[str, str, str, bool, bytes]] = []
        self._server_key_version: int | None = None
        self.allow_mass_deletion = False
        """Set by the user's yes (`sync now --allow-deletions`); cleared after the round that used it."""

    def sync_once(self) -> SyncReport:
        """Pull, push, and pull again if the server held newer versions of what we pushed."""
        report = SyncReport()
        self._server_key_version = None
        try:
            self.pull(report)
        except SyncServerResetError:
            # Never let a server that lost data empty this device: offer it everything we have instead.
            log.warning("The sync server knows fewer changes than this device; uploading local data again")
            report.server_reset = True
            self.store.resync()
            self.pull(report)
        applied, report.unreadable = self.store.apply_deferred()
        report.applied += applied
        self.push(report)
        if report.stale:
            self.pull(report)
            if report.repaired:
                self.push(report)  # damage found by the second pull is replaced in this round too
        report.pending = self.store.pending_count()
        self.allow_mass_deletion = False
        if report.tampered:
            log.warning(
                "Sync refused %d records that failed their integrity check; %d sent again from this device",
                len(report.tampered),
                len(report.repaired),
            )
        return report

    def _settle_damage(self, report: SyncReport) -> None:
        """Before the cursor moves past them: mark good copies of damaged records for sending again, and keep
        unreadable ones aside (a crash after the cursor was saved must not forget either)."""
        if self._damaged:
            report.repaired.extend(self.store.restamp(self._damaged))
            self._damaged = []
        if self._unreadable:
            self.store.defer(self._unreadable)
            self._unreadable = []

    def pull(self, report: SyncReport) -> None:
        """Fetch, decrypt and apply every change after the saved cursor, one committed page at a time."""
        cursor = self.store.get_cursor()
        guard = _DeletionGuard(self.store, self.limits, enabled=not self.allow_mass_deletion)
        guard.count_ahead(self.client, cursor, self.limits.page_limit)
        for _ in range(MAX_PAGES_PER_ROUND):
            page = self.client.pull(cursor, self.limits.page_limit)
            records = [r for r in (self._open(w, report) for w in page.records) if r is not None]
            report.pulled += len(page.records)
            guard.check(records)
            if records:
                result = self.store.apply_remote(records)
                report.applied += len(result.applied)
                report.skipped += len(result.skipped)
                rejected = set(result.rejected)
                self._unreadable.extend(
                    (r.kind.value, r.id, r.hlc, r.deleted, r.payload) for r in records if r.id in rejected
                )
            self._settle_damage(report)
            if page.cursor != cursor:
                self.store.set_cursor(page.cursor)
                cursor = page.cursor
            if not page.has_more:
                return
        log.warning("Stopped pulling after %d pages; the rest comes next round", MAX_PAGES_PER_ROUND)

    def push(self, report: SyncReport) -> None:
        """Encrypt and send pending changes in bounded batches, marking each acknowledged batch."""
        for batch in self._batches(self.store.pending_changes()):
            outcome = self.client.push(uuid.uuid4().hex, [self._seal(r) for r in batch])
            applied = {(i, h) for i, h, s in outcome.results if s is PushStatus.APPLIED}
            # Stale versions stay pending: the next pull brings the newer one and settles the record.
            self.store.mark_pushed([r for r in batch if (r.id, r.hlc) in applied])
            report.pushed += len(applied)
            report.stale += len(outcome.stale)

    def _open(self, wire: WireRecord, report: SyncReport) -> LocalRecord | None:
        header = RecordHeader(wire.id, wire.kind, wire.hlc, wire.deleted)
        try:
            if not CLOCK_VALUE.fullmatch(wire.hlc):
                raise ValueError(f"not a clock value: {wire.hlc!r}")
            payload = self.cipher.decrypt(header, wire.ciphertext)
        except SyncKeyChangedError as error:
            if self._server_key_version is None:  # asked once a round, however many records claim a new key
                self._server_key_version = self.client.get_key_envelope().version
            if self._server_key_version != self.key_version:
                raise SyncKeyChangedError(
                    "The account's encryption key was changed on another device (`sync rotate-key`). Run "
                    "`python main.py sync unlock` and enter your sync passphrase to continue; nothing was lost."
                ) from error
            # The key did not change, so a record claiming another key is damaged like any other.
            log.warning("Rejected remote record %s: %s", wire.id, error)
            report.tampered.append(wire.id)
            self._damaged.append((wire.id, wire.hlc))
            return None
        except (SyncTamperedError, ValueError) as error:
            log.warning("Rejected remote record %s: %s", wire.id, error)
            report.tampered.append(wire.id)
            self._damaged.append((wire.id, wire.hlc))
            return None
        try:
            kind = RecordKind(wire.kind)
        except ValueError:
            # Authentic, written by a newer Aris: keep it until an update knows what it is.
            self._unreadable.append((wire.kind, wire.id, wire.hlc, wire.deleted, payload))
            return None
        return LocalRecord(wire.id, kind, wire.hlc, wire.deleted, payload)

    def _seal(self, record: LocalRecord) -> WireRecord:
        header = RecordHeader(record.id, record.kind.value, record.hlc, record.deleted)
        return WireRecord(
            id=record.id,
            kind=record.kind.value,
            hlc=record.hlc,
            deleted=record.deleted,
            ciphertext=self.cipher.encrypt(header, record.payload),
            device_id=self.device_id,
        )

    def _batches(self, records: list[LocalRecord]) -> Iterator[list[LocalRecord]]:
        batch: list[LocalRecord] = []
        size = 0
        for record in records:
            cost = len(record.payload) + 200
            if batch and (len(batch) >= self.limits.batch_records or size + cost > self.limits.batch_bytes):
                yield batch
                batch, size = [], 0
            batch.append(record)
            size += cost
        if batch:
            yield batch
