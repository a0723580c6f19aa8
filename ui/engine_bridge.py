"""The one place the desktop meets the engine: runs the Assistant in worker threads and re-emits its
TurnEvents as Qt signals, so the GUI thread never waits on audio, STT, the LLM or TTS.

Signals emitted from a worker thread reach widgets through queued connections (the receivers live in the
GUI thread), in the order they were emitted."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.assistant import Assistant
from app.config import ModelSettings
from app.errors import ArisError
from engine.audio import AudioSink, AudioSource, MicrophoneSource, SpeakerSink, rescan_devices
from engine.cancel import CancelToken, TurnSlot
from engine.errors import AudioDeviceError, EngineError, NoAudioDeviceError
from engine.events import (
    StateChanged,
    TokenGenerated,
    TranscriptReady,
    TurnCancelled,
    TurnEvent,
    TurnFailed,
    TurnFinished,
    TurnStarted,
    TurnState,
)
from engine.pipeline import EventHandler
from ui.audio_io import AudioOpeners, GatedSink
from ui.jobs import run_job
from ui.memory_store import BrowsableMemory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadStep:
    """One step of start-up loading, shown in the progress bar."""

    label: str
    index: int
    total: int


@dataclass(frozen=True)
class AudioRetry:
    """What a retry managed to open (None: still missing)."""

    source: AudioSource | None
    sink: AudioSink | None


def audio_problem_text(kind: str, error: ArisError) -> str:
    """A missing device in words for the window (the engine's message ends with a terminal command)."""
    if isinstance(error, NoAudioDeviceError):
        thing = "hear you" if kind == "microphone" else "speak"
        return (
            f"Aris cannot {thing}: no {kind} was found. Connect one, or start your sound system "
            f"(PulseAudio or PipeWire), then press Retry. Aris also looks again every few seconds."
        )
    return f"{error.message} Choose another {kind} in Settings, or press Retry."


class EngineBridge(QObject):
    """Owns the Assistant, the microphone and the speaker for the session; one turn at a time."""

    loading_progressed = Signal(object)
    """LoadStep: a model started loading."""
    models_loaded = Signal(dict)
    """Seconds each model took to load."""
    loading_failed = Signal(str)
    """A model could not be loaded: the message says how to fix it."""
    mic_opened = Signal()
    audio_problem = Signal(str, str)
    """(device kind "microphone" | "speaker", message): Aris carries on without it."""
    turn_started = Signal(str, bool)
    """(turn id, spoken)."""
    state_changed = Signal(object)
    """TurnState."""
    transcript_ready = Signal(str, str)
    token_generated = Signal(str, str)
    turn_finished = Signal(str, str)
    """(turn id, full reply)."""
    sources_ready = Signal(str, object)
    """(turn id, tuple of engine.documents.Source): the passages of the user's documents the reply used,
    emitted just before turn_finished when there are any."""
    turn_cancelled = Signal(str, str)
    """(turn id, the part of the reply the user heard)."""
    turn_failed = Signal(str, str)
    """(code, message for the user)."""
    memory_opened = Signal(object)
    """The BrowsableMemory for the browser."""
    conversation_logged = Signal(str, bool)
    """(conversation id, still shown): a turn was written to this conversation, which the history list
    shows; not shown any more when the user switched to another conversation while the turn ran (its
    reply, up to what was heard, is kept in the conversation it was asked in)."""
    audio_recovered = Signal(str)
    """("microphone" | "speaker"): a device that was missing is open now (after a retry)."""
    audio_switched = Signal()
    """The devices chosen in Settings are in use (or missing, with audio_problem said first)."""

    def __init__(
        self,
        make_assistant: Callable[[EventHandler], Assistant],
        audio: AudioOpeners,
        parent: QObject | None = None,
        *,
        open_memory: Callable[[Assistant], BrowsableMemory | None] | None = None,
    ) -> None:
        """Args:
        make_assistant: builds the session's Assistant around our event handler (tests pass one that
            reuses already-loaded models).
        audio: opens the microphone and speaker.
        open_memory: the memory browser's store over the assistant's own memory (slow: runs in the worker).
        """
        super().__init__(parent)
        self.assistant = make_assistant(self._on_engine_event)
        self.audio = audio
        self._open_memory = open_memory
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aris-engine")
        self._lock = threading.Lock()
        self._turns = TurnSlot()
        self._source: AudioSource | None = None
        self._sink: GatedSink | None = None
        self._mic_thread: threading.Thread | None = None
        self._speaking_paused = False
        self._loaded = False
        self._pending: set[Future[None]] = set()
        self._shut_down = False
        self._retrying = False
        self._sample_rate: int | None = None
        self._switches = 0
        """How many times the window switched conversation: a turn that began before the last switch
        belongs to the conversation left behind."""

    # ---- start-up ---------------------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """True once every model is loaded and warm."""
        return self._loaded

    def load(self) -> None:
        """Open the microphone and load and warm the models, in the background."""
        self._mic_thread = run_job(
            self.audio.open_source, self._on_mic_opened, self._on_mic_failed, owner=self, name="mic-open"
        )
        self._submit(self._load_models)

    def _on_mic_opened(self, source: AudioSource) -> None:
        if self._shut_down:  # quit while the device was opening
            source.close()
            return
        with self._lock:
            self._source = source
        self.mic_opened.emit()

    def reload_models(self, models: ModelSettings) -> None:
        """Switch models without restarting, in the worker, with the start-up progress signals; a turn asked
        meanwhile waits for the new models."""
        self._loaded = False
        self._submit(lambda: self._reload(models))

    def _reload(self, models: ModelSettings) -> None:
        self.assistant.reload_models(models)
        with self._lock:
            sink, self._sink = self._sink, None  # the new voice may have another sample rate
        if sink is not None:
            sink.close()
        self._load_models(with_memory=False)

    def switch_audio(self, audio: AudioOpeners) -> None:
        """Use other devices from now on (a microphone or speaker chosen in Settings), once the current
        turn is over: no restart needed."""
        self.audio = audio

        def switch() -> None:
            self._close_audio()
            try:
                opened = audio.open_source()
            except AudioDeviceError as error:
                self._on_mic_failed(error)
            else:
                with self._lock:
                    self._source = opened
                self.mic_opened.emit()
            if self._sample_rate is not None:
                self._open_speaker(self._sample_rate)
            self.audio_switched.emit()

        self._submit(switch)

    def _close_audio(self) -> None:
        """Close the microphone and speaker (each taken from under the lock, closed outside it)."""
        with self._lock:
            source, self._source = self._source, None
            sink, self._sink = self._sink, None
        for resource in (source, sink):
            if resource is not None:
                resource.close()

    def _on_mic_failed(self, error: ArisError) -> None:
        log.warning("No microphone: %s", error.message)
        self.audio_problem.emit("microphone", audio_problem_text("microphone", error))

    @property
    def missing_audio(self) -> list[str]:
        """The devices Aris runs without now ("microphone", "speaker")."""
        missing = [] if self._source is not None else ["microphone"]
        if self._sink is None and self._sample_rate is not None:
            missing.append("speaker")
        return missing

    def retry_audio(self) -> None:
        """Open the missing microphone and speaker again: a sound server started or a device was plugged in
        since. Emits audio_recovered for each one that opens; the rest stay missing quietly."""
        missing = self.missing_audio
        if not missing or self._retrying or self._shut_down:
            return
        self._retrying = True
        rate = self._sample_rate
        rescan = missing == [
            "microphone",
            "speaker",
        ]  # PortAudio may only re-read devices with no stream open

        def reopen() -> AudioRetry:
            if rescan:
                rescan_devices()
            source = sink = None
            if "microphone" in missing:
                try:
                    source = self.audio.open_source()
                except AudioDeviceError as error:
                    log.info("Microphone still missing: %s", error.message)
            if "speaker" in missing and rate is not None:
                try:
                    sink = self.audio.open_sink(rate)
                except AudioDeviceError as error:
                    log.info("Speaker still missing: %s", error.message)
            return AudioRetry(source, sink)

        run_job(reopen, self._on_audio_retried, self._on_retry_failed, owner=self, name="audio-retry")

    def _on_retry_failed(self, error: ArisError) -> None:
        self._retrying = False
        log.warning("Retrying audio failed: %s", error.message)

    def _on_audio_retried(self, result: AudioRetry) -> None:
        self._retrying = False
        if self._shut_down:
            for resource in (result.source, result.sink):
                if resource is not None:
                    resource.close()
            return
        if result.source is not None:
            with self._lock:
                self._source = result.source
            self.mic_opened.emit()
            self.audio_recovered.emit("microphone")
        if result.sink is not None:
            sink = GatedSink(result.sink)
            sink.set_paused(self._speaking_paused)
            with self._lock:
                self._sink = sink
            self.audio_recovered.emit("speaker")

    def _load_models(self, with_memory: bool = True) -> None:
        factory = self.assistant.factory
        steps = [
            ("Loading speech recognition…", factory.transcriber),
            ("Loading the language model…", factory.responder),
            ("Loading the voice…", factory.reply_synthesizer),
            *([("Opening your memories…", self._load_memory)] if with_memory else []),
            ("Warming up…", factory.warm_up),
            ("Warming up…", self.assistant.skills.warm_up),  # templates compiled before the first request
        ]
        try:
            for index, (label, step) in enumerate(steps):
                self.loading_progressed.emit(LoadStep(label, index, len(steps)))
                step()
            _ = self.assistant.pipeline
        except ArisError as error:
            log.warning("Loading failed: %s", error, exc_info=True)
            self.loading_failed.emit(error.message)
            return
        self._open_speaker(factory.reply_synthesizer().sample_rate)
        self._loaded = True
        log.info("Models loaded: %s", factory.load_times.seconds)
        self.models_loaded.emit(dict(factory.load_times.seconds))

    def _load_memory(self) -> None:
        if self._open_memory is None:
            return
        try:
            store = self._open_memory(self.assistant)
        except ArisError as error:
            # Aris still answers without memory; the user is told why.
            log.warning("Memory unavailable: %s", error.message, exc_info=True)
            self.audio_problem.emit("memory", error.message)
            return
        if store is not None:
            self.memory_opened.emit(store)

    def _open_speaker(self, sample_rate: int) -> None:
        self._sample_rate = sample_rate
        try:
            sink = GatedSink(self.audio.open_sink(sample_rate))
        except AudioDeviceError as error:
            log.warning("No speaker: %s", error.message)
            self.audio_problem.emit("speaker", audio_problem_text("speaker", error))
            return
        sink.set_paused(self._speaking_paused)
        with self._lock:
            self._sink = sink

    # ---- turns ------------------------------------------------------------------------------------------

    @property
    def has_microphone(self) -> bool:
        """True once the microphone is open."""
        return self._source is not None

    def mic_level(self) -> float:
        """RMS level of the latest microphone frame (0 when there is no microphone)."""
        source = self._source
        return source.level if source is not None else 0.0

    def ask(self, text: str) -> None:
        """Answer a typed question; a turn in progress is stopped first."""
        cancel = self._new_turn("typed question")
        microphone = self._live_microphone()
        switches = self._switches
        self._submit(
            lambda: self._run(
                lambda: self.assistant.ask(text, self._sink, cancel, microphone=microphone), switches
            )
        )

    def start_listening(self) -> bool:
        """Listen for a spoken question (push-to-talk pressed); False when there is no microphone."""
        source = self._source
        if source is None:
            return False
        cancel = self._new_turn("new question")
        log.info("Listening for a question")
        microphone = self._live_microphone()
        # From the key press, not from when the worker gets there (a reply still unwinding, a busy machine).
        arming = microphone.start_listening() if microphone is not None else None

        def listen() -> None:
            try:
                self.assistant.listen_and_answer(
                    source, self._sink, cancel, live=microphone is not None, push_to_talk=True
                )
            finally:
                if microphone is not None and arming is not None:
                    microphone.disarm(arming)  # the turn failed before it listened

        switches = self._switches
        self._submit(lambda: self._run(listen, switches))
        return True

    def _live_microphone(self) -> MicrophoneSource | None:
        """The real microphone, which keeps listening while Aris speaks (for barge-in); a WAV file standing
        in for one cannot hear the user interrupt."""
        source = self._source
        return source if isinstance(source, MicrophoneSource) else None

    def stop_listening(self) -> None:
        """The user finished speaking (push-to-talk released)."""
        source = self._source
        if source is not None:
            source.stop_listening()

    def stop(self) -> None:
        """Stop the current turn now: silence, abort generation (the engine's barge-in)."""
        self._turns.cancel("stopped by the user")

    def set_speaking_paused(self, paused: bool) -> None:
        """Pause or resume speaking replies (the text keeps streaming)."""
        self._speaking_paused = paused
        sink = self._sink
        if sink is not None:
            sink.set_paused(paused)

    def set_memory_enabled(self, enabled: bool) -> None:
        """Recall and learn from the next turn on (or stop doing so)."""

        def apply() -> None:
            self.assistant.set_memory_enabled(enabled)

        if self._loaded:
            self._submit(apply)

    def set_voice_speed(self, speed: float) -> None:
        """Speak at this pace from the next sentence on, without reloading the voice."""
        if not self._loaded:
            return  # the voice loads with the new settings' speed
        self.assistant.factory.reply_synthesizer().set_speed(speed)

    def test_voice(self, output_device: str | None, speed: float) -> None:
        """Say a short sentence on a speaker at a speed (the settings dialog's test button)."""

        def speak() -> None:
            from app.engine_factory import EngineFactory

            models = self.assistant.settings.models.model_copy(update={"voice_speed": speed})
            voice = EngineFactory(models, self.assistant.paths).reply_synthesizer()
            try:
                if output_device is None:
                    sink = self.audio.open_sink(voice.sample_rate)
                else:
                    sink = SpeakerSink(voice.sample_rate, output_device)
            except AudioDeviceError as error:
                self.audio_problem.emit("speaker", error.message)
                return
            for chunk in voice.synthesize("Hello! This is how I sound."):
                sink.play(chunk)
            sink.wait_done()
            sink.close()

        self._submit(speak)

    def announce(self, text: str) -> None:
        """Ring (a chime on the speaker) and say ``text``: a timer or reminder came due."""

        def ring() -> None:
            from app.skills.alarms import ring_aloud

            sink = self._sink
            if sink is None:
                return
            voice = self.assistant.factory.reply_synthesizer()
            ring_aloud(text, sink, voice.synthesize(text), voice.sample_rate)
            log.info("Announced: %s", text)

        self._submit(ring)

    def _new_turn(self, reason: str) -> CancelToken:
        return self._turns.next(reason)

    # ---- hands-free's turn runner (app.hands_free.TurnRunner) -----------------------------------------

    def new_turn(self, reason: str) -> CancelToken:
        """Stop the running turn (an answer, a push-to-talk question) for ``reason``; the next one's token."""
        return self._new_turn(reason)

    def submit(self, job: Callable[[], None]) -> None:
        """Run a hands-free conversation on the worker, after what is queued, logged like any turn."""
        switches = self._switches
        self._submit(lambda: self._run(job, switches))

    @property
    def live_microphone(self) -> MicrophoneSource | None:
        """The open microphone, when it is a real one (hands-free listens on it)."""
        return self._live_microphone()

    @property
    def sink(self) -> AudioSink | None:
        """The speaker replies go to (None until the voice is loaded, or without one)."""
        return self._sink

    def switch_conversation(
        self, conversation_id: str | None, history: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Continue a past conversation with its (question, answer) pairs, or start a new one (None); the
        current turn is stopped first."""
        self._switches += 1
        self._new_turn("switched conversation")
        pairs = list(history)
        self._submit(lambda: self.assistant.switch_conversation(conversation_id, pairs))

    def _run(self, turn, switches: int) -> None:
        """Run a turn begun after ``switches`` conversation switches (the worker runs the switch itself
        after this turn, so the turn is logged in the conversation it was asked in)."""
        try:
            turn()
            if self.assistant.conversation_id is not None:
                self.conversation_logged.emit(self.assistant.conversation_id, switches == self._switches)
        except ArisError as error:
            # The pipeline already emitted TurnFailed for engine errors raised inside a turn; errors before
            # the turn began (a model that will not load) are reported here.
            log.warning("Turn failed: %s", error.message, exc_info=True)
            if not isinstance(error, EngineError):
                self.turn_failed.emit(error.code, error.message)
                self.state_changed.emit(TurnState.IDLE)

    def _submit(self, job) -> None:
        future = self._worker.submit(self._guarded, job)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def _guarded(self, job) -> None:
        """The worker thread's boundary: a bug must reach the user as a message, not vanish in a thread."""
        try:
            job()
        except Exception as error:
            log.exception("Unexpected error in the engine worker")
            self.turn_failed.emit("internal", f"Something went wrong ({error}). Details are in the log.")
            self.state_changed.emit(TurnState.IDLE)

    # ---- engine events (worker thread) -------------------------------------------------------------------

    def _on_engine_event(self, event: TurnEvent) -> None:
        if isinstance(event, StateChanged):
            self.state_changed.emit(event.state)
        elif isinstance(event, TurnStarted):
            self.turn_started.emit(event.turn_id, event.spoken)
        elif isinstance(event, TranscriptReady):
            self.transcript_ready.emit(event.turn_id, event.text)
        elif isinstance(event, TokenGenerated):
            self.token_generated.emit(event.turn_id, event.text)
        elif isinstance(event, TurnFinished):
            if event.sources:
                self.sources_ready.emit(event.turn_id, event.sources)
            self.turn_finished.emit(event.turn_id, event.reply)
        elif isinstance(event, TurnCancelled):
            self.turn_cancelled.emit(event.turn_id, event.reply_heard)
        elif isinstance(event, TurnFailed):
            self.turn_failed.emit(event.code, event.message)

    # ---- shutdown ---------------------------------------------------------------------------------------

    def shutdown(self, timeout: float = 3.0) -> None:
        """Stop in a fixed order: the turn, the input, the worker, the output."""
        self._shut_down = True
        self.stop()
        self.stop_listening()
        if self._mic_thread is not None:
            self._mic_thread.join(timeout)
        self._worker.shutdown(wait=False, cancel_futures=True)
        for future in list(self._pending):
            try:
                future.result(timeout=timeout)
            except Exception:
                log.debug("Worker job ended with an error during shutdown", exc_info=True)
        self._close_audio()
        self.assistant.close()  # lets memory finish learning from the last turn, then closes the store
