"""`python main.py models …` as a user runs it, against the loopback server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.models.conftest import UNPUBLISHED_ID, VOICE_ID
from tests.models.loopback import unused_port


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_list_json_has_the_documented_fields() -> None:
    result = run("models", "list", "--json", env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) > 90
    for key in ("id", "kind", "languages", "size_bytes", "checksum", "url", "installed", "in_use"):
        assert key in rows[0]
    by_id = {row["id"]: row for row in rows}
    assert by_id["smollm2-135m-instruct"]["in_use"] and by_id["smollm2-135m-instruct"]["installed"]
    assert by_id["piper-ru_RU-irina-medium"]["checksum"] == "md5:21fbe77fdc68bdc35d7adb6bf4f52199"
    assert by_id["llama-3.2-1b-instruct"]["checksum"] == "md5:48ff0243978606fdba19d899b77802fc"
    assert by_id["qwen2.5-1.5b-instruct"]["checksum"] == (
        "sha256:6a1a2eb6d15622bf3c96857206351ba97e1af16c30d7a74ee38970e434e9407e"
    )
    assert by_id["qwen2.5-1.5b-instruct"]["available"]
    kinds = {
        row["kind"]
        for row in json.loads(run("models", "list", "--kind", "voice", "--json", env=dict(os.environ)).stdout)
    }
    assert kinds == {"tts"}


def test_download_use_verify_remove(server, one_voice_catalogue: Path) -> None:
    env = dict(os.environ, ARIS_MODEL_MIRROR=server.url)
    result = run("models", "download", VOICE_ID, "--use", env=env)
    assert result.returncode == 0, result.stderr
    assert f"Now using {VOICE_ID}" in result.stdout
    rows = {r["id"]: r for r in json.loads(run("models", "list", "--installed", "--json", env=env).stdout)}
    assert rows[VOICE_ID]["installed"] and rows[VOICE_ID]["in_use"]
    assert rows[VOICE_ID]["url"].startswith(server.url + "/rhasspy/piper-voices/resolve/v1.0.0/")
    assert not rows["piper-joe-medium"]["in_use"]
    verify = run("models", "verify", "--json", env=env)
    assert verify.returncode == 0 and {"id": VOICE_ID, "ok": True, "problem": None} in json.loads(
        verify.stdout
    )

    refused = run("models", "remove", VOICE_ID, env=env)
    assert refused.returncode == 1 and "is in use" in refused.stderr and "Traceback" not in refused.stderr
    assert run("models", "use", "piper-joe-medium", env=env).returncode == 0
    assert run("models", "remove", VOICE_ID, env=env).returncode == 0
    installed = {r["id"] for r in json.loads(run("models", "list", "--installed", "--json", env=env).stdout)}
    assert VOICE_ID not in installed and "piper-joe-medium" in installed


def test_offline_is_one_sentence_and_nothing_changes(one_voice_catalogue: Path) -> None:
    env = dict(os.environ, ARIS_MODEL_MIRROR=f"http://127.0.0.1:{unused_port()}")
    result = run("models", "download", VOICE_ID, "--use", env=env)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("aris:")]
    assert errors == [
        f"aris: Could not reach 127.0.0.1:{env['ARIS_MODEL_MIRROR'].rsplit(':', 1)[1]} to download '{VOICE_ID}': "
        "check the internet connection (or set ARIS_MODEL_MIRROR to a reachable mirror)."
    ]
    assert "Traceback" not in result.stderr
    rows = {r["id"]: r for r in json.loads(run("models", "list", "--json", env=env).stdout)}
    assert rows["piper-joe-medium"]["in_use"] and not rows[VOICE_ID]["installed"]


def test_unknown_and_unavailable_models_are_refused_clearly(unpublished_catalogue: Path) -> None:
    env = dict(os.environ)
    unknown = run("models", "use", "llama-9", env=env)
    assert unknown.returncode == 1 and unknown.stderr.startswith("aris: Unknown model 'llama-9'.")
    listed = {r["id"]: r for r in json.loads(run("models", "list", "--json", env=env).stdout)}
    assert listed[UNPUBLISHED_ID]["checksum"] is None and not listed[UNPUBLISHED_ID]["available"]
    unavailable = run("models", "download", UNPUBLISHED_ID, env=env)
    assert unavailable.returncode == 1 and "no published checksum" in unavailable.stderr
    assert "Traceback" not in unavailable.stderr
