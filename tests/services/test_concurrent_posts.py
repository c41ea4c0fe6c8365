"""Concurrent writes through the app, each in its own session as in production, all land."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.models import ApiKey, Event
from app.schemas.keys import KeyScope
from app.services import keys
from tests.concurrency import app_on_engine, remove_events, send_all
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
        remove_events(session, "concurrent-")
        session.exec(delete(ApiKey).where(col(ApiKey.name) == "concurrency"))
        session.commit()


def test_concurrent_creates_all_succeed(engine: Engine, committed_key: str) -> None:
    body = {"title": "t", "event_type": "meeting", "status": "occurred"}
    sends = [
        ("POST", "/api/v1/events", body | {"slug": f"concurrent-{n}"}, bearer(committed_key))
        for n in range(WRITERS)
    ]
    replies = send_all(app_on_engine(engine), sends)
    assert [reply.status_code for reply in replies] == [201] * WRITERS
    with Session(engine) as session:
        stored = session.exec(select(Event).where(col(Event.slug).startswith("concurrent-")))
        assert len(stored.all()) == WRITERS
