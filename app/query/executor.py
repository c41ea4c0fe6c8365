"""Runs a plan: the page's rows in order, the cursor of the next page, and the total if asked."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.query import dialects
from app.query.lists import Request
from app.query.planner import Plan, PlanName
from app.services import linked_pages, paging


@dataclass(frozen=True)
class Page:
    """A page of records in the list's order, the next page's cursor, and the count of all."""

    rows: list[Any]
    next_cursor: str | None
    total: int | None


def run(session: Session, request: Request, plan: Plan) -> Page:
    """The page `plan` reads, and how many records the whole list holds if asked."""
    total = count(session, request) if request.include_total else None
    if plan.name in (PlanName.RELEVANCE, PlanName.RELEVANCE_TOP):
        rows, next_cursor = _by_relevance(session, request, plan)
    elif plan.walk is not None and request.listing.links is not None:
        rows, next_cursor = linked_pages.page(
            session,
            request.listing.links,
            select(request.listing.model).where(*plan.conditions),
            plan.walk,
            sort=request.order,
            limit=request.limit,
            cursor=request.cursor,
            scope=request.scope,
        )
    else:
        rows, next_cursor = _in_order(session, request, plan)
    return Page(rows, next_cursor, total)


def count(session: Session, request: Request) -> int:
    """How many records the list holds, its matches collected."""
    return paging.count(session, select(request.listing.model).where(*request.where.collected()))


def _in_order(session: Session, request: Request, plan: Plan) -> tuple[list[Any], str | None]:
    """A keyset page in a stored order: along the sort's index, or of the matches sorted."""
    model = request.listing.model
    stmt = select(model).where(*plan.conditions)
    along_index = plan.name in (PlanName.INDEX_ORDER, PlanName.STORED_ORDER)
    if plan.name == PlanName.INDEX_ORDER:
        index = request.listing.sort_indexes[request.sort_name]
        stmt = dialects.of(session).hinted(stmt, model, index)
    return paging.keyset_page(
        session,
        stmt,
        model,
        request.order,
        limit=request.limit,
        cursor=request.cursor,
        scope=request.scope,
        sort_by_index=along_index,
    )


def _by_relevance(session: Session, request: Request, plan: Plan) -> tuple[list[Any], str | None]:
    """A page by position in (rank, id) order."""
    dialect, model, text = dialects.of(session), request.listing.model, request.listing.text
    q = request.q or ""
    if plan.name == PlanName.RELEVANCE_TOP:
        # Nothing but the ranked matches to filter by: only the best of them need reading.
        top = paging.offset_of(request.cursor, request.scope) + request.limit + 1
        ranks, stmt = dialect.ranked(text, q, top=top), select(model)
    else:
        ranks, stmt = dialect.ranked(text, q), select(model).where(*plan.conditions)
    ordered = stmt.join(ranks, ranks.c.id == model.id).order_by(ranks.c.rank, model.id)
    return paging.offset_page(
        session, ordered, limit=request.limit, cursor=request.cursor, scope=request.scope
    )
