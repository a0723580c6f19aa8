"""PyInstaller hook for chromadb (pyinstaller-hooks-contrib has none).

Chroma picks its implementation classes by dotted name at run time (``chroma_api_impl`` and friends in
``chromadb.config``), so static analysis cannot see them: collect the submodules, minus the server, CLI,
test suite and distributed mode that the embedded ``PersistentClient`` never loads. Its SQL migrations and
log config are data files, and it reads its own version through ``importlib.metadata``.
"""

from bundle_plan import CHROMADB_SKIPPED_PREFIXES
from PyInstaller.utils.hooks import collect_data_files, collect_submodules, copy_metadata


def _wanted(name: str) -> bool:
    return not any(name == prefix or name.startswith(prefix + ".") for prefix in CHROMADB_SKIPPED_PREFIXES)


hiddenimports = collect_submodules("chromadb", filter=_wanted, on_error="ignore")
hiddenimports += ["chromadb_rust_bindings"]
datas = collect_data_files("chromadb", excludes=["test/**", "**/*.pyi", "**/py.typed"])
datas += copy_metadata("chromadb")
