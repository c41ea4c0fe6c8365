"""Pages of one participant's events or claims, read along its links in page order.

A busy participant is linked to a large share of all events; collecting its events before
choosing a page reads every one of them. Its links hold copies of their event's (claim's) sort
keys (revision 0004), indexed per participant, so the page is read in order from the links
and stops at its end.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.models import (
    IX_CLAIM_SUBJECT_PARTICIPANT_CREATED,
    IX_CLAIM_SUBJECT_PARTICIPANT_STATED,
    IX_EVENT_PARTICIPANT_PARTICIPANT_CREATED,
    IX_EVENT_PARTICIPANT_PARTICIPANT_START,
    ClaimSubject,
    Event,
    EventParticipant,
)
from app.query import dialects
from app.query.claim_filters import ResolvedClaims
from app.query.event_filters import ResolvedEvents
from app.read import columns
from app.schemas.events import EventFilters
from app.services import date_ranges, paging

M = TypeVar("M", bound=SQLModel)


@dataclass(frozen=True)
class Links:
    """A link table from participants to records, with copies of the records' sort keys."""

    table: type[EventParticipant] | type[ClaimSubject]
    target: str
    copies: dict[str, str]
    indexes: dict[str, str]
    # Of a participant's links to one record, the one that counts has the least of this
    # column: unique among them, and read from the link's unique index where it is in it.
    first_by: str


EVENTS = Links(
    EventParticipant,
    "event_id",
    {"created_at": "event_created_at", "start_sort": "event_start_sort", "id": "event_id"},
    {
        "created_at": IX_EVENT_PARTICIPANT_PARTICIPANT_CREATED,
        "start_sort": IX_EVENT_PARTICIPANT_PARTICIPANT_START,
    },
    "role",
)
CLAIMS = Links(
    ClaimSubject,
    "claim_id",
    {"created_at": "claim_created_at", "stated_sort": "claim_stated_sort", "id": "claim_id"},
    {
        "created_at": IX_CLAIM_SUBJECT_PARTICIPANT_CREATED,
        "stated_sort": IX_CLAIM_SUBJECT_PARTICIPANT_STATED,
    },
    "id",
)
# Reading a date range whole and sorting it costs its links, r; walking the participant's n
# links in recorded order costs about limit x n / matches, and matches are at most r, fewer
# once other filters apply: assumed to keep one in _THINNING. The range is read when
# r x r < _THINNING x limit x n, and walked beyond _LONG_RANGE x paging.DENSE links.
_THINNING = 10
_LONG_RANGE = 4


@dataclass(frozen=True)
class Walk:
    """Which participant's links to read, and what narrows them before their records."""

    participant_id: uuid.UUID
    roles: tuple[str, ...] = ()
    # Bounds on the copied date sort key (start or stated) implied by the list's date range.
    sort_from: dt.date | None = None
    sort_to: dt.date | None = None


def event_walk(session: Session, found: ResolvedEvents) -> Walk:
    """The walk along the least linked of an event list's participants (all of which each
    event must have), narrowed by the list's roles and start range."""
    walked = least_linked(session, EVENTS, list(found.participant_ids))
    filters = found.filters
    bounds = date_ranges.sort_bounds(
        after=filters.start_after,
        before=filters.start_before,
        include_imprecise=filters.include_imprecise,
    )
    return Walk(walked, tuple(r.value for r in filters.role), *bounds)


def claim_walk(session: Session, found: ResolvedClaims) -> Walk | None:
    """The walk along the links of a claim list's one subject, if it is a participant."""
    if found.subject_participant is None:
        return None
    filters = found.filters
    bounds = date_ranges.sort_bounds(
        after=filters.stated_after,
        before=filters.stated_before,
        include_imprecise=filters.include_imprecise,
    )
    return Walk(found.subject_participant, (), *bounds)


