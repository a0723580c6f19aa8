"""The wake word with the real microWakeWord model: the phrase said by several made-up speakers (the bundled
piper voice at other paces, expressiveness and pitch) wakes Aris once each; other speech, muting, and a
second phrase inside the refractory period do not."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from app.bench.wake_speech import PiperSpeaker, VoiceVariant, coloured_noise, with_noise
from engine.wake import WakeDetection, WakeListener, WakeSettings, WakeWord, WakeWordDetector, frames_of
from models.resolve import resolve_model

RATE = 16_000
SPEAKERS = (
    VoiceVariant(),
    VoiceVariant(length_scale=0.8, noise_scale=0.4, pitch_cents=-250),
    VoiceVariant(length_scale=1.25, noise_scale=0.9, noise_w=1.0, pitch_cents=200),
    VoiceVariant(length_scale=1.1, noise_scale=0.5, noise_w=0.5, pitch_cents=-100),
    VoiceVariant(length_scale=0.9, noise_scale=0.8, pitch_cents=300),
    VoiceVariant(length_scale=1.0, noise_scale=1.0, noise_w=1.2, pitch_cents=100),
)
NOT_WAKE_WORDS = (
    "What is the capital of France?",
    "Jarvis's neighbour said hello to us this morning.",
    "Hey, are you coming to the party tonight?",
    "Set a timer for ten minutes and remind me to call Marvin.",
    "My cousin Travis bought a car last week.",
)


@pytest.fixture(scope="module")
def piper(session_paths) -> PiperSpeaker:
    """The bundled voice, as a source of made-up speakers."""
    return PiperSpeaker(resolve_model("piper-joe-medium", session_paths.cache_dir).path)


def _padded(audio: np.ndarray, before: float = 0.5, after: float = 1.0) -> np.ndarray:
    return np.concatenate([np.zeros(int(before * RATE)), audio, np.zeros(int(after * RATE))]).astype(
        np.float32
    )


def _detections(detector: WakeWordDetector, audio: np.ndarray) -> list[WakeDetection]:
    found = (detector.feed(frame) for frame in frames_of(audio))
    return [d for d in found if d is not None]


def test_the_wake_phrase_wakes_it_once_for_most_speakers(piper: PiperSpeaker) -> None:
    detector = WakeWordDetector(WakeSettings(WakeWord.HEY_JARVIS))
    heard = 0
    for variant in SPEAKERS:
        detector.reset()
        found = _detections(detector, _padded(piper.say("Hey Jarvis, what time is it?", variant)))
        assert len(found) <= 1, variant.label  # the refractory period: one phrase, one wake
        heard += len(found)
    assert heard >= len(SPEAKERS) - 1


def test_it_fires_near_the_end_of_the_phrase_not_after_the_question(piper: PiperSpeaker) -> None:
    detector = WakeWordDetector()
    phrase = piper.say("Hey Jarvis.")
    audio = _padded(
        np.concatenate([phrase, np.zeros(RATE // 5), piper.say("What is the capital of France?")])
    )
    found = _detections(detector, audio)
    assert len(found) == 1
    phrase_end = 0.5 + len(phrase) / RATE
    assert found[0].stream_seconds < phrase_end + 0.6  # "listening" can start before the question does


def test_other_speech_and_other_wake_words_do_not_wake_it(piper: PiperSpeaker) -> None:
    detector = WakeWordDetector(WakeSettings(WakeWord.HEY_JARVIS))
    for variant in SPEAKERS[:3]:
        for sentence in (*NOT_WAKE_WORDS, "Okay Nabu.", "Alexa, play some music.", "Hey Mycroft."):
            assert not _detections(detector, _padded(piper.say(sentence, variant))), (sentence, variant.label)


def test_each_built_in_model_hears_its_own_phrase(piper: PiperSpeaker) -> None:
    for wake_word in WakeWord:
        detector = WakeWordDetector(WakeSettings(wake_word))
        assert len(_detections(detector, _padded(piper.say(f"{wake_word.phrase}.")))) == 1, wake_word
        detector.close()


def test_the_phrase_is_heard_through_noise(piper: PiperSpeaker) -> None:
    """A fan or cooker hood at 10 dB below the voice."""
    detector = WakeWordDetector()
    heard = 0
    for seed, variant in enumerate(SPEAKERS[:4]):
        detector.reset()
        noisy = with_noise(
            _padded(piper.say("Hey Jarvis.", variant)), coloured_noise(4.0, "pink", seed), 10.0
        )
        heard += len(_detections(detector, noisy))
    assert heard >= 3


def test_a_second_phrase_inside_the_refractory_period_is_not_a_second_wake(piper: PiperSpeaker) -> None:
    phrase = piper.say("Hey Jarvis.")
    twice_quickly = _padded(np.concatenate([phrase, np.zeros(RATE // 4), phrase]))
    assert len(_detections(WakeWordDetector(WakeSettings(refractory_s=3.0)), twice_quickly)) == 1
    twice_slowly = _padded(np.concatenate([phrase, np.zeros(3 * RATE), phrase]))
    assert len(_detections(WakeWordDetector(WakeSettings(refractory_s=1.0)), twice_slowly)) == 2


def test_the_listener_hears_nothing_while_muted(piper: PiperSpeaker) -> None:
    woken: list[WakeDetection] = []
    heard = threading.Event()

    def on_wake(detection: WakeDetection) -> None:
        woken.append(detection)
        heard.set()

    listener = WakeListener(WakeWordDetector(), on_wake)
    try:
        phrase = _padded(piper.say("Hey Jarvis."))
        listener.set_muted(True)
        for frame in frames_of(phrase):
            listener.push(frame)
        assert listener.wait_idle()
        assert woken == []
        listener.set_muted(False)
        for frame in frames_of(phrase):
            listener.push(frame)
        assert heard.wait(10.0)
        assert listener.wait_idle()
        assert len(woken) == 1
    finally:
        listener.close()


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="refractory"):
        WakeSettings(refractory_s=-1.0)
    from engine.wake import wake_word_named

    with pytest.raises(ValueError, match="expected one of: okay_nabu, hey_jarvis"):
        wake_word_named("hey_bob")


def test_the_wake_word_said_into_the_microphone_is_heard_while_no_turn_reads_it(
    piper: PiperSpeaker, pulse: dict[str, str], sound_server, tmp_path: Path
) -> None:
    """The listener taps the live microphone (a private PulseAudio server): no turn is listening, and the
    phrase played into the room wakes it; muted, the same phrase does nothing."""
    from engine.audio import MicrophoneSource, write_wav

    sound_server.use_here()
    phrase = tmp_path / "hey-jarvis.wav"
    write_wav(phrase, _padded(piper.say("Hey Jarvis.")), RATE)
    heard = threading.Event()
    listener = WakeListener(WakeWordDetector(), lambda _detection: heard.set())
    microphone = MicrophoneSource()
    try:
        assert microphone.wait_ready(), "the virtual microphone delivers no sound"
        microphone.add_tap(listener.push)
        listener.set_muted(True)
        sound_server.play(phrase, "vspeaker")
        assert listener.wait_idle()
        assert not heard.is_set()
        listener.set_muted(False)
        sound_server.play(phrase, "vspeaker")
        assert heard.wait(10.0)
        microphone.remove_tap(listener.push)
    finally:
        microphone.close()
        listener.close()


class _Played:
    """A speaker whose output the microphone hears back (delayed, quieter): Aris's own voice in the room."""

    def __init__(self, played: np.ndarray) -> None:
        self.played = played
        self.position = 0

    def playback_since(self, cursor: int) -> tuple[np.ndarray, int]:
        chunk = self.played[cursor : cursor + 512]
        self.position = cursor + len(chunk)
        return chunk, self.position

    def recent_playback(self, seconds: float) -> np.ndarray:
        return self.played[max(0, self.position - int(seconds * RATE)) : self.position]


