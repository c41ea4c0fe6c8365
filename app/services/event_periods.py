"""When events are: the span an event can cover, and the status it had on a date.

An event's span runs from its start to its end. Without an end it is the start alone, unless
the event is `ongoing`: then it reaches the present. Each bound is a range of days (`2015`
began some day of 2015; `../2019-09-12` some day up to then), so an event *possibly* meets a
range when some reading of its bounds does, and *certainly* meets it when every reading does.
"""

import datetime as dt

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select

from app.dates import parse_date
from app.errors import invalid
from app.models import Event, EventStatus, EventStatusChange
from app.schemas.events import EventFilters, EventPublic, StatusOnPublic

Range = tuple[dt.date | None, dt.date | None]


def conditions(filters: EventFilters) -> list[ColumnElement[bool]]:
    """The WHERE conditions of `active_on`, `overlaps` and `status_on`."""
    found: list[ColumnElement[bool]] = []
    for low, high in ranges(filters):
        found.extend(meets(low, high, possibly=filters.include_imprecise))
    if filters.status_on:
        found.extend(_status_on(filters))
    return found


def ranges(filters: EventFilters) -> list[Range]:
    """The day ranges `active_on` and `overlaps` ask about, checked."""
    found: list[Range] = []
    if filters.active_on:
        day = parse_date(filters.active_on)
        if day.earliest is None or day.latest is None:
            raise invalid(
                ("query", "active_on"), "must be a bounded date; use overlaps for an open range"
            )
        found.append((day.earliest, day.latest))
    if filters.overlaps:
        if "/" not in filters.overlaps:
            raise invalid(
                ("query", "overlaps"), "must be an interval A/B, e.g. 2019-09/2019-10 or 2019/.."
            )
        span = parse_date(filters.overlaps)
        found.append((span.earliest, span.latest))
    return found


def meets(
    low: dt.date | None, high: dt.date | None, *, possibly: bool
) -> list[ColumnElement[bool]]:
    """Conditions: an event's span meets the days from `low` to `high` (None: open).

    Each branch reads a bound that is indexed: start_earliest/start_latest
    (ix_event_start_bounds, start_latest), end_latest, status.
    """
    start_earliest, start_latest = col(Event.start_earliest), col(Event.start_latest)
    end_earliest, end_latest = col(Event.end_earliest), col(Event.end_latest)
    has_end, ongoing = col(Event.end_edtf).is_not(None), col(Event.status) == EventStatus.ongoing
    found: list[ColumnElement[bool]] = [col(Event.start_edtf).is_not(None)]
    if possibly:
        # Begins no later than `high` and ends no earlier than `low`, on some reading.
        if high is not None:
            found.append(or_(start_earliest.is_(None), start_earliest <= high))
        if low is not None:
            found.append(
                or_(
                    and_(has_end, or_(end_latest.is_(None), end_latest >= low)),
                    and_(~has_end, ongoing),
                    and_(~has_end, ~ongoing, or_(start_latest.is_(None), start_latest >= low)),
                )
            )
        return found
    # Certainly begun by `high`, and certainly not over before `low`: an ongoing event is
    # certainly under way on the date its status was reported for.
    if high is not None:
        # start_sort <= start_latest always: the bound lets the sort index narrow the scan.
        found.extend([start_latest <= high, col(Event.start_sort) <= high])
    else:
        found.append(start_latest.is_not(None))
    if low is not None:
        found.append(
            or_(
                and_(has_end, end_earliest >= low),
                and_(~has_end, ongoing, col(Event.status_as_of_earliest) >= low),
                and_(~has_end, start_earliest >= low),
            )
        )
    return found


def _status_on(filters: EventFilters) -> list[ColumnElement[bool]]:
    current = status_on_day(status_day(filters))
    if filters.status:
        return [current.in_([s.value for s in filters.status])]
    return [current.is_not(None)]


def status_on_day(day: dt.date) -> ColumnElement[str]:
    """An event's status in force on `day`: the latest change reported for a day certainly on
    or before it (served by ix_event_status_change_event_as_of); NULL if none was."""
    return (
        select(EventStatusChange.status)
        .where(
            col(EventStatusChange.event_id) == col(Event.id),
            col(EventStatusChange.as_of_latest) <= day,
        )
        .order_by(
            col(EventStatusChange.as_of_latest).desc(), col(EventStatusChange.recorded_at).desc()
        )
        .limit(1)
        .correlate(Event)
        .scalar_subquery()
    )


def status_day(filters: EventFilters) -> dt.date:
    """The last day of `status_on`, checked."""
    assert filters.status_on is not None
    day = parse_date(filters.status_on).latest
    if day is None:
        raise invalid(("query", "status_on"), "must be a bounded date, not an open interval")
    return day


def mark_status_on(public: list[EventPublic], on: str, day: dt.date) -> None:
    """Set each event's `status_on`: the latest status of its history reported by `day`."""
    for event in public:
        # Ordered as _status_on orders them: by the reported day, then by when recorded.
        known = [
            (change.as_of.latest, change.recorded_at, index)
            for index, change in enumerate(event.status_history)
            if change.as_of is not None
            and change.as_of.latest is not None
            and change.as_of.latest <= day
        ]
        latest = event.status_history[max(known)[2]] if known else None
        event.status_on = StatusOnPublic(
            date=on,
            status=latest.status if latest else None,
            as_of=latest.as_of if latest else None,
        )
