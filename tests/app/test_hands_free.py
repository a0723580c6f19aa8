"""The hands-free loop's rules with the real microphone (a private PulseAudio server) and the real wake-word
model: muted, the wake word does nothing; heard, it opens a question; said during an answer, it stops the
answer and opens a new question (barge-in by name). The assistant is scripted: these tests are about when
the loop listens, not about the answer."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.bench.wake_speech import PiperSpeaker
from app.hands_free import HandsFree, HandsFreeSettings, HandsFreeState
from app.soundserver import PrivateSoundServer
from engine.audio import MicrophoneSource, write_wav
from engine.cancel import CancelToken
from models.resolve import resolve_model

RATE = 16_000


class ScriptedAssistant:
    """Records each question the loop asks for; each "answer" lasts until it is cancelled."""

    def __init__(self) -> None:
        self.cancels: list[CancelToken] = []
        self.waits: list[float | None] = []
        self.asked = threading.Semaphore(0)

    def listen_and_answer(
        self, source: Any, sink: Any, cancel: CancelToken, *, live: bool, wait_for_speech_s: float | None
    ) -> None:
        self.cancels.append(cancel)
        self.waits.append(wait_for_speech_s)
        self.asked.release()
        cancel.wait(60)


@pytest.fixture()
def wake_wav(tmp_path: Path, session_paths) -> Path:
    """ "Hey Jarvis." in the bundled voice, with a little silence around it."""
    piper = PiperSpeaker(resolve_model("piper-joe-medium", session_paths.cache_dir).path)
    silence = np.zeros(RATE // 2, dtype=np.float32)
    path = tmp_path / "hey-jarvis.wav"
    write_wav(path, np.concatenate([silence, piper.say("Hey Jarvis."), silence]), RATE)
    return path


def test_muted_the_wake_word_does_nothing_unmuted_it_opens_a_question(
    microphone: MicrophoneSource, sound_server: PrivateSoundServer, wake_wav: Path
) -> None:
    assistant = ScriptedAssistant()
    states: list[HandsFreeState] = []
    loop = HandsFree(
        assistant,  # type: ignore[arg-type]
        microphone,
        None,
        HandsFreeSettings(cue=False),
        on_state=states.append,
    )
    try:
        loop.set_muted(True)
        sound_server.play(wake_wav, "vspeaker")
        assert not assistant.asked.acquire(timeout=2.0)
        assert loop.state is HandsFreeState.MUTED

        loop.set_muted(False)
        sound_server.play(wake_wav, "vspeaker")
        assert assistant.asked.acquire(timeout=10.0)
        assert loop.state is HandsFreeState.LISTENING
        assert assistant.waits == [pytest.approx(6.0)]  # a wake nobody follows lapses
    finally:
        loop.close()
    assert states[:3] == [HandsFreeState.WAITING, HandsFreeState.MUTED, HandsFreeState.WAITING]


def test_the_wake_word_during_an_answer_stops_it_and_opens_a_new_question(
    microphone: MicrophoneSource, sound_server: PrivateSoundServer, wake_wav: Path
) -> None:
    assistant = ScriptedAssistant()
    loop = HandsFree(assistant, microphone, None, HandsFreeSettings(cue=False))  # type: ignore[arg-type]
    try:
        sound_server.play(wake_wav, "vspeaker")
        assert assistant.asked.acquire(timeout=10.0)
        first = assistant.cancels[0]
        assert not first.cancelled  # the "answer" runs until something stops it

        time.sleep(2.5)  # past the refractory period: a new call, not the same one heard twice
        sound_server.play(wake_wav, "vspeaker")
        assert assistant.asked.acquire(timeout=10.0)
        assert first.cancelled and first.reason == "wake word"
        assert not assistant.cancels[1].cancelled
    finally:
        loop.close()
