"""GDELT 2.0 files through the bulk import: rows become import records, and the results become
counts per row (imported, already there, reported by reason) and per record type."""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app.importers.gdelt import GdeltRecord, RowProblem, read_gdelt
from app.schemas.imports import LineResult
from app.services.imports import ImportRecord, LineFailure, ParsedLine

ROW_PROBLEM_TITLE = "Unusable GDELT row"


@dataclass
class GdeltTally:
    """What an import of GDELT rows did: rows by outcome, records by type and status."""

    rows: Counter[str] = field(default_factory=Counter)
    reported: Counter[str] = field(default_factory=Counter)
    records: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Why a row failed, by line, until the row's last result comes back through the import.
    _why: dict[int, str] = field(default_factory=dict)

    def records_of(self, items: Iterable[GdeltRecord | RowProblem]) -> Iterator[ImportRecord]:
        """Import records for the reader's items, remembering why rows were not mapped."""
        for item in items:
            if isinstance(item, GdeltRecord):
                yield ParsedLine(item.line, item.record)
            else:
                self._why[item.line] = item.reason
                yield LineFailure(item.line, f"{item.reason}: {item.detail}", ROW_PROBLEM_TITLE)

    def count(self, result: LineResult) -> None:
        """Count one result; a row is counted at its event (or its only, failed, line)."""
        self.records[(result.type or "row", result.status)] += 1
        if result.status == "error":
            title = result.problem.title if result.problem else "error"
            why = self._why.setdefault(result.line, f"rejected: {title}")
            if result.type in (None, "event"):
                self.reported[why] += 1
                del self._why[result.line]
        elif result.type == "event":
            # A reference that failed earlier on this line fails the event too.
            self._why.pop(result.line, None)
            self.rows["imported" if result.status == "created" else result.status] += 1

    def report(self) -> dict[str, Any]:
        """The rows' outcomes and what was created, for the end of an import's answer."""
        return {
            "rows": dict(self.rows),
            "reported": dict(self.reported),
            "participants_created": self.created("participant"),
            "sources_created": self.created("source"),
        }

    def created(self, kind: str) -> int:
        """Records of `kind` the import created."""
        return self.records[(kind, "created")]


def gdelt_records(lines: Iterable[str], tally: GdeltTally) -> Iterator[ImportRecord]:
    """The import records of a GDELT events file's lines, counted into `tally`'s reasons."""
    return tally.records_of(read_gdelt(lines))