def test_aris_saying_the_wake_word_does_not_wake_it_through_the_echo_canceller(piper: PiperSpeaker) -> None:
    """An answer that says "Hey Jarvis" comes back through the room; the canceller takes it out before the
    detector. Piper says it a little differently each time (its noise is random), so it says it three times:
    the canceller must keep every one from waking Aris, and without it at least one must wake it (so the test
    can fail)."""
    from engine.bargein import BargeInSettings, EchoFilter

    def detections(played: np.ndarray, echo: bool) -> int:
        delay = int(0.04 * RATE)
        heard = 0.5 * np.concatenate([np.zeros(delay, np.float32), played[:-delay]])
        detector = WakeWordDetector()
        reference = _Played(played)
        cleaner = EchoFilter.create(BargeInSettings(), reference) if echo else None  # type: ignore[arg-type]
        found = 0
        for frame in frames_of(heard)[:-1]:
            cleaned = cleaner.clean_while_playing(frame) if cleaner is not None else frame
            found += detector.feed(cleaned) is not None
        return found

    woke_without, woke_with = [], []
    for _ in range(3):
        answer = np.concatenate(
            [
                piper.say("Sure. Here is what I found about the weather today."),
                piper.say("Hey Jarvis is my name."),
            ]
        )
        played = _padded(answer, 0.2, 1.0)
        woke_without.append(detections(played, echo=False))
        woke_with.append(detections(played, echo=True))
    assert any(woke_without), "the answer's 'Hey Jarvis' never woke the detector even without the canceller"
    assert not any(woke_with), woke_with
