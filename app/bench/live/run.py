"""The live bench's scenarios: the Assistant the desktop shell uses, on the private sound server's default
microphone and speaker, with questions played in by espeak-ng and every figure read off one recording of the
room (never from the app's own clock)."""

from __future__ import annotations

import json
import logging
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from app.assistant import Assistant
from app.bench.live import analysis
from app.bench.live.room import RATE, SPEAKER, USER, VirtualRoom
from app.config import load_settings
from app.paths import DataPaths
from app.soundserver import PrivateSoundServer, SoundServerError
from engine.audio import MicrophoneSource, SpeakerSink, read_wav, write_wav
from engine.events import EventType, TurnEvent
from engine.pipeline import TurnResult

log = logging.getLogger(__name__)

QUESTIONS = (
    "What is the capital of France?",
    "How many legs does a spider have?",
    "What is the largest planet in our solar system?",
    "Who wrote the play Romeo and Juliet?",
    "What color is the sky on a clear day?",
)
LONG_PROMPTS = (
    "Tell me a long story about a dragon who learns to bake bread.",
    "Explain in detail how a steam engine works, step by step.",
    "Describe the history of the city of Rome, from its founding to today.",
    "Tell me a long story about a sailor lost at sea for a whole year.",
)
INTERRUPTION = "Stop. What time is it?"
HESITANT = (
    ("Set a timer for", "ten minutes."),
    ("What is the weather like in", "Paris today?"),
    ("Add milk and", "eggs to my shopping list."),
    ("What is twenty", "plus twenty two?"),
    ("Remind me to call my mother at", "six o'clock."),
    ("How many legs does a", "spider have?"),
    ("Tell me, um", "what the capital of Spain is."),
    ("What is the capital of", "Italy?"),
    ("Set an alarm for seven", "thirty tomorrow."),
    ("Who wrote the play", "Romeo and Juliet?"),
)
"""Questions said with a pause inside them (the second part follows after HESITANT_PAUSES_S)."""
HESITANT_VOICES = ("en-us", "en-gb", "en-us+f2")
HESITANT_PAUSES_S = (0.5, 0.7, 0.9)
PTT_RELEASE_S = 0.3
"""The push-to-talk key is released this long after the last word."""
BARGE_IN_AFTER_S = 2.0
"""The user starts talking this long into the reply."""
ECHO_DELAY_MS = 80
ECHO_GAIN_DB = -12.0
"""Speaker-to-microphone leak: a laptop's output latency plus the room, about 12 dB below the user's voice."""
SETTLE_S = 1.5
"""Silence between trials, so each trial is its own block in the recording."""


