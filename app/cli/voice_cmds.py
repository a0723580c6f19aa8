"""Voice commands: transcribe, say, ask, listen, hands-free."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.assistant import Assistant
from app.cli import CommandContext, Commands
from app.cli.common import print_json, settings_for
from app.engine_factory import EngineFactory
from engine.audio import MicrophoneSource, SpeakerSink, WavSink, WavSource, read_wav, write_wav
from engine.errors import AudioDeviceError
from engine.events import EventType, TokenGenerated, TurnEvent
from engine.pipeline import TurnResult
from engine.tts import synthesize_all
from engine.wake import WakeWord, wake_word_named

if TYPE_CHECKING:
    from app.hands_free import HandsFreeSettings
    from app.skills.alarms import AlarmBell


def register(commands: Commands) -> None:
    """Add the voice commands to the CLI."""
    p = commands.add_parser("transcribe", help="print the text spoken in audio files")
    p.add_argument("files", nargs="+", type=Path, metavar="IN.wav")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.set_defaults(handler=transcribe)

    p = commands.add_parser("say", help="speak TEXT into a WAV file")
    p.add_argument("text")
    p.add_argument("out", type=Path, metavar="OUT.wav")
    p.set_defaults(handler=say)

    p = commands.add_parser("ask", help="ask a typed question; the reply prints as it streams")
    p.add_argument("text")
    p.add_argument("--speak", type=Path, metavar="OUT.wav", help="also write the spoken reply to OUT.wav")
    add_answer_options(p)
    p.set_defaults(handler=ask)

    p = commands.add_parser("listen", help="answer one spoken question from the microphone or IN.wav")
    p.add_argument("input", nargs="?", type=Path, metavar="IN.wav", help="a recorded question (default: mic)")
    p.add_argument("--speak", type=Path, metavar="OUT.wav", help="write the spoken reply to OUT.wav")
    add_answer_options(p)
    p.set_defaults(handler=listen)

    p = commands.add_parser(
        "hands-free", help="listen for the wake word and answer each question after it, until Ctrl-C"
    )
    p.add_argument(
        "--wake-word",
        metavar="NAME",
        help="okay_nabu, hey_jarvis, hey_mycroft or alexa (default: the setting, else hey_jarvis)",
    )
    p.add_argument(
        "--follow-up",
        type=float,
        metavar="SECONDS",
        help="seconds after an answer in which a follow-up needs no wake word (default: the setting, 5)",
    )
    p.add_argument("--json", action="store_true", help="print one {transcript, reply, timings} line a turn")
    p.set_defaults(handler=hands_free)


def add_answer_options(p: argparse.ArgumentParser) -> None:
    """The options ``ask`` and ``listen`` share: how the answer prints and which model gives it."""
    p.add_argument("--json", action="store_true", help="print {transcript, reply, timings} when done")
    p.add_argument("--llm", metavar="PATH", help="use this GGUF chat model instead of the configured one")
    p.add_argument(
        "--llm-url",
        metavar="URL",
        help="answer with an OpenAI-compatible server (Ollama, LM Studio, llama.cpp, vLLM), e.g. "
        "http://127.0.0.1:11434/v1",
    )


def transcribe(ctx: CommandContext) -> int:
    """`transcribe IN.wav …`: load the model once, one line per file."""
    factory = EngineFactory(settings_for(ctx).models, ctx.paths)
    stt = factory.transcriber()
    for path in ctx.args.files:
        transcript = stt.transcribe(read_wav(path), skip_silence=True)
        if ctx.args.json:
            print_json(
                {
                    "path": str(path),
                    "text": transcript.text,
                    "audio_seconds": round(transcript.audio_seconds, 3),
                    "rtf": round(transcript.real_time_factor, 4),
                }
            )
        else:
            print(f"{path}\t{transcript.text}", flush=True)
    return 0


def say(ctx: CommandContext) -> int:
    """`say TEXT OUT.wav`."""
    tts = EngineFactory(settings_for(ctx).models, ctx.paths).synthesizer()
    if not ctx.args.text.strip():
        print("aris: nothing to say: TEXT is empty", file=sys.stderr)
        return 1
    audio, _seconds = synthesize_all(tts, ctx.args.text)
    write_wav(ctx.args.out, audio.samples, audio.sample_rate)
    return 0


def _streaming_printer(enabled: bool) -> Callable[[TurnEvent], None]:
    def on_event(event: TurnEvent) -> None:
        if enabled and event.type is EventType.TOKEN_GENERATED:
            assert isinstance(event, TokenGenerated)
            sys.stdout.write(event.text)
            sys.stdout.flush()

    return on_event


def _report(ctx: CommandContext, result: TurnResult) -> None:
    if ctx.args.json:
        print_json(
            {
                "transcript": result.transcript,
                "reply": result.reply,
                "timings": result.times.as_ms(),
                "cancelled": result.cancelled,
                "skill": result.skill,
                "sources": [{"path": s.path, "page": s.page, "text": s.text} for s in result.sources],
            }
        )
    else:
        sys.stdout.write("\n")
        for source in result.sources:
            print(f"  source: {source.path}" + (f", page {source.page}" if source.page else ""))


def ask(ctx: CommandContext) -> int:
    """`ask TEXT [--speak OUT.wav] [--json]`."""
    assistant = Assistant(ctx.paths, settings_for(ctx), on_event=_streaming_printer(not ctx.args.json))
    assistant.open_memory_in_background()  # overlaps the language model's load
    sink = WavSink() if ctx.args.speak else None
    try:
        result = assistant.ask(ctx.args.text, sink)
    finally:
        assistant.close()  # waits for memory to learn from the turn before the process exits
    if sink is not None:
        sink.save(ctx.args.speak)
    _report(ctx, result)
    return 0


def _open_audio(
    ctx: CommandContext, assistant: Assistant
) -> tuple[WavSource | MicrophoneSource, WavSink | SpeakerSink | None]:
    """The question's source and the reply's sink for `listen`."""
    settings = assistant.settings
    if ctx.args.input is not None:
        source: WavSource | MicrophoneSource = WavSource.from_file(ctx.args.input, pad_seconds=1.0)
    else:
        assistant.pipeline  # noqa: B018 - load the models before asking the user to speak
        source = MicrophoneSource(settings.audio.input_device)
    if ctx.args.speak:
        return source, WavSink()
    if ctx.args.input is None:
        # A live question gets a spoken answer; a recorded one just prints unless --speak asks for a file.
        return source, SpeakerSink(
            assistant.factory.reply_synthesizer().sample_rate, settings.audio.output_device
        )
    return source, None


def _alarm_bell(
    ctx: CommandContext,
    assistant: Assistant,
    sink: object,
    submit: Callable[[Callable[[], None]], None],
) -> AlarmBell | None:
    """Timers, reminders and alarms ring (chime, then words) on the command's speaker while it runs; None
    without a speaker (a WAV file in, the answer printed)."""
    if not isinstance(sink, SpeakerSink):
        return None
    from app.skills.alarms import AlarmBell
    from app.skills.store import SkillStore
    from app.storage.database import open_database

    voice = assistant.factory.reply_synthesizer()
    store = SkillStore(open_database(ctx.paths.database))
    bell = AlarmBell(
        store,
        sink,
        voice.synthesize,
        voice.sample_rate,
        submit=submit,
        language=lambda: assistant.settings.models.language,
    )
    bell.start()
    return bell


def _close_bell(bell: AlarmBell | None) -> None:
    if bell is not None:
        bell.stop()
        bell.store.db.conn.close()


def listen(ctx: CommandContext) -> int:
    """`listen [IN.wav] [--speak OUT.wav] [--json]`: one voice turn; on the speaker, an alarm that comes
    due meanwhile rings right after the answer."""
    streaming = not ctx.args.json
    assistant = Assistant(ctx.paths, settings_for(ctx), on_event=_streaming_printer(streaming))
    source, sink = _open_audio(ctx, assistant)
    microphone = source if isinstance(source, MicrophoneSource) else None
    live = microphone is not None
    held: list[Callable[[], None]] = []
    bell = _alarm_bell(ctx, assistant, sink, held.append)
    try:
        if microphone is not None:
            if not microphone.wait_ready():
                raise AudioDeviceError(
                    "The microphone opened but delivers no sound. Run: python main.py doctor"
                )
            microphone.start_listening()  # from the prompt on, not from when the turn's thread gets there
            print("Listening… speak now.", file=sys.stderr, flush=True)
        result = assistant.listen_and_answer(source, sink, live=live and isinstance(sink, SpeakerSink))
        if bell is not None:
            bell.stop()
            for ring in held:  # what came due during the turn rings once the answer is over
                ring()
            bell.ring_due()
    finally:
        _close_bell(bell)
        if isinstance(sink, SpeakerSink):
            sink.close()
        if microphone is not None:
            microphone.close()
        assistant.close()  # waits for memory to learn from the turn before the process exits
    if result is None:
        print("aris: no speech heard.", file=sys.stderr)
        return 1
    if streaming and result.transcript:
        print(f"\n(you said: {result.transcript})", file=sys.stderr)
    if isinstance(sink, WavSink):
        sink.save(ctx.args.speak)
    _report(ctx, result)
    return 0


def _hands_free_settings(ctx: CommandContext, assistant: Assistant) -> HandsFreeSettings | str:
    """The wake word and follow-up window from the flags, else the settings; or what is wrong with them."""
    from app.hands_free import HandsFreeSettings

    audio = assistant.settings.audio
    try:
        wake_word = wake_word_named(ctx.args.wake_word) if ctx.args.wake_word else audio.wake_word
        follow_up = audio.follow_up_seconds if ctx.args.follow_up is None else ctx.args.follow_up
        return HandsFreeSettings(wake_word=wake_word or WakeWord.HEY_JARVIS, follow_up_s=follow_up)
    except ValueError as error:
        return str(error)


def hands_free(ctx: CommandContext) -> int:
    """`hands-free [--wake-word NAME] [--follow-up S] [--json]`: the wake word, then a question, until
    interrupted (Ctrl-C or SIGTERM)."""
    import signal
    import threading

    from app.hands_free import HandsFree, HandsFreeState

    streaming = not ctx.args.json
    assistant = Assistant(ctx.paths, settings_for(ctx), on_event=_streaming_printer(streaming))
    settings = _hands_free_settings(ctx, assistant)
    if isinstance(settings, str):
        print(f"aris: {settings}.", file=sys.stderr)
        return 1
    ctx.args.input = None
    ctx.args.speak = None
    source, sink = _open_audio(ctx, assistant)
    assert isinstance(source, MicrophoneSource)
    stop = threading.Event()

    def on_state(state: HandsFreeState) -> None:
        lines = {
            HandsFreeState.WAITING: f"Say '{settings.wake_word.phrase}' to ask.",
            HandsFreeState.LISTENING: "Listening… ask your question.",
            HandsFreeState.FOLLOW_UP: f"Listening for a follow-up ({settings.follow_up_s:g} s)…",
            HandsFreeState.MUTED: "Muted.",
        }
        print(lines[state], file=sys.stderr, flush=True)

    def on_result(result: TurnResult) -> None:
        if ctx.args.json:
            _report(ctx, result)
        elif result.transcript:
            print(f"\n(you said: {result.transcript})", file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    loop: HandsFree | None = None
    bell: AlarmBell | None = None
    try:
        if not source.wait_ready():
            raise AudioDeviceError("The microphone opened but delivers no sound. Run: python main.py doctor")
        loop = HandsFree(assistant, source, sink, settings, on_state=on_state, on_result=on_result)
        bell = _alarm_bell(ctx, assistant, sink, loop.run_between_turns)
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        _close_bell(bell)
        signal.signal(signal.SIGTERM, previous)
        if loop is not None:
            loop.close()
        if isinstance(sink, SpeakerSink):
            sink.close()
        source.close()
        assistant.close()
    return 0
