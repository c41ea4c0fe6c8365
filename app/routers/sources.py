"""Routes of /sources."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app import formats
from app.db import SessionDep
from app.read import sources as read_sources
from app.read.sources import SOURCES
from app.routers import history
from app.routers.common import API_PREFIX, SourceRef, created, paged_records, problem_responses
from app.routers.conditional import (
    IfMatch,
    IfNoneMatch,
    read_tagged,
    tagged,
)
from app.routers.history import Purge
from app.routers.hot_reads import HotRead, tagged_record
from app.schemas.common import Page
from app.schemas.sources import SourceCreate, SourcePublic, SourceQuery, SourceUpdate
from app.services import sources

router = APIRouter(prefix="/sources", tags=["sources"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 409, 422),
    operation_id="create_source",
    summary="Create a source",
)
def create_source(data: SourceCreate, session: SessionDep, response: Response) -> SourcePublic:
    """Record a source; with `text`, claim quotes on it are checked against the text."""
    source = sources.create_source(session, data)
    created(response, f"/sources/{source.id}")
    return tagged(response, source)


@router.get(
    "",
    responses=problem_responses(400, 422) | formats.responses("source"),
    operation_id="list_sources",
    summary="List sources",
)
async def list_sources(
    request: Request,
    response: Response,
    session: SessionDep,
    query: Annotated[SourceQuery, Query()],
) -> Page[SourcePublic]:
    """Sources in the order they were recorded, one keyset page at a time (`Link: rel="next"`)."""
    exported: Page[SourcePublic] | None = formats.export(
        request, session, "source", query, sources.list_sources
    )
    if exported is not None:
        return exported
    found = sources.list_sources(session, query, read_sources.PAGE)
    shaped: Page[SourcePublic] = paged_records(request, SourcePublic, found, query.field_set())
    return shaped


@router.get(
    "/{source_id}",
    response_model=SourcePublic,
    responses=problem_responses(304, 404, 410),
    operation_id="read_source",
    summary="Read a source",
)
async def read_source(
    source_id: SourceRef,
    session: SessionDep,
    shape_as: history.ReadAsOf,
    if_none_match: IfNoneMatch = None,
) -> SourcePublic | Response:
    """One source by id or slug."""
    if shape_as.as_of is not None:
        return history.as_of_answer(session, "source", source_id, shape_as.as_of)
    return read_tagged(SOURCES, session, source_id, if_none_match)


@router.patch(
    "/{source_id}",
    responses=problem_responses(400, 404, 409, 412, 422),
    operation_id="update_source",
    summary="Update a source",
)
def update_source(
    source_id: SourceRef,
    data: SourceUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> SourcePublic:
    """Change the fields sent; a new text must still hold every quote at its offsets."""
    return tagged(response, sources.update_source(session, source_id, data, if_match=if_match))


@router.delete(
    "/{source_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 409, 410, 412),
    operation_id="delete_source",
    summary="Delete a source",
)
def delete_source(
    source_id: SourceRef, session: SessionDep, purge: Purge, if_match: IfMatch = None
) -> None:
    """Delete a source; 409 if claims or roles cite it.

    The id and slug then answer 410 Gone and are never reused; the revisions stay readable
    and an admin can restore it (`POST .../restore`).
    """
    history.delete_or_purge(
        session,
        "source",
        source_id,
        purge,
        lambda: sources.delete_source(session, source_id, if_match=if_match),
    )


routers = [router]
hot_reads = [HotRead(f"{API_PREFIX}{router.prefix}/{{source_id}}", tagged_record(SOURCES))]
