"""PyInstaller hook for piper (piper-tts): the espeak-ng phoneme data it loads from ``piper/espeak-ng-data``.

Only English pronunciation dictionaries are kept (the bundled voice is en_US; the other 100+ dictionaries
are ~17 MB). The Hebrew and Arabic diacritizer models and the training code are left out for the same reason.
"""

from PyInstaller.utils.hooks import collect_data_files

datas = [
    (source, dest)
    for source, dest in collect_data_files("piper", includes=["espeak-ng-data/**"])
    if not source.endswith("_dict") or source.endswith("/en_dict")
]
excludedimports = ["piper.train", "piper.http_server", "onnx"]
