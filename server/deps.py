"""Request-scoped dependencies: the app's services, the signed-in caller, and rate limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server import accounts
from server.config import ServerSettings
from server.db import Database
from server.errors import InvalidTokenError, RateLimitedError
from server.hashing import PasswordWorkPool
from server.live import LiveUpdates
from server.metrics import Metrics
from server.ratelimit import RateLimiter, SignInLimits
from server.storage import StorageMonitor


@dataclass(frozen=True)
class Services:
    """Everything a handler may use; built once per app in `server.app.create_app`."""

    settings: ServerSettings
    database: Database
    metrics: Metrics
    sign_in_limits: SignInLimits
    api_limiter: RateLimiter
    password_pool: PasswordWorkPool
    storage: StorageMonitor
    live: LiveUpdates


def get_services(request: Request) -> Services:
    """The app's services."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]

_bearer = HTTPBearer(auto_error=False, description="The device token returned by register or sign-in.")


def current_principal(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> accounts.Principal:
    """The account and device behind the bearer token; also applies the per-device API rate limit."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise InvalidTokenError("Sign in first: this request needs 'Authorization: Bearer <device token>'.")
    if len(credentials.credentials) > 200:
        raise InvalidTokenError("Unknown device token. Sign in again.")
    with services.database.read() as session:
        principal, seen_long_ago = accounts.authenticate(session, credentials.credentials)
    retry_after = services.api_limiter.hit(principal.device_id)
    if retry_after is not None:
        raise RateLimitedError(
            f"Too many requests from this device; try again in {retry_after} s.", retry_after
        )
    if seen_long_ago:
        with services.database.write() as session:
            accounts.touch_device(session, principal)
    return principal


PrincipalDep = Annotated[accounts.Principal, Depends(current_principal)]


def client_address(request: Request) -> str:
    """The caller's address (the proxy's X-Forwarded-For only when `--forwarded-allow-ips` trusts it)."""
    return request.client.host if request.client else "unknown"


def check_sign_in_limits(services: Services, address: str, username: str | None) -> None:
    """Slow down password guessing per address and per account (see `SignInLimits`); None: a registration."""
    limits = services.sign_in_limits
    if username is None:
        wait = limits.registering(address)
        refused = None if wait is None else (wait, "address")
    else:
        refused = limits.check(address, username)
    if refused is None:
        return
    retry_after, which = refused
    if which == "address":
        message = f"Too many sign-in attempts from your address; try again in {retry_after} s."
    else:
        message = (
            f"Too many failed sign-ins on this account from new addresses; try again in {retry_after} s. "
            "Devices that signed in from their address before are not held back."
        )
    raise RateLimitedError(message, retry_after)
