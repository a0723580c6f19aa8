"""Server settings: from command-line options, falling back to ARIS_SYNC_* environment variables.

Kept free of heavy imports so `python main.py serve-sync --help` stays fast.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

ENV_PREFIX = "ARIS_SYNC_"
DEFAULT_DATABASE_URL = "sqlite:///aris-sync.db"
DEFAULT_PASSWORD_WORKERS = max(1, (os.cpu_count() or 2) - 1)


@dataclass(frozen=True)
class ServerSettings:
    """How one API process runs. Nothing here is shared state: replicas may run with the same settings."""

    host: str = "127.0.0.1"
    """Address to listen on; loopback by default so a fresh install is not exposed."""
    port: int = 8765
    """TCP port; 0 picks a free one (the chosen port is logged)."""
    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: a SQLite file (default, relative to the working folder) or postgresql+psycopg://…"""
    ssl_certfile: str | None = None
    """PEM certificate for HTTPS; serve plain HTTP behind a TLS proxy when unset."""
    ssl_keyfile: str | None = None
    """PEM private key for HTTPS."""
    cors_origins: tuple[str, ...] = ()
    """Browser origins allowed by CORS; none (CORS off) by default."""
    max_body_bytes: int = 5 * 1024 * 1024
    """Largest request body accepted, in bytes; larger requests get 413."""
    auth_rate_per_minute: int = 10
    """Failed sign-ins per minute on one account from addresses that never signed in to it (per process).
    Addresses that signed in to the account before are exempt, so an attacker cannot lock its owner out."""
    auth_address_rate_per_minute: int = 30
    """Sign-in and registration attempts per minute from one client address, whatever the username."""
    password_workers: int = DEFAULT_PASSWORD_WORKERS
    """Threads for password hashing (Argon2 is CPU- and memory-heavy); by default one per core but one, so a
    core stays free for pulls and pushes while sign-ins pour in."""
    password_queue: int = 16
    """Sign-ins allowed to wait for a password thread; more get 503 at once instead of piling up."""
    api_rate_per_minute: int = 600
    """Authenticated API requests per minute per device (per process)."""
    log_level: str = "INFO"
    """Python logging level name."""
    allow_registration: bool = True
    """Whether anyone who can reach the server may create an account. Turn it off once your accounts exist,
    so a server on the internet does not become free storage for strangers."""
    invite_code: str | None = None
    """When set, registering needs this code (hand it to the people you host); existing accounts are unaffected."""
    metrics_token: str | None = None
    """When set, `/metrics` on the API answers requests bearing `Authorization: Bearer <token>`; otherwise it
    is 404. Metrics show request counts and record totals, nothing of anyone's data, but not for everyone."""
    metrics_bind: str | None = None
    """HOST:PORT for a separate Prometheus listener (e.g. 127.0.0.1:9108, reachable by the scraper only)."""
    forwarded_allow_ips: str | None = None
    """Addresses of reverse proxies whose X-Forwarded-For/-Proto headers are believed (comma-separated, as
    uvicorn takes them). Unset: headers are ignored, so a client cannot fake its address to dodge the rate limit."""

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {self.port}")
        if self.max_body_bytes < 1024:
            raise ValueError("max_body_bytes must be at least 1024")
        if min(self.auth_rate_per_minute, self.auth_address_rate_per_minute, self.api_rate_per_minute) < 1:
            raise ValueError("rate limits must be at least 1 per minute")
        if self.password_workers < 1 or self.password_queue < 0:
            raise ValueError("password workers must be at least 1 and the queue at least 0")
        if self.metrics_bind is not None:
            host, _, port = self.metrics_bind.rpartition(":")
            if not host or not port.isdigit() or int(port) > 65535:
                raise ValueError(f"--metrics-bind takes HOST:PORT, got {self.metrics_bind!r}")
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise ValueError("--metrics-token must be at least 16 characters")
        if bool(self.ssl_certfile) != bool(self.ssl_keyfile):
            raise ValueError("--ssl-certfile and --ssl-keyfile go together")


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """The server's options; each defaults to its ARIS_SYNC_* environment variable."""
    env = os.environ
    parser.add_argument("--host", default=env.get(ENV_PREFIX + "HOST", "127.0.0.1"), help="listen address")
    parser.add_argument(
        "--port", type=int, default=int(env.get(ENV_PREFIX + "PORT", "8765")), help="TCP port (0: any)"
    )
    parser.add_argument(
        "--database-url",
        default=env.get(ENV_PREFIX + "DATABASE_URL", DEFAULT_DATABASE_URL),
        help="SQLAlchemy URL (default: %(default)s; PostgreSQL: postgresql+psycopg://user:pw@host/db)",
    )
    parser.add_argument("--ssl-certfile", default=env.get(ENV_PREFIX + "SSL_CERTFILE"), help="HTTPS cert")
    parser.add_argument("--ssl-keyfile", default=env.get(ENV_PREFIX + "SSL_KEYFILE"), help="HTTPS key")
    parser.add_argument(
        "--cors-origin",
        action="append",
        dest="cors_origins",
        default=[o for o in env.get(ENV_PREFIX + "CORS_ORIGINS", "").split(",") if o],
        help="allow this browser origin (repeatable; CORS is off by default)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=int(env.get(ENV_PREFIX + "MAX_BODY_BYTES", str(5 * 1024 * 1024))),
        help="largest request body in bytes (default: 5 MiB)",
    )
    parser.add_argument(
        "--auth-rate",
        type=int,
        default=int(env.get(ENV_PREFIX + "AUTH_RATE", "10")),
        help="failed sign-ins per minute per account from addresses new to it",
    )
    parser.add_argument(
        "--auth-address-rate",
        type=int,
        default=int(env.get(ENV_PREFIX + "AUTH_ADDRESS_RATE", "30")),
        help="sign-in/register attempts per minute per client address",
    )
    parser.add_argument(
        "--password-workers",
        type=int,
        default=int(env.get(ENV_PREFIX + "PASSWORD_WORKERS", str(DEFAULT_PASSWORD_WORKERS))),
        help="threads for password hashing (default: one per core but one)",
    )
    parser.add_argument(
        "--password-queue",
        type=int,
        default=int(env.get(ENV_PREFIX + "PASSWORD_QUEUE", "16")),
        help="sign-ins that may wait for a password thread before 503 (default: 16)",
    )
    parser.add_argument(
        "--api-rate",
        type=int,
        default=int(env.get(ENV_PREFIX + "API_RATE", "600")),
        help="API requests per minute per device",
    )
    parser.add_argument("--log-level", default=env.get(ENV_PREFIX + "LOG_LEVEL", "INFO"))
    parser.add_argument(
        "--no-registration",
        action="store_false",
        dest="allow_registration",
        default=env.get(ENV_PREFIX + "ALLOW_REGISTRATION", "1").strip().lower() not in {"0", "false", "no"},
        help="refuse new accounts (existing ones keep working); env ARIS_SYNC_ALLOW_REGISTRATION=0",
    )
    parser.add_argument(
        "--invite-code",
        default=env.get(ENV_PREFIX + "INVITE_CODE"),
        help="registering needs this code; env ARIS_SYNC_INVITE_CODE",
    )
    parser.add_argument(
        "--metrics-token",
        default=env.get(ENV_PREFIX + "METRICS_TOKEN"),
        help="serve /metrics to requests with this bearer token (off by default); env ARIS_SYNC_METRICS_TOKEN",
    )
    parser.add_argument(
        "--metrics-bind",
        default=env.get(ENV_PREFIX + "METRICS_BIND"),
        help="serve Prometheus metrics on a listener of their own, HOST:PORT (e.g. 127.0.0.1:9108)",
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        default=env.get(ENV_PREFIX + "FORWARDED_ALLOW_IPS"),
        help="behind a reverse proxy: its address(es), whose X-Forwarded-For headers are then trusted",
    )


def settings_from_args(args: argparse.Namespace) -> ServerSettings:
    """Settings from parsed `add_server_arguments` options."""
    return ServerSettings(
        host=args.host,
        port=args.port,
        database_url=args.database_url,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        cors_origins=tuple(args.cors_origins),
        max_body_bytes=args.max_body_bytes,
        auth_rate_per_minute=args.auth_rate,
        auth_address_rate_per_minute=args.auth_address_rate,
        password_workers=args.password_workers,
        password_queue=args.password_queue,
        api_rate_per_minute=args.api_rate,
        log_level=args.log_level.upper(),
        forwarded_allow_ips=args.forwarded_allow_ips,
        metrics_token=args.metrics_token,
        invite_code=args.invite_code,
        metrics_bind=args.metrics_bind,
        allow_registration=args.allow_registration,
    )
