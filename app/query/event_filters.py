"""An event list's filters, resolved once: references looked up, values checked, conditions built.

`resolve` is the one place an `EventFilters` becomes SQL. Each filter is read in the order the
model declares it, so the first bad one is the 422 a client gets. A new filter goes here: add
its condition (backed by an index) to `_conditions`, or to a helper beside it.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from app.errors import invalid
from app.models import (
    EVENT_MEASURES,
    Event,
    EventIdentifier,
    EventParticipant,
    EventSource,
    Participant,
    Source,
)
from app.query import dialects, places
from app.query.where import Condition, Kind, Where
from app.schemas.events import EventFilters
from app.services import crud, date_ranges, event_periods, search


@dataclass(frozen=True)
class ResolvedEvents:
    """An event list's filters with every reference looked up once, and their conditions."""

    filters: EventFilters
    where: Where
    parent_id: uuid.UUID | None
    participant_ids: tuple[uuid.UUID, ...]
    source_ids: tuple[uuid.UUID, ...]


def resolve(session: Session, filters: EventFilters) -> ResolvedEvents:
    """`filters` resolved: references to ids (a 422 naming an unknown one), values checked."""
    parent_id = (
        crud.resolve_ref(session, Event, filters.parent, ("query", "parent")).id
        if filters.parent
        else None
    )
    if filters.role and not filters.participant:
        raise invalid(("query", "role"), "needs participant")
    participant_ids = _ids(session, Participant, filters.participant, "participant")
    source_ids = _ids(session, Source, filters.source, "source")
    conditions = _conditions(session, filters, parent_id, participant_ids, source_ids)
    return ResolvedEvents(filters, Where(conditions), parent_id, participant_ids, source_ids)


def _conditions(
    session: Session,
    filters: EventFilters,
    parent_id: uuid.UUID | None,
    participant_ids: tuple[uuid.UUID, ...],
    source_ids: tuple[uuid.UUID, ...],
) -> tuple[Condition, ...]:
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
    if parent_id is not None:
        found.append(col(Event.parent_id) == parent_id)
    if filters.updated_since:
        found.append(col(Event.updated_at) >= filters.updated_since)
    linked = _participants(filters, participant_ids)
    rest = [*_identified(filters), *_citing(source_ids), *_measures(filters)]
    rest += date_ranges.within(
        Event,
        "start",
        after=filters.start_after,
        before=filters.start_before,
        include_imprecise=filters.include_imprecise,
    )
    rest += [*places.in_box(filters.bbox)] if filters.bbox else []
    rest += [*places.near(filters.near)] if filters.near else []
    # Spans and statuses on a date: interval-overlap filters kept in their own module.
    rest += event_periods.conditions(filters)
    text = [_text(session, filters.q)] if filters.q else []
    return (*map(Condition.plain, found), *linked, *map(Condition.plain, rest), *text)


def _ids(
    session: Session, model: type[Participant] | type[Source], refs: list[str], name: str
) -> tuple[uuid.UUID, ...]:
    return crud.resolve_ids(session, model, refs, ("query", name))


def _prefix(column: Any, prefix: str) -> list[ColumnElement[bool]]:
    # A range, not LIKE, so that both engines use the index whatever their collation.
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return [column >= prefix, column < following]


def _participants(filters: EventFilters, ids: tuple[uuid.UUID, ...]) -> list[Condition]:
    """Linked to any (or, one condition each, all) of the participants, in the roles asked."""
    groups = [(pid,) for pid in ids] if filters.participant_match == "all" else [ids]
    return [_linked(filters, group) for group in groups if group]


def _linked(filters: EventFilters, ids: tuple[uuid.UUID, ...]) -> Condition:
    links = select(EventParticipant.event_id).where(
        col(EventParticipant.participant_id).in_(list(ids))
    )
    if filters.role:
        links = links.where(col(EventParticipant.role).in_([r.value for r in filters.role]))
    # Checked event by event; not correlated with the links a page may be read along.
    same = links.where(col(EventParticipant.event_id) == col(Event.id))
    checked = same.correlate_except(EventParticipant).exists()
    return Condition(col(Event.id).in_(links), checked, Kind.PARTICIPANT, ids)


def _identified(filters: EventFilters) -> list[ColumnElement[bool]]:
    """Events holding any of the identifiers asked for."""
    if not filters.identifier:
        return []
    pairs = [tuple(ref.split(":", 1)) for ref in filters.identifier]
    held = select(EventIdentifier.event_id).where(
        or_(
            *(
                and_(col(EventIdentifier.scheme) == s, col(EventIdentifier.value) == v)
                for s, v in pairs
            )
        )
    )
    return [col(Event.id).in_(held)]


def _citing(source_ids: tuple[uuid.UUID, ...]) -> list[ColumnElement[bool]]:
    """Events citing any of the sources asked for directly."""
    if not source_ids:
        return []
    cited = select(EventSource.event_id).where(col(EventSource.source_id).in_(list(source_ids)))
    return [col(Event.id).in_(cited)]


def _measures(filters: EventFilters) -> list[ColumnElement[bool]]:
    """Events whose measures fall within the ranges asked for (goldstein, quad_class,
    num_mentions and fatalities are indexed; the others narrow what other filters find)."""
    found: list[ColumnElement[bool]] = []
    for name in EVENT_MEASURES:
        low, high = getattr(filters, f"{name}_min"), getattr(filters, f"{name}_max")
        if low is not None and high is not None and low > high:
            raise invalid(("query", f"{name}_max"), f"is less than {name}_min")
        column = col(getattr(Event, name))
        if low is not None:
            found.append(column >= low)
        if high is not None:
            found.append(column <= high)
    return found


def _text(session: Session, q: str) -> Condition:
    dialect, ident = dialects.of(session), col(Event.id)
    collected = dialect.matches(search.EVENTS, q, ident)
    return Condition(
        collected, dialect.matches(search.EVENTS, q, ident, correlated=True), Kind.TEXT
    )
