"""The shipped catalogue: every downloadable model carries its publisher's size and checksum, pinned."""

from __future__ import annotations

import json

import pytest

from models.catalogue import ModelKind, ModelSource, all_specs, get_spec, parse_catalogue
from models.errors import ModelError
from models.locate import package_data_path

CHAT_AND_SPEECH = (
    "qwen2.5-0.5b-instruct",
    "qwen2.5-1.5b-instruct",
    "qwen2.5-3b-instruct",
    "gemma-3-1b-it",
    "gemma-3-4b-it",
    "smollm2-360m-instruct",
    "smollm2-1.7b-instruct",
    "phi-3.5-mini-instruct",
    "faster-whisper-tiny",
    "faster-whisper-base.en",
    "faster-whisper-small",
    "faster-whisper-small.en",
    "distil-whisper-small.en",
    "faster-whisper-large-v3-turbo",
)


def test_every_downloadable_model_is_verifiable() -> None:
    unverifiable = [s.name for s in all_specs() if s.source is ModelSource.DOWNLOAD and not s.verifiable]
    assert unverifiable == []


def test_hub_downloads_with_a_sha256_are_pinned_to_a_revision() -> None:
    for name in CHAT_AND_SPEECH:
        spec = get_spec(name)
        assert spec.verifiable and spec.checksum_source, name
        for item in spec.files:
            assert item.sha256 and item.url and "/resolve/main/" not in item.url, (name, item.url)
            revision = item.url.split("/resolve/", 1)[1].split("/", 1)[0]
            assert len(revision) == 40 and int(revision, 16) >= 0, (name, revision)
            assert item.url.endswith("/" + item.path), (name, item.url)


def test_faster_whisper_folders_have_the_files_ctranslate2_loads() -> None:
    for spec in all_specs():
        if spec.kind is ModelKind.STT and spec.source is ModelSource.DOWNLOAD:
            paths = {item.path for item in spec.files}
            assert {"model.bin", "config.json", "tokenizer.json"} <= paths, spec.name
            assert paths & {"vocabulary.txt", "vocabulary.json"}, spec.name


def test_a_download_marked_as_a_built_in_models_twin_must_be_one() -> None:
    twin = get_spec("piper-en_US-joe-medium")
    built_in = get_spec("piper-joe-medium")
    assert twin.same_as == built_in.name and built_in.source is ModelSource.PACKAGE
    assert twin.main_file.size == built_in.main_file.size and twin.main_file.checksum  # same file, md5 known
    data = json.loads(package_data_path("models", "catalogue.json").read_text(encoding="utf-8"))
    for entry in data["models"]:
        if entry["id"] == "piper-es_MX-ald-medium":
            entry["same_as"] = "piper-joe-medium"  # a claim its file (of another size) cannot back
            entry["files"][0]["size"] = 1
    with pytest.raises(ModelError, match="not the size of piper-joe-medium"):
        parse_catalogue(json.dumps(data))
