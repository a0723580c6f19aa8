"""The model manager shared by the CLI and the desktop: the catalogue joined with what is installed and in
use, downloads, switching and removal. Settings are passed in and saved through `app.config`."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config import Settings, save_settings
from app.model_speed import ReplySpeed, core_count, load_measured, reply_speed
from app.paths import DataPaths
from models.catalogue import ModelKind, ModelSource, ModelSpec, all_specs, default_model, get_spec
from models.download import Cancellable, Downloader, DownloadProgress, mirrored, remove_model
from models.errors import ModelError, ModelUnavailableError
from models.resolve import resolve_model
from models.store import is_installed

log = logging.getLogger(__name__)

_SETTING_OF_KIND = {ModelKind.STT: "stt", ModelKind.LLM: "llm", ModelKind.TTS: "tts"}


@dataclass(frozen=True)
class ModelRow:
    """One catalogue entry as the user sees it."""

    id: str
    kind: str
    languages: tuple[str, ...]
    size_bytes: int | None
    checksum: str | None
    url: str | None
    installed: bool
    in_use: bool
    available: bool
    """Has a publisher checksum, so it can be installed."""
    recommended: bool
    ram_mb: int
    licence: str
    description: str
    source: str
    fits: bool = True
    """Fits this computer: half its memory holds the model and, for a chat model, it answers within ~1 s."""
    reply_seconds: float | None = None
    """Chat models: seconds to the first spoken sentence here (measured by `bench llm`, else estimated)."""
    speed_measured: bool = False
    """reply_seconds was measured on this computer rather than estimated from the size and the cores."""

    def as_json(self) -> dict[str, Any]:
        """The object printed by `models list --json`."""
        return {
            "id": self.id,
            "kind": self.kind,
            "languages": list(self.languages),
            "size_bytes": self.size_bytes,
            "checksum": self.checksum,
            "url": self.url,
            "installed": self.installed,
            "in_use": self.in_use,
            "available": self.available,
            "recommended": self.recommended,
            "ram_mb": self.ram_mb,
            "licence": self.licence,
            "description": self.description,
            "source": self.source,
            "fits": self.fits,
            "reply_seconds": None if self.reply_seconds is None else round(self.reply_seconds, 2),
            "speed_measured": self.speed_measured,
        }


def total_ram_mb() -> int:
    """Physical memory of this computer in MB (0 if unknown)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e6)
    except (ValueError, OSError, AttributeError):
        return 0


