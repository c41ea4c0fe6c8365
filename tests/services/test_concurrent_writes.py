"""Two writers that read the same version: the second one's UPDATE finds it gone."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.errors import PreconditionFailed
from app.models import Event
from app.schemas.events import EventCreate, EventUpdate
from app.services import crud, events


@pytest.fixture
def stored_event(engine: Engine) -> Iterator[str]:
    """An event committed for real, deleted after the test."""
    with Session(engine, expire_on_commit=False) as session:
        body = EventCreate(slug="race-event", title="Race", event_type="meeting", status="occurred")
        events.create_event(session, body)
    yield "race-event"
    with Session(engine) as session:
        events.delete_event(session, "race-event")


def test_second_concurrent_update_is_refused(engine: Engine, stored_event: str) -> None:
    with (
        Session(engine, expire_on_commit=False) as first,
        Session(engine, expire_on_commit=False) as second,
    ):
        # The second writer holds version 1 when the first one commits version 2.
        held = crud.get_or_404(second, Event, stored_event)
        second.commit()
        events.update_event(first, stored_event, EventUpdate(title="First"))
        assert held.version == 1
        with pytest.raises(PreconditionFailed):
            events.update_event(second, stored_event, EventUpdate(title="Second"))
    with Session(engine) as session:
        stored = events.read_event(session, stored_event)
    assert (stored.title, stored.version) == ("First", 2)
