"""Counts of events for charts, with dates bucketed only where their precision allows."""

from typing import Any

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from app.models import Event
from app.schemas.events import EventBucket, EventStats, EventStatsQuery
from app.services import event_queries

# Periods are digits and hyphens, so these keys never clash with one.
_UNDATED, _IMPRECISE = "undated", "imprecise"
_DATE_FORMATS = {"month": ("%Y-%m", "YYYY-MM"), "year": ("%Y", "YYYY")}


def event_stats(session: Session, query: EventStatsQuery) -> EventStats:
    """Count matching events by month, year, type, country or status."""
    where = event_queries.conditions(session, query)
    if query.group_by in _DATE_FORMATS:
        return _by_date(session, query, where)
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


def _by_date(session: Session, query: EventStatsQuery, where: list[Any]) -> EventStats:
    earliest = _period(session, col(Event.start_earliest), query.group_by)
    latest = _period(session, col(Event.start_latest), query.group_by)
    # An event counts in a month (or year) only if its start cannot fall outside it. One pass
    # over the matches sorts each into its bucket, the imprecise or the undated.
    bucket = case(
        (col(Event.start_edtf).is_(None), _UNDATED),
        (earliest == latest, earliest),
        else_=_IMPRECISE,
    )
    counts = dict(session.exec(select(bucket, func.count()).where(*where).group_by(bucket)).all())
    undated, imprecise = counts.pop(_UNDATED, 0), counts.pop(_IMPRECISE, 0)
    return EventStats(
        group_by=query.group_by,
        buckets=[EventBucket(key=key, count=n) for key, n in sorted(counts.items())],
        imprecise=imprecise,
        undated=undated,
    )


def _period(session: Session, column: Any, unit: str) -> ColumnElement[str]:
    sqlite_format, postgresql_format = _DATE_FORMATS[unit]
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime(sqlite_format, column)
    return func.to_char(column, postgresql_format)
