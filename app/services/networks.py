"""A participant's network: the others it shared events with.

All time and of every type, from the counts kept per pair (app.services.participant_pairs);
otherwise counted from the participant's links in the range.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.dates import stored_date
from app.models import (
    IX_EVENT_PARTICIPANT_PARTICIPANT_START,
    Event,
    EventParticipant,
    Participant,
    metadata,
)
from app.query import dialects
from app.schemas.summaries import ParticipantSummary
from app.schemas.timelines import Connection, Network, NetworkQuery, RolePair, SharedEvent
from app.services import crud, date_ranges, participant_pairs, rows

_SHARED_EVENTS = 20
# Links read by the first walk for two participants' shared events; each next reads four
# times as many.
_WALK_STEP = 256
# On PostgreSQL, shared events read by a merge of two participants' links, at first (each
# next read takes four times as many), for pairs that shared at least _MERGED_PAIR.
_MERGE_STEP = 64
_MERGED_PAIR = 200
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
    if participant_pairs.answers(query):
        connections = _kept(session, participant.id, query.limit)
    else:
        connections = _scanned(session, participant.id, query)
    return Network(
        participant=ParticipantSummary.model_validate(participant), connections=connections
    )


def _scanned(session: Session, pid: uuid.UUID, query: NetworkQuery) -> list[Connection]:
    """The connections counted from the participant's links that `query` selects."""
    others = _shared(session, pid, query)
    counts = {key: len(other.events) for key, other in others.items()}
    top = _top(session, counts, query.limit)
    recent = {key: _recent(others[key].events) for key, _ in top}
    events = _briefs(session, {event for keys in recent.values() for event in keys})
    return [
        Connection(
            participant=summary,
            count=counts[key],
            events=[events[event] for event in recent[key]],
            roles=[
                RolePair(role=role, other_role=other_role, count=len(shared))
                for (role, other_role), shared in sorted(others[key].roles.items())
            ],
        )
        for key, summary in top
    ]


def _kept(session: Session, pid: uuid.UUID, limit: int) -> list[Connection]:
    """The all-time connections, ranked and broken down by role from the kept counts."""
    counts = participant_pairs.ranked(session, pid, limit)
    top = _top(session, counts, limit)
    shown = {key: counts[key] for key, _ in top}
    roles = participant_pairs.role_counts(session, pid, list(shown))
    shared = _latest_shared(session, pid, shown)
    recent = {key: _recent(shared[key]) for key in shown}
    events = _briefs(session, {event for keys in recent.values() for event in keys})
    return [
        Connection(
            participant=summary,
            count=counts[key],
            events=[events[event] for event in recent[key]],
            roles=[
                RolePair(role=role, other_role=other_role, count=count)
                for role, other_role, count in roles[key]
            ],
        )
        for key, summary in top
    ]


def _latest_shared(
    session: Session, pid: uuid.UUID, shown: dict[uuid.UUID, int]
) -> dict[uuid.UUID, dict[Key, Any]]:
    """Each shown other's shared events with their starts: at least its latest _SHARED_EVENTS."""
    merging = dialects.of(session) is dialects.POSTGRESQL
    merged = {other for other, count in shown.items() if merging and count >= _MERGED_PAIR}
    if merged:
        session.connection().exec_driver_sql(_MERGE_ONLY)
    found = {
        other: (_merged if other in merged else _shared_with)(session, pid, other, count)
        for other, count in shown.items()
    }
    # Not restored if a statement fails: the transaction ends, and its settings with it.
    if merged:
        session.connection().exec_driver_sql(_PLANNED)
    return found


def _shared_with(session: Session, pid: uuid.UUID, other: uuid.UUID, count: int) -> dict[Key, Any]:
    """The latest events two participants shared, `count` in all: at least _SHARED_EVENTS.

    Walks one's links latest start first through the index on (participant_id,
    event_start_sort), each joined to the other's link of its event: the two in turn, each
    walk reading four times as many links as the one before, so that the cost follows the
    one with fewer links (neither is known ahead) within a factor of about two.
    """
    step = _WALK_STEP
    while True:
        # The other first: the network's own participant is often the one with more links.
        for walker, prober in ((other, pid), (pid, other)):
            found, complete = _walk(session, walker, prober, step)
            if complete or len(found) == count:
                return found
            if len(found) >= _SHARED_EVENTS:
                return found
        step *= 4


