#!/usr/bin/env bash
# Runs the test suite headless: Qt offscreen, no network, telemetry off.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen ORT_DISABLE_TELEMETRY=1 ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1
.venv/bin/python -m ruff check .
# Two processes (pytest-xdist), one test file each at a time: much of the suite waits on real time (speech
# played through a sound server, timers, servers), so two halve the wall time on two cores. Tests that share
# a machine-wide resource pick their own (Xvfb's display, a private PulseAudio, ports below the ephemeral
# range). `tests/run.sh -n 0` runs them in one process.
.venv/bin/python -m pytest -n 2 --dist loadfile "$@"
