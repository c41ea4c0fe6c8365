"""Fixtures: each backend migrated once per run, one rolled-back transaction per test."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.config import Settings
from app.db import build_engine, get_session
from app.main import create_app
from app.schemas.keys import KeyScope
from seed.loader import load_article
from tests.factories import bearer, stored_key

ROOT = Path(__file__).resolve().parent.parent
# Without TEST_DATABASE_URL, each run gets its own database so that runs can overlap.
DEFAULT_PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/geoevents_test_{os.getpid()}"
BACKENDS = ["sqlite", "postgresql"]


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at `url`, independent of the working directory."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def postgres_url(url: str | None = None) -> str | None:
    """A reachable PostgreSQL URL for tests, creating its database if needed; else None."""
    url = url or os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL)
    target = make_url(url)
    admin = create_engine(
        target.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if exists is None:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    except OperationalError:
        return None
    finally:
        admin.dispose()
    return url


def drop_database(url: str) -> None:
    """Remove a database this run created."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def fresh_schema(engine: Engine) -> None:
    """Empty the database so migrations start from nothing."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database per backend; PostgreSQL must be reachable when CI is set."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        found = postgres_url()
        if found is None:
            if os.environ.get("CI"):
                pytest.fail(
                    "PostgreSQL is unreachable; CI requires the PostgreSQL half of the suite"
                )
            pytest.skip("PostgreSQL is unreachable (set TEST_DATABASE_URL)")
        url = found
    db_engine = build_engine(url)
    fresh_schema(db_engine)
    command.upgrade(alembic_config(url), "head")
    yield db_engine
    db_engine.dispose()
    if request.param == "postgresql" and "TEST_DATABASE_URL" not in os.environ:
        drop_database(url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits become savepoints of a transaction rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    db_session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield db_session
    db_session.close()
    transaction.rollback()
    connection.close()


def app_on(session: Session, settings: Settings | None = None) -> FastAPI:
    """An app whose requests use the test's session."""
    return use_session(create_app(settings), session)


def use_session(app: FastAPI, session: Session) -> FastAPI:
    """Make `app`'s requests use `session`."""

    def request_session() -> Iterator[Session]:
        # Like get_session: whatever a failed request flushed is rolled back.
        try:
            yield session
        finally:
            session.rollback()

    app.dependency_overrides[get_session] = request_session
    return app


@pytest.fixture
def admin_key(session: Session) -> str:
    """An admin key the `client` fixture sends."""
    return stored_key(session, KeyScope.admin, name="test admin")


@pytest.fixture
def client(session: Session, admin_key: str) -> Iterator[TestClient]:
    """An HTTP client on the app, using the test's session and sending an admin key."""
    app = app_on(session)
    with TestClient(app, raise_server_exceptions=False, headers=bearer(admin_key)) as test_client:
        yield test_client


@pytest.fixture
def anonymous(session: Session) -> Iterator[TestClient]:
    """An HTTP client on the app, using the test's session and sending no key."""
    with TestClient(app_on(session), raise_server_exceptions=False) as test_client:
        yield test_client


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many cases Schemathesis sent, when tests/test_fuzz.py ran."""
    fuzz = sys.modules.get("tests.test_fuzz")
    if fuzz is not None and fuzz.CASES:
        cases, operations = sum(fuzz.CASES.values()), len(fuzz.CASES)
        terminalreporter.write_line(f"schemathesis: {cases} cases over {operations} operations")


@pytest.fixture
def seeded(session: Session) -> Session:
    """The test database with the article's records loaded."""
    load_article(session)
    return session
