"""The sync protocol's shared vocabulary: the one definition of the wire enums, for the server and the client.

Kept free of imports beyond the standard library, so the desktop client (`app.sync`) can use it without pulling
in the server's web stack.
"""

from __future__ import annotations

from enum import StrEnum

# The device database's hybrid logical clock (`app.storage.clock`): wall-clock milliseconds (13 digits), a
# counter (4 digits) and the node id; sorts as text, which is how the server orders versions of a record.
HLC_PATTERN = r"^[0-9]{13}-[0-9]{4}-[A-Za-z0-9_-]{1,64}$"


class RecordKind(StrEnum):
    """What a record holds; the server never sees more than this label."""

    MEMORY = "memory"
    CONVERSATION = "conversation"
    MESSAGE = "message"
    LIST = "list"
    LIST_ITEM = "list_item"


class PushStatus(StrEnum):
    """What the server did with one pushed record."""

    APPLIED = "applied"
    """Stored (or already stored with this very clock)."""
    STALE = "stale"
    """The server holds a newer version; pull to get it."""
