"""A participant's network: the others it shared events with, counted from its links."""

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.dates import stored_date
from app.models import IX_EVENT_PARTICIPANT_PARTICIPANT_START, Event, EventParticipant, Participant
from app.schemas.summaries import ParticipantSummary
from app.schemas.timelines import Connection, Network, NetworkQuery, RolePair, SharedEvent
from app.services import crud, date_ranges, rows

_SHARED_EVENTS = 20
# Participants looked up per statement: well under either engine's limit of parameters.
_BATCH = 500
_BRIEF_COLUMNS = (
    "id",
    "slug",
    "title",
    "start_edtf",
    "start_precision",
    "start_earliest",
    "start_latest",
)


# Ids and days of the shared links stay as the driver gives them (on SQLite, text): decoding
# thousands of them would cost more than reading them. Their order is the decoded order; the
# few that are shown are decoded.
Key = Any


@dataclass
class _Other:
    """What one other participant shared: each event with its start, and the parts each had."""

    events: dict[Key, Any] = field(default_factory=dict)
    roles: dict[tuple[str, str], set[Key]] = field(default_factory=lambda: defaultdict(set))


def participant_network(session: Session, participant_ref: str, query: NetworkQuery) -> Network:
    """The others sharing events with a participant: most shared first, then by name."""
    participant = crud.get_or_404(session, Participant, participant_ref)
    others = _shared(session, participant.id, query)
    top = _top(session, others, query.limit)
    recent = {key: _recent(others[key].events) for key, _ in top}
    events = _briefs(session, {event for keys in recent.values() for event in keys})
    return Network(
        participant=ParticipantSummary.model_validate(participant),
        connections=[
            Connection(
                participant=summary,
                count=len(others[key].events),
                events=[events[event] for event in recent[key]],
                roles=[
                    RolePair(role=role, other_role=other_role, count=len(shared))
                    for (role, other_role), shared in sorted(others[key].roles.items())
                ],
            )
            for key, summary in top
        ],
    )


def _shared(session: Session, pid: uuid.UUID, query: NetworkQuery) -> dict[Key, _Other]:
    # One read of the participant's links in the date range (the links hold their event's
    # start, revision 0004), each joined to the other links of its event; counted here, once,
    # rather than by three statements that would each read them again.
    mine, theirs = aliased(EventParticipant, name="mine"), aliased(EventParticipant, name="theirs")
    day: Any = col(mine.event_start_sort)  # stored NOT NULL (revision 0004)
    stmt = (
        sa.select(
            sa.type_coerce(theirs.participant_id, sa.String),
            sa.type_coerce(mine.event_id, sa.String),
            sa.type_coerce(day, sa.String),
            col(mine.role),
            col(theirs.role),
        )
        .join(theirs, col(theirs.event_id) == col(mine.event_id))
        .where(col(mine.participant_id) == pid, col(theirs.participant_id) != pid)
        .with_hint(mine, f"INDEXED BY {IX_EVENT_PARTICIPANT_PARTICIPANT_START}", "sqlite")
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
    stmt = stmt.where(*date_ranges.between(day, start, end))
    others: dict[Key, _Other] = defaultdict(_Other)
    for other_id, event_id, start_day, role, other_role in session.connection().execute(stmt):
        other = others[other_id]
        other.events[event_id] = start_day
        other.roles[role, other_role].add(event_id)
    return others


def _top(
    session: Session, others: dict[Key, _Other], limit: int
) -> list[tuple[Key, ParticipantSummary]]:
    """The `limit` others with the most shared events, then by name and id."""
    counts = sorted((len(other.events) for other in others.values()), reverse=True)
    if not counts:
        return []
    # Only those counted at least as often as the last place need their names read.
    least = counts[min(limit, len(counts)) - 1]
    keys = {_uuid(key): key for key, other in others.items() if len(other.events) >= least}
    candidates = sorted(keys)
    found = [
        (keys[row.id], ParticipantSummary.model_validate(row))
        for batch in _batches(candidates)
        for row in rows.load(session, Participant, "id", batch)
    ]
    found.sort(key=lambda item: (-len(others[item[0]].events), item[1].name, item[1].id))
    return found[:limit]


def _recent(events: dict[Key, Any]) -> list[Key]:
    """Up to _SHARED_EVENTS of `events`, latest start first, then by id."""
    by_id = sorted(events.items())
    return [key for key, _ in sorted(by_id, key=lambda item: item[1], reverse=True)][
        :_SHARED_EVENTS
    ]


def _briefs(session: Session, keys: set[Key]) -> dict[Key, SharedEvent]:
    """The events of `keys`, in brief: only the columns shown are read."""
    ids = {_uuid(key): key for key in keys}
    columns = [col(getattr(Event, name)) for name in _BRIEF_COLUMNS]
    found = {}
    for batch in _batches(list(ids)):
        for row in session.connection().execute(sa.select(*columns).where(columns[0].in_(batch))):
            # Stored values, already of their fields' types: not validated again.
            found[ids[row.id]] = SharedEvent.model_construct(
                id=row.id, slug=row.slug, title=row.title, start=stored_date(row, "start")
            )
    return found


def _batches(ids: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    """`ids` in lists of at most _BATCH."""
    for at in range(0, len(ids), _BATCH):
        yield ids[at : at + _BATCH]


def _uuid(key: Key) -> uuid.UUID:
    return key if isinstance(key, uuid.UUID) else uuid.UUID(key)
