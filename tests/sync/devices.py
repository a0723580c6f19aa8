"""A test device: its own data folder and database, signed in to the live server like a user's computer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from app.paths import DataPaths
from app.storage.conversations import ConversationLog
from app.storage.database import node_clock, open_database
from app.storage.memory_rows import MemoryRows
from app.storage.records import Memory
from app.sync.client import RetryPolicy
from app.sync.crypto import KdfParams
from app.sync.engine import SyncReport
from app.sync.service import SetupRequest, setup, sync_now

PASSWORD = "account password 1"
PASSPHRASE = "sync passphrase words"
# Argon2id at a test cost: the scheme is the same, the derivation takes milliseconds.
TEST_KDF = KdfParams(time_cost=1, memory_kib=8 * 1024)
FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.05, max_delay=0.2)


@dataclass
class Device:
    """One computer: a data folder, its database (as the app opens it) and sync commands."""

    name: str
    paths: DataPaths
    rows: MemoryRows = field(init=False)
    log: ConversationLog = field(init=False)

    def __post_init__(self) -> None:
        self.paths.ensure()
        db = open_database(self.paths.database)
        clock = node_clock(db)
        self.rows = MemoryRows(db, clock)
        self.log = ConversationLog(db, clock)

    def setup(
        self, server_url: str, username: str, *, register: bool = False, passphrase: str = PASSPHRASE
    ) -> None:
        """`sync setup` with the documented file fallback for secrets (no keyring in tests)."""
        setup(
            self.paths,
            SetupRequest(
                server_url=server_url,
                username=username,
                password=PASSWORD,
                passphrase=passphrase,
                device_name=self.name,
                register=register,
                insecure_file_secrets=True,
                kdf=TEST_KDF,
            ),
            retry=FAST_RETRY,
        )

    def sync(self, *, allow_deletions: bool = False) -> SyncReport:
        """`sync now` (`--allow-deletions`)."""
        return sync_now(self.paths, retry=FAST_RETRY, allow_deletions=allow_deletions)

    def memories(self) -> dict[str, Memory]:
        """Every memory row (live, superseded and tombstones) by id."""
        return {m.id: m for m in self.rows.list(include_deleted=True)}

    def live_texts(self) -> set[str]:
        """The texts recall can return."""
        return {m.text for m in self.rows.list()}

    def state(self) -> dict[str, tuple]:
        """What must be equal on converged devices: each memory's synced fields."""
        return {
            m.id: (m.text, m.kind, m.pinned, m.deleted_at, m.superseded_by, m.slot, m.created_at)
            for m in self.rows.list(include_deleted=True)
        }


def pair(server_url: str, folder: Path) -> tuple[Device, Device]:
    """Two devices of one new account; the first registers it."""
    username = "user-" + uuid.uuid4().hex[:10]
    laptop = Device("laptop", DataPaths(folder / "laptop"))
    desktop = Device("desktop", DataPaths(folder / "desktop"))
    laptop.setup(server_url, username, register=True)
    desktop.setup(server_url, username)
    return laptop, desktop


def converge(*devices: Device, rounds: int = 2) -> None:
    """Sync every device in turn until changes have travelled both ways."""
    for _ in range(rounds):
        for device in devices:
            device.sync()
