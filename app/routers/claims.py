"""Routes of /claims, their appearances, and the claims of an event or a participant."""

import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from app import formats, offload
from app.db import SessionDep
from app.read import claims as read_claims
from app.read.claims import CLAIMS
from app.routers import history
from app.routers.common import (
    API_PREFIX,
    ClaimRef,
    EventRef,
    ParticipantRef,
    created,
    listed,
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
from app.schemas.claims import (
    AppearanceCreate,
    AppearancePublic,
    AppearanceUpdate,
    ClaimCreate,
    ClaimPublic,
    ClaimQuery,
    ClaimUpdate,
)
from app.schemas.common import Page, ShapeQuery
from app.services import appearances, claim_queries, claims

router = APIRouter(prefix="/claims", tags=["claims"])
appearances_router = APIRouter(prefix="/claims/{claim_id}/appearances", tags=["claim appearances"])
event_claims_router = APIRouter(prefix="/events/{event_id}/claims", tags=["claims"])
participant_claims_router = APIRouter(
    prefix="/participants/{participant_id}/claims", tags=["claims"]
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 409, 422),
    operation_id="create_claim",
    summary="Create a claim",
)
def create_claim(data: ClaimCreate, session: SessionDep, response: Response) -> ClaimPublic:
    """Record a claim with its subjects, relations and the sources it appears in."""
    claim = claims.create_claim(session, data)
    created(response, f"/claims/{claim.id}")
    return tagged(response, claim)


@router.get(
    "",
    responses=problem_responses(400, 422) | formats.responses("claim"),
    operation_id="list_claims",
    summary="List claims",
)
async def list_claims(
    request: Request,
    response: Response,
    slow: offload.SlowRead,
    session: SessionDep,
    query: Annotated[ClaimQuery, Query()],
) -> Page[ClaimPublic]:
    """Claims matching every filter given, one keyset page at a time (`Link: rel="next"`).

    Dates filter honestly: `stated_after=2019-09` finds claims certainly stated in or after
    September 2019; add `include_imprecise=true` to also get those dated only `2019`.
    """
    exported: Page[ClaimPublic] | None = formats.export(
        request, session, "claim", query, claim_queries.list_claims
    )
    if exported is not None:
        return exported
    return await _answer(request, response, slow, query, claim_queries.list_claims, session)


@router.get(
    "/{claim_id}",
    response_model=ClaimPublic,
    responses=problem_responses(304, 404, 410),
    operation_id="read_claim",
    summary="Read a claim",
)
async def read_claim(
    claim_id: ClaimRef,
    session: SessionDep,
    shape_as: history.ReadAsOf,
    if_none_match: IfNoneMatch = None,
) -> ClaimPublic | Response:
    """One claim by id or slug, with its subjects, appearances and relations."""
    if shape_as.as_of is not None:
        return history.as_of_answer(session, "claim", claim_id, shape_as.as_of)
    return read_tagged(CLAIMS, session, claim_id, if_none_match)


@router.patch(
    "/{claim_id}",
    responses=problem_responses(400, 404, 409, 412, 422),
    operation_id="update_claim",
    summary="Update a claim",
)
def update_claim(
    claim_id: ClaimRef,
    data: ClaimUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ClaimPublic:
    """Change the fields sent; `subjects` and `relations` replace the stored lists."""
    return tagged(response, claims.update_claim(session, claim_id, data, if_match=if_match))


@router.delete(
    "/{claim_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 409, 410, 412),
    operation_id="delete_claim",
    summary="Delete a claim",
)
def delete_claim(
    claim_id: ClaimRef, session: SessionDep, purge: Purge, if_match: IfMatch = None
) -> None:
    """Delete a claim and its appearances; 409 if other claims relate to it.

    The id and slug then answer 410 Gone and are never reused; the revisions stay readable
    and an admin can restore it (`POST .../restore`).
    """
    history.delete_or_purge(
        session,
        "claim",
        claim_id,
        purge,
        lambda: claims.delete_claim(session, claim_id, if_match=if_match),
    )


@appearances_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 404, 409, 422),
    operation_id="create_appearance",
    summary="Add an appearance of a claim",
)
def create_appearance(
    claim_id: ClaimRef, data: AppearanceCreate, session: SessionDep, response: Response
) -> AppearancePublic:
    """Record a source a claim appears in; the quote is checked against the source text."""
    appearance = appearances.create_appearance(session, claim_id, data)
    created(response, f"/claims/{appearance.claim_id}/appearances/{appearance.id}")
    return tagged(response, appearance)


@appearances_router.get(
    "",
    responses=problem_responses(400, 404, 422),
    operation_id="list_appearances",
    summary="List a claim's appearances",
)
async def list_appearances(
    claim_id: ClaimRef,
    request: Request,
    response: Response,
    session: SessionDep,
    query: Annotated[ShapeQuery, Query()],
) -> Page[AppearancePublic]:
    """The sources a claim appears in, with the quotes."""
    found = appearances.list_appearances(session, claim_id, query)
    return listed(request, response, Page[AppearancePublic], found, query)


