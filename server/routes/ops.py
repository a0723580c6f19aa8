"""Health and metrics for operators and load balancers."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from server.deps import ServicesDep
from server.errors import NotFoundError
from server.schemas import Health

log = logging.getLogger(__name__)

router = APIRouter(tags=["operations"])


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(services: ServicesDep) -> Health | JSONResponse:
    """200 when the process is up, the database answers and has room to write; 503 otherwise."""
    try:
        with services.database.read() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("Health check: the database does not answer", exc_info=True)
        return JSONResponse(
            status_code=503, content=Health(status="degraded", database="unreachable").model_dump()
        )
    if services.storage.is_full():
        return JSONResponse(
            status_code=503, content=Health(status="degraded", database="ok", storage="full").model_dump()
        )
    return Health(status="ok", database="ok")


@router.get("/metrics", response_class=Response, include_in_schema=False)
def metrics(services: ServicesDep, request: Request) -> Response:
    """Prometheus metrics in the text exposition format, for holders of `--metrics-token` only."""
    token = services.settings.metrics_token
    offered = request.headers.get("authorization", "")
    if token is None or not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        raise NotFoundError("Not found.")
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)
