"""The questions asked of events: filters, orders, shaping, expansion and counts."""

import datetime as dt
import math
import re
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_
from sqlmodel import Session, col, select

from app.errors import invalid
from app.models import (
    IX_EVENT_CREATED_AT_ID,
    IX_EVENT_START_SORT_ID,
    IX_EVENT_TITLE_ID,
    IX_EVENT_UPDATED_AT_ID,
    Claim,
    ClaimSubject,
    Event,
    EventParticipant,
    EventSource,
    Participant,
    Source,
)
from app.schemas.events import (
    EventExpand,
    EventExpansion,
    EventFilters,
    EventPublic,
    EventQuery,
)
from app.services import (
    claims,
    crud,
    date_ranges,
    event_filters,
    event_participants,
    event_periods,
    events,
    linked_pages,
    paging,
    rows,
    search,
    sources,
)

_SORTS: dict[str, paging.Sort] = {
    "recorded": crud.RECORDED,
    "start": paging.Sort((paging.Key("start_sort", "date"), paging.Key("id", "uuid"))),
    "title": paging.Sort((paging.Key("title", "str"), paging.Key("id", "uuid"))),
    "updated_at": paging.Sort((paging.Key("updated_at", "datetime"), paging.Key("id", "uuid"))),
}
_EARTH_RADIUS_KM = 6371.0
# The index that reads events in each order (see app.models.Event).
_SORT_INDEXES = {
    "recorded": IX_EVENT_CREATED_AT_ID,
    "start": IX_EVENT_START_SORT_ID,
    "title": IX_EVENT_TITLE_ID,
    "updated_at": IX_EVENT_UPDATED_AT_ID,
}


