"""Events read as bytes are byte for byte what the pydantic path gives, on both engines."""

from sqlmodel import Session, col, select

from app.models import Event
from app.read import events as read
from app.read.records import encode
from app.schemas.events import EventPublic, EventRead
from app.services import event_queries, events
from tests.read.reference import reference

API = "/api/v1"


def _slugs(session: Session) -> list[str]:
    return list(session.exec(select(Event.slug).order_by(col(Event.slug))))


def _expanded(session: Session, ref: str) -> bytes:
    public = event_queries.read_event(session, ref, EventRead(expand="participants"))
    return reference(EventPublic, public)


class TestSeededEvents:
    def test_every_event_encodes_as_the_model_does(self, seeded: Session) -> None:
        slugs = _slugs(seeded)
        assert len(slugs) > 3
        for slug in slugs:
            expected = reference(EventPublic, events.read_event(seeded, slug))
            assert encode(read.EVENTS.read(seeded, slug)) == expected

    def test_every_expanded_event_encodes_as_the_model_does(self, seeded: Session) -> None:
        for slug in _slugs(seeded):
            found = read.EVENTS_WITH_PARTICIPANTS.read(seeded, slug)
            assert encode(found) == _expanded(seeded, slug)

    def test_items_of_a_page_keep_its_order(self, seeded: Session) -> None:
        ids = list(seeded.exec(select(Event.id).order_by(col(Event.title))))
        expected = [reference(EventPublic, e) for e in events.to_public(seeded, _by_title(seeded))]
        assert read.EVENTS.items(seeded, ids) == expected
        assert read.EVENTS.items(seeded, []) == []


def _by_title(session: Session) -> list[Event]:
    return list(session.exec(select(Event).order_by(col(Event.title))))
