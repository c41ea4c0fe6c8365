"""A participant's network: the others it shared events with, counted in SQL."""

import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy import distinct, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.dates import stored_date
from app.models import Event, EventParticipant, Participant
from app.schemas.events import ParticipantSummary
from app.schemas.timelines import Connection, Network, NetworkQuery, RolePair, SharedEvent
from app.services import crud, date_ranges

_SHARED_EVENTS = 20


def participant_network(session: Session, participant_ref: str, query: NetworkQuery) -> Network:
    """The others sharing events with a participant: most shared first, then by name."""
    participant = crud.get_or_404(session, Participant, participant_ref)
    pairs = _shared(participant.id, query).subquery("shared")
    counted = (
        sa.select(pairs.c.other_id, func.count(distinct(pairs.c.event_id)).label("shared"))
        .group_by(pairs.c.other_id)
        .subquery("counted")
    )
    top = session.exec(
        select(Participant, counted.c.shared)
        .join(counted, counted.c.other_id == Participant.id)
        .order_by(counted.c.shared.desc(), col(Participant.name), col(Participant.id))
        .limit(query.limit)
    ).all()
    ids = [other.id for other, _ in top]
    events = _recent_events(session, pairs, ids)
    roles = _role_pairs(session, pairs, ids)
    return Network(
        participant=ParticipantSummary.model_validate(participant),
        connections=[
            Connection(
                participant=ParticipantSummary.model_validate(other),
                count=shared,
                events=events[other.id],
                roles=roles[other.id],
            )
            for other, shared in top
        ],
    )


def _shared(pid: uuid.UUID, query: NetworkQuery) -> Any:
    mine, theirs = aliased(EventParticipant), aliased(EventParticipant)
    stmt: Any = (
        sa.select(
            col(theirs.participant_id).label("other_id"),
            col(mine.event_id).label("event_id"),
            col(Event.start_sort).label("day"),
            col(mine.role).label("role"),
            col(theirs.role).label("other_role"),
        )
        .join(theirs, col(theirs.event_id) == col(mine.event_id))
        .join(Event, col(Event.id) == col(mine.event_id))
        .where(col(mine.participant_id) == pid, col(theirs.participant_id) != pid)
        .where(
            *date_ranges.within(
                Event,
                "start",
                after=query.start_after,
                before=query.start_before,
                include_imprecise=query.include_imprecise,
            )
        )
    )
    if query.event_type:
        stmt = stmt.where(col(Event.event_type).in_([t.value for t in query.event_type]))
    return stmt


def _recent_events(
    session: Session, pairs: Any, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[SharedEvent]]:
    found: dict[uuid.UUID, list[SharedEvent]] = defaultdict(list)
    if not ids:
        return found
    links = (
        sa.select(pairs.c.other_id, pairs.c.event_id, pairs.c.day)
        .where(pairs.c.other_id.in_(ids))
        .distinct()
        .subquery("links")
    )
    position = func.row_number().over(
        partition_by=links.c.other_id, order_by=(links.c.day.desc(), links.c.event_id)
    )
    numbered = sa.select(links.c.other_id, links.c.event_id, position.label("n")).subquery(
        "numbered"
    )
    rows = (
        session.connection()
        .execute(
            sa.select(numbered.c.other_id, numbered.c.event_id)
            .where(numbered.c.n <= _SHARED_EVENTS)
            .order_by(numbered.c.other_id, numbered.c.n)
        )
        .all()
    )
    events = crud.load_many(session, Event, {row.event_id for row in rows})
    for row in rows:
        event = events[row.event_id]
        found[row.other_id].append(
            SharedEvent(
                id=event.id, slug=event.slug, title=event.title, start=stored_date(event, "start")
            )
        )
    return found


def _role_pairs(
    session: Session, pairs: Any, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[RolePair]]:
    found: dict[uuid.UUID, list[RolePair]] = defaultdict(list)
    if not ids:
        return found
    rows = session.connection().execute(
        sa.select(
            pairs.c.other_id,
            pairs.c.role,
            pairs.c.other_role,
            func.count(distinct(pairs.c.event_id)).label("shared"),
        )
        .where(pairs.c.other_id.in_(ids))
        .group_by(pairs.c.other_id, pairs.c.role, pairs.c.other_role)
        .order_by(pairs.c.other_id, pairs.c.role, pairs.c.other_role)
    )
    for row in rows:
        found[row.other_id].append(
            RolePair(role=row.role, other_role=row.other_role, count=row.shared)
        )
    return found
