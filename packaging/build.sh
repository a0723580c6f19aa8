#!/usr/bin/env bash
# Builds the one-folder bundle dist/aris/ with PyInstaller from packaging/aris.spec, then prints its size
# and how long the build took. PyInstaller's work files stay in build/pyinstaller/ so a rebuild reuses
# its cache (no --clean). Usage: packaging/build.sh   (PYTHON=/path/to/venv/python to use another venv)
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin="${PYTHON:-.venv/bin/python}"
if ! "$python_bin" -c 'import PyInstaller' 2>/dev/null; then
  echo "PyInstaller is not installed in $python_bin. Run: packaging/install.sh --build" >&2
  exit 1
fi

# The build imports the app's dependencies to analyse them: keep them offline and quiet.
export ORT_DISABLE_TELEMETRY=1 ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1 QT_QPA_PLATFORM=offscreen

started=$(date +%s)
"$python_bin" -m PyInstaller --noconfirm --log-level WARN \
  --workpath build/pyinstaller --distpath dist packaging/aris.spec
elapsed=$(($(date +%s) - started))

echo "Built dist/aris/ in $((elapsed / 60)) min $((elapsed % 60)) s; size $(du -sh dist/aris | cut -f1)."
echo "Check it with: dist/aris/aris --self-test"