@dataclass(frozen=True)
class LiveOptions:
    """How much to measure."""

    turns: int = 5
    echo_minutes: float = 2.0
    """Minutes of echoed reply with no one speaking, split between the direct and the resampled path."""
    hesitant: int = 30
    """Questions with a pause inside them, for the cut-off rate (HESITANT × voices × pauses, rotating)."""
    hands_free_only: bool = False
    """Measure only hands-free (first audio and cut-offs, with the adaptive and the fixed end of turn)."""


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _espeak(text: str, path: Path, voice: str = "en-us") -> Path:
    """``text`` in espeak-ng's voice as a 16 kHz WAV that ends with its last word.

    espeak-ng pads its output with ~380 ms of silence; ``paplay`` returns only after playing that, so a
    key released "300 ms after the last word" would go up 80 ms late and the bench would charge it to Aris."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SoundServerError("espeak-ng is not installed; install it with: sudo apt-get install espeak-ng")
    subprocess.run([espeak, "-v", voice, "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    audio = read_wav(path)
    found = analysis.spans(audio, RATE)
    if found:
        audio = audio[: found[-1].end_ms * RATE // 1000]
    write_wav(path, audio, RATE)
    return path


def _trailing_silence_s(path: Path) -> float:
    """Seconds of silence after the last word in a WAV file."""
    audio = read_wav(path)
    found = analysis.spans(audio, RATE)
    return max(0.0, len(audio) / RATE - found[-1].end_ms / 1000) if found else 0.0


class LiveSession:
    """One Assistant on the room's default devices, answering in a worker thread like the shell's."""

    def __init__(self, settings_paths: DataPaths, room: VirtualRoom, workdir: Path) -> None:
        self.room = room
        self.workdir = workdir
        settings = load_settings(settings_paths.settings_file)
        settings = settings.model_copy(update={"memory_enabled": False})
        # The bench's conversations go to a scratch folder, never into the user's history.
        self.assistant = Assistant(DataPaths(workdir / "data"), settings, on_event=self._on_event)
        self.assistant.memory_enabled = False
        self.assistant.factory.warm_up()
        self.assistant.pipeline  # noqa: B018 - build it now, not inside a measured turn
        self.microphone = MicrophoneSource()
        if not self.microphone.wait_ready():
            raise SoundServerError("The virtual microphone delivers no sound.")
        self.speaker = SpeakerSink(self.assistant.factory.synthesizer().sample_rate)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aris-live-bench")
        self._audio_started = threading.Event()
        self.cancel_reasons: list[str] = []

    def _on_event(self, event: TurnEvent) -> None:
        if event.type is EventType.AUDIO_STARTED:
            self._audio_started.set()
        elif event.type is EventType.TURN_CANCELLED:
            self.cancel_reasons.append(getattr(event, "reason", ""))

    def _ask(self, prompt: str) -> TurnResult | None:
        return self.assistant.ask(prompt, self.speaker, microphone=self.microphone)

    def _listen(self, *, push_to_talk: bool) -> Future[TurnResult | None]:
        """A spoken turn, listening from now as the shell does when the key goes down."""
        self.microphone.start_listening()
        return self.submit(
            lambda: self.assistant.listen_and_answer(
                self.microphone, self.speaker, live=True, push_to_talk=push_to_talk
            )
        )

    def submit(self, turn: Callable[[], TurnResult | None]) -> Future[TurnResult | None]:
        """Run a turn on the worker thread."""
        self._audio_started.clear()
        return self._worker.submit(turn)

    def wait_audio(self, timeout: float = 60.0) -> bool:
        """Block until the current turn's first audio went to the speaker."""
        return self._audio_started.wait(timeout)

    def close(self) -> None:
        """Release the devices and the models' session."""
        self._worker.shutdown(wait=True)
        self.speaker.close()
        self.microphone.close()
        self.assistant.close()

    # ---- scenarios -----------------------------------------------------------------------------------

    def hands_free(self, questions: list[Path]) -> dict[str, object]:
        """Question played in; the app notices its end by itself. End of question → first reply audio."""
        recording = self.room.record(self.workdir / "hands_free.wav")
        for question in questions:
            future = self._listen(push_to_talk=False)
            time.sleep(0.3)
            self.room.play(question)
            future.result(timeout=120)
            time.sleep(SETTLE_S)
        return _answer_latencies(recording.stop())

    def hesitant(self, trials: Sequence[tuple[Path, float, Path]], name: str) -> dict[str, object]:
        """Questions with a pause inside them, played in hands-free; a cut-off is an answer that started
        before the question ended."""
        recording = self.room.record(self.workdir / f"{name}.wav")
        for first, pause, rest in trials:
            future = self._listen(push_to_talk=False)
            time.sleep(0.3)
            self.room.play(first)
            time.sleep(pause)
            self.room.play(rest)
            future.result(timeout=120)
            time.sleep(SETTLE_S)
        samples = recording.stop()
        cut = analysis.cutoffs(samples[:, USER], samples[:, SPEAKER], RATE)
        return {"cutoffs": cut, "hesitant_n": len(trials), "cutoff_rate": round(cut / len(trials), 3)}

    def set_adaptive_end_of_turn(self, adaptive: bool) -> None:
        """Use the adaptive end of turn, or the fixed trailing silence of the settings."""
        audio = self.assistant.settings.audio.model_copy(update={"adaptive_end_of_turn": adaptive})
        self.assistant.settings = self.assistant.settings.with_changes(audio=audio)

    def push_to_talk(self, questions: list[Path]) -> dict[str, object]:
        """The key is held while the question plays and released 300 ms after its last word."""
        recording = self.room.record(self.workdir / "push_to_talk.wav")
        for question in questions:
            future = self._listen(push_to_talk=True)
            time.sleep(0.3)
            self.room.play(question)  # returns once the sound server has played the file
            time.sleep(max(0.0, PTT_RELEASE_S - _trailing_silence_s(question)))
            self.microphone.stop_listening()
            future.result(timeout=120)
            time.sleep(SETTLE_S)
        return _after_release(_answer_latencies(recording.stop()))

    def barge_in(self, trials: int, interruption: Path, name: str) -> dict[str, object]:
        """The user says "Stop. What time is it?" 2 s into a long reply; start of it → end of Aris's audio."""
        recording = self.room.record(self.workdir / f"{name}.wav")
        cancelled = 0
        for index in range(trials):
            prompt = LONG_PROMPTS[index % len(LONG_PROMPTS)]
            self.assistant.pipeline.conversation.clear()
            future = self.submit(partial(self._ask, prompt))
            if self.wait_audio():
                time.sleep(BARGE_IN_AFTER_S)
                self.room.play(interruption)
            result = future.result(timeout=180)
            cancelled += bool(result is not None and result.cancelled)
            time.sleep(SETTLE_S)
        samples = recording.stop()
        stops = analysis.stop_latencies(samples[:, USER], samples[:, SPEAKER], RATE)
        return {"stop_ms": stops, "stop_ms_median": _median(stops), "cancelled": cancelled, "trials": trials}

    def false_stops(self, minutes: float, name: str) -> dict[str, object]:
        """Long replies with the speaker leaking into the microphone and no one speaking."""
        recording = self.room.record(self.workdir / f"{name}.wav")
        before = len(self.cancel_reasons)
        spoken_ms = 0
        index = 0
        deadline = time.monotonic() + minutes * 60 * 1.5 + 60
        while spoken_ms < minutes * 60_000 and time.monotonic() < deadline:
            prompt = LONG_PROMPTS[index % len(LONG_PROMPTS)]
            index += 1
            self.assistant.pipeline.conversation.clear()
            started = time.monotonic()
            future = self.submit(partial(self._ask, prompt))
            future.result(timeout=300)
            spoken_ms += int((time.monotonic() - started) * 1000)  # refined from the recording below
            time.sleep(1.0)
        samples = recording.stop()
        reply_ms = analysis.sound_ms(samples[:, SPEAKER], RATE)
        stops = sum(1 for reason in self.cancel_reasons[before:] if reason == "barge_in")
        return {"stops": stops, "reply_minutes": round(reply_ms / 60_000, 2), "replies": index}


