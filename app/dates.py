"""Dates as sources state them: EDTF strings with their precision and bounds."""

import calendar
import datetime as dt
import math
import re
from functools import lru_cache
from typing import Annotated, Any, Literal

from edtf import EDTFParseException, parse_edtf, struct_time_to_date
from pydantic import AfterValidator, BaseModel, Field

Precision = Literal["day", "month", "season", "year", "decade", "century", "millennium", "mixed"]

# Sort keys of dated records: the earliest day a date can mean (its latest for an open start),
# 0001-01-01 when undated, so that keyset paging never compares NULLs.
UNDATED = dt.date(1, 1, 1)
_PLAIN = re.compile(r"^([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-([0-9]{2}))?)?$")
_PRECISION_BY_ORDER: tuple[Precision, ...] = ("day", "month", "season", "year", "decade", "century")
_MAX_EDTF_LENGTH = 64


class DateValue(BaseModel):
    """A date as stated, with the earliest and latest day it can mean."""

    edtf: str = Field(description="The date as an EDTF (ISO 8601-2) string, e.g. `2019-08`.")
    precision: Precision = Field(
        description="The finest unit the source gave: day, month, season, year, decade, ..."
    )
    earliest: dt.date | None = Field(
        description="First day the date can mean; null for an open start (`../2019`)."
    )
    latest: dt.date | None = Field(
        description="Last day the date can mean; null for an open end (`2015/..`)."
    )


def _precision_of(obj: Any, text: str) -> Precision:
    name = type(obj).__name__
    if name in {"Season", "Level2Season"}:
        return "season"
    core = text.rstrip("?~%")
    if "X" in core:
        # Checked before the parser's own precision, which names the unit of the digits
        # written (`2019-09-XX` is "day") rather than of the span they leave open (a month).
        return _unspecified_precision(core)
    precision = getattr(obj, "precision", None)
    if precision in _PRECISION_BY_ORDER:
        return _PRECISION_BY_ORDER[_PRECISION_BY_ORDER.index(precision)]
    parts = core.split("-")
    if core.startswith("-"):
        parts = parts[1:]
    if len(parts) >= 3 or "T" in core:
        return "day"
    if len(parts) == 2:
        return "season" if parts[1].isdigit() and int(parts[1]) > 12 else "month"
    return "year"


def _unspecified_precision(core: str) -> Precision:
    # The unit of the last part written before the first unspecified one.
    parts = core.lstrip("-").split("-")
    if "X" in parts[0]:
        digits = len(parts[0].rstrip("X"))
        coarse: dict[int, Precision] = {3: "decade", 2: "century"}
        return coarse.get(digits, "millennium")
    return "year" if "X" in parts[1] else "month"


def _bound(struct: Any) -> dt.date | None:
    if isinstance(struct, float) and math.isinf(struct):
        return None
    try:
        day: dt.date = struct_time_to_date(struct)
        return day
    except (ValueError, OverflowError, TypeError):
        return None


def sort_key(earliest: dt.date | None, latest: dt.date | None) -> dt.date:
    """The day a date sorts by: its earliest, its latest for an open start, else UNDATED."""
    return earliest or latest or UNDATED


@lru_cache(maxsize=8192)
def parse_date(text: str) -> DateValue:
    """Parse an EDTF string; raise ValueError with a readable message if it is not one."""
    text = text.strip()
    plain = _plain(text)
    if plain is not None:
        return plain
    if not text or len(text) > _MAX_EDTF_LENGTH:
        raise ValueError("must be a non-empty EDTF date of at most 64 characters")
    if not text.isascii():
        # Python reads full-width and Arabic-Indic digits as numbers; EDTF digits are ASCII.
        raise ValueError(f"'{text}' is not a valid EDTF date: digits must be ASCII 0-9")
    if "/" in text:
        return _parse_interval(text)
    try:
        obj = parse_edtf(text)
    except (EDTFParseException, ValueError, TypeError, OverflowError, IndexError) as exc:
        raise ValueError(
            f"'{text}' is not a valid EDTF date (e.g. 2019, 2019-09, 2019-09-17)"
        ) from exc
    earliest, latest = _bound(obj.lower_strict()), _bound(obj.upper_strict())
    if earliest is None or latest is None:
        raise ValueError(f"'{text}' is not a date this service can bound")
    return DateValue(
        edtf=text, precision=_precision_of(obj, text), earliest=earliest, latest=latest
    )


def _plain(text: str) -> DateValue | None:
    # `YYYY`, `YYYY-MM` and `YYYY-MM-DD` are most dates; the edtf parser takes milliseconds.
    found = _PLAIN.match(text)
    if found is None:
        return None
    year, month, day = found.groups()
    if month is None:
        first, last, precision = dt.date(int(year), 1, 1), dt.date(int(year), 12, 31), "year"
    elif day is None:
        first = dt.date(int(year), int(month), 1)
        last = dt.date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])
        precision = "month"
    else:
        try:
            first = last = dt.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValueError(
                f"'{text}' is not a valid EDTF date (e.g. 2019, 2019-09, 2019-09-17)"
            ) from exc
        precision = "day"
    return DateValue(edtf=text, precision=precision, earliest=first, latest=last)


def _parse_interval(text: str) -> DateValue:
    if text.count("/") != 1:
        raise ValueError(f"'{text}' is not a valid EDTF interval: it has exactly two parts")
    start_text, _, end_text = text.partition("/")
    start = None if start_text in {"", ".."} else parse_date(start_text)
    end = None if end_text in {"", ".."} else parse_date(end_text)
    if start is None and end is None:
        raise ValueError("an interval needs at least one end")
    if start and end and start.earliest and end.latest and end.latest < start.earliest:
        raise ValueError(f"'{text}' ends before it starts")
    precisions = {d.precision for d in (start, end) if d is not None}
    return DateValue(
        edtf=text,
        precision=precisions.pop() if len(precisions) == 1 else "mixed",
        earliest=start.earliest if start else None,
        latest=end.latest if end else None,
    )


def _check_edtf(value: str) -> str:
    return parse_date(value).edtf


EDTFString = Annotated[
    str,
    Field(
        min_length=1,
        max_length=_MAX_EDTF_LENGTH,
        description="An EDTF date: `2019`, `2019-09`, `2019-09-17`, `2020-01/2020-04`, `2015/..`.",
        examples=["2019-09-12"],
    ),
    AfterValidator(_check_edtf),
]


def stored_date(row: object, name: str) -> DateValue | None:
    """The public date object of a row's `<name>_edtf/_precision/_earliest/_latest` columns."""
    edtf = getattr(row, f"{name}_edtf")
    if edtf is None:
        return None
    return DateValue.model_construct(
        edtf=edtf,
        precision=getattr(row, f"{name}_precision"),
        earliest=getattr(row, f"{name}_earliest"),
        latest=getattr(row, f"{name}_latest"),
    )
