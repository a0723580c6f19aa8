"""Where installed models live under DATA_DIR/models, and whether one is installed (sizes only, fast)."""

from __future__ import annotations

from pathlib import Path

from models.catalogue import ModelSource, ModelSpec
from models.locate import package_dir

STAGING = ".staging"
"""Sub-folder of the models folder holding partial and not yet verified downloads."""


def model_folder(models_dir: Path, name: str) -> Path:
    """The folder an installed model's files live in."""
    return models_dir / name


def staging_folder(models_dir: Path, name: str) -> Path:
    """Where a model's download is assembled before the atomic rename into its folder."""
    return models_dir / STAGING / name


def is_installed(spec: ModelSpec, models_dir: Path) -> bool:
    """Every file is present with its catalogue size (checksums are checked when the model is loaded)."""
    if spec.source is ModelSource.PACKAGE:
        root = package_dir(spec.package)
    else:
        root = model_folder(models_dir, spec.name)
    if root is None:
        return False
    for model_file in spec.files:
        path = root / model_file.path
        if not path.is_file() or (model_file.size is not None and path.stat().st_size != model_file.size):
            return False
    return True