def links_dense(session: Session, participant_ids: list[uuid.UUID], roles: tuple[str, ...]) -> bool:
    """Whether the participants have many events (paging.DENSE), counted on their links."""
    found = [("participant_id", len(participant_ids)), *([("role", len(roles))] if roles else [])]
    sql = _counting(dialects.of(session).name, _EVENT_PARTICIPANT, "event_id", tuple(found))
    params = [*participant_ids, *roles]
    return _counted(session, sql, params, paging.DENSE) >= paging.DENSE


def fewer_events(session: Session, query: EventFilters, walk: Walk) -> int | None:
    """How many events the list's country or event type selects in the date range of a ranged
    walk, if fewer than paging.DENSE and than the links the walk would read there (then
    checking each of those events for the participant costs less than the walk); else None.

    Both are counted from an index alone, the events first (an upper bound: the exact date
    check only removes more), then the links only up to one more than the events.
    """
    if walk.sort_from is None and walk.sort_to is None:
        return None
    dialect = dialects.of(session).name
    bounds = _bounds("start_sort", walk)
    # Each is indexed with the start: ix_event_country_start, ix_event_type_start.
    for column, values in (
        ("location_country", query.country),
        ("event_type", [t.value for t in query.event_type]),
    ):
        if values:
            sql = _counting(dialect, _EVENT, "id", ((column, len(values)), *bounds))
            params = [*values, *_bounded(walk)]
            found = _counted(session, sql, params, paging.DENSE)
            if found < paging.DENSE and found < _count(session, EVENTS, walk, found + 1):
                return found
    return None


def least_linked(session: Session, links: Links, ids: list[uuid.UUID]) -> uuid.UUID:
    """Of `ids`, the participant with the fewest links: walking it checks the fewest links per
    match. Counted up to paging.DENSE; past that, the first listed."""
    if len(ids) == 1:
        return ids[0]
    return min(ids, key=lambda pid: _count(session, links, Walk(pid), paging.DENSE))


def page(
    session: Session,
    links: Links,
    stmt: SelectOfScalar[M],
    walk: Walk,
    *,
    sort: paging.Sort,
    limit: int,
    cursor: str | None,
    scope: str,
) -> tuple[list[M], str | None]:
    """One page of `stmt`'s rows that `walk.participant_id` is linked to, in `sort` order."""
    link = links.table
    target = getattr(link, links.target)
    model = stmt.column_descriptions[0]["entity"]
    first = sort.keys[0].attr
    narrowing = _narrowing(links, walk)
    index = links.indexes[first]
    dated = next(name for name in links.indexes if name != "created_at")
    # PostgreSQL weighs the two plans of a date range in recorded order itself.
    ranged = walk.sort_from is not None or walk.sort_to is not None
    dialect = dialects.of(session)
    counted = dialect.counts_to_plan
    if first == "created_at" and ranged and counted and _short(session, links, walk, limit):
        index = links.indexes[dated]
    walked = stmt.join(link, col(target) == model.id).where(
        *narrowing, _first_of_target(links, walk)
    )
    walked = dialect.hinted(walked, link, index)
    columns = [getattr(link, links.copies[key.attr]) for key in sort.keys]
    return paging.keyset_page(
        session,
        walked,
        model,
        sort,
        limit=limit,
        cursor=cursor,
        scope=scope,
        columns=columns,
    )


def _narrowing(links: Links, walk: Walk) -> list[ColumnElement[bool]]:
    link: Any = links.table
    found: list[ColumnElement[bool]] = [col(link.participant_id) == walk.participant_id]
    if walk.roles:
        found.append(col(link.role).in_(walk.roles))
    dated = getattr(link, _dated(links))
    return [*found, *date_ranges.between(dated, walk.sort_from, walk.sort_to)]


def _short(session: Session, links: Links, walk: Walk, limit: int) -> bool:
    """Whether the date range of `walk` is cheaper read whole than walked (see _THINNING)."""
    most = _LONG_RANGE * paging.DENSE
    in_range = _count(session, links, walk, most)
    if in_range >= most:
        return False
    needed = in_range * in_range // (_THINNING * (limit + 1)) + 1
    everywhere = Walk(walk.participant_id, walk.roles)
    return _count(session, links, everywhere, needed) >= needed


