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
    start = parse_date(after).earliest if after else None
    end = parse_date(before).latest if before else None
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
    # A dated row sorts by its earliest day (`<name>_sort`), so where there is a sort column
    # the same bounds on it let its index narrow the scan.
    sort = getattr(model, f"{name}_sort", None)
    if start is not None:
        found.append(earliest >= start)
        if sort is not None:
            found.append(sort >= start)
    if end is not None:
        found.append(latest <= end)
        if sort is not None:
            found.append(sort <= end)
    return found


def sort_bounds(
    *, after: str | None, before: str | None, include_imprecise: bool
) -> tuple[dt.date | None, dt.date | None]:
    """The bounds `within` puts on a sort column for the same range (None where it puts none)."""
    if include_imprecise:
        return None, None
    start = parse_date(after).earliest if after else None
    end = parse_date(before).latest if before else None
    return start, end