def _answer_latencies(samples: np.ndarray) -> dict[str, object]:
    latencies = analysis.answer_latencies(samples[:, USER], samples[:, SPEAKER], RATE)
    return {"first_audio_ms": latencies, "first_audio_ms_median": _median(latencies)}


def _after_release(from_last_word: dict[str, object]) -> dict[str, object]:
    """Push-to-talk latencies from the key's release (issue 11's clock) instead of the last word: the key went
    up PTT_RELEASE_S after the last word, or a little later (paplay returns 20-40 ms after the sound), so this
    errs on the slow side. The figures from the last word are kept."""
    hold_ms = int(PTT_RELEASE_S * 1000)
    after_release = [ms - hold_ms for ms in from_last_word["first_audio_ms"]]  # type: ignore[attr-defined]
    return {
        "first_audio_ms": after_release,
        "first_audio_ms_median": _median(after_release),
        "from_last_word_ms": from_last_word["first_audio_ms"],
        "from_last_word_ms_median": from_last_word["first_audio_ms_median"],
    }


def run_live_bench(
    settings_paths: DataPaths, options: LiveOptions, as_json: bool = False
) -> dict[str, object]:
    """Start a private sound server, measure every scenario, stop the server; print and return the figures.

    Raises:
        SoundServerError: no PulseAudio here, or it would not start.
    """
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="aris-live-") as tmp,
        PrivateSoundServer(Path(tmp) / "pulse") as server,
    ):
        workdir = Path(tmp)
        room = VirtualRoom(server)
        server.use_here()
        questions = [
            _espeak(QUESTIONS[i % len(QUESTIONS)], workdir / f"q{i}.wav") for i in range(options.turns)
        ]
        interruption = _espeak(INTERRUPTION, workdir / "stop.wav")
        hesitant = _hesitant_trials(options.hesitant, workdir)
        session = LiveSession(settings_paths, room, workdir)
        try:
            hands_free = {**session.hands_free(questions), **session.hesitant(hesitant, "hesitant")}
            session.set_adaptive_end_of_turn(False)
            fixed = {**session.hands_free(questions), **session.hesitant(hesitant, "hesitant_fixed")}
            session.set_adaptive_end_of_turn(True)
            hands_free["fixed_wait"] = {
                "trailing_silence_ms": session.assistant.settings.audio.trailing_silence_ms,
                **{
                    k: fixed[k] for k in ("first_audio_ms", "first_audio_ms_median", "cutoffs", "cutoff_rate")
                },
            }
            if options.hands_free_only:
                return _report(
                    {"hands_free": hands_free, "seconds": round(time.monotonic() - started, 1)}, as_json
                )
            push_to_talk = session.push_to_talk(questions)
            barge_in = session.barge_in(options.turns, interruption, "barge_in")
            room.echo_on(delay_ms=ECHO_DELAY_MS, gain_db=ECHO_GAIN_DB)
            echo = session.barge_in(options.turns, interruption, "barge_in_echo")
            half = options.echo_minutes / 2
            direct = session.false_stops(half, "echo_direct")
            room.echo_on(delay_ms=ECHO_DELAY_MS, gain_db=ECHO_GAIN_DB, resampled=True)
            resampled = session.false_stops(half, "echo_resampled")
            room.echo_off()
        finally:
            session.close()
    minutes = float(direct["reply_minutes"]) + float(resampled["reply_minutes"])  # type: ignore[arg-type]
    stops = int(direct["stops"]) + int(resampled["stops"])  # type: ignore[call-overload]
    results: dict[str, object] = {
        "hands_free": hands_free,
        "push_to_talk": {**push_to_talk, "release_after_ms": int(PTT_RELEASE_S * 1000)},
        "barge_in": {
            "stop_ms": barge_in["stop_ms"],
            "stop_ms_median": barge_in["stop_ms_median"],
            "echo_stop_ms": echo["stop_ms"],
            "echo_stop_ms_median": echo["stop_ms_median"],
            "false_stops": round(stops / minutes, 2) if minutes else None,
            "false_stop_count": stops,
            "echoed_reply_minutes": round(minutes, 2),
            "false_stops_direct": direct,
            "false_stops_resampled": resampled,
            "echo": {"delay_ms": ECHO_DELAY_MS, "gain_db": ECHO_GAIN_DB},
        },
        "seconds": round(time.monotonic() - started, 1),
    }
    return _report(results, as_json)


