"""Aris entry point: `python main.py` starts the desktop app; `python main.py --help` lists the commands."""

from __future__ import annotations

import os
import sys

# Set before anything imports onnxruntime, chromadb or huggingface_hub: Aris never phones home or
# reaches for a model hub.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _run() -> int:
    from ui.talk_client import fast_talk

    talked = fast_talk(sys.argv[1:])  # a desktop shortcut runs this: skip loading every other command
    if talked is not None:
        return talked
    from app.cli import main
    from ui.cli import DESKTOP_EXTENSIONS

    return main(sys.argv[1:], DESKTOP_EXTENSIONS)


if __name__ == "__main__":
    try:
        sys.exit(_run())
    except BrokenPipeError:
        # The reader went away (`… | head`): nothing more to say, and no traceback for it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
