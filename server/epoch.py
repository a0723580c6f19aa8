"""The feed epoch: a random id that changes whenever the database may have gone back in time.

Feed positions (`users.last_seq`) are reused after a restore from an older backup: the server hands out the
positions it lost again, to other changes. A device whose cursor came from before the restore would then skip
those changes and never re-send what the server lost. Every cursor carries the epoch it was issued in; a
backup is stamped with a new epoch, and `restore` stamps another, so a device that presents a cursor of
another epoch is told to resynchronise fully (pull everything, offer everything) instead.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.tables import ServerMeta

EPOCH_KEY = "epoch"


def new_epoch() -> str:
    """A fresh epoch id (64 random bits, hex)."""
    return secrets.token_hex(8)


def current_epoch(session: Session) -> str:
    """The database's epoch (made by the migration that added it)."""
    return session.scalar(select(ServerMeta.value).where(ServerMeta.key == EPOCH_KEY)) or ""


def set_epoch(session: Session, epoch: str) -> None:
    """Replace the epoch (inside the caller's transaction)."""
    row = session.get(ServerMeta, EPOCH_KEY)
    if row is None:
        session.add(ServerMeta(key=EPOCH_KEY, value=epoch))
    else:
        row.value = epoch
