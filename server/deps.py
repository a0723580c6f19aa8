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
from server.metrics import Metrics
from server.ratelimit import RateLimiter


@dataclass(frozen=True)
class Services:
    """Everything a handler may use; built once per app in `server.app.create_app`."""

    settings: ServerSettings
    database: Database
    metrics: Metrics
    auth_limiter: RateLimiter
    api_limiter: RateLimiter


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


def check_auth_rate(services: Services, request: Request, username: str) -> None:
    """Slow down password guessing: a limited number of attempts per client address and username."""
    client = request.client.host if request.client else "unknown"
    retry_after = services.auth_limiter.hit((client, accounts.normalise_username(username)))
    if retry_after is not None:
        raise RateLimitedError(
            f"Too many sign-in attempts for this account; try again in {retry_after} s.", retry_after
        )
