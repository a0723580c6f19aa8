"""The server's systemd unit passes `systemd-analyze verify`, and the Grafana dashboard asks only for metrics the
server really exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.live_server import ROOT, LiveServer

UNIT = ROOT / "packaging" / "server" / "aris-sync.service"
DASHBOARD = ROOT / "packaging" / "server" / "grafana-dashboard.json"


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (apt package systemd)")
    # The unit's paths point at /opt/aris; check it against this checkout so the executable really exists.
    unit = tmp_path / "aris-sync.service"
    unit.write_text(UNIT.read_text().replace("/opt/aris", str(ROOT)))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    assert "-m server" in unit.read_text() and "DynamicUser=yes" in unit.read_text()


def test_grafana_dashboard_uses_exported_metrics(tmp_path: Path) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    wanted = {name for e in expressions for name in re.findall(r"\baris_sync_[a-z_]+", e)}
    token = "dashboard-test-metrics-token"
    server = LiveServer(f"sqlite:///{tmp_path / 'sync.db'}", tmp_path, extra_args=["--metrics-token", token])
    server.start()
    try:
        text = httpx.get(server.url + "/metrics", headers={"Authorization": f"Bearer {token}"}).text
    finally:
        server.stop()
    exported = set(re.findall(r"^# TYPE (aris_sync_[a-z_]+) (\w+)", text, flags=re.MULTILINE))
    names = set()
    for name, kind in exported:
        names.add(name)
        names.update({f"{name}_total"} if kind == "counter" else set())
        names.update({f"{name}_bucket", f"{name}_sum", f"{name}_count"} if kind == "histogram" else set())
    assert wanted and wanted <= names, wanted - names
