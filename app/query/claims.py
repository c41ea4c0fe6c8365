"""GET /claims (and an event's or a participant's claims), top to bottom.

The same four steps as app.query.events: resolve the filters once (`claim_filters`), plan
(`planner.plan_claims`: walk the one subject's links, or read in a stored order or by
relevance), execute (`executor.run`), shape (`public`, or the `shape` the caller gives).
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session

from app.models import Claim
from app.query import claim_filters, dialects, executor, planner
from app.query.lists import CLAIMS, Request
from app.schemas.claims import ClaimPublic, ClaimQuery
from app.services import claims, paging, search

# A page of claims (public models unless a `Shape` made them something else), next cursor, total.
ClaimPage = tuple[list[Any], str | None, int | None]
# Makes a page's records into what the list answers with (by default `public`).
Shape = Callable[[Session, ClaimQuery, list[Claim]], list[Any]] | None


def list_claims(
    session: Session,
    query: ClaimQuery,
    base: tuple[ColumnElement[bool], ...] = (),
    name: str = "claims",
    shape: Shape = None,
) -> ClaimPage:
    """A page of matching claims (of the list `name`, narrowed by `base`), in the order asked
    for, with matches under `q`; public models unless `shape` makes them something else."""
    request, found = resolve(session, query, base, name)
    page = executor.run(session, request, planner.plan_claims(session, request, found))
    return (shape or public)(session, query, page.rows), page.next_cursor, page.total


def resolve(
    session: Session,
    query: ClaimQuery,
    base: tuple[ColumnElement[bool], ...] = (),
    name: str = "claims",
) -> tuple[Request, claim_filters.ResolvedClaims]:
    """`query` as a list request, its filters resolved once."""
    search.check_sort(query.sort, query.q)
    found = claim_filters.resolve(session, query, base)
    request = Request(
        listing=CLAIMS,
        where=found.where,
        sort=query.sort,
        q=query.q,
        limit=query.limit,
        cursor=query.cursor,
        scope=paging.scope_of(name, query.model_dump(exclude={"limit", "cursor"})),
        include_total=query.include_total,
    )
    return request, found


def plan(session: Session, query: ClaimQuery) -> planner.Plan:
    """The plan that would read `query`'s page of all claims (for tests and explanations)."""
    return planner.plan_claims(session, *resolve(session, query))


def public(session: Session, query: ClaimQuery, rows: list[Claim]) -> list[ClaimPublic]:
    """The public models of a page's claims, with their matches under `q`."""
    found = claims.to_public(session, rows)
    if query.q:
        ids = [claim.id for claim in rows]
        marked = dialects.of(session).snippets(session, search.CLAIMS, query.q, ids)
        for claim in found:
            claim.match = marked.get(claim.id)
    return found
