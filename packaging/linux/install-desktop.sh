#!/usr/bin/env bash
# Adds the built bundle to the desktop's application menu for the current user (no root needed):
# a launcher in ~/.local/share/applications and the icon in the hicolor theme.
# Usage: packaging/linux/install-desktop.sh [BUNDLE_DIR]   (default: dist/aris; --remove undoes it)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"

if [ "${1:-}" = "--remove" ]; then
  rm -f "$data/applications/aris.desktop"
  find "$data/icons/hicolor" -path '*/apps/aris.png' -delete 2>/dev/null || true
  exit 0
fi

bundle="$(cd "${1:-$here/../../dist/aris}" && pwd)"
if [ ! -x "$bundle/aris" ]; then
  echo "No bundle at $bundle: build it first with packaging/build.sh" >&2
  exit 1
fi

# Icons come from resources/icons/ inside the bundle (aris-<size>.png, drawn by the desktop shell's branch).
icons="$bundle/_internal/resources/icons"
installed=0
for size in 16 22 24 32 48 64 128 256; do
  if [ -f "$icons/aris-$size.png" ]; then
    install -D -m 644 "$icons/aris-$size.png" "$data/icons/hicolor/${size}x${size}/apps/aris.png"
    installed=1
  fi
done
[ "$installed" = 1 ] || echo "warning: no icons in $icons; the menu entry will show a generic icon" >&2

mkdir -p "$data/applications"
sed "s|^Exec=aris|Exec=\"$bundle/aris\"|" "$here/aris.desktop" > "$data/applications/aris.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
echo "Installed $data/applications/aris.desktop -> $bundle/aris"
