"""A workaround for PySide6-Essentials 6.12.0 on Python 3.11.

Its abi3 wheel returns None from every C++ ``void`` method without taking a reference, as if None were
immortal (it is from Python 3.12 on). On 3.11 each such call (``update()``, ``setText()``, a painter call)
takes one reference from None, and after a few thousand calls Python aborts with "none_dealloc: deallocating
None". We give None the near-infinite reference count it has on 3.12, once, before any Qt call.
"""

from __future__ import annotations

import ctypes
import sys

_IMMORTAL_MARGIN = 1 << 60
"""References added: at a million void calls a second this lasts tens of thousands of years."""


def make_none_immortal() -> bool:
    """Raise None's reference count far out of reach on CPython < 3.12; True if it was needed."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is PyObject's first field
    if refcount.value < _IMMORTAL_MARGIN:
        refcount.value += _IMMORTAL_MARGIN
    return True
