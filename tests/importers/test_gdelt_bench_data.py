"""The bench's synthetic GDELT files: deterministic, and every row maps."""

from collections import Counter
from pathlib import Path

from app.importers.gdelt import GdeltRecord, RowProblem, read_gdelt
from app.importers.gdelt_files import open_path
from bench import gdelt_data


def test_rows_are_deterministic_and_all_map(tmp_path: Path) -> None:
    first = gdelt_data.write(tmp_path / "a.export.CSV", 200)
    second = gdelt_data.write(tmp_path / "b.export.CSV", 200)
    assert first.read_bytes() == second.read_bytes()
    with open_path(first) as lines:
        items = list(read_gdelt(lines))
    assert [i for i in items if isinstance(i, RowProblem)] == []
    kinds = Counter(i.record["type"] for i in items if isinstance(i, GdeltRecord))
    assert (kinds["event"], kinds["source"]) == (200, 50)
