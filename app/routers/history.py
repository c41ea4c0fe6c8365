"""Routes of history: revisions of each record, restore, purge, and the changes feed."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, AwareDatetime, ConfigDict, Field

from app.auth import CallerKey, check_scope
from app.db import SessionDep
from app.routers.common import problem_responses
from app.schemas.common import RequestModel, no_nul
from app.schemas.history import (
    ChangesPage,
    ChangesQuery,
    MergeReport,
    MergeRequest,
    RevisionDetail,
    RevisionPage,
    RevisionQuery,
)
from app.schemas.keys import KeyScope
from app.services import deletions, merges, revisions

_EXAMPLES = {
    "event": "netanyahu-putin-meeting-2019-09-12",
    "participant": "vladimir-putin",
    "claim": "putin-accepted-rivlin-invitation",
    "source": "breen-portnoy-netanyahu-putin-sochi-2019-09-12",
}
changes_router = APIRouter(tags=["changes"])
GUIDE = """
### History, deletions, merges and the changes feed

* **Every write is a revision.** `GET /api/v1/events/netanyahu-putin-meeting-2019-09-12/revisions`
  lists the event's versions (who, when, `changes` as `[before, after]`, sub-records such as
  `event_participant` included); `.../revisions/2` shows one with the record as it became.
  A change to a sub-record (a participant link, an appearance, a role) bumps the parent's
  `version`, `updated_at` and ETag.
* **`as_of`**: `GET /api/v1/participants/vladimir-putin?as_of=2026-11-30T12:00:00Z` answers
  with the revision in force then (404 if the record did not exist yet, 410 if it was deleted
  by then). Lists do not take `as_of`: answering one would mean rebuilding every candidate
  record from its revisions, a scan of the history; read the changes feed instead.
* **410 Gone**: a deleted record's id and slug answer 410 (problem+json saying when and by
  which key); the slug is never reused and the revisions stay readable. An admin can
  `POST .../restore`, or `DELETE ...?purge=true` to erase its content, keeping the tombstone.
  Deleting a record others still refer to remains a 409.
* **308 Permanent Redirect**: after
  `POST /api/v1/participants/v-putin/merge {"into": "vladimir-putin"}` the merged id and slug
  answer 308 with `Location` naming the survivor (sub-paths too: `.../roles`).
* **Changes feed**: `GET /api/v1/changes?since=<next_cursor>&limit=100&type=event` lists every
  create, update, delete, restore, merge and purge in commit order, each with the record as it
  became. Start without `since`, read while `more` is true, then poll from the last
  `next_cursor`: nothing is skipped or repeated, even under concurrent writers, because the
  position is handed out at commit while a lock is held, so a later position always belongs to
  a later commit. `updated_since` filters lists by `updated_at`.