def _merged(session: Session, pid: uuid.UUID, other: uuid.UUID, count: int) -> dict[Key, Any]:
    """The latest events two participants shared, read by merging their links in start order.

    Both participants' links are read backwards along the index on (participant_id,
    event_start_sort, event_id) and matched in step, so a pair that shared many events finds
    its latest few after a few links of each. A walk looks up each link it reads in the
    other's links, at a random place of an index larger than the server's cache: at 1M
    events, the busiest participant's network took 64 walks, 600 ms in all, and takes 50
    merges, 70 to 85 ms. PostgreSQL's planner does not know how often two participants meet and
    would join by hashing all their links; it is told to merge (`_MERGE_ONLY`, set by the
    caller for the network's statements). Pairs that met seldom are walked instead: they may
    have met long ago, and a merge would read all the links of both since.
    """
    limit = _MERGE_STEP
    while True:
        params = {"pid": pid, "other": other, "limit": limit}
        read = session.connection().execute(_MERGE, params).all()
        shared = dict(read)
        # Fewer rows than asked for: all of them. Else only the days after the last one
        # read are whole (a participant in several roles repeats its rows).
        if len(read) < limit:
            return shared
        last = read[-1][1]
        whole = {event: start for event, start in shared.items() if start > last}
        if len(whole) >= min(count, _SHARED_EVENTS):
            return whole
        limit *= 4


def _walk(
    session: Session, walker: uuid.UUID, prober: uuid.UUID, limit: int
) -> tuple[dict[Key, Any], bool]:
    """The events `walker` shared with `prober` among its `limit` latest links.

    Returns those of the days wholly read, and whether that is all of them.
    """
    params = {"walker": walker, "prober": prober, "limit": limit}
    read = session.connection().execute(_WALK, params).all()
    shared = {event: start for event, start, both in read if both}
    # Fewer rows than links asked for: the walk read them all. (A participant in several
    # roles repeats a row; then the next, longer walk tells.)
    if len(read) < limit:
        return shared, True
    # The last day walked may go on past the limit: only the days after it are whole.
    last = min(start for _, start, _ in read)
    return {event: start for event, start in shared.items() if start > last}, False


def _walk_statement() -> sa.Select[str, str, bool]:
    """Every link of the walk, each with whether the other shared its event.

    Built once (the network makes one for each other shown): the links walked tell where
    the walk stopped.
    """
    links = metadata.tables[EventParticipant.__tablename__].alias("links")
    theirs = metadata.tables[EventParticipant.__tablename__].alias("theirs")
    walked = (
        sa.select(links.c.event_id, links.c.event_start_sort)
        .where(links.c.participant_id == sa.bindparam("walker"))
        .order_by(links.c.event_start_sort.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .with_hint(links, f"INDEXED BY {IX_EVENT_PARTICIPANT_PARTICIPANT_START}", "sqlite")
        .subquery("walked")
    )
    return sa.select(
        sa.type_coerce(walked.c.event_id, sa.String),
        sa.type_coerce(walked.c.event_start_sort, sa.String),
        theirs.c.participant_id.is_not(None),
    ).outerjoin(
        theirs,
        sa.and_(
            theirs.c.event_id == walked.c.event_id,
            theirs.c.participant_id == sa.bindparam("prober"),
        ),
    )


_WALK = _walk_statement()


def _merge_statement() -> sa.Select[str, str]:
    """Two participants' shared links, latest start first: a merge of their links in
    (event_start_sort, event_id) order."""
    table = metadata.tables[EventParticipant.__tablename__]
    mine, theirs = table.alias("mine"), table.alias("theirs")
    return (
        sa.select(
            sa.type_coerce(mine.c.event_id, sa.String),
            sa.type_coerce(mine.c.event_start_sort, sa.String),
        )
        .join(
            theirs,
            sa.and_(
                theirs.c.event_start_sort == mine.c.event_start_sort,
                theirs.c.event_id == mine.c.event_id,
                theirs.c.participant_id == sa.bindparam("other"),
            ),
        )
        .where(mine.c.participant_id == sa.bindparam("pid"))
        .order_by(mine.c.event_start_sort.desc(), mine.c.event_id.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )


_MERGE = _merge_statement()
# The merge's planner settings, for its transaction (SET LOCAL), and back to the session's.
_SETTINGS = ("enable_hashjoin", "enable_nestloop", "max_parallel_workers_per_gather")
_MERGE_ONLY = "; ".join(
    f"SET LOCAL {name} = {'0' if name.startswith('max') else 'off'}" for name in _SETTINGS
)
_PLANNED = "; ".join(f"SET LOCAL {name} TO DEFAULT" for name in _SETTINGS)


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
    session: Session, counts: dict[Any, int], limit: int
) -> list[tuple[Any, ParticipantSummary]]:
    """The `limit` others with the most shared events (`counts`), then by name and id."""
    ordered = sorted(counts.values(), reverse=True)
    if not ordered:
        return []
    # Only those counted at least as often as the last place need their names read.
    least = ordered[min(limit, len(ordered)) - 1]
    keys = {_uuid(key): key for key, count in counts.items() if count >= least}
    candidates = sorted(keys)
    found = [
        (keys[row.id], ParticipantSummary.model_validate(row))
        for batch in _batches(candidates)
        for row in rows.load(session, Participant, "id", batch)
    ]
    found.sort(key=lambda item: (-counts[item[0]], item[1].name, item[1].id))
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
