"""Runtime hook: make sounddevice load the PortAudio library shipped in the bundle.

On Linux sounddevice finds PortAudio with ``ctypes.util.find_library("portaudio")``, which only looks in the
system's linker cache; without this a machine lacking Debian's libportaudio2 could not record or play even
though the bundle carries the library.
"""

import ctypes.util
import os
import sys


def _install() -> None:
    bundled = os.path.join(sys._MEIPASS, "libportaudio.so.2")
    if not os.path.isfile(bundled):
        return
    system_find_library = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        if name == "portaudio":
            return bundled
        return system_find_library(name)

    ctypes.util.find_library = find_library


_install()
