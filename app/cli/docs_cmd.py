"""`docs`: the folders of documents Aris answers from (add, remove, list, status, reindex, search). Only the
embedding model is loaded, never the language model."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import CommandContext, Commands
from app.cli.common import print_json, settings_for

if TYPE_CHECKING:
    from app.documents.indexer import IndexReport, Progress
    from app.documents.library import DocumentLibrary
    from app.documents.store import DocumentStore


def register(commands: Commands) -> None:
    """Add `docs …` to the CLI."""
    group = commands.add_parser("docs", help="the folders of documents Aris answers from")
    sub = group.add_subparsers(dest="docs_command", metavar="ACTION", required=True)

    p = sub.add_parser("add", help="watch DIR (text, Markdown, PDF, DOCX, HTML) and index it now")
    p.add_argument("folder", type=Path, metavar="DIR")
    p.add_argument("--json", action="store_true", help="print what was indexed as JSON")
    p.set_defaults(handler=add)

    p = sub.add_parser("remove", help="stop watching DIR and erase its passages from the index")
    p.add_argument("folder", type=Path, metavar="DIR")
    p.set_defaults(handler=remove)

    p = sub.add_parser("list", help="the watched folders with their files and passages")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=list_)

    p = sub.add_parser("status", help="files indexed, pages that need OCR, files that could not be read")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=status)

    p = sub.add_parser(
        "reindex", help="read new and changed files of every folder (unchanged ones are skipped)"
    )
    p.add_argument("--json", action="store_true", help="print what was indexed as JSON")
    p.set_defaults(handler=reindex)

    p = sub.add_parser("search", help="the passages that answer QUESTION, best first, with scores")
    p.add_argument("question")
    p.add_argument("--limit", type=int, default=5, help="at most N passages (default 5)")
    p.add_argument("--all", action="store_true", help="also below the relevance threshold")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=search)


def _open(ctx: CommandContext) -> DocumentLibrary:
    """The library with the embedding model, for the commands that index or search."""
    from app.documents.library import DocumentLibrary
    from app.engine_factory import EngineFactory

    embedder = EngineFactory(settings_for(ctx).models, ctx.paths).embedder()
    return DocumentLibrary.open(ctx.paths.documents_database, embedder)


def _open_store(ctx: CommandContext) -> DocumentStore:
    """The index alone, for the commands that only read or delete (no model is loaded)."""
    from app.documents.store import DocumentStore

    return DocumentStore.open(ctx.paths.documents_database)


def _progress(ctx: CommandContext) -> Progress | None:
    if ctx.args.json:
        return None
    return lambda message: print(message, file=sys.stderr, flush=True)


def _report(ctx: CommandContext, report: IndexReport) -> None:
    if ctx.args.json:
        print_json(
            {
                "indexed": report.indexed,
                "unchanged": report.unchanged,
                "removed": report.removed,
                "failed": [{"path": p, "error": e} for p, e in report.failed],
                "needs_ocr": [{"path": p, "pages": pages} for p, pages in report.needs_ocr],
                "pages": report.pages,
                "chunks": report.chunks,
                "seconds": round(report.seconds, 3),
            }
        )
        return
    print(
        f"{len(report.indexed)} files read ({report.pages} pages, {report.chunks} passages), "
        f"{report.unchanged} unchanged, {len(report.removed)} removed, {len(report.failed)} unreadable "
        f"in {report.seconds:.1f} s"
    )
    for path, pages in report.needs_ocr:
        print(f"needs OCR: {path} page{'s' if len(pages) > 1 else ''} {', '.join(map(str, pages))}")
    for path, error in report.failed:
        print(f"unreadable: {path}: {error}")


def add(ctx: CommandContext) -> int:
    """`docs add DIR`."""
    library = _open(ctx)
    try:
        _report(ctx, library.add_folder(ctx.args.folder, _progress(ctx)))
    finally:
        library.close()
    return 0


def remove(ctx: CommandContext) -> int:
    """`docs remove DIR`."""
    from app.documents.library import normalised

    store = _open_store(ctx)
    try:
        files = store.remove_folder(normalised(ctx.args.folder))
    finally:
        store.close()
    print(f"Removed {ctx.args.folder} and the passages of its {files} files.")
    return 0


def list_(ctx: CommandContext) -> int:
    """`docs list`."""
    store = _open_store(ctx)
    try:
        folders = store.folders()
    finally:
        store.close()
    if ctx.args.json:
        print_json(
            [{"path": f.path, "files": f.files, "chunks": f.chunks, "added_at": f.added_at} for f in folders]
        )
    elif not folders:
        print("No document folders. Add one with: docs add DIR")
    for folder in folders if not ctx.args.json else []:
        print(f"{folder.path}\t{folder.files} files\t{folder.chunks} passages")
    return 0


def status(ctx: CommandContext) -> int:
    """`docs status`."""
    store = _open_store(ctx)
    try:
        files, chunks, pages = store.counts()
        reports = store.file_reports()
    finally:
        store.close()
    ocr = [r for r in reports if r.needs_ocr]
    failed = [r for r in reports if r.error]
    if ctx.args.json:
        print_json(
            {
                "files": files,
                "chunks": chunks,
                "pages": pages,
                "needs_ocr": [{"path": r.path, "pages": r.needs_ocr} for r in ocr],
                "failed": [{"path": r.path, "error": r.error} for r in failed],
            }
        )
        return 0
    print(f"{files} files, {pages} pages, {chunks} passages")
    for r in ocr:
        print(
            f"needs OCR: {r.path} page{'s' if len(r.needs_ocr) > 1 else ''} {', '.join(map(str, r.needs_ocr))}"
        )
    for r in failed:
        print(f"unreadable: {r.path}: {r.error}")
    return 0


def reindex(ctx: CommandContext) -> int:
    """`docs reindex`."""
    library = _open(ctx)
    try:
        _report(ctx, library.reindex(_progress(ctx)))
    finally:
        library.close()
    return 0


def search(ctx: CommandContext) -> int:
    """`docs search QUESTION`."""
    library = _open(ctx)
    try:
        if ctx.args.all:
            passages = library.searcher.ranked(ctx.args.question, ctx.args.limit)
        else:
            passages = library.search(ctx.args.question, ctx.args.limit)
    finally:
        library.close()
    if ctx.args.json:
        print_json(
            [
                {
                    "path": p.path,
                    "page": p.page,
                    "heading": p.heading,
                    "text": p.text,
                    "score": round(p.score, 4),
                    "similarity": round(p.similarity, 4),
                }
                for p in passages
            ]
        )
        return 0
    if not passages:
        print("Nothing in the documents answers that.")
    for p in passages:
        where = f"{p.path}" + (f", page {p.page}" if p.page else "")
        print(f"[{p.score:.3f} / {p.similarity:.2f}] {where}\n    {p.text[:300]}")
    return 0
