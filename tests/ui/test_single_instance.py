"""Single instance: a second launch and `python main.py talk` reach the running Aris over its socket."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def start_cli(*args: str, data_dir) -> subprocess.Popen[str]:
    env = dict(os.environ, ARIS_DATA_DIR=str(data_dir))
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(qtbot, process: subprocess.Popen[str]) -> tuple[int, str, str]:
    # The running instance answers from this test's event loop, so wait while processing Qt events.
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=60_000)
    out, err = process.communicate()
    return process.returncode, out, err


def test_a_second_launch_and_talk_reach_the_running_instance(qtbot, paths) -> None:
    from ui.app import build_session

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    qtbot.addWidget(controller.window)
    assert controller.listen_for_commands()
    commands: list[str] = []
    controller.server.command_received.connect(commands.append)
    assert not controller.window.isVisible()

    code, _out, err = finish(qtbot, start_cli(data_dir=paths.root))
    assert code == 0, err
    assert "already running" in err
    assert "usage:" not in err and "required" not in err, err  # no stray argparse error at start
    assert commands == ["show"] and controller.window.isVisible()

    code, out, err = finish(qtbot, start_cli("talk", data_dir=paths.root))
    assert code == 0, err
    assert commands[-1] == "talk" and out.strip() == "loading"
    # No microphone in this session: the window says so instead of failing silently.
    assert "microphone" in controller.window.notice.text.lower()
    controller.server.close()
    controller.bridge.shutdown()


def test_talk_without_a_running_instance_says_how_to_start_it(paths) -> None:
    from tests.conftest import run_cli

    result = run_cli("talk", data_dir=paths.root, timeout=60)
    assert result.returncode == 1
    assert "not running" in result.stderr and "python main.py" in result.stderr
