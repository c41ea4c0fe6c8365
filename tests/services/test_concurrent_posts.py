"""Concurrent writes through the app, each in its own session as in production, all land."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import get_session
from app.main import create_app
from app.models import ApiKey, Event
from app.schemas.keys import KeyScope
from app.services import keys
from tests.factories import bearer

WRITERS = 16


@pytest.fixture
def committed_key(engine: Engine) -> Iterator[str]:
    """An admin key committed for real (requests here use their own sessions)."""
    plain = keys.new_key()
    with Session(engine) as session:
        keys.ensure_key(session, plain, "concurrency", (KeyScope.admin,))
        session.commit()
    yield plain
    with Session(engine) as session:
        session.exec(delete(Event).where(col(Event.slug).startswith("concurrent-")))
        session.exec(delete(ApiKey).where(col(ApiKey.name) == "concurrency"))
        session.commit()


def test_concurrent_creates_all_succeed(engine: Engine, committed_key: str) -> None:
    app = create_app(Settings(rate_limit_per_minute=0, anonymous_rate_limit_per_minute=0))

    def own_session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
            finally:
                session.rollback()

    app.dependency_overrides[get_session] = own_session

    async def post_all() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = {"title": "t", "event_type": "meeting", "status": "occurred"}
            replies = await asyncio.gather(
                *(
                    client.post(
                        "/api/v1/events",
                        json=body | {"slug": f"concurrent-{n}"},
                        headers=bearer(committed_key),
                    )
                    for n in range(WRITERS)
                )
            )
        return [reply.status_code for reply in replies]

    assert asyncio.run(post_all()) == [201] * WRITERS
    with Session(engine) as session:
        stored = session.exec(select(Event).where(col(Event.slug).startswith("concurrent-")))
        assert len(stored.all()) == WRITERS