"""


async def purge_flag(
    key: CallerKey,
    purge: Annotated[
        bool,
        Query(
            description="Admin only: also erase the record's content from its revisions "
            "(for legal reasons); the tombstone keeps its id and slug."
        ),
    ] = False,
) -> bool:
    """The `purge` parameter of a DELETE, admitted only with the admin scope."""
    if purge:
        check_scope(key, KeyScope.admin)
    return purge


Purge = Annotated[bool, Depends(purge_flag)]
AS_OF = (
    "An RFC 3339 time with offset: answer with the record as it stood then, as its revision "
    "in force (`record` holds its stored fields and sub-records); 404 if it did not exist "
    "yet, 410 if it was deleted by then."
)


class RecordRead(RequestModel):
    """Query of GET /participants, /claims and /sources by id: the time to read it as of.

    Any other parameter is a 422, as on GET /events/{id}.
    """

    model_config = ConfigDict(extra="forbid")

    as_of: AwareDatetime | None = Field(default=None, description=AS_OF)


ReadAsOf = Annotated[RecordRead, Query()]


def as_of_answer(session: SessionDep, resource: str, ref: str, when: dt.datetime) -> JSONResponse:
    """The body of a GET with `as_of`: the revision in force at `when`."""
    found = revisions.as_of(session, resource, ref, when)
    return JSONResponse(found.model_dump(mode="json"))


def delete_or_purge(
    session: SessionDep, resource: str, ref: str, purge: bool, delete: Callable[[], None]
) -> None:
    """Delete a live record (tombstone), then purge it if asked; purge alone if already deleted."""
    if not purge or revisions.is_live(session, resource, ref):
        delete()
    if purge:
        deletions.purge(session, resource, ref)


def _router(resource: str) -> APIRouter:
    router = APIRouter(prefix=f"/{resource}s/{{ref}}", tags=[f"{resource}s"])
    Ref = Annotated[  # noqa: N806
        str,
        Path(
            description=f"The {resource}'s UUID or slug (deleted and merged ones too).",
            examples=[_EXAMPLES[resource]],
        ),
        # A NUL (`%00`) is refused before it reaches the database, which may not hold one.
        AfterValidator(no_nul),
    ]

    @router.get(
        "/revisions",
        responses=problem_responses(400, 404, 422),
        operation_id=f"list_{resource}_revisions",
        summary=f"List a {resource}'s revisions",
    )
    def list_revisions(
        ref: Ref, session: SessionDep, query: Annotated[RevisionQuery, Query()]
    ) -> RevisionPage:
        """Every committed change of the record, oldest first; readable after a delete."""
        return revisions.list_revisions(session, resource, ref, query)

    @router.get(
        "/revisions/{version}",
        responses=problem_responses(404, 422),
        operation_id=f"read_{resource}_revision",
        summary=f"Read one revision of a {resource}",
    )
    def read_revision(
        ref: Ref,
        session: SessionDep,
        version: Annotated[int, Path(ge=1, description="The version the change made.")],
    ) -> RevisionDetail:
        """One change, with the record as it stood after it."""
        return revisions.read_revision(session, resource, ref, version)

    @router.post(
        "/restore",
        responses=problem_responses(400, 404, 409),
        operation_id=f"restore_{resource}",
        summary=f"Restore a deleted {resource} (admin)",
    )
    def restore(
        ref: Ref, session: SessionDep, key: CallerKey, response: Response
    ) -> RevisionDetail:
        """Bring a deleted record back as it was deleted, sub-records included."""
        check_scope(key, KeyScope.admin)
        ident = deletions.restore(session, resource, ref)
        response.headers["Location"] = f"/api/v1/{resource}s/{ident}"
        return revisions.latest(session, resource, ident)

    if resource == "participant":

        @router.post(
            "/merge",
            responses=problem_responses(400, 404, 409, 410, 422),
            operation_id="merge_participant",
            summary="Merge a duplicate participant into another",
        )
        def merge(ref: Ref, data: MergeRequest, session: SessionDep) -> MergeReport:
            """Move its event links, roles, claims, subjects and identifiers to `into`.

            Its name joins the survivor's aliases; a clash (the same event and role twice)
            is combined and listed in `combined`. Its id and slug then answer 308 to the
            survivor, and both records' revisions show the merge.
            """
            return merges.merge_participant(session, ref, data)

    if resource == "event":

        @router.post(
            "/merge",
            responses=problem_responses(400, 404, 409, 410, 422),
            operation_id="merge_event",
            summary="Merge a duplicate event into another",
        )
        def merge_event(ref: Ref, data: MergeRequest, session: SessionDep) -> MergeReport:
            """Move its participant links, relations, claims, subjects and parts to `into`.

            A clash (the same participant twice with one role, a relation repeated) is
            combined and listed in `combined`. Its id and slug then answer 308 to the
            survivor, and both events' revisions show the merge.
            """
            return merges.merge_event(session, ref, data)

    return router


@changes_router.get(
    "/changes",
    responses=problem_responses(400, 422),
    operation_id="list_changes",
    summary="Read the changes feed",
)
def list_changes(
    request: Request,
    response: Response,
    session: SessionDep,
    query: Annotated[ChangesQuery, Query()],
) -> ChangesPage:
    """Every create, update, delete, restore, merge and purge of any record, in commit order.

    Keep a mirror by reading from `since=<next_cursor>` until `more` is false, then polling
    from the last `next_cursor`: no change is skipped or repeated.
    """
    page = revisions.read_changes(session, query)
    if page.more:
        following = request.url.include_query_params(since=page.next_cursor)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return page


routers = [_router(r) for r in _EXAMPLES] + [changes_router]
