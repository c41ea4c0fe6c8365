"""The synthetic generator: exact counts, determinism, dates as parse_date gives, API reads."""

from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.dates import parse_date
from app.db import build_engine
from app.models import metadata
from app.services import claims, events
from seed.synthetic import NotReady, Options, generate, main, syn_id, syn_slug
from tests.conftest import alembic_config, drop_database, fresh_schema, postgres_url

OPTIONS = Options(events=200, participants=100, claims_per_event=0.5, seed=42, batch=64)


def _migrated(url: str) -> Engine:
    command.upgrade(alembic_config(url), "head")
    return build_engine(url)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, dict[str, int]]]:
    """A fresh migrated database per backend (not the suite's shared one), loaded once."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('synthetic') / 's.db'}"
    else:
        base = postgres_url()
        if base is None:
            pytest.skip("PostgreSQL is unreachable")
        target = make_url(base).set(database=f"{make_url(base).database}_synthetic")
        found = postgres_url(target.render_as_string(hide_password=False))
        assert found is not None
        url = found
        empty = build_engine(url)
        fresh_schema(empty)
        empty.dispose()
    engine = _migrated(url)
    counts = generate(engine, OPTIONS, quiet=True)
    yield engine, dict(counts)
    engine.dispose()
    if request.param == "postgresql":
        drop_database(url)


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(metadata.tables[table])).one()[0])


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql)).all())


class TestCounts:
    def test_fixed_counts(self, loaded: tuple[Engine, dict[str, int]]) -> None:
        engine, counts = loaded
        assert _count(engine, "event") == 200
        assert _count(engine, "event_status_change") == 200
        assert _count(engine, "participant") == 100
        assert _count(engine, "source") == 4
        assert _count(engine, "claim") == 100
        assert counts["event"] == 200
        assert counts["claim"] == 100

    def test_reported_counts_match_the_tables(self, loaded: tuple[Engine, dict[str, int]]) -> None:
        engine, counts = loaded
        for table, inserted in counts.items():
            assert _count(engine, table) == inserted, table

    def test_one_state_per_country_for_a_quarter_of_the_participants(
        self, loaded: tuple[Engine, dict[str, int]]
    ) -> None:
        engine, _ = loaded
        states = _rows(engine, "SELECT country FROM participant WHERE kind = 'state'")
        assert len(states) == 25
        assert len({row[0] for row in states}) == 25


class TestIntegrity:
    def test_every_event_has_a_status_history(self, loaded: tuple[Engine, dict[str, int]]) -> None:
        engine, _ = loaded
        missing = _rows(
            engine,
            "SELECT e.slug FROM event e LEFT JOIN event_status_change s ON s.event_id = e.id "
            "WHERE s.id IS NULL",
        )
        assert missing == []

    def test_every_role_has_its_title_key(self, loaded: tuple[Engine, dict[str, int]]) -> None:
        engine, _ = loaded
        titles = _rows(
            engine,
            "SELECT r.title, k.key FROM participant_role r "
            "JOIN role_title_key k ON k.role_id = r.id",
        )
        assert len(titles) == _count(engine, "participant_role") > 0
        assert all(key == title.casefold() for title, key in titles)

    def test_every_appearance_has_its_claim_and_quotes_it(
        self, loaded: tuple[Engine, dict[str, int]]
    ) -> None:
        engine, _ = loaded
        pairs = _rows(
            engine,
            "SELECT c.text, a.quote FROM appearance a LEFT JOIN claim c ON c.id = a.claim_id",
        )
        assert len(pairs) == _count(engine, "appearance")
        assert all(claim_text is not None and quote in claim_text for claim_text, quote in pairs)

    def test_dates_are_what_parse_date_gives(self, loaded: tuple[Engine, dict[str, int]]) -> None:
        engine, _ = loaded
        rows = _rows(
            engine, "SELECT start_edtf, start_precision, start_earliest, start_latest FROM event"
        )
        for edtf, precision, earliest, latest in rows:
            parsed = parse_date(edtf)
            stored = (precision, earliest and str(earliest), latest and str(latest))
            assert stored == (
                parsed.precision,
                parsed.earliest and str(parsed.earliest),
                parsed.latest and str(parsed.latest),
            ), edtf

    def test_precisions_are_mixed(self, loaded: tuple[Engine, dict[str, int]]) -> None:
        engine, _ = loaded
        found = {row[0] for row in _rows(engine, "SELECT start_precision FROM event")}
        assert {"day", "month", "year"} <= found
        intervals = _rows(engine, "SELECT start_edtf FROM event WHERE start_edtf LIKE '%/%'")
        assert len(intervals) >= 1


class TestThroughTheServices:
    def test_event_reads_back_with_its_precision(
        self, loaded: tuple[Engine, dict[str, int]]
    ) -> None:
        engine, _ = loaded
        slug, precision = _rows(
            engine, "SELECT slug, start_precision FROM event WHERE start_precision = 'month'"
        )[0]
        with Session(engine) as session:
            public = events.read_event(session, slug)
        assert public.start is not None
        assert public.start.precision == precision == "month"
        assert len(public.status_history) == 1

    def test_claim_reads_back_with_appearances(self, loaded: tuple[Engine, dict[str, int]]) -> None:
        engine, _ = loaded
        with Session(engine) as session:
            public = claims.read_claim(session, syn_slug("claim", 1))
        assert public.id == syn_id("claim", 1)
        assert public.appearances
        assert all(a.quote in public.text for a in public.appearances)


class TestRuns:
    def test_same_seed_same_rows_other_seed_other_rows(
        self, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        def titles(seed: int) -> list[Any]:
            url = f"sqlite:///{tmp_path_factory.mktemp('determinism') / 'd.db'}"
            engine = _migrated(url)
            generate(engine, Options(events=50, participants=100, seed=seed), quiet=True)
            rows = _rows(engine, "SELECT id, slug, title, start_edtf FROM event ORDER BY slug")
            engine.dispose()
            return rows

        first = titles(7)
        assert first == titles(7)
        other = titles(8)
        assert [r[:2] for r in other] == [r[:2] for r in first]
        assert other != first

    def test_refuses_a_loaded_database(self, loaded: tuple[Engine, dict[str, int]]) -> None:
        engine, _ = loaded
        with pytest.raises(NotReady, match="already holds synthetic records"):
            generate(engine, OPTIONS, quiet=True)

    def test_refuses_an_unmigrated_database(
        self, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
    ) -> None:
        url = f"sqlite:///{tmp_path_factory.mktemp('empty') / 'e.db'}"
        assert main(["--events", "10", "--database-url", url, "--quiet"]) == 1
        assert "alembic upgrade head" in capsys.readouterr().err
