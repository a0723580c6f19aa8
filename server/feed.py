"""The encrypted change feed: idempotent, atomic pushes and cursor-paged pulls, one account at a time.

Each account has a sequence counter (`users.last_seq`). A push locks the account row first, so pushes of one
account run one after another and their sequence numbers commit in order: a pull can never see position 7
before position 6 is visible, which is what makes "everything after my cursor" complete.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
import time
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.accounts import Principal, now
from server.epoch import current_epoch
from server.errors import (
    BatchConflictError,
    ClockSkewError,
    CursorAheadError,
    FeedRestoredError,
    InvalidCursorError,
)
from server.schemas import PullOut, PushIn, PushOut, PushResult, PushStatus, RecordIn, RecordOut
from server.tables import PushBatch, Record, User

log = logging.getLogger(__name__)

# A device whose clock runs further ahead than this would win every conflict for as long; refuse it.
MAX_CLOCK_AHEAD_MS = 60 * 60 * 1000
# Answers to pushes are kept this long for retries.
BATCH_RETENTION = timedelta(days=14)
# Ciphertext bytes in one pull answer before the page is cut short (base64 adds a third on the wire).
MAX_PAGE_BYTES = 8 * 1024 * 1024
_CURSOR_PREFIX = "seq:"
_EPOCH = re.compile(r"[0-9a-f]{0,32}")


def encode_cursor(seq: int, epoch: str) -> str:
    """An opaque cursor for feed position `seq` in feed epoch `epoch`."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{epoch}:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[str | None, int]:
    """The epoch (None in cursors from before epochs) and feed position in a cursor; none means the start."""
    if not cursor:
        return None, 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidCursorError("The cursor is not one this server issued.") from error
    if not text.startswith(_CURSOR_PREFIX):
        raise InvalidCursorError("The cursor is not one this server issued.")
    epoch, _, digits = text[len(_CURSOR_PREFIX) :].rpartition(":")
    # isdigit() alone accepts characters such as '²' that int() refuses.
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19 or not _EPOCH.fullmatch(epoch):
        raise InvalidCursorError("The cursor is not one this server issued.")
    seq = int(digits)
    if seq > 2**62:
        raise InvalidCursorError("The cursor is not one this server issued.")
    return epoch or None, seq


def push(session: Session, principal: Principal, batch: PushIn) -> tuple[PushOut, int, int]:
    """Store a batch whole (inside the caller's transaction); returns the answer, how many were applied and the
    account's newest feed position."""
    user = session.scalars(select(User).where(User.id == principal.user_id).with_for_update()).one()
    digest = _batch_digest(batch)
    answered = session.get(PushBatch, (user.id, batch.batch_id))
    if answered is not None:
        if answered.digest != digest:
            raise BatchConflictError(f"Batch id '{batch.batch_id}' was already used for different records.")
        log.info("Push retried; answering as before", extra={"user_id": user.id, "batch_id": batch.batch_id})
        return PushOut.model_validate_json(answered.response), 0, user.last_seq

    _check_clocks(batch.records)
    ids = list({r.id for r in batch.records})
    stored = {
        r.record_id: r
        for r in session.scalars(select(Record).where(Record.user_id == user.id, Record.record_id.in_(ids)))
    }
    moment = now()
    results: list[PushResult] = []
    applied = 0
    for incoming in batch.records:
        current = stored.get(incoming.id)
        # The clock carries the writing node's id, so two different versions never share a clock value.
        if current is not None and incoming.hlc < current.hlc:
            results.append(PushResult(id=incoming.id, hlc=incoming.hlc, status=PushStatus.STALE))
            continue
        if current is None or incoming.hlc > current.hlc:
            user.last_seq += 1
            if current is None:
                current = Record(user_id=user.id, record_id=incoming.id)
                session.add(current)
                stored[incoming.id] = current
            current.kind = incoming.kind.value
            current.hlc = incoming.hlc
            current.device_id = principal.device_id
            current.deleted = incoming.deleted
            current.ciphertext = incoming.ciphertext_bytes()
            current.seq = user.last_seq
            current.updated_at = moment
            applied += 1
        # Equal clocks: this exact version is already stored (a retry); report it as applied again.
        results.append(PushResult(id=incoming.id, hlc=incoming.hlc, status=PushStatus.APPLIED))

    answer = PushOut(batch_id=batch.batch_id, results=results)
    session.add(
        PushBatch(
            user_id=user.id,
            batch_id=batch.batch_id,
            digest=digest,
            response=answer.model_dump_json(),
            created_at=moment,
        )
    )
    session.execute(
        delete(PushBatch).where(PushBatch.user_id == user.id, PushBatch.created_at < moment - BATCH_RETENTION)
    )
    session.flush()
    return answer, applied, user.last_seq


def pull(
    session: Session, principal: Principal, cursor: str | None, limit: int, *, deleted_only: bool = False
) -> PullOut:
    """Up to `limit` records changed after `cursor`, oldest change first (only tombstones if `deleted_only`)."""
    cursor_epoch, after = decode_cursor(cursor)
    epoch = current_epoch(session)
    if cursor_epoch is not None and cursor_epoch != epoch:
        raise FeedRestoredError(
            "This server was restored from a backup (or replaced) since your device last synced. Your device "
            "will send everything it has again and read the whole feed; nothing is deleted on your device."
        )
    last_seq = session.scalar(select(User.last_seq).where(User.id == principal.user_id)) or 0
    if after > last_seq:
        raise CursorAheadError(
            "This server has fewer changes than your device has already seen: it may have been restored "
            "from an older backup or replaced. Nothing was deleted on your device."
        )
    query = select(Record).where(Record.user_id == principal.user_id, Record.seq > after)
    if deleted_only:
        query = query.where(Record.deleted.is_(True))
    result = session.scalars(query.order_by(Record.seq).limit(limit + 1).execution_options(yield_per=100))
    rows: list[Record] = []
    size = 0
    has_more = False
    for row in result:
        # A page also ends at a size, so large records cannot make one answer (and its memory) huge.
        if len(rows) == limit or (rows and size + len(row.ciphertext) > MAX_PAGE_BYTES):
            has_more = True
            break
        rows.append(row)
        size += len(row.ciphertext)
    result.close()
    return PullOut(
        records=[
            RecordOut(
                id=r.record_id,
                kind=r.kind,
                hlc=r.hlc,
                deleted=r.deleted,
                ciphertext=base64.b64encode(r.ciphertext).decode(),
                device_id=r.device_id,
            )
            for r in rows
        ],
        cursor=encode_cursor(rows[-1].seq if rows else after, epoch),
        has_more=has_more,
    )


def _check_clocks(records: list[RecordIn]) -> None:
    limit = int(time.time() * 1000) + MAX_CLOCK_AHEAD_MS
    for record in records:
        if int(record.hlc[:13]) > limit:
            raise ClockSkewError(
                f"Record '{record.id}' carries a time more than an hour in the future. "
                "Check the clock of the device that wrote it."
            )


def _batch_digest(batch: PushIn) -> str:
    return hashlib.sha256(batch.model_dump_json().encode()).hexdigest()
