"""The shipped catalogue: every downloadable model carries its publisher's size and checksum, pinned."""

from __future__ import annotations

from models.catalogue import ModelKind, ModelSource, all_specs, get_spec

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
