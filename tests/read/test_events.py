"""Events read as bytes are byte for byte what the pydantic path gives, on both engines."""

import pytest
from sqlmodel import Session, col, select

from app.dates import parse_date
from app.models import Event
from app.query import dialects
from app.read import events as read
from app.read.records import encode
from app.schemas.events import EventExpansion, EventPublic, EventRead
from app.services import event_queries, events, search
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


class TestPageItems:
    @pytest.mark.parametrize("expansions", [set(), {"participants"}])
    @pytest.mark.parametrize("q", [None, "putin"])
    @pytest.mark.parametrize("on", [None, "2019-09-12", "2015"])
    def test_items_are_the_listed_models(
        self, seeded: Session, expansions: set[EventExpansion], q: str | None, on: str | None
    ) -> None:
        records = _by_title(seeded)
        ids = [event.id for event in records]
        status_on = (on, parse_date(on).latest) if on else None
        shaped = event_queries.shape(seeded, records, q, expansions, status_on)  # type: ignore[arg-type]
        marked = dialects.of(seeded).snippets(seeded, search.EVENTS, q, ids) if q else None
        found = read.page_items(
            seeded,
            ids,
            participants=bool(expansions),
            marked=marked,
            status_on=status_on,
        )
        assert found == [reference(EventPublic, event) for event in shaped]
        if q:
            assert any(b'"match":' in item for item in found)
