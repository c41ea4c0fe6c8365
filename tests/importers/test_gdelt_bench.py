"""The import bench's GDELT case, on a tiny file (the bench itself runs on a quiet machine)."""

from pathlib import Path

import pytest

from app.importers.gdelt import read_gdelt
from app.importers.gdelt_files import open_path
from bench import gdelt_data, import_bench


def cells(row: str) -> list[str]:
    """The cells of a Markdown table row."""
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_gdelt_imports_then_finds_everything_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_path(gdelt_data.write(tmp_path / "expected.CSV", 40)) as lines:
        records = len(list(read_gdelt(lines)))
    monkeypatch.setattr(import_bench, "DATA", tmp_path / "data")
    (tmp_path / "data").mkdir()
    first, again, memory = (cells(row) for row in import_bench.run_gdelt("sqlite", 40, 30))
    assert first[:4] == ["sqlite", "GDELT into an empty database", "40", "40"]
    assert first[-1] == f"created {records}"
    assert again[-1] == f"unchanged {records}"
    assert memory[1:4] == ["GDELT memory run", "30", "30"]
    assert list((tmp_path / "data").glob("*.CSV")) == []
