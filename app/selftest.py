"""`aris --self-test`: a headless end-to-end check of an installed or bundled Aris.

It exists for the packaged app: a PyInstaller bundle can build cleanly and still miss a data file or a native
library that only a real run touches. So every step runs the real code path on the real default models, in a
temporary data folder, and the exit status is 0 only if every step passed. Each step prints its time.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from app.config import ModelSettings
from app.engine_factory import EngineFactory
from app.paths import DataPaths
from models import ModelKind, default_models, resolve_model
from models.locate import is_frozen, resource_path

log = logging.getLogger(__name__)

SAMPLE = ("selftest", "question.wav")
"""A spoken question under resources/ (espeak-ng's voice, not Aris's own, so STT is not hearing itself)."""
SAMPLE_QUESTION = "What is the capital of France?"
SAMPLE_WORDS = ("capital", "france")
"""Words the transcript must contain; exact wording and punctuation vary with the decoder."""
MEMORY_FACT = "My sister's name is Alice."
MEMORY_QUERY = "What is my sister called?"
MEMORY_EXPECT = "alice"


class SelfTestError(Exception):
    """A step ran but its result was wrong; the message says what was expected."""


@dataclass
class SelfTestContext:
    """What the steps share: the temporary data folder, the loaded models, and earlier steps' outputs."""

    paths: DataPaths
    factory: EngineFactory
    transcript: str | None = None
    reply: str | None = None


@dataclass(frozen=True)
class StepResult:
    """One step's outcome, as printed."""

    name: str
    ok: bool
    seconds: float
    detail: str


Step = Callable[[SelfTestContext], str]


def step_models(ctx: SelfTestContext) -> str:
    """Every default model is found (inside the bundle when frozen) and matches its checksum."""
    resolved = [resolve_model(name, ctx.paths.cache_dir) for name in default_models()]
    total = sum(f.size for model in resolved for f in model.spec.files)
    llm = next(model.path for model in resolved if model.spec.kind is ModelKind.LLM)
    return f"{len(resolved)} models, {total / 1e6:.0f} MB verified; the LLM is {llm}"


def step_portaudio(ctx: SelfTestContext) -> str:
    """PortAudio loads (recording and playback need it; no device is opened here)."""
    import sounddevice

    return f"{sounddevice.get_portaudio_version()[1]} from {getattr(sounddevice, '_libname', '?')}"


def step_transcribe(ctx: SelfTestContext) -> str:
    """Whisper (with Silero VAD, which faster-whisper ships as a data file) transcribes the spoken sample."""
    from engine.audio import read_wav

    sample = resource_path(*SAMPLE)
    audio = read_wav(sample)
    transcript = ctx.factory.transcriber().transcribe(audio, skip_silence=True)
    ctx.transcript = transcript.text
    heard = transcript.text.lower()
    missing = [word for word in SAMPLE_WORDS if word not in heard]
    if missing:
        raise SelfTestError(f"heard {transcript.text!r}, expected the words {', '.join(missing)}")
    return f"{transcript.text!r} (RTF {transcript.real_time_factor:.2f})"


def step_answer(ctx: SelfTestContext) -> str:
    """The language model answers the transcribed question, streamed as in a real turn."""
    from engine.conversation import Conversation

    question = ctx.transcript or SAMPLE_QUESTION
    messages = Conversation().build(question)
    reply = "".join(ctx.factory.responder().respond(messages)).strip()
    if not any(ch.isalpha() for ch in reply):
        raise SelfTestError(f"the model's reply has no words: {reply!r}")
    ctx.reply = reply
    return repr(reply)


def step_speak(ctx: SelfTestContext) -> str:
    """Piper (with its bundled espeak-ng data) speaks the answer into a WAV file."""
    from engine.audio import write_wav
    from engine.tts import synthesize_all

    text = ctx.reply or "The answer could not be generated, so this sentence is spoken instead."
    audio, _seconds = synthesize_all(ctx.factory.synthesizer(), text)
    seconds = len(audio.samples) / audio.sample_rate
    loudness = float(np.sqrt(np.mean(np.square(audio.samples)))) if audio.samples.size else 0.0
    if seconds < 0.3 or loudness < 1e-3:
        raise SelfTestError(f"the voice produced {seconds:.2f} s of audio at RMS {loudness:.4f}")
    out = ctx.paths.root / "reply.wav"
    write_wav(out, audio.samples, audio.sample_rate)
    return f"{seconds:.1f} s of speech at {audio.sample_rate} Hz"


