"""Routes of /events and its participants."""

import uuid
from typing import Annotated, cast

from fastapi import APIRouter, Query, Request, Response, status
from sqlmodel import Session

from app import formats, offload
from app.db import SessionDep
from app.models import Event
from app.query import events as event_list
from app.read import events as read_events
from app.read.columns import Db
from app.read.records import encode
from app.routers import history
from app.routers.common import (
    API_PREFIX,
    EventRef,
    created,
    listed_from,
    paged_records,
    problem_responses,
)
from app.routers.conditional import (
    IfMatch,
    IfNoneMatch,
    tagged,
    tagged_bytes,
    tagged_unless_current,
)
from app.routers.history import Purge
from app.routers.hot_reads import HotRead, QueryParams
from app.schemas.common import Page, ShapeQuery
from app.schemas.events import (
    EventCreate,
    EventExpansion,
    EventParticipantCreate,
    EventParticipantPublic,
    EventParticipantUpdate,
    EventPublic,
    EventQuery,
    EventRead,
    EventStats,
    EventStatsQuery,
    EventUpdate,
)
from app.services import event_participants, events, tombstones
from app.services import event_stats as stats

router = APIRouter(prefix="/events", tags=["events"])
participants_router = APIRouter(
    prefix="/events/{event_id}/participants", tags=["event participants"]
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 409, 422),
    operation_id="create_event",
    summary="Create an event",
)
def create_event(data: EventCreate, session: SessionDep, response: Response) -> EventPublic:
    """Record an event; its first status starts the status history."""
    event = events.create_event(session, data)
    created(response, f"/events/{event.id}")
    return tagged(response, event)


@router.get(
    "",
    responses=problem_responses(400, 422) | formats.responses("event"),
    operation_id="list_events",
    summary="List events",
)
async def list_events(
    request: Request,
    response: Response,
    slow: offload.SlowRead,
    session: SessionDep,
    query: Annotated[EventQuery, Query()],
) -> Page[EventPublic]:
    """Events matching every filter given, one keyset page at a time (`Link: rel="next"`).

    Dates filter honestly: `start_after=2019-09` finds events that certainly started in or
    after September 2019; add `include_imprecise=true` to also get those dated only `2019`.
    """
    exported: Page[EventPublic] | None = formats.export(
        request, session, "event", query, event_list.list_events
    )
    if exported is not None:
        return exported
    shaped: Page[EventPublic] = await offload.answer(
        slow, response, _events_page, request, session, query
    )
    return shaped


def _events_page(request: Request, session: Session, query: EventQuery) -> Page[EventPublic]:
    found = event_list.list_events(session, query, read_events.shape_page)
    bytes_page: Page[EventPublic] = paged_records(request, EventPublic, found, query.field_set())
    return bytes_page


@router.get(
    "/stats",
    responses=problem_responses(404, 422),
    operation_id="event_stats",
    summary="Count events for charts",
)
async def event_stats(
    response: Response,
    slow: offload.SlowRead,
    session: SessionDep,
    query: Annotated[EventStatsQuery, Query()],
) -> EventStats:
    """Matching events counted by month, year, type, country or status.

    By month or year, an event counts only where its start certainly falls: one dated `2019`
    is not counted in January but in `imprecise`.
    """
    counted: EventStats = await offload.answer(slow, response, stats.event_stats, session, query)
    return counted


@router.get(
    "/{event_id}",
    response_model=EventPublic,
    responses=problem_responses(304, 404, 410),
    operation_id="read_event",
    summary="Read an event",
)
async def read_event(
    event_id: EventRef,
    session: SessionDep,
    response: Response,
    shape_as: Annotated[EventRead, Query()],
    if_none_match: IfNoneMatch = None,
) -> EventPublic | Response:
    """One event by id or slug; `expand=participants,claims,sources` embeds related records.

    An expanded event has no ETag: its version does not cover the records embedded in it.
    """
    if shape_as.as_of is not None:
        return history.as_of_answer(session, "event", event_id, shape_as.as_of)
    expansions = shape_as.expansions()
    if expansions - ON_LOOP:
        # Claims and sources are as many as were recorded: read off the event loop.
        expanded: Response = await offload.answer_in_turn(
            response, _read_event, session, event_id, expansions, if_none_match
        )
        return expanded
    return _read_event(session, event_id, expansions, if_none_match)


# Expansions read on the event loop: an event has few participants.
ON_LOOP: set[EventExpansion] = {"participants"}


def _read_event(
    session: Session, event_id: str, expansions: set[EventExpansion], if_none_match: str | None
) -> Response:
    answer = _answer(session, event_id, expansions, if_none_match)
    if answer is None:
        raise tombstones.absent(session, Event, event_id)
    return answer


