#!/usr/bin/env bash
# Runs the test suite headless: Qt offscreen, no network, telemetry off.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen ORT_DISABLE_TELEMETRY=1 ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1
.venv/bin/python -m ruff check .
# Two processes, each file's tests kept in one (they share its fixtures); `tests/run.sh -n 0 …` runs in one.
.venv/bin/python -m pytest -n 2 --dist loadfile "$@"
