"""Events as public models: one by id or slug, or a page's rows (app.query.events), shaped
and expanded."""

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.models import Claim, ClaimSubject, Event, EventParticipant, EventSource, Source
from app.query import dialects
from app.schemas.events import EventExpand, EventExpansion, EventPublic
from app.services import (
    claims,
    event_participants,
    event_periods,
    events,
    rows,
    search,
    sources,
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
        marked = dialects.of(session).snippets(session, search.EVENTS, q, ids)
        for event in public:
            event.match = marked.get(event.id)
    if "participants" in expansions:
        _expand_participants(session, public, {event.id: event for event in records})
    if "claims" in expansions or "sources" in expansions:
        _expand_claims(session, public, ids, expansions)
    return public


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