def _answer(
    db: Db, event_id: str, expansions: set[EventExpansion], if_none_match: str | None
) -> Response | None:
    # An expanded event has no ETag: its version does not cover the records embedded in it.
    found = read_events.find_expanded(db, event_id, expansions)
    if found is None:
        return None
    if expansions:
        return Response(encode(found), media_type="application/json")
    return tagged_bytes(found, if_none_match)


def _on_loop_only(query: QueryParams) -> bool:
    # `expand` naming only expansions read on the loop; any other value is the route's.
    return query.keys() <= {"expand"} and all(
        part in ON_LOOP for part in query.get("expand", "participants").split(",")
    )


def _read_hot(
    db: Db, event_id: str, query: QueryParams, if_none_match: str | None
) -> Response | None:
    expansions = cast(set[EventExpansion], set(query["expand"].split(",")) if query else set())
    return _answer(db, event_id, expansions, if_none_match)


@router.patch(
    "/{event_id}",
    responses=problem_responses(400, 404, 409, 412, 422),
    operation_id="update_event",
    summary="Update an event",
)
def update_event(
    event_id: EventRef,
    data: EventUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> EventPublic:
    """Change the fields sent; a status change is appended to the history."""
    return tagged(response, events.update_event(session, event_id, data, if_match=if_match))


@router.delete(
    "/{event_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 409, 410, 412),
    operation_id="delete_event",
    summary="Delete an event",
)
def delete_event(
    event_id: EventRef, session: SessionDep, purge: Purge, if_match: IfMatch = None
) -> None:
    """Delete an event and its participant links; 409 if other records refer to it.

    The id and slug then answer 410 Gone and are never reused; the revisions stay readable
    and an admin can restore it (`POST .../restore`).
    """
    history.delete_or_purge(
        session,
        "event",
        event_id,
        purge,
        lambda: events.delete_event(session, event_id, if_match=if_match),
    )


@participants_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 404, 409, 422),
    operation_id="add_event_participant",
    summary="Add a participant to an event",
)
def add_event_participant(
    event_id: EventRef, data: EventParticipantCreate, session: SessionDep, response: Response
) -> EventParticipantPublic:
    """Attach a participant with a role (host, visitor, candidate, ...)."""
    link = event_participants.add_participant(session, event_id, data)
    created(response, f"/events/{link.event_id}/participants/{link.id}")
    return tagged(response, link)


@participants_router.get(
    "",
    responses=problem_responses(400, 404, 422),
    operation_id="list_event_participants",
    summary="List an event's participants",
)
async def list_event_participants(
    event_id: EventRef,
    request: Request,
    response: Response,
    slow: offload.SlowRead,
    session: SessionDep,
    query: Annotated[ShapeQuery, Query()],
) -> Page[EventParticipantPublic]:
    """The participants of an event with their roles."""
    page_type = Page[EventParticipantPublic]
    found: Page[EventParticipantPublic] = await offload.answer(
        slow,
        response,
        listed_from,
        request,
        response,
        page_type,
        event_participants.list_event_participants,
        session,
        event_id,
        query,
    )
    return found


@participants_router.get(
    "/{link_id}",
    responses=problem_responses(304, 404, 422),
    operation_id="read_event_participant",
    summary="Read a participant link",
)
async def read_event_participant(
    event_id: EventRef,
    link_id: uuid.UUID,
    session: SessionDep,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> EventParticipantPublic:
    """One participant link of an event."""
    return tagged_unless_current(
        response,
        event_participants.read_event_participant(session, event_id, link_id),
        if_none_match,
    )


@participants_router.patch(
    "/{link_id}",
    responses=problem_responses(400, 404, 409, 412, 422),
    operation_id="update_event_participant",
    summary="Update a participant link",
)
def update_event_participant(
    event_id: EventRef,
    link_id: uuid.UUID,
    data: EventParticipantUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> EventParticipantPublic:
    """Change a participant's role or note in an event."""
    return tagged(
        response,
        event_participants.update_event_participant(
            session, event_id, link_id, data, if_match=if_match
        ),
    )


@participants_router.delete(
    "/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 412, 422),
    operation_id="remove_event_participant",
    summary="Remove a participant from an event",
)
def remove_event_participant(
    event_id: EventRef, link_id: uuid.UUID, session: SessionDep, if_match: IfMatch = None
) -> None:
    """Detach a participant from an event; the participant itself stays."""
    event_participants.remove_participant(session, event_id, link_id, if_match=if_match)


routers = [router, participants_router]
hot_reads = [HotRead(f"{API_PREFIX}{router.prefix}/{{event_id}}", _read_hot, _on_loop_only)]
