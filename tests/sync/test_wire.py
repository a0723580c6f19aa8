"""The wire vocabulary has one definition (`server.wire`), shared by the client and the server."""

from __future__ import annotations

import ast

from tests.live_server import ROOT

_WIRE_NAMES = {"RecordKind", "PushStatus", "HLC_PATTERN"}


def test_wire_enums_are_defined_once() -> None:
    defined: dict[str, list[str]] = {}
    for folder in ("app", "server"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [node.name] if isinstance(node, ast.ClassDef) else []
                if isinstance(node, ast.Assign):
                    names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                for name in set(names) & _WIRE_NAMES:
                    defined.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert defined == {name: ["server/wire.py"] for name in _WIRE_NAMES}


def test_client_and_server_use_the_same_enums() -> None:
    from app.sync import engine, store
    from server import feed, schemas

    assert engine.RecordKind is store.RecordKind is schemas.RecordKind
    assert engine.PushStatus is feed.PushStatus is schemas.PushStatus
