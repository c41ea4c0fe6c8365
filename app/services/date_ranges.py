"""Range filters on stored dates that keep their precision honest."""

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, or_

from app.dates import parse_date


def within(
    model: Any,
    name: str,
    *,
    after: str | None,
    before: str | None,
    include_imprecise: bool,
) -> list[ColumnElement[bool]]:
    """Conditions: the date stored as `<name>_edtf/_earliest/_latest` of `model` falls from
    `after` to `before`.

    By default it must certainly fall there (containment); with `include_imprecise` it need
    only possibly fall there (overlap). Undated rows never match a range.
    """
    start, end = _days(after, before)
    if start is None and end is None:
        return []
    earliest, latest = getattr(model, f"{name}_earliest"), getattr(model, f"{name}_latest")
    found: list[ColumnElement[bool]] = [getattr(model, f"{name}_edtf").is_not(None)]
    if include_imprecise:
        if start is not None:
            found.append(or_(latest.is_(None), latest >= start))
        if end is not None:
            found.append(or_(earliest.is_(None), earliest <= end))
        return found
    if start is not None:
        found.append(earliest >= start)
    if end is not None:
        found.append(latest <= end)
    # A dated row sorts by its earliest day (`<name>_sort`), so where there is a sort column
    # the same bounds on it let its index narrow the scan.
    sort = getattr(model, f"{name}_sort", None)
    return found if sort is None else [*found, *between(sort, start, end)]


def sort_bounds(
    *, after: str | None, before: str | None, include_imprecise: bool
) -> tuple[dt.date | None, dt.date | None]:
    """The bounds `within` puts on a sort column for the same range (None where it puts none)."""
    return (None, None) if include_imprecise else _days(after, before)


def between(column: Any, start: dt.date | None, end: dt.date | None) -> list[ColumnElement[bool]]:
    """Conditions: `column` (a sort key, or a copy of one) is from `start` to `end`; None is no
    bound."""
    return [
        *([column >= start] if start is not None else []),
        *([column <= end] if end is not None else []),
    ]


def _days(after: str | None, before: str | None) -> tuple[dt.date | None, dt.date | None]:
    # The first day `after` can mean and the last day `before` can.
    return (
        parse_date(after).earliest if after else None,
        parse_date(before).latest if before else None,
    )
