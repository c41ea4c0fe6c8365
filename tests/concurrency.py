"""Requests sent all at once through the app, each in a session of its own as in production."""

import asyncio
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import get_session
from app.main import create_app
from app.models import Event, Revision

# (method, path, JSON body, headers)
Send = tuple[str, str, Any, dict[str, str]]


def app_on_engine(engine: Engine) -> FastAPI:
    """The app with unlimited rates, each request in a session of its own on `engine`."""
    app = create_app(Settings(rate_limit_per_minute=0, anonymous_rate_limit_per_minute=0))

    def own_session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
            finally:
                session.rollback()

    app.dependency_overrides[get_session] = own_session
    return app


def send_all(app: FastAPI, sends: Sequence[Send]) -> list[httpx.Response]:
    """Send every request at once and wait for all the replies, in the order sent."""

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            replies = (
                client.request(method, path, json=body, headers=headers)
                for method, path, body, headers in sends
            )
            return list(await asyncio.gather(*replies))

    return asyncio.run(run())


def remove_events(session: Session, slug_prefix: str) -> None:
    """Delete for good the events a test committed (slugs starting `slug_prefix`), with their
    revisions, so that later tests replaying the changes feed see none of them."""
    written = select(Event.id).where(col(Event.slug).startswith(slug_prefix))
    session.exec(delete(Revision).where(col(Revision.record_id).in_(written)))
    session.exec(delete(Event).where(col(Event.slug).startswith(slug_prefix)))
