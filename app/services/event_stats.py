"""Counts of events for charts, with dates bucketed only where their precision allows."""

from typing import Any

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from app.models import Event
from app.query import dialects, event_filters
from app.schemas.events import EventBucket, EventStats, EventStatsQuery
from app.services import event_periods, event_tally

# Periods are digits and hyphens, so these keys never clash with one.
_UNDATED, _IMPRECISE = "undated", "imprecise"
_PERIODS = ("month", "year")


def event_stats(session: Session, query: EventStatsQuery) -> EventStats:
    """Count matching events by month, year, type, country or status."""
    # Without a filter, the counts of all events that triggers keep answer; else a scan.
    if event_tally.answers(query):
        return _from_tally(session, query)
    where = event_filters.resolve(session, query).where.collected()
    if query.group_by in _PERIODS:
        return _by_date(session, query, where)
    if query.group_by == "status" and query.status_on:
        return _by_status_on(session, query, where)
    column = {
        "event_type": col(Event.event_type),
        "country": col(Event.location_country),
        "status": col(Event.status),
    }[query.group_by]
    # NULLS LAST on both engines (SQLite puts NULL first): "unknown" ends the list.
    rows = session.exec(
        select(column, func.count()).where(*where).group_by(column).order_by(column.nulls_last())
    ).all()
    buckets = [EventBucket(key=key or "unknown", count=n) for key, n in rows]
    return EventStats(group_by=query.group_by, buckets=buckets, imprecise=0, undated=0)


def _from_tally(session: Session, query: EventStatsQuery) -> EventStats:
    rows = event_tally.counts(session, query.group_by)
    if query.group_by in _PERIODS:
        return _periods(query, {str(key): n for key, n in rows})
    buckets = [EventBucket(key=key or "unknown", count=n) for key, n in rows]
    return EventStats(group_by=query.group_by, buckets=buckets, imprecise=0, undated=0)


def _by_status_on(session: Session, query: EventStatsQuery, where: list[Any]) -> EventStats:
    # As the `status` filter reads it with status_on: the status on that date, not today's.
    # The status_on filter leaves only events that had one. Grouped in an outer query, so that
    # the subquery is not written out again in GROUP BY and ORDER BY.
    day = event_periods.status_day(query)
    status = event_periods.status_on_day(day).label("key")
    # FROM event named: a filter may not name it, and the status must correlate with it.
    keyed = select(status).select_from(Event).where(*where).subquery()
    rows = session.exec(
        select(keyed.c.key, func.count()).group_by(keyed.c.key).order_by(keyed.c.key)
    ).all()
    buckets = [EventBucket(key=key, count=n) for key, n in rows]
    return EventStats(group_by=query.group_by, buckets=buckets, imprecise=0, undated=0)


def _by_date(session: Session, query: EventStatsQuery, where: list[Any]) -> EventStats:
    # The matches are first counted by their stored bounds: an index on (filter, earliest,
    # latest) hands them over already grouped, and there are at most a few per day. Only
    # those groups are then put into periods.
    bounds = (
        select(
            col(Event.start_earliest).label("earliest"),
            col(Event.start_latest).label("latest"),
            func.count().label("n"),
        )
        .where(*where)
        .group_by(col(Event.start_earliest), col(Event.start_latest))
        .subquery("bounds")
    )
    dialect = dialects.of(session)
    earliest = dialect.period(bounds.c.earliest, query.group_by)
    latest = dialect.period(bounds.c.latest, query.group_by)
    # An event counts in a month (or year) only if its start cannot fall outside it. A stored
    # date always has a bound (app.dates), so an event without either is undated.
    bucket = case(
        (and_(bounds.c.earliest.is_(None), bounds.c.latest.is_(None)), _UNDATED),
        (earliest == latest, earliest),
        else_=_IMPRECISE,
    )
    found = session.exec(select(bucket, func.sum(bounds.c.n)).group_by(bucket)).all()
    return _periods(query, {key: int(n) for key, n in found})


def _periods(query: EventStatsQuery, counts: dict[str, int]) -> EventStats:
    # `counts` per period, with `imprecise` and `undated` among them.
    undated, imprecise = counts.pop(_UNDATED, 0), counts.pop(_IMPRECISE, 0)
    return EventStats(
        group_by=query.group_by,
        buckets=[EventBucket(key=key, count=n) for key, n in sorted(counts.items())],
        imprecise=imprecise,
        undated=undated,
    )