def conditions(
    session: Session, filters: EventFilters, *, correlated: bool = False
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of `filters`; each is backed by an index.

    `correlated` checks participants event by event (EXISTS) rather than collecting their
    events first: the better form when events are read in page order.
    """
    found: list[ColumnElement[bool]] = []
    for name in ("event_type", "status", "certainty"):
        # With status_on, `status` is the status on that date (event_periods).
        if name == "status" and filters.status_on:
            continue
        if values := getattr(filters, name):
            found.append(col(getattr(Event, name)).in_([v.value for v in values]))
    if filters.country:
        found.append(col(Event.location_country).in_(filters.country))
    if filters.cameo_code:
        found.extend(_prefix(col(Event.cameo_code), filters.cameo_code))
    if filters.parent:
        parent = crud.resolve_ref(session, Event, filters.parent, ("query", "parent"))
        found.append(col(Event.parent_id) == parent.id)
    if filters.updated_since:
        found.append(col(Event.updated_at) >= filters.updated_since)
    found.extend(_participants(session, filters, correlated))
    found.extend(event_filters.identified(filters))
    found.extend(event_filters.citing(session, filters))
    found.extend(event_filters.measures(filters))
    found.extend(_start(filters))
    found.extend(_place(filters))
    # Spans and statuses on a date: interval-overlap filters kept in their own module.
    found.extend(event_periods.conditions(filters))
    if filters.q:
        found.append(
            search.matches(session, search.EVENTS, filters.q, col(Event.id), correlated=correlated)
        )
    return found


def list_events(
    session: Session, query: EventQuery
) -> tuple[list[EventPublic], str | None, int | None]:
    """A page of matching events in the order asked for, shaped and expanded as asked."""
    search.check_sort(query.sort, query.q)
    where = conditions(session, query)
    stmt = select(Event).where(*where)
    scope = paging.scope_of("events", query.model_dump(exclude={"limit", "cursor"}))
    total = paging.count(session, stmt) if query.include_total else None
    in_page_order = None
    walked = linked_pages.event_walk(session, query)
    if walked and (fewer := linked_pages.fewer_events(session, query, walked[0])) is not None:
        # Then those events are read first, each checked for its participants.
        walked, stmt = None, select(Event).where(*conditions(session, query, correlated=True))
        in_page_order = fewer >= paging.DENSE
    if walked:
        records, next_cursor = _walked_page(session, query, *walked, scope)
        return _shape_listed(session, records, query), next_cursor, total
    if in_page_order is None and query.sort != "relevance":
        in_page_order = linked_pages.links_dense(session, query)
    records, next_cursor = paging.ordered_page(
        session,
        stmt,
        Event,
        sort=query.sort,
        sorts=_SORTS,
        text=search.EVENTS,
        q=query.q,
        limit=query.limit,
        cursor=query.cursor,
        scope=scope,
        sort_indexes=_SORT_INDEXES,
        in_page_order=in_page_order,
        # In page order, participants are checked event by event rather than collected.
        page_order_stmt=lambda: select(Event).where(*conditions(session, query, correlated=True)),
        # The condition of q comes last, when given.
        unsearched=select(Event).where(*where[:-1]) if query.q else None,
    )
    return _shape_listed(session, records, query), next_cursor, total


def _shape_listed(session: Session, records: list[Event], query: EventQuery) -> list[EventPublic]:
    status_on = (query.status_on, event_periods.status_day(query)) if query.status_on else None
    return shape(session, records, query.q, query.expansions(), status_on)


def _walked_page(
    session: Session, query: EventQuery, walk: linked_pages.Walk, rest: EventQuery, scope: str
) -> tuple[list[Event], str | None]:
    """A page read along one participant's links; `rest` holds the other filters."""
    return linked_pages.page(
        session,
        linked_pages.EVENTS,
        select(Event).where(*conditions(session, rest, correlated=True)),
        walk,
        sort=paging.Sort(_SORTS[query.sort.lstrip("-")].keys, query.sort.startswith("-")),
        limit=query.limit,
        cursor=query.cursor,
        scope=scope,
    )


def read_event(session: Session, ref: str, shape_as: EventExpand) -> EventPublic:
    """One event by id or slug, with the related records asked for."""
    return shape(session, [rows.one_or_404(session, Event, ref)], None, shape_as.expansions())[0]


def shape(
    session: Session,
    records: list[Event],
    q: str | None,
    expansions: set[EventExpansion],
    status_on: tuple[str, dt.date] | None = None,
) -> list[EventPublic]:
    """Public forms of `records` with matches and the expansions asked for, in a few queries."""
    public = events.to_public(session, records)
    ids = [event.id for event in records]
    if status_on is not None:
        event_periods.mark_status_on(public, *status_on)
    if q:
        marked = search.snippets(session, search.EVENTS, q, ids)
        for event in public:
            event.match = marked.get(event.id)
    if "participants" in expansions:
        _expand_participants(session, public, {event.id: event for event in records})
    if "claims" in expansions or "sources" in expansions:
        _expand_claims(session, public, ids, expansions)
    return public


def _prefix(column: Any, prefix: str) -> list[ColumnElement[bool]]:
    # A range, not LIKE, so that both engines use the index whatever their collation.
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return [column >= prefix, column < following]


def _participants(
    session: Session, filters: EventFilters, correlated: bool
) -> list[ColumnElement[bool]]:
    if filters.role and not filters.participant:
        raise invalid(("query", "role"), "needs participant")
    ids = [
        crud.resolve_ref(session, Participant, ref, ("query", "participant", i)).id
        for i, ref in enumerate(filters.participant)
    ]
    if not ids:
        return []

    def linked(participant_ids: list[uuid.UUID]) -> ColumnElement[bool]:
        links = select(EventParticipant.event_id).where(
            col(EventParticipant.participant_id).in_(participant_ids)
        )
        if filters.role:
            links = links.where(col(EventParticipant.role).in_([r.value for r in filters.role]))
        if correlated:
            # Not correlated with the links a page may be read along (linked_pages).
            same = links.where(col(EventParticipant.event_id) == col(Event.id))
            return same.correlate_except(EventParticipant).exists()
        return col(Event.id).in_(links)

    if filters.participant_match == "all":
        return [linked([pid]) for pid in ids]
    return [linked(ids)]


def _start(filters: EventFilters) -> list[ColumnElement[bool]]:
    return date_ranges.within(
        Event,
        "start",
        after=filters.start_after,
        before=filters.start_before,
        include_imprecise=filters.include_imprecise,
    )


def _place(filters: EventFilters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    lat, lon = col(Event.location_lat), col(Event.location_lon)
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = _numbers(filters.bbox, "bbox", 4)
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
            raise invalid(("query", "bbox"), "longitudes must be within -180..180")
        if not (-90 <= min_lat <= max_lat <= 90):
            raise invalid(("query", "bbox"), "latitudes must be within -90..90, min first")
        found.append(lat.between(min_lat, max_lat))
        # A box across the antimeridian has min_lon > max_lon.
        across = or_(lon >= min_lon, lon <= max_lon)
        found.append(lon.between(min_lon, max_lon) if min_lon <= max_lon else across)
    if filters.near:
        found.extend(_near(*_numbers(filters.near, "near", 3)))
    return found


def _near(lat0: float, lon0: float, radius: float) -> list[ColumnElement[bool]]:
    if not (-90 <= lat0 <= 90 and -180 <= lon0 <= 180) or radius <= 0 or radius > 20_000:
        raise invalid(("query", "near"), "needs lat -90..90, lon -180..180, 0 < radius_km <= 20000")
    lat, lon = col(Event.location_lat), col(Event.location_lon)
    # A box on the (lat, lon) index first, then the exact great-circle distance.
    spread = math.degrees(radius / _EARTH_RADIUS_KM)
    found: list[ColumnElement[bool]] = [lat.between(lat0 - spread, lat0 + spread)]
    if abs(lat0) + spread < 89:
        wide = spread / math.cos(math.radians(abs(lat0) + spread))
        if lon0 - wide >= -180 and lon0 + wide <= 180:
            found.append(lon.between(lon0 - wide, lon0 + wide))
    cosine = func.sin(func.radians(lat0)) * func.sin(func.radians(lat)) + func.cos(
        func.radians(lat0)
    ) * func.cos(func.radians(lat)) * func.cos(func.radians(lon) - func.radians(lon0))
    # Rounding can push the cosine of a zero distance past 1, outside acos's domain.
    distance = _EARTH_RADIUS_KM * func.acos(case((cosine > 1.0, 1.0), else_=cosine))
    found.append(distance <= radius)
    return found


_DECIMAL = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?|[-+]?\.[0-9]+")


def _numbers(text: str, name: str, expected: int) -> list[float]:
    parts = text.split(",")
    # float() alone would take "٤٥", "1_0", "nan" and "inf": only plain ASCII decimals count.
    if not all(_DECIMAL.fullmatch(part.strip()) for part in parts):
        raise invalid(("query", name), "must be comma-separated numbers")
    values = [float(part) for part in parts]
    if len(values) != expected:
        raise invalid(("query", name), f"must have {expected} numbers")
    return values


def _expand_participants(
    session: Session, public: list[EventPublic], records: dict[uuid.UUID, Event]
) -> None:
    order = ("created_at", "id")
    links = rows.load(session, EventParticipant, "event_id", list(records), order)
    by_event: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for link in event_participants.to_public(session, links, records):
        by_event[link.event_id].append(link)
    for event in public:
        event.participants = by_event[event.id]


def _expand_claims(
    session: Session,
    public: list[EventPublic],
    ids: list[uuid.UUID],
    expansions: set[EventExpansion],
) -> None:
    about = select(ClaimSubject.claim_id, ClaimSubject.event_id).where(
        col(ClaimSubject.event_id).in_(ids)
    )
    subject_of: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for claim_id, event_id in session.exec(about):
        if event_id is not None:
            subject_of[claim_id].add(event_id)
    related = session.exec(
        select(Claim)
        .where(or_(col(Claim.event_id).in_(ids), col(Claim.id).in_(list(subject_of))))
        .order_by(col(Claim.created_at), col(Claim.id))
    ).all()
    by_event: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for claim in claims.to_public(session, related):
        for event_id in subject_of[claim.id] | ({claim.event_id} if claim.event_id else set()):
            by_event[event_id].append(claim)
    cited_by: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for link in rows.load(session, EventSource, "event_id", ids):
        cited_by[link.event_id].add(link.source_id)
    source_ids = {a.source_id for group in by_event.values() for c in group for a in c.appearances}
    loaded = rows.by_id(session, Source, source_ids.union(*cited_by.values()))
    cited = {s.id: s for s in sources.to_public(list(loaded.values()))}
    for event in public:
        if "claims" in expansions:
            event.claims = by_event[event.id]
        if "sources" in expansions:
            wanted = {a.source_id for c in by_event[event.id] for a in c.appearances}
            wanted |= cited_by[event.id]
            event.sources = sorted((cited[s] for s in wanted), key=lambda s: s.slug)
