"""Range filters on stored dates that keep their precision honest."""

from typing import Any

from sqlalchemy import ColumnElement, or_

from app.dates import parse_date


def within(
    edtf: Any,
    earliest: Any,
    latest: Any,
    *,
    after: str | None,
    before: str | None,
    include_imprecise: bool,
) -> list[ColumnElement[bool]]:
    """Conditions: the date in columns `edtf/earliest/latest` falls from `after` to `before`.

    By default it must certainly fall there (containment); with `include_imprecise` it need
    only possibly fall there (overlap). Undated rows never match a range.
    """
    start = parse_date(after).earliest if after else None
    end = parse_date(before).latest if before else None
    if start is None and end is None:
        return []
    found: list[ColumnElement[bool]] = [edtf.is_not(None)]
    if include_imprecise:
        if start is not None:
            found.append(or_(latest.is_(None), latest >= start))
        if end is not None:
            found.append(or_(earliest.is_(None), earliest <= end))
    else:
        if start is not None:
            found.append(earliest >= start)
        if end is not None:
            found.append(latest <= end)
    return found
