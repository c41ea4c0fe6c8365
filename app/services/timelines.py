"""A participant's timeline: the events it took part in and the claims it made, by date."""

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    cast,
    false,
    literal,
    or_,
    union_all,
)
from sqlalchemy import null as sql_null
from sqlmodel import Session, col

from app.dates import stored_date
from app.errors import BadRequest
from app.models import Claim, Event, EventParticipant, Participant
from app.schemas.timelines import (
    TimelineClaim,
    TimelineEvent,
    TimelineItem,
    TimelineQuery,
)
from app.services import crud, cursors, date_ranges, paging, rows

# On one day, the events taken part in come before the claims made there.
_EVENT, _CLAIM = 0, 1


def participant_timeline(
    session: Session, participant_ref: str, query: TimelineQuery
) -> crud.Listed[TimelineItem]:
    """A page of a participant's events and claims, by date, then events first, then id."""
    participant = crud.get_or_404(session, Participant, participant_ref)
    scope = paging.scope_of(
        f"timeline:{participant.id}", query.model_dump(exclude={"limit", "cursor"})
    )
    cursor = _decode(query.cursor, scope) if query.cursor else None
    wanted = query.limit + 1
    # Each branch is ordered and limited on its own index, then the two are merged.
    branches = [
        _events(participant.id, query, cursor).limit(wanted).subquery("events"),
        _claims(participant.id, query, cursor).limit(wanted).subquery("claims"),
    ]
    merged = union_all(*(sa.select(*b.c) for b in branches)).subquery("timeline")
    ordered = (
        sa.select(*merged.c)
        .order_by(merged.c.day, merged.c.rank, merged.c.record_id, merged.c.link_id)
        .limit(wanted)
    )
    entries = list(session.connection().execute(ordered).all())
    next_cursor = None
    if len(entries) > query.limit:
        entries = entries[: query.limit]
        last = entries[-1]
        values = [last.day.isoformat(), last.rank, str(last.record_id), str(last.link_id)]
        next_cursor = cursors.encode(values, scope)
    total = None
    if query.include_total:
        whole = (_events(participant.id, query, None), _claims(participant.id, query, None))
        total = sum(paging.count(session, branch) for branch in whole)
    return _items(session, entries), next_cursor, total


def _events(pid: uuid.UUID, query: TimelineQuery, cursor: list[Any] | None) -> Any:
    # Read along the participant's links, which hold their event's start (revision 0004), so
    # that the page is read in date order from one index and stops at its end.
    link = EventParticipant
    day, event_id, link_id = col(link.event_start_sort), col(link.event_id), col(link.id)
    stmt: Any = (
        sa.select(
            day.label("day"),
            literal(_EVENT, Integer).label("rank"),
            event_id.label("record_id"),
            link_id.label("link_id"),
            col(link.role).label("role"),
        )
        .where(col(link.participant_id) == pid)
        .with_hint(link, "INDEXED BY ix_event_participant_participant_start", "sqlite")
    )
    dated = _dated(Event, "start", query)
    if dated:
        start, end = date_ranges.sort_bounds(
            after=query.start_after,
            before=query.start_before,
            include_imprecise=query.include_imprecise,
        )
        stmt = stmt.join(Event, col(Event.id) == event_id)
        stmt = stmt.where(*dated, *date_ranges.between(day, start, end))
    if cursor is not None:
        at, rank, record, link_at = cursor
        stmt = stmt.where(
            _beyond([day, event_id, link_id], [at, record, link_at]) if rank == _EVENT else day > at
        )
    return stmt.order_by(day, event_id, link_id)


def _claims(pid: uuid.UUID, query: TimelineQuery, cursor: list[Any] | None) -> Any:
    day, claim_id = col(Claim.stated_sort), col(Claim.id)
    stmt: Any = sa.select(
        day.label("day"),
        literal(_CLAIM, Integer).label("rank"),
        claim_id.label("record_id"),
        claim_id.label("link_id"),
        cast(sql_null(), String(32)).label("role"),
    ).where(col(Claim.claimant_id) == pid, *_dated(Claim, "stated", query))
    if cursor is not None:
        at, rank, record, _ = cursor
        stmt = stmt.where(_beyond([day, claim_id], [at, record]) if rank == _CLAIM else day >= at)
    return stmt.order_by(day, claim_id)


def _dated(model: Any, name: str, query: TimelineQuery) -> list[ColumnElement[bool]]:
    return date_ranges.within(
        model,
        name,
        after=query.start_after,
        before=query.start_before,
        include_imprecise=query.include_imprecise,
    )


def _beyond(columns: list[Any], values: list[Any]) -> ColumnElement[bool]:
    # (a, b, c) > (x, y, z) spelled out, so that each branch can use the index.
    condition: ColumnElement[bool] = false()
    for position in reversed(range(len(columns))):
        column, value = columns[position], values[position]
        last = position == len(columns) - 1
        condition = (
            column > value if last else or_(column > value, and_(column == value, condition))
        )
    return condition


def _decode(cursor: str, scope: str) -> list[Any]:
    values = cursors.decode(cursor, scope)
    try:
        at, rank, record, link = values
        if rank not in (_EVENT, _CLAIM):
            raise ValueError(rank)
        return [dt.date.fromisoformat(at), rank, uuid.UUID(record), uuid.UUID(link)]
    except (ValueError, TypeError) as exc:
        raise BadRequest(cursors.MALFORMED) from exc


def _items(session: Session, entries: list[Any]) -> list[TimelineItem]:
    events = rows.by_id(session, Event, {e.record_id for e in entries if e.rank == _EVENT})
    claims = rows.by_id(session, Claim, {e.record_id for e in entries if e.rank == _CLAIM})
    items = []
    for row in entries:
        if row.rank == _EVENT:
            event = events[row.record_id]
            start = stored_date(event, "start")
            summary = TimelineEvent(
                id=event.id,
                slug=event.slug,
                title=event.title,
                event_type=event.event_type,
                start=start,
                role=row.role,
            )
            items.append(TimelineItem(kind="event", date=start, event=summary, claim=None))
        else:
            claim = claims[row.record_id]
            stated = stored_date(claim, "stated")
            brief = TimelineClaim(
                id=claim.id,
                slug=claim.slug,
                text=claim.text,
                claim_type=claim.claim_type,
                stated=stated,
            )
            items.append(TimelineItem(kind="claim", date=stated, event=None, claim=brief))
    return items