def _count(session: Session, links: Links, walk: Walk, most: int) -> int:
    """How many links `walk` reads (those `_narrowing` selects), counted up to `most`."""
    dated = _dated(links)
    found = (("participant_id", 1), *([("role", len(walk.roles))] if walk.roles else []))
    found += _bounds(dated, walk)
    # The participant column, not the id, so that the count reads the index alone.
    table = str(links.table.__tablename__)
    sql = _counting(dialects.of(session).name, table, "participant_id", found)
    return _counted(session, sql, [walk.participant_id, *walk.roles, *_bounded(walk)], most)


# Counting runs several times in planning a page: written once per shape and sent through the
# driver, a count costs a tenth of building its statement anew and running it through the ORM.
Shape = tuple[tuple[str, int], ...]
_EVENT = str(Event.__tablename__)
_EVENT_PARTICIPANT = str(EventParticipant.__tablename__)
_OPERATORS = {"from": ">=", "to": "<="}


@lru_cache(maxsize=256)
def _counting(dialect: str, table: str, selected: str, shape: Shape) -> str:
    """A count of `table`'s rows, up to the last parameter, where each `(column, n)` of
    `shape` is one of its n parameters (`column from` / `column to`: at least / at most its
    one parameter)."""
    mark = "?" if dialect == "sqlite" else "%s"
    found = []
    for column, n in shape:
        name, _, bound = column.partition(" ")
        if bound:
            found.append(f"{name} {_OPERATORS[bound]} {mark}")
        elif n == 1:
            found.append(f"{name} = {mark}")
        else:
            found.append(f"{name} IN ({', '.join([mark] * n)})")
    return (
        f"SELECT count(*) FROM (SELECT {table}.{selected} FROM {table} "
        f"WHERE {' AND '.join(found)} LIMIT {mark}) AS sample"
    )


def _counted(session: Session, sql: str, params: list[Any], most: int) -> int:
    dialect = columns.dialect_of(session)
    bound = [columns.bind(dialect, p) for p in params]
    if dialect.name == "sqlite":
        # SQLite stores a date as its ISO text.
        bound = [p.isoformat() if isinstance(p, dt.date) else p for p in bound]
    return int(columns.Select(sql, (None,)).rows(session, [*bound, most])[0][0])


def _dated(links: Links) -> str:
    """The link table's copy of its records' date sort key."""
    return next(links.copies[n] for n in links.indexes if n != "created_at")


def _bounds(column: str, walk: Walk) -> Shape:
    return tuple(
        (f"{column} {side}", 1)
        for side, value in (("from", walk.sort_from), ("to", walk.sort_to))
        if value is not None
    )


def _bounded(walk: Walk) -> list[dt.date]:
    return [d for d in (walk.sort_from, walk.sort_to) if d is not None]


def _first_of_target(links: Links, walk: Walk) -> ColumnElement[bool]:
    return _first_link(links.table, links.target, links.first_by, walk.roles)


# Built once per link table and roles: making the alias and its columns anew cost about as
# much as one of a page's statements.
@lru_cache(maxsize=256)
def _first_link(
    link: type[EventParticipant] | type[ClaimSubject],
    target: str,
    first_by: str,
    roles: tuple[str, ...],
) -> ColumnElement[bool]:
    # A participant may be linked to one record more than once (in several roles): only the
    # first of those links counts, so the record appears once.
    twin: Any = aliased(link, name="twin")
    # The participant column, not the id, so that the check reads the index alone.
    same = select(twin.participant_id).where(
        getattr(twin, target) == getattr(link, target),
        twin.participant_id == link.participant_id,
        getattr(twin, first_by) < getattr(link, first_by),
    )
    if roles:
        same = same.where(twin.role.in_(roles))
    return ~same.exists()
