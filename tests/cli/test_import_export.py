"""`geoevents import` (NDJSON and GDELT, files, zips and stdin) and `geoevents export`."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Event, EventIdentifier, Participant, Source
from tests.cli.conftest import Run
from tests.importers import gdelt_fixture as fx
from tests.importers.test_gdelt_reader import SAMPLE


def count(session: Session, model: type) -> int:
    """Rows of a table."""
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The GDELT fixture in every layout."""
    return fx.write_files(tmp_path)


class TestImportGdelt:
    def test_imports_good_rows_and_reports_the_others(
        self, run: Run, session: Session, files: dict[str, Path]
    ) -> None:
        result = run("import", "--format", "gdelt", "--quiet", str(files["export"]))
        assert result.exit_code == 1, result.output
        for reason, line in fx.BAD_LINES.items():
            assert f"{files['export'].name}:{line} {reason}: " in result.stderr
            assert f"rows reported: {reason}" in result.stderr
        rows = session.exec(select(EventIdentifier).where(EventIdentifier.scheme == "gdelt"))
        assert sorted(row.value for row in rows) == [str(n) for n in range(1001, 1009)]
        assert (count(session, Participant), count(session, Source)) == (10, 3)

    @pytest.mark.parametrize("layout", ["header", "export-zip", "header-zip"])
    def test_every_layout_imports_the_same_and_reimporting_adds_nothing(
        self, run: Run, session: Session, files: dict[str, Path], layout: str
    ) -> None:
        run("import", "--format", "gdelt", "--quiet", str(files["export"]))
        before = (count(session, Event), count(session, Participant), count(session, Source))
        again = run("import", "--format", "gdelt", "--quiet", str(files[layout]))
        assert "already imported: nothing new" in again.stderr
        assert "rows unchanged" in again.stderr
        after = (count(session, Event), count(session, Participant), count(session, Source))
        assert after == before == (8, 10, 3)

    def test_results_file_has_one_result_per_record(
        self, run: Run, files: dict[str, Path], tmp_path: Path
    ) -> None:
        report = tmp_path / "results.ndjson"
        run(
            "import", "--format", "gdelt", "--quiet", "--results", str(report), str(files["export"])
        )
        results = [json.loads(line) for line in report.read_text().splitlines()]
        assert len(results) == 8 + 10 + 3 + 5
        assert {r["line"] for r in results if r["status"] == "error"} == set(fx.BAD_LINES.values())

    def test_dry_run_writes_nothing(
        self, run: Run, session: Session, files: dict[str, Path]
    ) -> None:
        result = run("import", "--format", "gdelt", "--dry-run", "--quiet", str(files["header"]))
        assert "nothing written" in result.stderr
        assert count(session, Event) == 0

    def test_a_file_that_is_not_gdelt_is_refused(self, run: Run, tmp_path: Path) -> None:
        path = tmp_path / "records.ndjson"
        path.write_text('{"type": "source"}\n', encoding="utf-8")
        result = run("import", "--format", "gdelt", "--quiet", str(path))
        assert result.exit_code == 1
        assert "records.ndjson: line 1 has no tab" in result.stderr

    def test_a_missing_file_is_an_error(self, run: Run, tmp_path: Path) -> None:
        result = run("import", "--quiet", str(tmp_path / "absent.ndjson"))
        assert result.exit_code == 1
        assert "no such file" in result.stderr


class TestImportNdjsonAndExport:
    def test_stdin_import_then_export_reads_back(self, run: Run, session: Session) -> None:
        source = {"type": "source", "slug": "bbc-1", "kind": "news_article", "title": "BBC"}
        lines = json.dumps(source | {"citation": "BBC Monitoring"}) + "\n"
        result = run("import", "--quiet", stdin=lines)
        assert result.exit_code == 0, result.output
        assert count(session, Source) == 1
        exported = run("export", "--quiet")
        assert exported.exit_code == 0
        (line,) = exported.stdout.splitlines()
        assert json.loads(line)["slug"] == "bbc-1"
        again = run("import", "--quiet", stdin=exported.stdout)
        assert "source unchanged" in again.stderr


@pytest.mark.skipif(SAMPLE is None, reason="the GDELT sample is not in shared/data")
class TestRealSample:
    def test_the_whole_sample_imports_with_counts_from_the_file(
        self, run: Run, session: Session
    ) -> None:
        assert SAMPLE is not None
        result = run("import", "--format", "gdelt", "--quiet", str(SAMPLE))
        assert result.exit_code == 0, result.output
        assert "rows imported        │ 3,000" in result.stderr
        # Distinct (name, code) actors and distinct SOURCEURL values in the file.
        assert (count(session, Event), count(session, Participant)) == (3000, 798)
        assert count(session, Source) == 769
        again = run("import", "--format", "gdelt", "--quiet", str(SAMPLE))
        assert "already imported: nothing new" in again.stderr
        assert count(session, Event) == 3000