def step_vector_store(ctx: SelfTestContext) -> str:
    """Chroma's embedded store (its Rust bindings and SQL migrations) writes and queries vectors on disk."""
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(
        path=str(ctx.paths.root / "chroma-selftest"), settings=Settings(anonymized_telemetry=False)
    )
    # No embedding function: Chroma's default one would try to download a model.
    collection = client.get_or_create_collection(
        "selftest", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    collection.add(
        ids=["near", "far"], embeddings=np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    )
    found = collection.query(query_embeddings=np.array([[0.9, 0.1, 0.0]], dtype=np.float32), n_results=1)[
        "ids"
    ][0]
    if found != ["near"]:
        raise SelfTestError(f"the nearest vector should be 'near', got {found}")
    return f"chromadb {chromadb.__version__}"


def step_memory(ctx: SelfTestContext) -> str:
    """The memory store keeps a fact on disk and recalls it, after a reopen, for a differently worded
    question (SQLite, the MiniLM embedder and Chroma together)."""
    from app.memory.service import MemoryService

    service = MemoryService.open(ctx.paths)
    try:
        service.add(MEMORY_FACT)
    finally:
        service.close()
    service = MemoryService.open(ctx.paths)
    try:
        recalled = service.recall(MEMORY_QUERY)
    finally:
        service.close()
    if not recalled or MEMORY_EXPECT not in recalled[0].lower():
        raise SelfTestError(f"asked {MEMORY_QUERY!r}, recalled {recalled}; expected {MEMORY_FACT!r} first")
    return f"recalled {recalled[0]!r}"


STEPS: tuple[tuple[str, Step], ...] = (
    ("models", step_models),
    ("portaudio", step_portaudio),
    ("transcribe", step_transcribe),
    ("answer", step_answer),
    ("speak", step_speak),
    ("vector store", step_vector_store),
    ("memory", step_memory),
)


def run_step(name: str, step: Step, ctx: SelfTestContext) -> StepResult:
    """Run one step and time it. Any error becomes a failed step, because the point of a self-test is to
    report every broken part of a build in one run; the traceback goes to the log (-v shows it)."""
    started = time.monotonic()
    try:
        detail = step(ctx)
        ok = True
    except Exception as error:  # reported as FAIL and in the exit status (see the docstring)
        log.warning("Self-test step %s failed", name, exc_info=True)
        detail = str(error) if isinstance(error, SelfTestError) else _describe(error)
        ok = False
    return StepResult(name, ok, time.monotonic() - started, detail)


def run_self_test(out: TextIO | None = None, steps: tuple[tuple[str, Step], ...] = STEPS) -> int:
    """Run every step in a temporary data folder; 0 if all passed, 1 otherwise."""
    out = out or sys.stdout
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aris-selftest-") as folder:
        paths = DataPaths(Path(folder)).ensure()
        ctx = SelfTestContext(paths, EngineFactory(ModelSettings(), paths))
        where = f"bundle {sys._MEIPASS}" if is_frozen() else f"source {resource_path().parent}"  # type: ignore[attr-defined]
        print(f"Aris self-test ({where}); temporary data in {folder}", file=out, flush=True)
        results = []
        for name, step in steps:
            result = run_step(name, step, ctx)
            results.append(result)
            status = "ok  " if result.ok else "FAIL"
            print(f"  {status} {name:<13}{result.seconds:6.2f} s  {result.detail}", file=out, flush=True)
    failed = [r.name for r in results if not r.ok]
    total = time.monotonic() - started
    if failed:
        print(f"Self-test FAILED: {', '.join(failed)} ({total:.1f} s)", file=out, flush=True)
        return 1
    print(f"Self-test passed: {len(results)} steps in {total:.1f} s", file=out, flush=True)
    return 0


def _describe(error: Exception) -> str:
    """Our coded errors carry a sentence for a person; anything else is shown with its type."""
    return getattr(error, "message", None) or f"{type(error).__name__}: {error}"
