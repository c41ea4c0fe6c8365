"""GET /events, top to bottom: how a page of the event list is chosen, read and shaped.

A request passes through four steps, each in its own module of app.query:

1. **Resolve** (`event_filters.resolve`): the `EventQuery`'s filters become a typed value,
   `ResolvedEvents`. Every reference (parent, participants, sources) is looked up once, a
   bad value is a 422 naming its parameter, and each filter's WHERE condition is built once,
   in both of the forms the plans read (`where.Condition`: matches collected with IN, or
   checked row by row with EXISTS). *A new filter goes there*, in `_conditions`.
2. **Plan** (`planner.plan_events`): which way to read the page, as a named `Plan` with its
   reason: walk one participant's links, read along the sort's index, collect the matches
   and sort them, read a few rows first and check each, or rank text matches. Only SQLite
   needs counting to choose (its planner ignores LIMIT); the thresholds live there.
3. **Execute** (`executor.run`): the plan's statement, with keyset (or, by relevance,
   offset) paging from app.services.paging: the page's rows in order, the next cursor
   bound to the list's filters (`scope`), and the total if asked.
4. **Shape** (`public`, or the caller's `shape`): the rows as the public records, with
   matches and expansions; the events router has them written as JSON bytes (app.read).

What differs between SQLite and PostgreSQL (full text, index hints, date periods) is one
strategy object per engine, in `dialects`.
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.models import Event
from app.query import event_filters, executor, planner
from app.query.executor import Page
from app.query.lists import EVENTS, Request
from app.schemas.events import EventPublic, EventQuery
from app.services import event_periods, event_queries, paging, search

# A page of events (public models unless a `Shape` made them something else), cursor, total.
Listed = tuple[list[Any], str | None, int | None]
# Makes a page's rows into what the list answers with (by default `public`).
Shape = Callable[[Session, EventQuery, list[Event]], list[Any]] | None


def list_events(session: Session, query: EventQuery, shape: Shape = None) -> Listed:
    """A page of matching events in the order asked for, shaped and expanded as asked: public
    models unless `shape` makes the page's rows into something else."""
    page = read_page(session, query)
    return (shape or public)(session, query, page.rows), page.next_cursor, page.total


def read_page(session: Session, query: EventQuery) -> Page:
    """The page of events `query` asks for: rows in order, next cursor and total."""
    request, found = resolve(session, query)
    return executor.run(session, request, planner.plan_events(session, request, found))


def plan(session: Session, query: EventQuery) -> planner.Plan:
    """The plan that would read `query`'s page (for tests and explanations)."""
    return planner.plan_events(session, *resolve(session, query))


def resolve(session: Session, query: EventQuery) -> tuple[Request, event_filters.ResolvedEvents]:
    """`query` as a list request, its filters resolved once."""
    search.check_sort(query.sort, query.q)
    found = event_filters.resolve(session, query)
    request = Request(
        listing=EVENTS,
        where=found.where,
        sort=query.sort,
        q=query.q,
        limit=query.limit,
        cursor=query.cursor,
        scope=paging.scope_of("events", query.model_dump(exclude={"limit", "cursor"})),
        include_total=query.include_total,
    )
    return request, found


def public(session: Session, query: EventQuery, rows: list[Event]) -> list[EventPublic]:
    """The page's events as public models, with their matches and expansions."""
    status_on = (query.status_on, event_periods.status_day(query)) if query.status_on else None
    return event_queries.shape(session, rows, query.q, query.expansions(), status_on)
