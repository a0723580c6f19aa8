"""The change feed: push encrypted records, pull what changed after a cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from server import feed
from server.deps import PrincipalDep, ServicesDep
from server.schemas import ErrorOut, PullOut, PushIn, PushOut

router = APIRouter(prefix="/v1", tags=["changes"])

_ERRORS: dict[int | str, dict] = {
    400: {"model": ErrorOut},
    401: {"model": ErrorOut},
    409: {"model": ErrorOut},
    413: {"model": ErrorOut},
    422: {"model": ErrorOut},
    429: {"model": ErrorOut},
}


@router.post("/changes", responses=_ERRORS)
def push_changes(body: PushIn, principal: PrincipalDep, services: ServicesDep) -> PushOut:
    """Store a batch of encrypted records in one transaction; newer clocks win, older ones come back stale."""
    with services.database.write() as session:
        answer, applied = feed.push(session, principal, body)
    services.storage.mark_ok()
    services.metrics.records_applied.inc(applied)
    return answer


@router.get("/changes", responses=_ERRORS)
def pull_changes(
    principal: PrincipalDep,
    services: ServicesDep,
    cursor: Annotated[
        str | None, Query(max_length=200, description="From the previous pull; omit to start.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    deleted_only: Annotated[
        bool, Query(description="Only tombstones: lets a device count deletions before applying any.")
    ] = False,
) -> PullOut:
    """The records changed after `cursor`, oldest change first."""
    with services.database.read() as session:
        return feed.pull(session, principal, cursor, limit, deleted_only=deleted_only)
