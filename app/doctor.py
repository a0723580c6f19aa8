"""Health checks shared by `doctor` and the desktop shell's first-run screen."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from app.config import load_settings
from app.errors import ArisError
from app.paths import DataPaths
from engine.errors import AudioDeviceError
from models import ModelError, ModelKind, available_models, resolve_model

MIN_FREE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class CheckResult:
    """One check: what was checked, whether it passed, and how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(paths: DataPaths) -> list[CheckResult]:
    """Every check, in the order a user would fix them."""
    results = [_check_settings(paths)]
    results += [_check_model(name, paths) for name in _models_in_use(paths)]
    results += [_check_audio(want_input=True), _check_audio(want_input=False), _check_disk(paths)]
    return results


def _models_in_use(paths: DataPaths) -> list[str]:
    try:
        models = load_settings(paths.settings_file).models
        names = [models.stt, models.tts] + ([] if models.llm_path else [models.llm])
    except ArisError:
        names = ["whisper-tiny.en", "piper-joe-medium", "smollm2-135m-instruct"]
    return names + available_models(ModelKind.EMBEDDING)


def _check_settings(paths: DataPaths) -> CheckResult:
    try:
        load_settings(paths.settings_file)
    except ArisError as error:
        return CheckResult("settings", False, error.message, f"Edit or delete {paths.settings_file}.")
    return CheckResult("settings", True, str(paths.settings_file))


def _check_model(name: str, paths: DataPaths) -> CheckResult:
    try:
        model = resolve_model(name, paths.cache_dir)
    except (ModelError, ValueError) as error:
        message = getattr(error, "message", str(error))
        fix = message.split("Repair it with: ", 1)[1] if "Repair it with: " in message else ""
        return CheckResult(f"model {name}", False, message, fix)
    return CheckResult(f"model {name}", True, str(model.path))


def _check_audio(*, want_input: bool) -> CheckResult:
    from engine.audio.devices import find_device, list_devices

    label = "microphone" if want_input else "speaker"
    try:
        find_device(None, want_input=want_input)
        names = [d.name for d in list_devices() if (d.inputs if want_input else d.outputs) > 0]
    except AudioDeviceError as error:
        fix = (
            "sudo apt-get install libportaudio2"
            if "PortAudio" in error.message
            else f"Connect a {label}, or start PulseAudio/PipeWire."
        )
        return CheckResult(label, False, error.message, fix)
    return CheckResult(label, True, ", ".join(names))


def _check_disk(paths: DataPaths) -> CheckResult:
    free = shutil.disk_usage(paths.root).free
    detail = f"{free / 1e9:.1f} GB free in {paths.root}"
    if free < MIN_FREE_BYTES:
        return CheckResult(
            "disk", False, detail, "Free some disk space: memories and conversations need room."
        )
    return CheckResult("disk", True, detail)
