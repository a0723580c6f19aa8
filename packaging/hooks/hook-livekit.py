"""livekit.rtc loads its native FFI library (WebRTC's audio processing, for echo cancellation) from its
``resources`` folder at run time."""

from PyInstaller.utils.hooks import collect_dynamic_libs

binaries = collect_dynamic_libs("livekit")
