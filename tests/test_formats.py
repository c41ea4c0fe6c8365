"""The export writers' pure parts: Accept parsing, CSV cells, iCalendar text, date spans."""

import datetime as dt
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from app.dates import parse_date
from app.db import get_session
from app.errors import NotAcceptable, ValidationFailed
from app.formats import stream
from app.formats.csv_writer import cell
from app.formats.ical import escape, fold, span
from app.formats.negotiate import MediaRange, choose, parse_accept
from app.schemas.sources import SourceQuery


class TestAccept:
    def test_parses_ranges_and_qualities(self) -> None:
        assert parse_accept("text/csv;q=0.5, application/*, */*;q=0, junk, ;q=1") == [
            MediaRange("text", "csv", 0.5),
            MediaRange("application", "*", 1.0),
            MediaRange("*", "*", 0.0),
        ]

    def test_a_malformed_quality_excludes_the_range(self) -> None:
        assert parse_accept("text/csv;q=high") == [MediaRange("text", "csv", 0.0)]

    def test_the_most_specific_range_decides(self) -> None:
        chosen = choose("event", None, "text/*;q=0.9, text/calendar;q=0.1, application/json;q=0.5")
        assert chosen is not None
        assert chosen.name == "csv"

    def test_format_names_are_checked_per_kind(self) -> None:
        with pytest.raises(ValidationFailed) as refused:
            choose("participant", "ics", None)
        offered = refused.value.detail.split("; offered: ")[1].split(", ")
        assert offered[:2] == ["json", "csv"]
        assert "jsonld" in offered
        assert "ics" not in offered
        assert "geojson" not in offered
        with pytest.raises(NotAcceptable):
            choose("participant", None, "text/calendar")


class TestCsvCell:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (None, ""),
            (True, "true"),
            (-3.7, -3.7),
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@x", "'@x"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("a=b", "a=b"),
            (["a", "b"], "a|b"),
            (["=a", "b"], "'=a|b"),
        ],
    )
    def test_values(self, value: object, expected: object) -> None:
        assert cell(value) == expected  # type: ignore[arg-type]


class TestICalendarText:
    def test_escapes_text(self) -> None:
        assert escape("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"

    def test_folds_at_75_octets_without_splitting_a_character(self) -> None:
        line = "DESCRIPTION:" + "é" * 70
        folded = fold(line)
        parts = folded.removesuffix("\r\n").split("\r\n")
        assert all(len(p.encode()) <= 75 for p in parts)
        assert all(p.startswith(" ") for p in parts[1:])
        assert "".join(p.removeprefix(" ") if n else p for n, p in enumerate(parts)) == line

    def test_a_short_line_is_not_folded(self) -> None:
        assert fold("SUMMARY:x") == "SUMMARY:x\r\n"


def _span(start: str | None, end: str | None = None) -> tuple[dt.date, dt.date] | None:
    return span(parse_date(start) if start else None, parse_date(end) if end else None)


class TestSpan:
    @pytest.mark.parametrize(
        ("start", "end", "first", "after"),
        [
            ("2019-09-12", None, "2019-09-12", "2019-09-13"),
            ("2019-09-12", "2019-09-14", "2019-09-12", "2019-09-15"),
            ("2019-05", "2019-05", "2019-05-01", "2019-06-01"),
            ("2019-05", None, "2019-05-01", "2019-06-01"),
            ("2015", None, "2015-01-01", "2016-01-01"),
            ("2020-01/2020-04", None, "2020-01-01", "2020-05-01"),
            ("../2019-09-12", None, "2019-09-12", "2019-09-13"),
            ("../2019-09-12", "2019-12", "2019-09-12", "2020-01-01"),
            ("2015/..", None, "2015-01-01", "2015-01-02"),
        ],
    )
    def test_days_covered(self, start: str, end: str | None, first: str, after: str) -> None:
        assert _span(start, end) == (dt.date.fromisoformat(first), dt.date.fromisoformat(after))

    def test_undated(self) -> None:
        assert _span(None) is None


class TestWalk:
    def test_reads_a_page_only_when_the_previous_one_is_written(self) -> None:
        reads: list[str | None] = []
        sessions: list[str] = []

        def fetch(session: Any, query: Any) -> tuple[list[int], str | None]:
            reads.append(query.cursor)
            following = int(query.cursor) + 1
            return [following], (str(following) if following < 5 else None)

        def provider() -> Iterator[Any]:
            sessions.append("opened")
            yield SimpleNamespace(rollback=lambda: sessions.append("rolled back"))

        request = SimpleNamespace(app=SimpleNamespace(dependency_overrides={get_session: provider}))
        walked = stream._rest(request, [0], "0", SourceQuery(), fetch)  # type: ignore[arg-type]
        assert [next(walked), next(walked)] == [0, 1]
        assert reads == ["0"]
        assert list(walked) == [2, 3, 4, 5]
        assert reads == ["0", "1", "2", "3", "4"]
        assert sessions == ["opened"] + ["rolled back"] * 5
