"""The desktop shell (PySide6). Only this package imports Qt; it adapts the engine's events to signals.

PySide6 is pinned at 6.11.3: 6.12.0's abi3 wheel drops a reference to None on every C++ ``void`` call, and on
Python 3.11 the app aborts ("deallocating None") after a few thousand widget updates
(tests/ui/test_qt_runtime.py guards against that coming back).
"""
