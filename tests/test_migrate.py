"""`python -m app.migrate`: migrations once under an advisory lock; /ready waits for head."""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session

from app.lifecycle import STATE, start_draining
from app.main import create_app
from app.migrate import MIGRATION_LOCK_ID, head_revisions, migrate, schema_at_head
from tests.conftest import drop_database, postgres_url, use_session


@pytest.fixture
def pg_scratch() -> Iterator[str]:
    """An empty PostgreSQL database of its own, dropped afterwards."""
    url = postgres_url(postgres_url_for("geoevents_migrate"))
    if url is None:
        pytest.skip("PostgreSQL is unreachable")
    yield url
    drop_database(url)


def postgres_url_for(name: str) -> str:
    """A URL on the local server for a database named `name` plus this process's id."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}_{os.getpid()}"


def versions(url: str) -> list[str]:
    """The rows of alembic_version."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    engine.dispose()
    return found


class TestMigrate:
    def test_sqlite_reaches_head(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'm.db'}"
        migrate(url)
        migrate(url)
        assert set(versions(url)) == head_revisions()

    def test_replicas_starting_together_migrate_once(self, pg_scratch: str) -> None:
        errors: list[BaseException] = []

        def run() -> None:
            try:
                migrate(pg_scratch)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert set(versions(pg_scratch)) == head_revisions()

    def test_waits_for_the_lock(self, pg_scratch: str) -> None:
        holder = create_engine(pg_scratch, isolation_level="AUTOCOMMIT")
        with holder.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            waiting = threading.Thread(target=migrate, args=(pg_scratch,))
            waiting.start()
            waiting.join(timeout=1.5)
            assert waiting.is_alive()
            conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
        waiting.join(timeout=120)
        holder.dispose()
        assert not waiting.is_alive()
        assert set(versions(pg_scratch)) == head_revisions()


class TestReady:
    def test_not_ready_before_migrations(self, tmp_path: Path) -> None:
        engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        with Session(engine) as empty:
            assert not schema_at_head(empty)
            app = use_session(create_app(), empty)
            with TestClient(app, raise_server_exceptions=False) as client:
                response = client.get("/ready")
        engine.dispose()
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json()["type"] == "/problems/not-ready"

    def test_ready_at_head(self, client: TestClient) -> None:
        response = client.get("/ready")
        assert response.status_code == 200
        assert response.json()["status"] == "ready"

    def test_not_ready_while_draining(self, client: TestClient) -> None:
        start_draining()
        try:
            response = client.get("/ready")
            health = client.get("/health")
        finally:
            STATE.draining.clear()
        assert response.status_code == 503
        assert response.json()["detail"] == (
            "the server is shutting down; requests go to another replica"
        )
        assert health.status_code == 200
