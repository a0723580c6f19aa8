"""Draw Aris's icon as SVG (the app icon and one tray variant per state) and render PNGs at 16-256 px.

Run after changing the design: ``python resources/render_icons.py``. The SVGs and PNGs are committed, so the app
never renders icons at start-up.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


@dataclass(frozen=True)
class Palette:
    """Gradient stops of the tile and the colour of the state badge (None: no badge)."""

    top: str
    bottom: str
    badge: str | None = None


# The app icon is indigo to violet; the tray variants keep that tile so Aris stays recognisable and add a
# coloured badge for the state, which reads even at 16 px. Muted greys the tile.
VARIANTS: dict[str, Palette] = {
    "aris": Palette("#6366F1", "#8B5CF6"),
    "tray-idle": Palette("#6366F1", "#8B5CF6"),
    "tray-listening": Palette("#6366F1", "#8B5CF6", "#EF4444"),
    "tray-transcribing": Palette("#6366F1", "#8B5CF6", "#F59E0B"),
    "tray-thinking": Palette("#6366F1", "#8B5CF6", "#F59E0B"),
    "tray-speaking": Palette("#6366F1", "#8B5CF6", "#10B981"),
    "tray-muted": Palette("#9CA3AF", "#6B7280", "#374151"),
    "tray-loading": Palette("#A5B4FC", "#C4B5FD"),
}

# A speech bubble holding a five-bar voice waveform.
_BARS = ((84, 28), (106, 52), (128, 76), (150, 52), (172, 28))


def svg(palette: Palette) -> str:
    """The icon as an SVG document on a 256 x 256 canvas."""
    bars = "\n".join(
        f'    <rect x="{x - 7}" y="{118 - h / 2}" width="14" height="{h}" rx="7" fill="url(#wave)"/>'
        for x, h in _BARS
    )
    badge = ""
    if palette.badge:
        badge = (
            f'  <circle cx="206" cy="206" r="46" fill="#FFFFFF"/>\n'
            f'  <circle cx="206" cy="206" r="36" fill="{palette.badge}"/>\n'
        )
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="{palette.top}"/>
      <stop offset="1" stop-color="{palette.bottom}"/>
    </linearGradient>
    <linearGradient id="wave" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="{palette.top}"/>
      <stop offset="1" stop-color="{palette.bottom}"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="56" fill="url(#tile)"/>
  <path d="M64 70 Q64 52 82 52 H174 Q192 52 192 70 V166 Q192 184 174 184 H118 L86 210 L90 184 H82 Q64 184 64 166 Z"
        fill="#FFFFFF"/>
{bars}
{badge}</svg>
"""


def main() -> int:
    """Write every SVG and its PNG renderings."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    QGuiApplication([*sys.argv[:1], "-platform", "offscreen"])
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, palette in VARIANTS.items():
        document = svg(palette)
        (ICONS / f"{name}.svg").write_text(document, encoding="utf-8")
        renderer = QSvgRenderer(document.encode())
        sizes = SIZES if name == "aris" else (16, 22, 24, 32, 48, 64)
        for size in sizes:
            image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(0)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, size, size))
            painter.end()
            image.save(str(ICONS / f"{name}-{size}.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
