"""Concurrent updates of one record: last writer wins without If-Match, one wins with it."""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col

from app.errors import PreconditionFailed
from app.etags import etag
from app.models import ApiKey, Event
from app.schemas.events import EventCreate, EventUpdate
from app.schemas.keys import KeyScope
from app.services import crud, events, keys
from tests.concurrency import app_on_engine, send_all
from tests.factories import bearer

WRITERS = 12


@pytest.fixture
def stored_event(engine: Engine) -> Iterator[str]:
    """An event committed for real, deleted after the test."""
    # A deleted record's slug is never reused: each test races on an event of its own.
    slug = f"race-event-{uuid.uuid4().hex[:12]}"
    with Session(engine, expire_on_commit=False) as session:
        body = EventCreate(slug=slug, title="Race", event_type="meeting", status="occurred")
        events.create_event(session, body)
    yield slug
    with Session(engine) as session:
        events.delete_event(session, slug)


def test_an_update_without_if_match_applies_to_the_latest_version(
    engine: Engine, stored_event: str
) -> None:
    with (
        Session(engine, expire_on_commit=False) as first,
        Session(engine, expire_on_commit=False) as second,
    ):
        # The second writer held version 1 when the first one committed version 2.
        held = crud.get_or_404(second, Event, stored_event)
        second.commit()
        events.update_event(first, stored_event, EventUpdate(title="First"))
        assert held.version == 1
        events.update_event(second, stored_event, EventUpdate(title="Second"))
    with Session(engine) as session:
        stored = events.read_event(session, stored_event)
    assert (stored.title, stored.version) == ("Second", 3)


def test_an_update_naming_a_stale_version_is_refused(engine: Engine, stored_event: str) -> None:
    with Session(engine, expire_on_commit=False) as session:
        events.update_event(session, stored_event, EventUpdate(title="First"))
    stale = first_etag(engine, stored_event)
    with Session(engine, expire_on_commit=False) as session, pytest.raises(PreconditionFailed):
        events.update_event(session, stored_event, EventUpdate(title="Late"), if_match=stale)


@pytest.fixture
def writer(engine: Engine) -> Iterator[str]:
    """A write key committed for real."""
    plain = keys.new_key()
    with Session(engine) as session:
        keys.ensure_key(session, plain, "race writer", (KeyScope.write,))
        session.commit()
    yield plain
    with Session(engine) as session:
        session.exec(delete(ApiKey).where(col(ApiKey.name) == "race writer"))
        session.commit()


def first_etag(engine: Engine, slug: str) -> str:
    """The ETag of the race event's first version."""
    with Session(engine) as session:
        return etag(crud.get_or_404(session, Event, slug).id, 1)


def patch_all(engine: Engine, slug: str, key: str, headers: dict[str, str]) -> list[int]:
    """PATCH the race event from WRITERS clients at once, each in its own session."""
    path = f"/api/v1/events/{slug}"
    sends = [
        ("PATCH", path, {"title": f"writer {n}"}, bearer(key) | headers) for n in range(WRITERS)
    ]
    return sorted(reply.status_code for reply in send_all(app_on_engine(engine), sends))


def test_concurrent_patches_without_if_match_all_land(
    engine: Engine, stored_event: str, writer: str
) -> None:
    assert patch_all(engine, stored_event, writer, {}) == [200] * WRITERS
    with Session(engine) as session:
        assert events.read_event(session, stored_event).version == 1 + WRITERS


def test_concurrent_patches_with_if_match_one_wins(
    engine: Engine, stored_event: str, writer: str
) -> None:
    headers = {"If-Match": first_etag(engine, stored_event)}
    assert patch_all(engine, stored_event, writer, headers) == [200] + [412] * (WRITERS - 1)
    with Session(engine) as session:
        assert events.read_event(session, stored_event).version == 2
