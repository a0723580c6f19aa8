"""One version everywhere: `python main.py --version`, the installed package's metadata and the CHANGELOG's
newest release are the same."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version

from app.version import VERSION
from tests.conftest import ROOT


def test_the_version_command_prints_the_version_in_a_fresh_process() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--version"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Aris {VERSION}"


def test_the_package_metadata_and_the_changelog_carry_the_same_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert version("aris") == VERSION
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, flags=re.MULTILINE)
    assert releases and releases[0] == VERSION, f"newest release in CHANGELOG.md: {releases[:1]}"
