"""A participant's network: the others it shared events with, counted from its links."""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.dates import stored_date
from app.models import Event, EventParticipant, Participant
from app.schemas.events import ParticipantSummary
from app.schemas.timelines import Connection, Network, NetworkQuery, RolePair, SharedEvent
from app.services import crud, date_ranges, rows

_SHARED_EVENTS = 20
# Participants looked up per statement: well under either engine's limit of parameters.
_BATCH = 500


@dataclass
class _Other:
    """What one other participant shared: each event with its start, and the parts each had."""

    events: dict[uuid.UUID, dt.date] = field(default_factory=dict)
    roles: dict[tuple[str, str], set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))


def participant_network(session: Session, participant_ref: str, query: NetworkQuery) -> Network:
    """The others sharing events with a participant: most shared first, then by name."""
    participant = crud.get_or_404(session, Participant, participant_ref)
    others = _shared(session, participant.id, query)
    top = _top(session, others, query.limit)
    wanted = {event_id for other in top for event_id in _recent(others[other.id].events)}
    events = rows.by_id(session, Event, wanted)
    return Network(
        participant=ParticipantSummary.model_validate(participant),
        connections=[
            Connection(
                participant=other,
                count=len(others[other.id].events),
                events=[_brief(events[e]) for e in _recent(others[other.id].events)],
                roles=[
                    RolePair(role=role, other_role=other_role, count=len(shared))
                    for (role, other_role), shared in sorted(others[other.id].roles.items())
                ],
            )
            for other in top
        ],
    )


def _shared(session: Session, pid: uuid.UUID, query: NetworkQuery) -> dict[uuid.UUID, _Other]:
    # One read of the participant's links in the date range (the links hold their event's
    # start, revision 0004), each joined to the other links of its event; counted here, once,
    # rather than by three statements that would each read them again.
    mine, theirs = aliased(EventParticipant, name="mine"), aliased(EventParticipant, name="theirs")
    day: Any = col(mine.event_start_sort)  # stored NOT NULL (revision 0004)
    stmt = (
        sa.select(
            col(theirs.participant_id),
            col(mine.event_id),
            day,
            col(mine.role),
            col(theirs.role),
        )
        .join(theirs, col(theirs.event_id) == col(mine.event_id))
        .where(col(mine.participant_id) == pid, col(theirs.participant_id) != pid)
        .with_hint(mine, "INDEXED BY ix_event_participant_participant_start", "sqlite")
    )
    dated = date_ranges.within(
        Event,
        "start",
        after=query.start_after,
        before=query.start_before,
        include_imprecise=query.include_imprecise,
    )
    if dated or query.event_type:
        stmt = stmt.join(Event, col(Event.id) == col(mine.event_id)).where(*dated)
    if query.event_type:
        stmt = stmt.where(col(Event.event_type).in_([t.value for t in query.event_type]))
    start, end = date_ranges.sort_bounds(
        after=query.start_after,
        before=query.start_before,
        include_imprecise=query.include_imprecise,
    )
    stmt = stmt.where(*([day >= start] if start else []), *([day <= end] if end else []))
    others: dict[uuid.UUID, _Other] = defaultdict(_Other)
    for other_id, event_id, start_day, role, other_role in session.connection().execute(stmt):
        other = others[other_id]
        other.events[event_id] = start_day
        other.roles[role, other_role].add(event_id)
    return others


def _top(session: Session, others: dict[uuid.UUID, _Other], limit: int) -> list[ParticipantSummary]:
    """The `limit` others with the most shared events, then by name and id."""
    counts = sorted((len(other.events) for other in others.values()), reverse=True)
    if not counts:
        return []
    # Only those counted at least as often as the last place need their names read.
    least = counts[min(limit, len(counts)) - 1]
    candidates = sorted(pid for pid, other in others.items() if len(other.events) >= least)
    found = [
        ParticipantSummary.model_validate(row)
        for at in range(0, len(candidates), _BATCH)
        for row in rows.load(session, Participant, "id", candidates[at : at + _BATCH])
    ]
    found.sort(key=lambda p: (-len(others[p.id].events), p.name, p.id))
    return found[:limit]


def _recent(events: dict[uuid.UUID, dt.date]) -> list[uuid.UUID]:
    """Up to _SHARED_EVENTS of `events`, latest start first, then by id."""
    ordered = sorted(events.items(), key=lambda item: (-item[1].toordinal(), item[0]))
    return [event_id for event_id, _ in ordered[:_SHARED_EVENTS]]


def _brief(event: Event) -> SharedEvent:
    return SharedEvent(
        id=event.id, slug=event.slug, title=event.title, start=stored_date(event, "start")
    )
