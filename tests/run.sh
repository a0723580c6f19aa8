#!/usr/bin/env bash
# Runs the test suite headless: Qt offscreen, no network, telemetry off.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen ORT_DISABLE_TELEMETRY=1 ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1
.venv/bin/python -m ruff check .
.venv/bin/python -m pytest "$@"
