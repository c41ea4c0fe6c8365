"""GET /claims (and an event's or a participant's claims), top to bottom.

The same four steps as app.query.events: resolve the filters once (`claim_filters`), plan
(`planner.plan_claims`: walk the one subject's links, or read in a stored order or by
relevance), execute (`executor.run`), shape (`_public`).
"""

from sqlalchemy import ColumnElement
from sqlmodel import Session

from app.query import claim_filters, dialects, executor, planner
from app.query.executor import Page
from app.query.lists import CLAIMS, Request
from app.schemas.claims import ClaimPublic, ClaimQuery
from app.services import claims, paging, search

ClaimPage = tuple[list[ClaimPublic], str | None, int | None]


def list_claims(
    session: Session,
    query: ClaimQuery,
    base: tuple[ColumnElement[bool], ...] = (),
    name: str = "claims",
) -> ClaimPage:
    """A page of matching claims (of the list `name`, narrowed by `base`), in the order asked
    for, with matches under `q`."""
    request, found = resolve(session, query, base, name)
    page = executor.run(session, request, planner.plan_claims(session, request, found))
    return _public(session, page, query), page.next_cursor, page.total


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


def _public(session: Session, page: Page, query: ClaimQuery) -> list[ClaimPublic]:
    """The page's claims as public records, with their matches under `q`."""
    public = claims.to_public(session, page.rows)
    if query.q:
        ids = [claim.id for claim in page.rows]
        marked = dialects.of(session).snippets(session, search.CLAIMS, query.q, ids)
        for claim in public:
            claim.match = marked.get(claim.id)
    return public
