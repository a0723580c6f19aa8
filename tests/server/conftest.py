"""Fixtures of the server suite: the real server in a child process, per backend."""

from __future__ import annotations

from tests.live_server import live_server, shared_server

__all__ = ["live_server", "shared_server"]
