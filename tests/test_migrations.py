"""The one migration history upgrades, downgrades and matches the models on both backends."""

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app.db import build_engine
from app.models import metadata
from tests.conftest import alembic_config, drop_database, fresh_schema, postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of an empty database of each backend, apart from the suite's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'm.db'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("PostgreSQL is unreachable")
    url = make_url(base).set(database=f"{make_url(base).database}_migrations")
    rendered = url.render_as_string(hide_password=False)
    found = postgres_url(rendered)
    assert found is not None
    engine = build_engine(found)
    fresh_schema(engine)
    engine.dispose()
    yield found
    drop_database(found)


def test_upgrade_downgrade_upgrade_then_check(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = build_engine(empty_database_url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")
    tables = {name for name in inspect(engine).get_table_names() if "_fts" not in name}
    assert tables == set(metadata.tables) | {"alembic_version"}
    engine.dispose()
    command.check(config)
