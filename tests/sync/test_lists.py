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


def test_an_item_that_arrives_before_its_list_waits_for_it(tmp_path: Path) -> None:
    from app.storage.database import node_clock
    from app.sync.store import LocalSyncStore

    laptop_db = open_database(tmp_path / "laptop.db")
    laptop = SkillStore(laptop_db)
    laptop.add_items("packing", ["tent"])
    pushed = LocalSyncStore(laptop_db, node_clock(laptop_db)).pending_changes()
    desktop_db = open_database(tmp_path / "desktop.db")
    desktop_sync = LocalSyncStore(desktop_db, node_clock(desktop_db))
    items = [r for r in pushed if r.kind == "list_item"]
    lists = [r for r in pushed if r.kind == "list"]
    assert desktop_sync.apply_remote(items).applied == [items[0].id]  # the list is not there yet
    desktop = SkillStore(desktop_db)
    assert desktop.lists() == []  # a placeholder, hidden until the list arrives
    assert desktop_sync.pending_count() == 0  # and never pushed back
    desktop_sync.apply_remote(lists)
    assert [(n.name, [i.text for i in n.items]) for n in desktop.lists()] == [("packing", ["tent"])]
    laptop_db.conn.close()
    desktop_db.conn.close()
