"""PyInstaller hook for home-assistant-intents: the English sentence templates the skills load (``data/en.json``)
and the package's index files; the other 60+ languages (~7 MB) follow when Aris speaks them."""

from PyInstaller.utils.hooks import collect_data_files

datas = [
    (source, dest)
    for source, dest in collect_data_files("home_assistant_intents")
    if "/data/" not in source.replace("\\", "/") or source.endswith("/en.json")
]
