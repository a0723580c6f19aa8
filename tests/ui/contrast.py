"""WCAG 2 contrast measured on rendered pixels: what a widget's text or outline really looks like against
what is really behind it, after the stylesheet, the palette and the theme's colour mapping."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget


def pixels(image: QImage) -> np.ndarray:
    """An image as an (h, w, 3) array of 0-255 RGB."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    stride = image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), np.uint8, stride * image.height())
    rows = raw.reshape(image.height(), stride)[:, : image.width() * 3]
    return rows.reshape(image.height(), image.width(), 3).copy()  # the QImage owns the buffer


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of 0-255 sRGB colours (last axis)."""
    c = rgb.astype(np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def ratio(a: float, b: float) -> float:
    """WCAG contrast ratio of two luminances."""
    high, low = max(a, b), min(a, b)
    return (high + 0.05) / (low + 0.05)


def contrast_in(area: np.ndarray) -> tuple[float, tuple[int, ...], tuple[int, ...]]:
    """The ratio between the commonest colour (the background) and the colour furthest from it (the core
    of the text's strokes, or the outline): (ratio, background RGB, foreground RGB)."""
    flat = area.reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    lums = luminance(colours)
    back = float(luminance(background[None])[0])
    ratios = [ratio(back, float(lum)) for lum in lums]
    best = int(np.argmax(ratios))
    return ratios[best], tuple(int(v) for v in background), tuple(int(v) for v in colours[best])


def area_of(
    window_pixels: np.ndarray, window: QWidget, widget: QWidget, rect: QRect | None = None
) -> np.ndarray:
    """The window's rendered pixels under ``widget`` (or under ``rect`` in its coordinates)."""
    rect = rect if rect is not None else widget.rect()
    top_left = widget.mapTo(window, rect.topLeft())
    ratio_ = window_pixels.shape[1] / window.width()  # device pixels per logical pixel
    x, y = int(top_left.x() * ratio_), int(top_left.y() * ratio_)
    w, h = int(rect.width() * ratio_), int(rect.height() * ratio_)
    return window_pixels[max(y, 0) : y + h, max(x, 0) : x + w]
