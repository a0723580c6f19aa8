"""The desktop shell (PySide6). Only this package imports Qt; it adapts the engine's events to signals.

Importing it applies ui.qt_compat's fix before any Qt call can run: without it PySide6 6.12 on Python 3.11
aborts the app after a few thousand widget updates.
"""

from ui.qt_compat import make_none_immortal

make_none_immortal()
