"""Downloads against a real HTTP server on loopback, through ARIS_MODEL_MIRROR, of a real model file."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from models.catalogue import ModelSpec
from models.download import Downloader, mirrored
from models.errors import (
    DownloadCancelledError,
    DownloadError,
    InsufficientSpaceError,
    ModelCorruptError,
    ModelUnavailableError,
)
from models.resolve import resolve_model
from models.store import is_installed, staging_folder
from tests.models.conftest import UNPUBLISHED_ID
from tests.models.loopback import unused_port

SIZE = 63_201_294


def test_mirror_replaces_scheme_and_host() -> None:
    url = "https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0/a.onnx"
    assert (
        mirrored(url, "http://127.0.0.1:9/mirror")
        == "http://127.0.0.1:9/mirror/rhasspy/piper-voices/resolve/v1.0.0/a.onnx"
    )
    assert mirrored(url, None) == url


def test_full_download_is_verified_and_moved_into_place(
    tmp_path: Path, server, voice_spec: ModelSpec
) -> None:
    seen: list[int] = []
    folder = Downloader(tmp_path, mirror=server.url).install(voice_spec, lambda p: seen.append(p.done_bytes))
    assert (folder / "en_US-joe-medium.onnx").stat().st_size == SIZE
    assert is_installed(voice_spec, tmp_path)
    assert not staging_folder(tmp_path, voice_spec.name).exists()
    assert seen == sorted(seen) and seen[-1] == SIZE and len(seen) > 10
    assert server.behaviour.requests == [(server.behaviour.requests[0][0], None)]


def test_resumes_after_the_server_cuts_the_connection_half_way(
    tmp_path: Path, server, voice_spec: ModelSpec
) -> None:
    server.behaviour.cut_after = SIZE // 2
    server.behaviour.cuts_left = 1
    Downloader(tmp_path, mirror=server.url, retry_wait_s=0).install(voice_spec)
    assert is_installed(voice_spec, tmp_path)
    ranges = [header for _path, header in server.behaviour.requests]
    assert ranges[0] is None
    resumed_at = int(ranges[1].removeprefix("bytes=").rstrip("-"))
    assert SIZE // 4 < resumed_at <= SIZE // 2  # continued from the partial file, not from zero


def test_resumes_after_a_restart(tmp_path: Path, server, voice_spec: ModelSpec) -> None:
    server.behaviour.cut_after = SIZE // 3
    server.behaviour.cuts_left = 1
    with pytest.raises(DownloadError, match="Downloading it again resumes where it stopped"):
        Downloader(tmp_path, mirror=server.url, retries=0).install(voice_spec)
    partial = staging_folder(tmp_path, voice_spec.name) / "en_US-joe-medium.onnx.part"
    kept = partial.stat().st_size
    assert kept > 0
    with pytest.raises(Exception):  # noqa: B017 - nothing half-downloaded is loadable
        resolve_model(voice_spec.name, None, tmp_path)
    Downloader(tmp_path, mirror=server.url, retries=0).install(voice_spec)  # a new process, same folder
    assert server.behaviour.requests[-1][1] == f"bytes={kept}-"
    assert is_installed(voice_spec, tmp_path)


def test_wrong_checksum_is_refused_and_the_installed_copy_stays(
    tmp_path: Path, server, voice_spec: ModelSpec, one_voice_catalogue: Path
) -> None:
    Downloader(tmp_path, mirror=server.url).install(voice_spec)
    installed = tmp_path / voice_spec.name / "en_US-joe-medium.onnx"
    before = installed.stat().st_mtime_ns
    server.behaviour.corrupt = True
    with pytest.raises(ModelCorruptError, match=r"not the one Aris expects.*nothing was installed"):
        Downloader(tmp_path, mirror=server.url).install(voice_spec)
    assert not list(staging_folder(tmp_path, voice_spec.name).glob("*.part"))  # the bad file is gone
    assert installed.stat().st_mtime_ns == before  # the model in use was not touched
    resolve_model(voice_spec.name, None, tmp_path)  # and still verifies


def test_a_file_of_another_size_on_the_server_is_refused_at_once(
    tmp_path: Path, server, voice_spec: ModelSpec
) -> None:
    server.behaviour.truncate = SIZE - 1000
    with pytest.raises(ModelCorruptError) as caught:
        Downloader(tmp_path, mirror=server.url, retry_wait_s=0).install(voice_spec)
    message = caught.value.message
    assert "is not the one Aris expects" in message and "nothing was installed" in message
    assert "resume" not in message and "command" not in message  # no advice that cannot help
    assert len(server.behaviour.requests) == 1  # not retried: the same file would come back
    assert not list(staging_folder(tmp_path, voice_spec.name).glob("*.part"))
    assert not is_installed(voice_spec, tmp_path)


def test_404_is_one_clear_sentence(tmp_path: Path, server, voice_spec: ModelSpec) -> None:
    server.behaviour.files.clear()
    with pytest.raises(DownloadError, match="was not found on the server") as caught:
        Downloader(tmp_path, mirror=server.url).install(voice_spec)
    assert "404" in caught.value.message


def test_server_down_is_one_clear_sentence(tmp_path: Path, voice_spec: ModelSpec) -> None:
    mirror = f"http://127.0.0.1:{unused_port()}"
    with pytest.raises(DownloadError, match=r"Could not reach 127\.0\.0\.1.*check the internet connection"):
        Downloader(tmp_path, mirror=mirror).install(voice_spec)


def test_cancel_keeps_the_partial_file_for_later(tmp_path: Path, server, voice_spec: ModelSpec) -> None:
    cancel = threading.Event()

    def on_progress(progress) -> None:
        if progress.done_bytes > 5_000_000:
            cancel.set()

    with pytest.raises(DownloadCancelledError):
        Downloader(tmp_path, mirror=server.url).install(voice_spec, on_progress, cancel)
    partial = staging_folder(tmp_path, voice_spec.name) / "en_US-joe-medium.onnx.part"
    assert 5_000_000 < partial.stat().st_size < SIZE
    assert not is_installed(voice_spec, tmp_path)


def test_unverifiable_models_are_never_downloaded(tmp_path: Path, unpublished_catalogue: Path) -> None:
    from models.catalogue import get_spec

    spec = get_spec(UNPUBLISHED_ID)
    assert not spec.verifiable
    with pytest.raises(ModelUnavailableError, match="no published checksum"):
        Downloader(tmp_path, mirror="http://127.0.0.1:9").install(spec)


@pytest.fixture()
def tiny_disk(tmp_path: Path):
    """A real 8 MB tmpfs (needs root, which the test machines have)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], check=False, capture_output=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_not_enough_space_is_refused_before_downloading(
    tiny_disk: Path, server, voice_spec: ModelSpec
) -> None:
    with pytest.raises(InsufficientSpaceError, match="Not enough disk space"):
        Downloader(tiny_disk, mirror=server.url).install(voice_spec)
    assert server.behaviour.requests == []


def test_disk_filling_up_mid_download(tiny_disk: Path, server, voice_spec: ModelSpec, monkeypatch) -> None:
    real = shutil.disk_usage

    def optimistic(path):  # the free-space check is fooled; the disk itself is real and full
        usage = real(path)
        return type(usage)(usage.total, usage.used, 10**12)

    monkeypatch.setattr("models.download.shutil.disk_usage", optimistic)
    with pytest.raises(InsufficientSpaceError, match="disk filled up"):
        Downloader(tiny_disk, mirror=server.url).install(voice_spec)
    assert not list(staging_folder(tiny_disk, voice_spec.name).glob("*.part"))
    assert os.statvfs(tiny_disk).f_bfree > 0  # the space was given back
