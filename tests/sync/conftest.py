"""Fixtures of the sync suite: the real server per backend, and the documented file fallback for secrets."""

from __future__ import annotations

import pytest

from tests.live_server import live_server

__all__ = ["live_server"]


@pytest.fixture(autouse=True)
def _file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Headless test machines have no OS keyring: use the explicit, documented opt-in file store."""
    monkeypatch.setenv("ARIS_SYNC_INSECURE_FILE_SECRETS", "1")
