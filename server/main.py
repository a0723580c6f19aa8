"""`python -m server`: migrate the database, then serve the API with uvicorn."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from prometheus_client import start_http_server
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from server.app import create_app
from server.config import (
    DEFAULT_DATABASE_URL,
    ENV_PREFIX,
    ServerSettings,
    add_server_arguments,
    settings_from_args,
)
from server.db import Database
from server.errors import ServerCommandError
from server.logs import configure_logging
from server.metrics import Metrics
from server.migrate import upgrade_to_head

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Options of the server command."""
    parser = argparse.ArgumentParser(
        prog="python -m server", description="Aris sync server (stores end-to-end encrypted records)."
    )
    add_server_arguments(parser)
    return parser


def serve(settings: ServerSettings) -> None:
    """Migrate, bind, announce the bound port, and serve until interrupted."""
    configure_logging(settings.log_level)
    database = Database(settings.database_url)
    upgrade_to_head(database)
    app = create_app(settings, database)
    if settings.metrics_bind:
        _serve_metrics(app.state.services.metrics, settings.metrics_bind)
    sock = _bind(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    scheme = "https" if settings.ssl_certfile else "http"
    log.info(
        "Listening on %s://%s:%d",
        scheme,
        host,
        port,
        extra={"event": "listening", "host": host, "port": port, "database": database.describe()},
    )
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,  # ObservabilityMiddleware writes one JSON line per request instead
        ssl_certfile=settings.ssl_certfile,
        ssl_keyfile=settings.ssl_keyfile,
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        database.dispose()


def _serve_metrics(metrics: Metrics, bind: str) -> None:
    """Prometheus metrics on a listener of their own (a daemon thread), e.g. on an address only the scraper
    reaches."""
    host, _, port = bind.rpartition(":")
    server, _thread = start_http_server(int(port), addr=host.strip("[]"), registry=metrics.registry)
    bound = server.server_address[1]
    log.info(
        "Metrics on http://%s:%d/metrics", host, bound, extra={"event": "metrics_listening", "port": bound}
    )


def _bind(host: str, port: int) -> socket.socket:
    # Bound here rather than by uvicorn so port 0 works and the chosen port can be logged for callers.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run(settings: ServerSettings) -> int:
    """Serve until interrupted; exit status 1 with one clear line when the port or database is unusable."""
    try:
        serve(settings)
    except OSError as error:
        print(
            f"aris-sync: cannot listen on {settings.host}:{settings.port}: {error.strerror}", file=sys.stderr
        )
        return 1
    except SQLAlchemyError as error:
        log.debug("Database unusable", exc_info=True)
        print(
            f"aris-sync: cannot use the database {_safe_url(settings)}: {error.__class__.__name__}: "
            f"{str(error).splitlines()[0]}",
            file=sys.stderr,
        )
        return 1
    return 0


def _safe_url(settings: ServerSettings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


_OPERATIONS = ("backup", "restore")


def build_operations_parser() -> argparse.ArgumentParser:
    """`python -m server backup DEST` and `python -m server restore [SRC]`."""
    parser = argparse.ArgumentParser(prog="python -m server", description="Back up or restore the database.")
    actions = parser.add_subparsers(dest="operation", required=True)
    backup = actions.add_parser("backup", help="write a consistent copy of the database (safe while serving)")
    backup.add_argument("dest", type=Path, help="new file for the backup")
    restore = actions.add_parser(
        "restore", help="replace the database with a backup (stop the server first), so devices resynchronise"
    )
    restore.add_argument(
        "source", type=Path, nargs="?", help="backup file; omit after restoring the database by other means"
    )
    for action in (backup, restore):
        action.add_argument(
            "--database-url",
            default=os.environ.get(ENV_PREFIX + "DATABASE_URL", DEFAULT_DATABASE_URL),
            help="SQLAlchemy URL of the server's database (default: %(default)s)",
        )
    return parser


def operate(argv: Sequence[str]) -> int:
    """Run `backup` or `restore`; exit status 1 with one clear line when it cannot be done."""
    from server.backup import backup, restore

    args = build_operations_parser().parse_args(argv)
    configure_logging("WARNING")
    try:
        if args.operation == "backup":
            backup(args.database_url, args.dest)
            print(
                f"Backup written to {args.dest} (readable by you only). Keep it somewhere else than the server."
            )
        else:
            restore(args.database_url, args.source)
            print(
                "Restored. Start the server: devices will notice and resynchronise; nothing on them is lost."
            )
    except ServerCommandError as error:
        print(f"aris-sync: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        log.debug("Database unusable", exc_info=True)
        print(f"aris-sync: cannot use the database: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server (or `backup`/`restore`); exit status 2 for bad options, 1 when it cannot start."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _OPERATIONS:
        return operate(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
    except ValueError as error:
        parser.error(str(error))
    return run(settings)
