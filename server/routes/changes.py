"""The change feed: push encrypted records, pull what changed after a cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query
from sse_starlette import EventSourceResponse, ServerSentEvent

from server import feed
from server.deps import PrincipalDep, ServicesDep
from server.live import HEARTBEAT_S, ChangeEvent, LiveUpdates
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
        answer, applied, last_seq = feed.push(session, principal, body)
        event = ChangeEvent(principal.user_id, last_seq, principal.device_id)
        if applied:
            services.live.announce(session, event)
    services.storage.mark_ok()
    if applied:
        services.live.committed(event)
    services.metrics.records_applied.inc(applied)
    return answer


# Left out of the OpenAPI document: a stream that never ends is no request/response pair for generated clients
# (or fuzzers) to wait on. Documented in the README.
@router.get("/events", response_class=EventSourceResponse, include_in_schema=False)
async def change_events(principal: PrincipalDep, services: ServicesDep) -> EventSourceResponse:
    """Server-Sent Events: `changes` whenever another push lands for this account (pull then), and a comment
    every few seconds to keep proxies from closing the stream."""
    # sse-starlette sends the keep-alive comments, sets no-store and no proxy buffering, and ends the
    # stream when the client goes away or the server shuts down.
    return EventSourceResponse(_event_stream(services.live, principal.user_id), ping=HEARTBEAT_S)


async def _event_stream(live: LiveUpdates, user_id: int) -> AsyncIterator[ServerSentEvent]:
    queue = live.subscribe(user_id)
    try:
        yield ServerSentEvent(event="ready", data="{}")
        while True:
            event: ChangeEvent = await queue.get()
            yield event.to_sse()
    finally:
        live.unsubscribe(user_id, queue)


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