def _report(results: dict[str, object], as_json: bool) -> dict[str, object]:
    if as_json:
        print(json.dumps(results))
    else:
        _print_table(results)
    return results


def _hesitant_trials(count: int, workdir: Path) -> list[tuple[Path, float, Path]]:
    """``count`` hesitant questions: each template in turn, in each voice, with each pause."""
    trials = []
    for index in range(count):
        first, rest = HESITANT[index % len(HESITANT)]
        voice = HESITANT_VOICES[(index // len(HESITANT)) % len(HESITANT_VOICES)]
        pause = HESITANT_PAUSES_S[index % len(HESITANT_PAUSES_S)]
        trials.append(
            (
                _espeak(first, workdir / f"h{index}a.wav", voice),
                pause,
                _espeak(rest, workdir / f"h{index}b.wav", voice),
            )
        )
    return trials


def _print_table(r: dict[str, Any]) -> None:
    h = r["hands_free"]
    fixed = h["fixed_wait"]
    print("Measured from the outside (private PulseAudio; latencies read off a recording of the room)")
    print(
        f"hands-free: end of question → first reply audio, median {h['first_audio_ms_median']} ms "
        f"(fixed {fixed['trailing_silence_ms']} ms wait: {fixed['first_audio_ms_median']} ms)"
    )
    print(
        f"hands-free cut-offs on {h['hesitant_n']} questions with a pause inside: {h['cutoffs']} "
        f"({h['cutoff_rate']:.1%}; fixed wait: {fixed['cutoffs']}, {fixed['cutoff_rate']:.1%})"
    )
    if "barge_in" not in r:
        return
    b = r["barge_in"]
    print(
        f"push-to-talk (released {r['push_to_talk']['release_after_ms']} ms after the last word): "
        f"median {r['push_to_talk']['first_audio_ms_median']} ms after the release "
        f"({r['push_to_talk']['from_last_word_ms_median']} ms after the last word)"
    )
    print(f"barge-in: user starts speaking → Aris silent, median {b['stop_ms_median']} ms")
    print(
        f"barge-in with echo ({b['echo']['gain_db']} dB, {b['echo']['delay_ms']} ms): median {b['echo_stop_ms_median']} ms"
    )
    print(
        f"false stops: {b['false_stop_count']} in {b['echoed_reply_minutes']} min of echoed reply "
        f"({b['false_stops']} per minute; direct and resampled echo paths)"
    )
