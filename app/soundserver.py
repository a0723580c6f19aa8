"""A private PulseAudio server with virtual devices, for end-to-end audio tests and `bench live`.

It runs in its own runtime folder (its own socket), so nothing reaches or disturbs anyone else's audio, and
it is killed on exit. Processes reach it through :attr:`PrivateSoundServer.env` (PULSE_SERVER + runtime
paths); PortAudio (sounddevice) in this process reaches it after :meth:`PrivateSoundServer.use_here`."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from app.errors import ArisError

log = logging.getLogger(__name__)


class SoundServerError(ArisError):
    """The private sound server could not start (PulseAudio missing, or it refused to run here)."""

    code = "sound_server"


class PrivateSoundServer:
    """``pulseaudio`` in user mode on a private socket; ``with`` starts it and always kills it."""

    def __init__(self, runtime_dir: Path | None = None) -> None:
        self._own_dir = runtime_dir is None
        self.runtime_dir = Path(runtime_dir or tempfile.mkdtemp(prefix="aris-pulse-"))
        self.socket = self.runtime_dir / "pulse" / "native"
        self.env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            "PULSE_RUNTIME_PATH": str(self.runtime_dir / "pulse"),
            "PULSE_SERVER": f"unix:{self.socket}",
        }
        self._saved_env: dict[str, str | None] = {}

    def __enter__(self) -> PrivateSoundServer:
        self.start()
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _error: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the daemon with only the native protocol loaded (no hardware, no session modules).

        Raises:
            SoundServerError: pulseaudio/pactl are not installed or the daemon did not come up.
        """
        for tool in ("pulseaudio", "pactl", "paplay", "parecord"):
            if shutil.which(tool) is None:
                raise SoundServerError(
                    f"{tool} is not installed; install it with: sudo apt-get install pulseaudio pulseaudio-utils"
                )
        self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.runtime_dir, 0o700)
        env = {k: v for k, v in self.env.items() if k != "PULSE_SERVER"}
        command = [
            "pulseaudio", "-n", "--daemonize=yes", "--exit-idle-time=-1", "--log-target=stderr",
            "-L", "module-native-protocol-unix",
        ]  # fmt: skip
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30, check=False)
        except subprocess.TimeoutExpired as error:
            raise SoundServerError("PulseAudio did not start within 30 s.") from error
        if done.returncode != 0 or not self._wait_for_socket():
            detail = (done.stderr or "").strip().splitlines()
            raise SoundServerError(
                f"PulseAudio would not start here: {detail[-1] if detail else 'no reason'}."
            )
        log.info("Private PulseAudio server on %s", self.socket)

    def _wait_for_socket(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.socket.exists() and self.pactl("info", check=False).returncode == 0:
                return True
            time.sleep(0.05)
        return False

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``pactl`` against this server."""
        done = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=15, check=False
        )
        if check and done.returncode != 0:
            raise SoundServerError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done

    def load(self, module: str, *arguments: str) -> int:
        """Load a module; returns its index (for :meth:`unload`)."""
        return int(self.pactl("load-module", module, *arguments).stdout.strip())

    def unload(self, index: int) -> None:
        """Unload a module loaded with :meth:`load`."""
        self.pactl("unload-module", str(index))

    def set_defaults(self, sink: str, source: str) -> None:
        """What applications that ask for 'the default device' get."""
        self.pactl("set-default-sink", sink)
        self.pactl("set-default-source", source)

    def play(self, path: Path, device: str, *, latency_ms: int | None = None) -> None:
        """Play a WAV file on one of the server's sinks; returns once it has been played."""
        latency = [f"--latency-msec={latency_ms}"] if latency_ms is not None else []
        subprocess.run(
            ["paplay", f"--device={device}", *latency, str(path)],
            env=self.env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def use_here(self) -> None:
        """Point this process's PortAudio at the server (re-initialising it if sounddevice was imported)."""
        for key in ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER"):
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = self.env[key]
        _reinitialise_portaudio()

    def stop(self) -> None:
        """Kill the daemon, restore this process's environment and remove the runtime folder."""
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if self._saved_env:
            _reinitialise_portaudio()
        self._saved_env = {}
        env = {k: v for k, v in self.env.items() if k != "PULSE_SERVER"}
        subprocess.run(["pulseaudio", "--kill"], env=env, capture_output=True, timeout=15, check=False)
        if self._own_dir:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)


def _reinitialise_portaudio() -> None:
    """PortAudio reads the PulseAudio address when it initialises: do that again if it already did."""
    import sys

    sd = sys.modules.get("sounddevice")
    if sd is None:
        return
    sd._terminate()
    sd._initialize()
