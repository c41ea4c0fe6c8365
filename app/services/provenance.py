"""Checks that a fact's provenance is honest: a stated fact cites, a background one does not."""

from typing import Any

from app.errors import invalid
from app.models import Provenance


def apply(row: Any, changes: dict[str, Any], *, cites: bool) -> None:
    """Set `provenance`/`provenance_basis` from `changes` and check them.

    `cites`: the row has a `source_id`, so `stated` needs one and `background` may not have one;
    without an explicit provenance a row with a source is `stated`, one without is `background`.
    """
    if "provenance_basis" in changes:
        row.provenance_basis = changes["provenance_basis"]
    if changes.get("provenance") is not None:
        row.provenance = Provenance(changes["provenance"])
    elif cites and row.provenance != Provenance.assessment:
        row.provenance = Provenance.stated if row.source_id else Provenance.background
    if row.provenance == Provenance.assessment and not row.provenance_basis:
        raise invalid(("body", "provenance_basis"), "an assessment states its basis")
    if not cites:
        return
    if row.provenance == Provenance.stated and row.source_id is None:
        raise invalid(
            ("body", "provenance"),
            "a stated fact cites the source that states it: send source_id, or mark it "
            "`background` (known, but no source here states it)",
        )
    if row.provenance == Provenance.background and row.source_id is not None:
        raise invalid(
            ("body", "source_id"),
            "a background fact cites no source; a source that states it makes it `stated`",
        )
