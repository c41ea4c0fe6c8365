"""`geoevents seed` on both engines; `migrate` and `synthetic` on a fresh SQLite file."""

from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.main import app
from app.db import build_engine
from app.models import Event, Participant
from tests.cli.conftest import Run


class TestSeed:
    def test_seed_loads_once(self, run: Run, session: Session) -> None:
        first = run("seed")
        assert first.exit_code == 0, first.output
        assert "events" in first.stderr
        events = session.scalar(select(func.count()).select_from(Event))
        assert events == 12
        second = run("seed")
        assert second.exit_code == 0
        assert "already loaded, nothing changed" in second.stderr
        assert session.scalar(select(func.count()).select_from(Event)) == events


class TestMigrateAndSynthetic:
    def test_a_fresh_file_is_migrated_then_filled(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        runner = CliRunner()
        migrated = runner.invoke(app, ["--database-url", url, "migrate"])
        assert migrated.exit_code == 0, migrated.output
        filled = runner.invoke(
            app, ["--database-url", url, "synthetic", "--events", "300", "--quiet"]
        )
        assert filled.exit_code == 0, filled.output
        assert "300" in filled.stderr
        again = runner.invoke(
            app, ["--database-url", url, "synthetic", "--events", "10", "--quiet"]
        )
        assert again.exit_code == 1
        engine = build_engine(url)
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Event)) == 300
            assert session.scalar(select(func.count()).select_from(Participant)) == 100
        engine.dispose()