class ModelManager:
    """What is installed, in use and recommended; install, use, remove and verify models."""

    def __init__(
        self, paths: DataPaths, settings: Settings, ram_mb: int | None = None, cores: int | None = None
    ) -> None:
        self.paths = paths
        self.settings = settings
        self.ram_mb = total_ram_mb() if ram_mb is None else ram_mb
        self.cores = core_count() if cores is None else cores

    def speed(self, spec: ModelSpec) -> ReplySpeed | None:
        """How soon a chat model would start answering here (None for other kinds)."""
        if spec.kind is not ModelKind.LLM:
            return None
        return reply_speed(spec.name, spec.size_bytes, self.cores, load_measured(self.paths))

    def fits(self, spec: ModelSpec) -> bool:
        """Half this computer's memory holds it and, for a chat model, it answers within about a second."""
        if self.ram_mb and spec.ram_mb * 2 > self.ram_mb:
            return False
        speed = self.speed(spec)
        return speed is None or speed.conversational

    def spec(self, model_id: str) -> ModelSpec:
        """The catalogue entry; an unknown id is a ModelError listing close names."""
        try:
            return get_spec(model_id)
        except ValueError:
            close = [s.name for s in all_specs() if model_id.lower() in s.name.lower()][:8]
            hint = f" Did you mean: {', '.join(close)}?" if close else " See: python main.py models list"
            raise ModelError(f"Unknown model '{model_id}'.{hint}") from None

    def in_use(self) -> set[str]:
        """The ids the settings use now (an external server or a GGUF path replaces the catalogue LLM)."""
        m = self.settings.models
        used = {m.stt, m.tts, default_model(ModelKind.EMBEDDING)}
        if not m.llm_path and not m.llm_url:
            used.add(m.llm)
        return used

    def recommended(self) -> set[str]:
        """For each kind, the model that suits this computer's memory, its speed and the language setting: the
        chat model is the largest (so the best-answering) one that still starts answering within ~1 s."""
        language = self.settings.models.language
        picks: set[str] = set()
        llms = [s for s in all_specs() if s.kind is ModelKind.LLM and s.verifiable and s.same_as is None]
        fitting = [s for s in llms if self.fits(s) and (language == "auto" or s.speaks(language))]
        if fitting:
            picks.add(max(fitting, key=lambda s: (s.size_bytes or 0, s.ram_mb)).name)
        if language not in ("auto", "en"):
            sttlist = [
                s for s in all_specs() if s.kind is ModelKind.STT and s.verifiable and s.speaks(language)
            ]
            picks.update(s.name for s in sttlist[:1])
            voices = [
                s for s in all_specs() if s.kind is ModelKind.TTS and s.verifiable and language in s.languages
            ]
            medium = [s for s in voices if "medium" in s.name] or voices
            picks.update(s.name for s in medium[:1])
        return picks

    def rows(
        self, kind: ModelKind | None = None, installed_only: bool = False, language: str | None = None
    ) -> list[ModelRow]:
        """The catalogue joined with installed / in use / recommended; a download that repeats a built-in
        model's files is left out unless it is installed or in use."""
        used, recommended = self.in_use(), self.recommended()
        mirror = Downloader(self.paths.models_dir).mirror
        measured = load_measured(self.paths)
        rows = []
        for spec in all_specs():
            if kind is not None and spec.kind != kind:
                continue
            if spec.same_as and spec.name not in used and not is_installed(spec, self.paths.models_dir):
                continue
            if language and not spec.speaks(language):
                continue
            installed = is_installed(spec, self.paths.models_dir)
            if installed_only and not installed:
                continue
            main = spec.main_file
            if spec.source is ModelSource.DOWNLOAD:
                url = mirrored(main.url, mirror) if main.url else None
            else:
                url = f"pypi:{spec.pip_name}"
            speed = (
                reply_speed(spec.name, spec.size_bytes, self.cores, measured)
                if spec.kind is ModelKind.LLM
                else None
            )
            fits = not (self.ram_mb and spec.ram_mb * 2 > self.ram_mb) and (
                speed is None or speed.conversational
            )
            rows.append(
                ModelRow(
                    id=spec.name,
                    kind=spec.kind.value,
                    languages=spec.languages,
                    size_bytes=spec.size_bytes,
                    checksum=main.checksum,
                    url=url,
                    installed=installed,
                    in_use=spec.name in used,
                    available=spec.verifiable,
                    recommended=spec.name in recommended,
                    ram_mb=spec.ram_mb,
                    licence=spec.licence,
                    description=spec.description,
                    source=spec.source.value,
                    fits=fits,
                    reply_seconds=speed.seconds if speed else None,
                    speed_measured=bool(speed and speed.measured),
                )
            )
        return rows

    def check_installable(self, spec: ModelSpec) -> None:
        """Raise the one-sentence reason a model cannot be installed, before any progress bar starts."""
        if spec.source is not ModelSource.PACKAGE and not spec.verifiable:
            raise ModelUnavailableError(
                f"'{spec.name}' has no published checksum in the catalogue, so Aris will not download it "
                "(a file is never used unverified)."
            )

    def install(
        self,
        model_id: str,
        progress: Callable[[DownloadProgress], None] | None = None,
        cancel: Cancellable | None = None,
    ) -> Path:
        """Download (or assemble) and verify a model into DATA_DIR/models; the settings do not change."""
        spec = self.spec(model_id)
        if spec.source is ModelSource.PACKAGE:
            resolve_model(spec.name, self.paths.cache_dir, self.paths.models_dir)
            return self.paths.models_dir
        return Downloader(self.paths.models_dir).install(spec, progress, cancel)

    def use(self, model_id: str) -> Settings:
        """Verify an installed model and make it the one of its kind; saves and returns the new settings."""
        spec = self.spec(model_id)
        key = _SETTING_OF_KIND.get(spec.kind)
        if key is None:
            raise ModelError(f"'{model_id}' is a {spec.kind} model; Aris chooses that kind itself.")
        resolve_model(spec.name, self.paths.cache_dir, self.paths.models_dir)  # raises if missing or damaged
        changes: dict[str, object] = {key: spec.name}
        if spec.kind is ModelKind.LLM:
            changes.update(llm_path=None, llm_url=None)
        self.settings = self.settings.with_changes(models=self.settings.models.model_copy(update=changes))
        save_settings(self.settings, self.paths.settings_file)
        return self.settings

    def remove(self, model_id: str) -> None:
        """Delete a downloaded model; the built-in ones and the ones in use stay."""
        spec = self.spec(model_id)
        if spec.source is ModelSource.PACKAGE:
            raise ModelError(f"'{model_id}' is built into Aris and cannot be removed.")
        if spec.name in self.in_use():
            raise ModelError(f"'{model_id}' is in use; choose another {spec.kind} model first.")
        if not remove_model(spec, self.paths.models_dir):
            raise ModelError(f"'{model_id}' is not installed.")

    def verify_all(self) -> list[tuple[str, str | None]]:
        """Every installed model re-checked from scratch: (id, problem or None)."""
        results: list[tuple[str, str | None]] = []
        for spec in all_specs():
            if not is_installed(spec, self.paths.models_dir) and spec.name not in self.in_use():
                continue
            try:
                resolve_model(spec.name, None, self.paths.models_dir)
            except ModelError as error:
                results.append((spec.name, error.message))
            else:
                results.append((spec.name, None))
        return results
