"""The real microphone through a private PulseAudio server: what the user says after being told to speak is
kept, however late the turn's thread starts reading.

On a busy machine (CI, two compiles) `listen` printed "speak now" before the turn's thread reached the
microphone, and "What is the capital of France?" was heard as "... capital and friends?"."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import numpy as np

from app.soundserver import PrivateSoundServer
from engine.audio import MicrophoneSource, read_wav
from tests.conftest import CAPITAL_QUESTION, speak
from tests.hearing import assert_heard, speech_span_seconds

TIMER_REQUEST = "Set a timer for five minutes."


def test_words_said_before_the_reader_starts_are_kept(
    microphone: MicrophoneSource, sound_server: PrivateSoundServer, tmp_path: Path, factory
) -> None:
    question = speak(CAPITAL_QUESTION, tmp_path / "question.wav")
    microphone.start_listening()  # the prompt is shown...
    sound_server.play(question, "vspeaker")  # ...the user speaks, and the key goes up...
    time.sleep(0.5)
    microphone.stop_listening()
    heard = np.concatenate(list(microphone.frames()))  # ...before the turn's thread reads a frame

    # The whole question is in the audio (a clipped start is what the bug did), and Whisper hears it.
    assert speech_span_seconds(heard) >= speech_span_seconds(read_wav(question)) - 0.05
    assert_heard(CAPITAL_QUESTION, factory.transcriber().transcribe(heard).text)


def test_without_arming_a_late_reader_hears_nothing_said_before_it(
    microphone: MicrophoneSource, sound_server: PrivateSoundServer, tmp_path: Path
) -> None:
    """The other side of the same contract: a reader that was not armed gets only what comes after it
    (the barge-in monitor must not hear the question the user asked before the reply)."""
    sound_server.play(speak("Hello there.", tmp_path / "hello.wav"), "vspeaker")
    time.sleep(0.5)
    later = list(itertools.islice(microphone.frames(), 20))
    assert len(later) == 20
    assert max(float(np.sqrt(np.mean(frame**2))) for frame in later) < 0.01


def test_a_reader_left_from_the_last_turn_takes_none_of_the_new_question(
    microphone: MicrophoneSource, sound_server: PrivateSoundServer, tmp_path: Path, factory
) -> None:
    question = speak(TIMER_REQUEST, tmp_path / "timer.wav")
    stale_frames: list[np.ndarray] = []
    stale_started = threading.Event()

    def last_turns_monitor() -> None:
        for frame in microphone.frames():
            stale_started.set()
            stale_frames.append(frame)

    stale = threading.Thread(target=last_turns_monitor)
    stale.start()
    assert stale_started.wait(5.0)
    microphone.start_listening()
    sound_server.play(question, "vspeaker")
    time.sleep(0.5)
    microphone.stop_listening()
    stale.join(timeout=5.0)
    assert not stale.is_alive(), "the old reader kept reading after the new question was armed"
    heard = np.concatenate(list(microphone.frames()))

    loud = [frame for frame in stale_frames if float(np.sqrt(np.mean(frame**2))) > 0.01]
    assert loud == [], f"the old reader took {len(loud)} frames of the question"
    assert speech_span_seconds(heard) >= speech_span_seconds(read_wav(question)) - 0.05
    assert_heard(TIMER_REQUEST, factory.transcriber().transcribe(heard).text)


def test_an_arming_no_reader_took_is_forgotten_and_a_newer_one_kept(
    microphone: MicrophoneSource, sound_server: PrivateSoundServer, tmp_path: Path, factory
) -> None:
    """A turn that failed before it listened disarms its own press only: the next reader (a reply's barge-in
    monitor) starts fresh, while a press made since keeps its words."""
    failed = microphone.start_listening()
    sound_server.play(speak("Hello there.", tmp_path / "hello.wav"), "vspeaker")
    microphone.disarm(failed)
    later = list(itertools.islice(microphone.frames(), 20))
    assert max(float(np.sqrt(np.mean(frame**2))) for frame in later) < 0.01

    failed = microphone.start_listening()
    microphone.start_listening()  # the user pressed again before the failed turn cleaned up
    microphone.disarm(failed)
    sound_server.play(speak("What time is it?", tmp_path / "time.wav"), "vspeaker")
    time.sleep(0.5)
    microphone.stop_listening()
    heard = list(itertools.islice(microphone.frames(), 160))  # bounded: a lost release would never end
    text = factory.transcriber().transcribe(np.concatenate(heard)).text.lower()
    assert "what time is it" in text, text
