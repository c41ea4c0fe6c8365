"""EDTF parsing: the precision and bounds every stored date gets."""

import datetime as dt

import pytest

from app.dates import parse_date


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest"),
    [
        ("2015", "year", dt.date(2015, 1, 1), dt.date(2015, 12, 31)),
        ("2019-08", "month", dt.date(2019, 8, 1), dt.date(2019, 8, 31)),
        ("2019-09-17", "day", dt.date(2019, 9, 17), dt.date(2019, 9, 17)),
        ("2020-21", "season", dt.date(2020, 3, 1), dt.date(2020, 5, 31)),
        ("2020-01/2020-04", "month", dt.date(2020, 1, 1), dt.date(2020, 4, 30)),
        ("2015/..", "year", dt.date(2015, 1, 1), None),
        ("../2019-09-12", "day", None, dt.date(2019, 9, 12)),
        ("201X", "decade", dt.date(2010, 1, 1), dt.date(2019, 12, 31)),
        # Unspecified digits leave the span of the last unit written.
        ("2019-09-XX", "month", dt.date(2019, 9, 1), dt.date(2019, 9, 30)),
        ("2019-XX", "year", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
        ("2019-XX-XX", "year", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
        ("2019?", "year", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
        ("2019/2020-02", "mixed", dt.date(2019, 1, 1), dt.date(2020, 2, 29)),
    ],
)
def test_bounds_and_precision(
    text: str, precision: str, earliest: dt.date | None, latest: dt.date | None
) -> None:
    parsed = parse_date(text)
    assert (parsed.edtf, parsed.precision, parsed.earliest, parsed.latest) == (
        text,
        precision,
        earliest,
        latest,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2019-13", "'2019-13' is not a valid EDTF date"),
        ("2019-02-30", "'2019-02-30' is not a valid EDTF date"),
        ("yesterday", "'yesterday' is not a valid EDTF date"),
        ("2019-09-17/2019-09-12", "'2019-09-17/2019-09-12' ends before it starts"),
        ("../..", "an interval needs at least one end"),
        ("", "must be a non-empty EDTF date"),
    ],
)
def test_invalid_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("?", r"\?")):
        parse_date(text)
