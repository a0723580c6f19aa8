"""PyInstaller hook for faster_whisper: its Silero VAD model (``assets/silero_vad_v6.onnx``) is a data file
that endpointing and ``vad_filter=True`` load from beside the package."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("faster_whisper", includes=["assets/*.onnx"])
