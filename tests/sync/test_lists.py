"""Lists sync between two computers like memories: end-to-end encrypted, newest change wins per item."""

from __future__ import annotations

import time
from pathlib import Path

from app.skills.router import SkillRouter, open_skill_store
from app.skills.store import SkillStore
from app.storage.database import open_database
from tests.live_server import LiveServer
from tests.sync.devices import converge, pair
from tests.sync.test_security import _dump


def _tell(device, *requests: str) -> None:
    router = SkillRouter(open_skill_store(device.paths.database))
    for request in requests:
        assert router.handle(request) is not None, request
    router.close()
    time.sleep(0.005)  # let the wall clock move on between the devices' edits


def _lists(device) -> dict[str, list[tuple[str, bool]]]:
    store = SkillStore(open_database(device.paths.database))
    try:
        return {n.name: [(i.text, i.done) for i in n.items] for n in store.lists()}
    finally:
        store.db.conn.close()


def test_two_computers_share_a_shopping_list(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    _tell(laptop, "add milk and eggs to my shopping list")
    _tell(
        desktop, "add bread to my shopping list", "add sunscreen to my packing list"
    )  # made apart, same list
    converge(laptop, desktop)
    assert _lists(laptop) == _lists(desktop)
    assert sorted(_lists(desktop)["shopping"]) == [("bread", False), ("eggs", False), ("milk", False)]
    assert _lists(laptop)["packing"] == [("sunscreen", False)]

    _tell(desktop, "check off milk on my shopping list")
    _tell(laptop, "remove eggs from my shopping list")
    converge(laptop, desktop)
    assert _lists(laptop) == _lists(desktop)
    assert sorted(_lists(laptop)["shopping"]) == [("bread", False), ("milk", True)]


def test_list_contents_are_encrypted_on_the_server(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    _tell(laptop, "add unmistakable-grapefruit to my shopping list")
    converge(laptop, desktop)
    assert _lists(desktop)["shopping"] == [("unmistakable-grapefruit", False)]
    dump = _dump(live_server.database_url).lower()
    assert "grapefruit" not in dump and "shopping" not in dump