@appearances_router.get(
    "/{appearance_id}",
    responses=problem_responses(304, 404, 422),
    operation_id="read_appearance",
    summary="Read an appearance",
)
async def read_appearance(
    claim_id: ClaimRef,
    appearance_id: uuid.UUID,
    session: SessionDep,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> AppearancePublic:
    """One appearance of a claim."""
    return tagged_unless_current(
        response, appearances.read_appearance(session, claim_id, appearance_id), if_none_match
    )


@appearances_router.patch(
    "/{appearance_id}",
    responses=problem_responses(400, 404, 409, 412, 422),
    operation_id="update_appearance",
    summary="Update an appearance",
)
def update_appearance(
    claim_id: ClaimRef,
    appearance_id: uuid.UUID,
    data: AppearanceUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> AppearancePublic:
    """Change the fields sent; a new quote, source or offsets are checked again."""
    return tagged(
        response,
        appearances.update_appearance(session, claim_id, appearance_id, data, if_match=if_match),
    )


@appearances_router.delete(
    "/{appearance_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 412, 422),
    operation_id="delete_appearance",
    summary="Delete an appearance",
)
def delete_appearance(
    claim_id: ClaimRef, appearance_id: uuid.UUID, session: SessionDep, if_match: IfMatch = None
) -> None:
    """Remove one appearance of a claim; the claim and the source stay."""
    appearances.delete_appearance(session, claim_id, appearance_id, if_match=if_match)


@event_claims_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 404, 409, 422),
    operation_id="create_event_claim",
    summary="Create a claim made at an event",
)
def create_event_claim(
    event_id: EventRef, data: ClaimCreate, session: SessionDep, response: Response
) -> ClaimPublic:
    """Record a claim whose `event_id` is this event."""
    claim = claims.create_event_claim(session, event_id, data)
    created(response, f"/claims/{claim.id}")
    return tagged(response, claim)


@event_claims_router.get(
    "",
    responses=problem_responses(400, 404, 422) | formats.responses("claim"),
    operation_id="list_event_claims",
    summary="List the claims of an event",
)
async def list_event_claims(
    event_id: EventRef,
    request: Request,
    response: Response,
    slow: offload.SlowRead,
    session: SessionDep,
    query: Annotated[ClaimQuery, Query()],
) -> Page[ClaimPublic]:
    """Claims made at the event or about it; the filters of GET /claims apply."""
    exported: Page[ClaimPublic] | None = formats.export(
        request,
        session,
        "claim",
        query,
        partial(claim_queries.list_event_claims, event_ref=event_id),
    )
    if exported is not None:
        return exported
    return await _answer(
        request, response, slow, query, claim_queries.list_event_claims, session, event_id
    )


@participant_claims_router.get(
    "",
    responses=problem_responses(400, 404, 422) | formats.responses("claim"),
    operation_id="list_participant_claims",
    summary="List the claims of a participant",
)
async def list_participant_claims(
    participant_id: ParticipantRef,
    request: Request,
    response: Response,
    slow: offload.SlowRead,
    session: SessionDep,
    query: Annotated[ClaimQuery, Query()],
) -> Page[ClaimPublic]:
    """Claims the participant made or that are about them; the filters of GET /claims apply."""
    exported: Page[ClaimPublic] | None = formats.export(
        request,
        session,
        "claim",
        query,
        partial(claim_queries.list_participant_claims, participant_ref=participant_id),
    )
    if exported is not None:
        return exported
    return await _answer(
        request,
        response,
        slow,
        query,
        claim_queries.list_participant_claims,
        session,
        participant_id,
    )


# A claims list: called with the path's record (if any), then the query.
ClaimService = Callable[..., claim_queries.ClaimPage]


async def _answer(
    request: Request,
    response: Response,
    slow: bool,
    query: ClaimQuery,
    service: ClaimService,
    *args: Any,
) -> Page[ClaimPublic]:
    shaped: Page[ClaimPublic] = await offload.answer(
        slow, response, _paged, request, query, service, *args
    )
    return shaped


def _paged(
    request: Request, query: ClaimQuery, service: ClaimService, *args: Any
) -> Page[ClaimPublic]:
    found = service(*args, query, shape=read_claims.PAGE)
    shaped: Page[ClaimPublic] = paged_records(request, ClaimPublic, found, query.field_set())
    return shaped


routers = [router, appearances_router, event_claims_router, participant_claims_router]
hot_reads = [HotRead(f"{API_PREFIX}{router.prefix}/{{claim_id}}", tagged_record(CLAIMS))]
