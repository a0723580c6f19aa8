"""`bench`: benchmarks. The voice turn by default; `bench live` for the whole voice loop heard through a private
sound server; `bench stt` for Whisper's accuracy and speed per encoder window; `bench memory` for the memory
store; `bench recall` for recall quality on the generated evaluation (with `--locomo PATH`, on a
long-conversation benchmark in LoCoMo's format); `bench skills` for the skills layer; `bench llm` for the chat
models; `bench sync` for end-to-end encrypted sync between two devices; `bench wake` for the wake word (false
accepts, false rejects, CPU, latency); `bench endpoint` for the adaptive end of turn against the fixed wait; `bench docs` for answering from
documents (retrieval recall, not-found rate, indexing speed, query latency)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import CommandContext, Commands, Handler

if TYPE_CHECKING:
    from app.bench.wake import WakeBenchOptions

SUITES = ("voice", "live", "stt", "memory", "recall", "sync", "skills", "llm", "wake", "endpoint", "docs")


def register(commands: Commands, extra_suites: Mapping[str, Handler] | None = None) -> None:
    """Add `bench` to the CLI, with the suites that layers above `app/` add (the desktop's `startup`)."""
    extra_suites = dict(extra_suites or {})
    names = [*SUITES, *extra_suites]
    p = commands.add_parser(
        "bench", help=f"measure voice-turn latency (or: bench {', bench '.join(names[1:])})"
    )
    p.add_argument("suite", nargs="?", default="voice", choices=names, help="what to measure")
    p.add_argument("--turns", type=int, default=5, help="voice turns per pipeline (default 5)")
    p.add_argument(
        "--conversation-turns",
        type=int,
        default=20,
        help="turns of the one long conversation, memory on (default 20)",
    )
    p.add_argument(
        "--conversations",
        type=int,
        default=3,
        help="long conversations, each figure their median (default 3)",
    )
    p.add_argument("--cli-runs", type=int, default=3, help="fresh `ask` processes timed (default 3)")
    p.add_argument(
        "--count",
        type=int,
        help="memories for `bench memory` (default 100000) or `bench sync` (default 10000); conversations "
        "for `bench recall` (default all 12); questions for `bench docs` (default all)",
    )
    p.add_argument(
        "--runs",
        type=int,
        default=5,
        help="app launches for `bench startup`, talk processes for `bench desktop` (default 5)",
    )
    p.add_argument(
        "--echo-minutes",
        type=float,
        default=2.0,
        help="`bench live`: minutes of echoed reply checked for self-interruptions (default 2)",
    )
    p.add_argument(
        "--hesitant",
        type=int,
        default=30,
        help="`bench live`: questions with a pause inside them, for the hands-free cut-off rate (default 30)",
    )
    p.add_argument(
        "--stt-ms",
        type=int,
        default=300,
        help="`bench endpoint`: when a pause's transcript is taken to be ready, ms after the pause's "
        "speculation starts (default 300, Whisper tiny.en on a quiet 2-core machine)",
    )
    p.add_argument(
        "--hands-free-only",
        action="store_true",
        help="`bench live`: only the hands-free figures (first audio and cut-offs, adaptive and fixed wait)",
    )
    p.add_argument(
        "--models", metavar="ID,…", help="`bench llm`: these chat models (default: every installed one)"
    )
    p.add_argument(
        "--limit", type=int, help="`bench llm`, `bench stt`: only the first N questions or sentences"
    )
    p.add_argument(
        "--corpus",
        metavar="DIR",
        type=Path,
        help="`bench docs`: a folder of documents with a questions.jsonl "
        "(default ../shared/data/documents/squad-dev)",
    )
    p.add_argument(
        "--locomo",
        metavar="PATH",
        type=Path,
        help="`bench recall`: evidence recall on a file in LoCoMo's format instead of the generated set",
    )
    p.add_argument(
        "--samples",
        metavar="ID,…",
        help="`bench recall --locomo`: only these conversations (sample ids, e.g. conv-42,conv-43), to check "
        "a change on conversations it was not decided on",
    )
    p.add_argument(
        "--file",
        type=Path,
        metavar="PATH",
        help="`bench skills`: a TSV of requests with the columns text and skill (a skill, alternatives a|b, "
        "or none for the language model) instead of our own set; `bench wake`: the sentences spoken without "
        "the wake word (a TSV with a text column, e.g. HWU64's, or one sentence a line)",
    )
    p.add_argument(
        "--wake-word",
        default="hey_jarvis",
        help="`bench wake`: okay_nabu, hey_jarvis, hey_mycroft or alexa (default hey_jarvis)",
    )
    p.add_argument("--positives", type=int, default=200, help="`bench wake`: wake phrases said (default 200)")
    p.add_argument(
        "--wake-threshold",
        type=float,
        help="`bench wake`: the detector's cut-off between 0 and 1 (default: the model's own, 0.97 for "
        "hey_jarvis)",
    )
    p.add_argument(
        "--negative-minutes",
        type=int,
        default=60,
        help="`bench wake`: minutes of speech, music and noise without the wake word (default 60)",
    )
    p.add_argument(
        "--language",
        choices=("en", "ru"),
        default="en",
        help="`bench skills`: whose labelled set to run without --file (tests/skills/utterances_LANG.tsv); "
        "default en",
    )
    p.add_argument(
        "--hwu64",
        action="store_true",
        help="`bench skills --file`: the file is HWU64's (text, intent); its intents map to skills as "
        "app/bench/hwu64.py says",
    )
    p.add_argument(
        "--replies",
        action="store_true",
        help="`bench skills --file`: check the replies themselves (sums, times, dates, alarms, lists) on the "
        "requests of an HWU64-format file (text, intent, annotated) whose right answer can be worked out",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(handler=bench, extra_suites=extra_suites)


def bench(ctx: CommandContext) -> int:
    """Run the chosen benchmark."""
    run = ctx.args.extra_suites.get(ctx.args.suite) or _SUITE_RUNNERS[ctx.args.suite]
    return run(ctx)


def _memory_bench(ctx: CommandContext) -> int:
    from app.bench.memory import run_memory_bench

    run_memory_bench(ctx.paths, count=ctx.args.count or 100_000, as_json=ctx.args.json)
    return 0


def _recall_bench(ctx: CommandContext) -> int:
    from app.bench.recall import run_recall_bench

    if ctx.args.locomo is not None:
        return _locomo_bench(ctx, ctx.args.locomo)
    run_recall_bench(ctx.paths, as_json=ctx.args.json, count=ctx.args.count)
    return 0


def _locomo_bench(ctx: CommandContext, path: Path) -> int:
    """`bench recall --locomo PATH`; a missing file skips with one line (the data is not in the repository)."""
    from app.bench.locomo import run_locomo_bench
    from app.memory.errors import MemoryImportError

    if not path.is_file():
        print(f"bench recall: skipped, there is no LoCoMo file at {path}.", file=sys.stderr)
        return 0
    try:
        run_locomo_bench(ctx.paths, path, as_json=ctx.args.json, conversations=ctx.args.samples)
    except MemoryImportError as error:
        print(f"aris: {error.message}", file=sys.stderr)
        return 1
    return 0


def _docs_bench(ctx: CommandContext) -> int:
    """`bench docs [--corpus DIR] [--count N] [--json]`; a missing corpus skips with one line (the data is not in
    the repository)."""
    from app.bench.documents import DEFAULT_CORPUS, print_documents_report, run_documents_bench
    from app.cli.common import settings_for
    from app.engine_factory import EngineFactory

    corpus = ctx.args.corpus or DEFAULT_CORPUS
    if not (corpus / "questions.jsonl").is_file():
        print(f"bench docs: skipped, there is no corpus with a questions.jsonl at {corpus}.", file=sys.stderr)
        return 0
    embedder = EngineFactory(settings_for(ctx).models, ctx.paths).embedder()

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    report = run_documents_bench(corpus, embedder, count=ctx.args.count, progress=progress)
    print_documents_report(report, ctx.args.json)
    return 0


def _sync_bench(ctx: CommandContext) -> int:
    from app.bench.sync import run_sync_bench

    run_sync_bench(count=ctx.args.count or 10_000, as_json=ctx.args.json)
    return 0


def _live_bench(ctx: CommandContext) -> int:
    from app.bench.live.run import LiveOptions, run_live_bench

    options = LiveOptions(
        turns=ctx.args.turns,
        echo_minutes=ctx.args.echo_minutes,
        hesitant=ctx.args.hesitant,
        hands_free_only=ctx.args.hands_free_only,
    )
    run_live_bench(ctx.paths, options, as_json=ctx.args.json)
    return 0


def _voice_bench(ctx: CommandContext) -> int:
    from app.bench.voice import run_voice_bench

    args = ctx.args
    if min(args.turns, args.conversation_turns, args.conversations, args.cli_runs) < 1:
        print(
            "aris: --turns, --conversation-turns, --conversations and --cli-runs must be at least 1",
            file=sys.stderr,
        )
        return 1
    run_voice_bench(
        ctx.paths,
        turns=ctx.args.turns,
        as_json=ctx.args.json,
        conversation_turns=ctx.args.conversation_turns,
        conversations=ctx.args.conversations,
        cli_runs=ctx.args.cli_runs,
    )
    return 0


def _bench_llm(ctx: CommandContext) -> int:
    from app.bench.llm import run_llm_bench
    from app.cli.common import print_json, settings_for

    models = [m.strip() for m in ctx.args.models.split(",")] if ctx.args.models else None
    threads = settings_for(ctx).models.threads
    results = run_llm_bench(ctx.paths, models=models, limit=ctx.args.limit, threads=threads)
    from app.model_speed import record_measured

    record_measured(ctx.paths, results)  # the Models page prefers these to its estimate
    if ctx.args.json:
        print_json(results)
        return 0
    print(f"{'model':<28} {'accuracy':>9} {'first token':>12} {'tokens/s':>9} {'RSS MB':>7}")
    for r in results:
        print(
            f"{r['model']:<28} {r['correct']:>4}/{r['questions']:<4} {r['first_token_ms_median']:>9.0f} ms "
            f"{r['tokens_per_second_median']:>9.1f} {r['rss_mb']:>7.0f}"
        )
    return 0


def _stt_bench(ctx: CommandContext) -> int:
    """`bench stt`: word errors and speed of Whisper's shorter window and lead silence against the plain 30 s."""
    from app.bench.stt import run_stt_bench
    from app.cli.common import print_json

    if ctx.args.limit is not None and ctx.args.limit < 1:
        print("aris: --limit must be at least 1", file=sys.stderr)
        return 1
    result = run_stt_bench(ctx.paths, limit=ctx.args.limit)
    if ctx.args.json:
        print_json(result)
        return 0
    clips, sentences, median = result["clips"], result["sentences"], result["clip_seconds_median"]
    print(f"{clips} clips ({sentences} sentences x 3 voices), median {median} s")
    for config in result["configs"]:
        print(
            f"  window {config['window_seconds']:g} s, lead silence {config['lead_silence_seconds']:g} s: "
            f"WER {config['word_error_rate']:.3f}, first word lost {config['first_word_lost']}, "
            f"median {config['transcribe_ms_median']:.0f} ms"
        )
    return 0


def _skills_bench(ctx: CommandContext) -> int:
    """`bench skills`: accuracy, false matches and speed of the skills layer on our labelled set or a file."""
    from app.bench.skills import read_labelled_file, report, run_skills_bench
    from app.cli.common import print_json

    if ctx.args.replies:
        return _replies_bench(ctx)
    if ctx.args.hwu64 and ctx.args.file is None:
        print("aris: --hwu64 needs --file PATH (e.g. ../shared/data/intents/hwu64-test.tsv)", file=sys.stderr)
        return 1
    rows = read_labelled_file(ctx.args.file, hwu64=ctx.args.hwu64) if ctx.args.file else None
    result = run_skills_bench(ctx.args.language, rows=rows)
    if ctx.args.json:
        print_json(report(result))
        return 0
    print(
        f"{result.utterances} utterances ({result.in_scope} skill requests, {result.negatives} others): "
        f"accuracy {result.accuracy:.1%}, false matches {result.false_match_rate:.1%}, "
        f"median {result.median_ms:.2f} ms, p95 {result.p95_ms:.2f} ms "
        f"(processor time: median {result.cpu_median_ms:.2f} ms, p95 {result.cpu_p95_ms:.2f} ms)"
    )
    for skill, figures in result.per_skill.items():
        print(f"  {skill:<22} {figures.right:>5}/{figures.requests:<5} {figures.accuracy:.1%}")
    for text, expected, got in result.misses:
        print(f"  missed: expected {expected}, got {got}: {text}")
    for text, expected, got in result.false_matches:
        print(f"  false match: expected {expected}, got {got}: {text}")
    return 0


def _replies_bench(ctx: CommandContext) -> int:
    """`bench skills --replies --file PATH`: whether the skills' replies are right; a missing file skips with
    one line (the third-party data is not in the repository)."""
    from app.bench.replies import print_replies, read_annotated_file, replies_report, run_replies_bench
    from app.cli.common import print_json

    if ctx.args.file is None or not ctx.args.file.is_file():
        where = "it needs --file PATH" if ctx.args.file is None else f"there is no file at {ctx.args.file};"
        print(
            f"bench skills --replies: skipped, {where} with requests in HWU64's format "
            "(e.g. ../shared/data/intents/hwu64-test.tsv).",
            file=sys.stderr,
        )
        return 0
    result = run_replies_bench(read_annotated_file(ctx.args.file))
    if ctx.args.json:
        print_json(replies_report(result))
    else:
        print_replies(result)
    return 0


def _wake_options(args: argparse.Namespace) -> WakeBenchOptions | str:
    """The options `bench wake` was given, or the sentence that says what is wrong with them."""
    from app.bench.wake import WakeBenchOptions, read_sentences
    from engine.wake import wake_word_named

    if args.positives < 1 or args.negative_minutes < 1:
        return "--positives and --negative-minutes must be at least 1"
    try:
        wake_word = wake_word_named(args.wake_word)
    except ValueError as error:
        return str(error)
    if args.wake_threshold is not None and not 0 < args.wake_threshold < 1:
        return "--wake-threshold must be between 0 and 1"
    sentences = read_sentences(args.file)
    if len(sentences) < 20:
        return f"{args.file} holds {len(sentences)} usable sentences; bench wake needs 20 or more"
    return WakeBenchOptions(
        wake_word=wake_word,
        positives=args.positives,
        negative_minutes=args.negative_minutes,
        sentences=sentences,
        threshold=args.wake_threshold,
    )


def _wake_bench(ctx: CommandContext) -> int:
    """`bench wake --file SENTENCES`: the wake word's false accepts and rejects, CPU and latency. The audio
    is kept under the user's cache folder (~/.cache/aris/bench-wake), so only the first run makes it."""
    import platformdirs

    from app.bench.wake import print_report, run_wake_bench
    from app.bench.wake_speech import SpeechToolError
    from app.cli.common import print_json
    from models.resolve import resolve_model

    args = ctx.args
    if args.file is None or not args.file.is_file():
        where = "it needs --file PATH" if args.file is None else f"there is no sentence file at {args.file};"
        print(
            f"bench wake: skipped, {where} with the sentences to say without the wake word "
            "(e.g. ../shared/data/intents/hwu64-train.tsv).",
            file=sys.stderr,
        )
        return 0
    options = _wake_options(args)
    if isinstance(options, str):
        print(f"aris: {options}.", file=sys.stderr)
        return 1

    def voice_path() -> Path:
        return resolve_model("piper-joe-medium", ctx.paths.cache_dir).path

    def progress(message: str) -> None:
        print(f"bench wake: {message}", file=sys.stderr, flush=True)

    cache = Path(platformdirs.user_cache_dir("aris", appauthor=False)) / "bench-wake"
    try:
        result = run_wake_bench(options, cache, voice_path, progress)
    except SpeechToolError as error:
        print(f"aris: {error}", file=sys.stderr)
        return 1
    report = result.report()
    if args.json:
        print_json(report)
    else:
        print_report(report)
    return 0


def _endpoint_bench(ctx: CommandContext) -> int:
    """`bench endpoint`: cut-offs on questions with a pause inside, and how soon complete ones end."""
    from app.bench.turn_end import run_turn_end_bench
    from app.cli.common import print_json, settings_for
    from app.engine_factory import EngineFactory

    if ctx.args.hesitant < 1 or ctx.args.stt_ms < 0:
        print("aris: --hesitant must be at least 1 and --stt-ms at least 0", file=sys.stderr)
        return 1
    transcriber = EngineFactory(settings_for(ctx).models, ctx.paths).transcriber()
    report = run_turn_end_bench(transcriber.transcribe, hesitant=ctx.args.hesitant, stt_ms=ctx.args.stt_ms)
    if ctx.args.json:
        print_json(report)
        return 0
    for mode in ("adaptive", "fixed"):
        figures = report[mode]
        assert isinstance(figures, dict)
        print(
            f"{mode}: {figures['cutoffs']} of {report['hesitant_n']} hesitant questions cut off "
            f"({figures['cutoff_rate']:.1%}); complete questions end {figures['end_wait_ms_median']} ms "
            "after the last word (median)"
        )
    return 0


_SUITE_RUNNERS: dict[str, Handler] = {
    "voice": _voice_bench,
    "live": _live_bench,
    "stt": _stt_bench,
    "memory": _memory_bench,
    "recall": _recall_bench,
    "sync": _sync_bench,
    "skills": _skills_bench,
    "llm": _bench_llm,
    "wake": _wake_bench,
    "endpoint": _endpoint_bench,
    "docs": _docs_bench,
}
