"""PyInstaller hook for unicode-rbnf (hassil reads spoken numbers with it): its rule files, English only."""

from PyInstaller.utils.hooks import collect_data_files

datas = [
    (source, dest)
    for source, dest in collect_data_files("unicode_rbnf")
    if "/rbnf/" not in source.replace("\\", "/") or source.endswith("/en.xml")
]
