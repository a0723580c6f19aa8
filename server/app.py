"""The FastAPI application: routes, middleware and the JSON error shape."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.config import ServerSettings
from server.db import Database
from server.deps import Services
from server.errors import ApiError, StorageFullError
from server.hashing import PasswordWorkPool
from server.live import LiveUpdates
from server.metrics import Metrics
from server.middleware import BodyLimitMiddleware, ObservabilityMiddleware
from server.ratelimit import RateLimiter, SignInLimits
from server.routes import accounts, changes, ops
from server.storage import StorageMonitor, is_disk_full

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
}


def create_app(settings: ServerSettings, database: Database | None = None) -> FastAPI:
    """The API for `settings`; the database schema must already be migrated (see `server.migrate`)."""
    database = database or Database(settings.database_url)
    metrics = Metrics(database)
    live = LiveUpdates(database)
    pool = PasswordWorkPool(settings.password_workers, settings.password_queue)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        live.start()
        try:
            yield
        finally:
            live.stop()
            pool.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        title="Aris sync server",
        version="1",
        description="Stores end-to-end encrypted records for Aris devices. It never sees plaintext.",
    )
    app.state.services = Services(
        settings=settings,
        database=database,
        metrics=metrics,
        sign_in_limits=SignInLimits(settings.auth_address_rate_per_minute, settings.auth_rate_per_minute),
        api_limiter=RateLimiter(settings.api_rate_per_minute),
        password_pool=pool,
        storage=StorageMonitor(database),
        live=live,
    )
    app.include_router(accounts.router)
    app.include_router(changes.router)
    app.include_router(ops.router)
    _install_error_handlers(app, metrics, app.state.services)
    # Added innermost first: CORS (if any), then the body limit, then observation around everything.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    return app


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": {"code": code, "message": message}}, headers=headers
    )


def _install_error_handlers(app: FastAPI, metrics: Metrics, services: Services) -> None:
    @app.exception_handler(ApiError)
    async def _on_api_error(_request: Request, error: ApiError) -> JSONResponse:
        metrics.errors.labels(error.code).inc()
        return _error(error.status, error.code, error.message, error.headers)

    @app.exception_handler(RequestValidationError)
    async def _on_invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        metrics.errors.labels("invalid_request").inc()
        return _error(422, "invalid_request", _describe_validation(error))

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "http_error")
        metrics.errors.labels(code).inc()
        message = error.detail if isinstance(error.detail, str) else "The request was refused."
        return _error(error.status_code, code, message, getattr(error, "headers", None))

    @app.exception_handler(SQLAlchemyError)
    async def _on_database_error(request: Request, error: SQLAlchemyError) -> JSONResponse:
        if not is_disk_full(error):
            return await _on_unexpected(request, error)
        services.storage.mark_full()
        metrics.errors.labels(StorageFullError.code).inc()
        return _error(
            StorageFullError.status,
            StorageFullError.code,
            "The sync server's disk is full, so it cannot store changes now; nothing was lost. The server's "
            "operator must free space.",
        )

    @app.exception_handler(Exception)
    async def _on_unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        metrics.errors.labels("internal_error").inc()
        return _error(500, "internal_error", "The server failed to handle this request; it was logged.")


def _describe_validation(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "Invalid request. " + "; ".join(parts)
