"""GdeltTally: rows counted once, at their event, with the reason they failed."""

from app.importers.gdelt import GdeltRecord, RowProblem
from app.schemas.imports import LineProblem, LineResult
from app.services.gdelt_import import ROW_PROBLEM_TITLE, GdeltTally
from app.services.imports import LineFailure, ParsedLine


def result(line: int, status: str, kind: str | None, title: str = "") -> LineResult:
    """A line's result, with a problem when it failed."""
    problem = LineProblem(title=title, detail="...") if status == "error" else None
    return LineResult(line=line, status=status, type=kind, problem=problem)


class TestGdeltTally:
    def test_reader_problems_become_line_failures(self) -> None:
        tally = GdeltTally()
        items: list[GdeltRecord | RowProblem] = [
            GdeltRecord(1, {"type": "event"}),
            RowProblem(2, "date", "SQLDATE 'x' ..."),
        ]
        assert list(tally.records_of(items)) == [
            ParsedLine(1, {"type": "event"}),
            LineFailure(2, "date: SQLDATE 'x' ...", ROW_PROBLEM_TITLE),
        ]
        tally.count(result(2, "error", None, ROW_PROBLEM_TITLE))
        assert tally.reported == {"date": 1}

    def test_a_row_counts_once_whichever_record_failed(self) -> None:
        tally = GdeltTally()
        for found in [
            result(1, "created", "participant"),
            result(1, "created", "event"),
            result(2, "error", "source", "Validation failed"),
            result(2, "error", "event", "Validation failed"),
            result(3, "unchanged", "source"),
            result(3, "unchanged", "event"),
            result(4, "error", "event", "Conflict"),
        ]:
            tally.count(found)
        assert tally.rows == {"imported": 1, "unchanged": 1}
        assert tally.reported == {"rejected: Validation failed": 1, "rejected: Conflict": 1}
        assert tally.report() == {
            "rows": {"imported": 1, "unchanged": 1},
            "reported": {"rejected: Validation failed": 1, "rejected: Conflict": 1},
            "participants_created": 1,
            "sources_created": 0,
        }
