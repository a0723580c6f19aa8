"""The desktop shell (PySide6). Only this package imports Qt; it adapts the engine's events to signals."""
