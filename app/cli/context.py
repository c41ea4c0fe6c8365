"""What every command shares: the database to use and how to open a session on it."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import get_settings
from app.db import build_engine, get_engine


@dataclass
class CliState:
    """Options of the root command; tests hand in their own session instead of a database."""

    database_url: str | None = None
    session: Session | None = None


def state(ctx: typer.Context) -> CliState:
    """The root command's state, made on first use."""
    found = ctx.find_object(CliState)
    if found is None:
        found = ctx.ensure_object(CliState)
    return found


def database_url(ctx: typer.Context) -> str:
    """The database the command works on: `--database-url`, else the configured one."""
    return state(ctx).database_url or get_settings().database_url


@contextmanager
def engine_for(ctx: typer.Context) -> Iterator[Engine]:
    """An engine on the command's database, disposed of afterwards when made here."""
    url = state(ctx).database_url
    if url is None:
        yield get_engine()
        return
    engine = build_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def open_session(ctx: typer.Context) -> Iterator[Session]:
    """A session on the command's database (or the one a test handed in)."""
    given = state(ctx).session
    if given is not None:
        yield given
        return
    with engine_for(ctx) as engine, Session(engine, expire_on_commit=False) as session:
        yield session
