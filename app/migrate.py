"""Migrations run once however many replicas start together: `python -m app.migrate`."""

import argparse
import logging
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

import migrations
from app.config import get_settings
from app.db import build_engine

# pg_advisory_lock's key: the same number in every replica; "geoe" in ASCII.
MIGRATION_LOCK_ID = 0x67656F65
logger = logging.getLogger("geoevents.migrate")


def alembic_config(url: str) -> Config:
    """An Alembic config for `url` using the installed migrations, whatever the directory."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@lru_cache
def head_revisions() -> frozenset[str]:
    """The revisions the code expects the database to be at."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(script.get_heads())


def migrate(url: str | None = None) -> None:
    """Upgrade the database to head; on PostgreSQL under an advisory lock, so that replicas
    starting together migrate once and the others wait, then find nothing to do."""
    url = url or get_settings().database_url
    config = alembic_config(url)
    if url.startswith("sqlite"):
        # One file, one host: SQLite's own write lock already serialises the upgrade.
        command.upgrade(config, "head")
        return
    engine = build_engine(url)
    try:
        # A session-level lock on a connection of its own, held across Alembic's transactions.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
            logger.info("waiting for the migration lock")
            lock.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            try:
                command.upgrade(config, "head")
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
    finally:
        engine.dispose()


def schema_at_head(session: Session) -> bool:
    """Whether the session's database is at the code's head revision(s)."""
    try:
        found = session.connection().execute(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError:
        # No alembic_version table yet: nothing was migrated.
        session.rollback()
        return False
    return frozenset(found.scalars()) == head_revisions()


def main(argv: list[str] | None = None) -> None:
    """Upgrade the configured database (DATABASE_URL) to head."""
    parser = argparse.ArgumentParser(prog="python -m app.migrate", description=main.__doc__)
    parser.add_argument("--url", help="database URL (default: DATABASE_URL)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    migrate(args.url)


if __name__ == "__main__":
    main()
