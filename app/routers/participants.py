"""Routes of /participants, their roles and their events."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app import formats, offload
from app.db import SessionDep
from app.read import participants as read_participants
from app.read.participants import PARTICIPANTS
from app.routers import history
from app.routers.common import (
    API_PREFIX,
    ParticipantRef,
    created,
    listed,
    listed_from,
    paged_records,
    problem_responses,
)
from app.routers.conditional import (
    IfMatch,
    IfNoneMatch,
    read_tagged,
    tagged,
    tagged_unless_current,
)
from app.routers.history import Purge
from app.routers.hot_reads import HotRead, tagged_record
from app.schemas.common import Page, ShapeQuery
from app.schemas.events import EventParticipantPublic
from app.schemas.participants import (
    ParticipantCreate,
    ParticipantPublic,
    ParticipantQuery,
    ParticipantUpdate,
    RoleCreate,
    RolePublic,
    RoleUpdate,
)
from app.schemas.timelines import Network, NetworkQuery, TimelineItem, TimelineQuery
from app.services import (
    event_participants,
    networks,
    participant_queries,
    participants,
    roles,
    timelines,
)

router = APIRouter(prefix="/participants", tags=["participants"])
roles_router = APIRouter(prefix="/participants/{participant_id}/roles", tags=["participant roles"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 409, 422),
    operation_id="create_participant",
    summary="Create a participant",
)
def create_participant(
    data: ParticipantCreate, session: SessionDep, response: Response
) -> ParticipantPublic:
    """Record a person, state, organisation or group."""
    participant = participants.create_participant(session, data)
    created(response, f"/participants/{participant.id}")
    return tagged(response, participant)


@router.get(
    "",
    responses=problem_responses(400, 422) | formats.responses("participant"),
    operation_id="list_participants",
    summary="List participants",
)
async def list_participants(
    request: Request,
    response: Response,
    slow: offload.SlowRead,
    session: SessionDep,
    query: Annotated[ParticipantQuery, Query()],
) -> Page[ParticipantPublic]:
    """Participants matching every filter given, one keyset page at a time (`Link: rel="next"`).

    Who was Prime Minister of Israel on 12 September 2019:
    `role_title=Prime Minister&role_organization=israel&role_on=2019-09-12`.
    """
    exported: Page[ParticipantPublic] | None = formats.export(
        request, session, "participant", query, participant_queries.list_participants
    )
    if exported is not None:
        return exported
    shaped: Page[ParticipantPublic] = await offload.answer(
        slow, response, _participants_page, request, session, query
    )
    return shaped


def _participants_page(
    request: Request, session: SessionDep, query: ParticipantQuery
) -> Page[ParticipantPublic]:
    found = participant_queries.list_participants(session, query, read_participants.PAGE)
    shaped: Page[ParticipantPublic] = paged_records(
        request, ParticipantPublic, found, query.field_set()
    )
    return shaped


@router.get(
    "/{participant_id}",
    response_model=ParticipantPublic,
    responses=problem_responses(304, 404, 410),
    operation_id="read_participant",
    summary="Read a participant",
)
async def read_participant(
    participant_id: ParticipantRef,
    session: SessionDep,
    shape_as: history.ReadAsOf,
    if_none_match: IfNoneMatch = None,
) -> ParticipantPublic | Response:
    """One participant by id or slug."""
    if shape_as.as_of is not None:
        return history.as_of_answer(session, "participant", participant_id, shape_as.as_of)
    return read_tagged(PARTICIPANTS, session, participant_id, if_none_match)


@router.patch(
    "/{participant_id}",
    responses=problem_responses(400, 404, 409, 412, 422),
    operation_id="update_participant",
    summary="Update a participant",
)
def update_participant(
    participant_id: ParticipantRef,
    data: ParticipantUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ParticipantPublic:
    """Change the fields sent; `identifiers` replaces the whole mapping."""
    return tagged(
        response, participants.update_participant(session, participant_id, data, if_match=if_match)
    )


@router.delete(
    "/{participant_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 409, 410, 412),
    operation_id="delete_participant",
    summary="Delete a participant",
)
def delete_participant(
    participant_id: ParticipantRef, session: SessionDep, purge: Purge, if_match: IfMatch = None
) -> None:
    """Delete a participant and its roles; 409 if events or claims refer to it.

    The id and slug then answer 410 Gone and are never reused; the revisions stay readable
    and an admin can restore it (`POST .../restore`).
    """
    history.delete_or_purge(
        session,
        "participant",
        participant_id,
        purge,
        lambda: participants.delete_participant(session, participant_id, if_match=if_match),
    )


@router.get(
    "/{participant_id}/events",
    responses=problem_responses(400, 404, 422),
    operation_id="list_participant_events",
    summary="List a participant's events",
)
async def list_participant_events(
    participant_id: ParticipantRef,
    request: Request,
    response: Response,
    slow: offload.SlowRead,
    session: SessionDep,
    query: Annotated[ShapeQuery, Query()],
) -> Page[EventParticipantPublic]:
    """The events a participant took part in, each with its role."""
    page_type = Page[EventParticipantPublic]
    found: Page[EventParticipantPublic] = await offload.answer(
        slow,
        response,
        listed_from,
        request,
        response,
        page_type,
        event_participants.list_participant_events,
        session,
        participant_id,
        query,
    )
    return found


@router.get(
    "/{participant_id}/timeline",
    responses=problem_responses(400, 404, 422),
    operation_id="participant_timeline",
    summary="A participant's timeline",
)
async def participant_timeline(
    participant_id: ParticipantRef,
    request: Request,
    response: Response,
    slow: offload.SlowRead,
    session: SessionDep,
    query: Annotated[TimelineQuery, Query()],
) -> Page[TimelineItem]:
    """The events a participant took part in (with its role) and the claims it made, by date.

    Events sort by start, claims by the date stated; on one day events come first. Undated
    items come first, and never match a date range.
    """
    found: Page[TimelineItem] = await offload.answer(
        slow,
        response,
        listed_from,
        request,
        response,
        Page[TimelineItem],
        timelines.participant_timeline,
        session,
        participant_id,
        query,
    )
    return found


@router.get(
    "/{participant_id}/network",
    responses=problem_responses(404, 422),
    operation_id="participant_network",
    summary="Who a participant met or faced",
)
async def participant_network(
    participant_id: ParticipantRef,
    response: Response,
    slow: offload.SlowRead,
    session: SessionDep,
    query: Annotated[NetworkQuery, Query()],
) -> Network:
    """The participants sharing events with this one, with counts, events and pairs of roles.

    At most 100 others (`limit`), each with up to 20 shared events: an answer of at most
    about 400 KB.
    """
    service = networks.participant_network
    found: Network = await offload.answer(slow, response, service, session, participant_id, query)
    return found


@roles_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 404, 409, 422),
    operation_id="add_role",
    summary="Add a role",
)
def add_role(
    participant_id: ParticipantRef, data: RoleCreate, session: SessionDep, response: Response
) -> RolePublic:
    """Record a role the participant held, e.g. Prime Minister of Israel from 2009."""
    role = roles.add_role(session, participant_id, data)
    created(response, f"/participants/{role.participant_id}/roles/{role.id}")
    return tagged(response, role)


@roles_router.get(
    "",
    responses=problem_responses(400, 404, 422),
    operation_id="list_roles",
    summary="List a participant's roles",
)
async def list_roles(
    participant_id: ParticipantRef,
    request: Request,
    response: Response,
    session: SessionDep,
    query: Annotated[ShapeQuery, Query()],
) -> Page[RolePublic]:
    """The roles a participant held, with their periods."""
    found = roles.list_roles(session, participant_id, query)
    return listed(request, response, Page[RolePublic], found, query)


@roles_router.get(
    "/{role_id}",
    responses=problem_responses(304, 404, 422),
    operation_id="read_role",
    summary="Read a role",
)
async def read_role(
    participant_id: ParticipantRef,
    role_id: uuid.UUID,
    session: SessionDep,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> RolePublic:
    """One role of a participant."""
    return tagged_unless_current(
        response, roles.read_role(session, participant_id, role_id), if_none_match
    )


@roles_router.patch(
    "/{role_id}",
    responses=problem_responses(400, 404, 409, 412, 422),
    operation_id="update_role",
    summary="Update a role",
)
def update_role(
    participant_id: ParticipantRef,
    role_id: uuid.UUID,
    data: RoleUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> RolePublic:
    """Change the fields sent."""
    return tagged(
        response, roles.update_role(session, participant_id, role_id, data, if_match=if_match)
    )


@roles_router.delete(
    "/{role_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 412, 422),
    operation_id="delete_role",
    summary="Delete a role",
)
def delete_role(
    participant_id: ParticipantRef,
    role_id: uuid.UUID,
    session: SessionDep,
    if_match: IfMatch = None,
) -> None:
    """Delete a role."""
    roles.delete_role(session, participant_id, role_id, if_match=if_match)


routers = [router, roles_router]
hot_reads = [
    HotRead(f"{API_PREFIX}{router.prefix}/{{participant_id}}", tagged_record(PARTICIPANTS))
]
