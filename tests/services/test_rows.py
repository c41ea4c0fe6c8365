"""Records read through the driver equal the ORM's, value for value and in the same order."""

import datetime as dt
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, col, select

from app.errors import NotFound
from app.models import (
    Appearance,
    Certainty,
    Claim,
    ClaimRelation,
    ClaimRelationType,
    ClaimSubject,
    Event,
    EventParticipant,
    EventRelation,
    EventStatus,
    EventStatusChange,
    EventType,
    Participant,
)
from app.services import crud, rows
from tests.factories import make_event

MODELS: list[type[SQLModel]] = [
    Appearance,
    Claim,
    ClaimRelation,
    ClaimSubject,
    Event,
    EventParticipant,
    EventRelation,
    EventStatusChange,
    Participant,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_seeded_record_reads_as_the_orm_reads_it(
    seeded: Session, model: type[SQLModel]
) -> None:
    if model is ClaimRelation:
        # The seed records no link between claims: give this table one to read.
        first_claim, second_claim = seeded.exec(select(Claim).order_by(col(Claim.slug))).all()[:2]
        seeded.add(
            ClaimRelation(
                claim_id=first_claim.id,
                relation=ClaimRelationType.supports,
                related_claim_id=second_claim.id,
            )
        )
        seeded.commit()
    key = tuple(c.name for c in inspect(model).primary_key)
    orm = seeded.exec(select(model).order_by(*(getattr(model, k) for k in key))).all()
    assert orm
    first = [getattr(record, key[0]) for record in orm]
    seeded.expunge_all()
    driver = rows.load(seeded, model, key[0], first, key)
    assert [crud.columns_of(r) for r in driver] == [crud.columns_of(r) for r in orm]
    for record in driver:
        assert all(type(getattr(record, n)) is type(v) for n, v in crud.columns_of(record).items())


def test_a_foreign_key_lookup_keeps_the_order_asked_for(seeded: Session) -> None:
    event_ids = [e.id for e in seeded.exec(select(Event)).all()]
    expected = seeded.exec(
        select(EventParticipant)
        .where(col(EventParticipant.event_id).in_(event_ids))
        .order_by(col(EventParticipant.created_at), col(EventParticipant.id))
    ).all()
    found = rows.load(seeded, EventParticipant, "event_id", event_ids, ("created_at", "id"))
    assert [r.id for r in found] == [r.id for r in expected]
    # The seed has 28 event-participant links (it dropped two it could not source).
    assert len(found) == 28


def test_records_written_through_the_api_read_back_exactly(
    client: TestClient, session: Session
) -> None:
    made = make_event(
        client, start="2019-09", location={"lat": 43.6, "lon": 39.7}, cameo_code="036"
    )
    event = session.get_one(Event, uuid.UUID(made["id"]))
    [read] = rows.load(session, Event, "id", [event.id])
    assert crud.columns_of(read) == crud.columns_of(event)
    assert read.created_at.tzinfo is not None
    assert (read.start_earliest, read.start_latest) == (dt.date(2019, 9, 1), dt.date(2019, 9, 30))


def test_one_or_404_takes_an_id_or_a_slug(seeded: Session) -> None:
    event = seeded.exec(select(Event).where(Event.slug == "netanyahu-visit-sochi-2019-09-12")).one()
    assert rows.one_or_404(seeded, Event, event.id).slug == event.slug
    assert rows.one_or_404(seeded, Event, str(event.id)).id == event.id
    assert rows.one_or_404(seeded, Event, event.slug).id == event.id
    with pytest.raises(NotFound, match="no event 'nowhere'"):
        rows.one_or_404(seeded, Event, "nowhere")
    with pytest.raises(NotFound):
        rows.one_or_404(seeded, Event, uuid.uuid4())


def test_no_keys_reads_nothing(session: Session) -> None:
    assert rows.load(session, Event, "id", []) == []
    assert rows.by_id(session, Participant, set()) == {}


def test_a_selected_page_reads_as_the_orm_reads_it(seeded: Session) -> None:
    stmt = (
        select(Event)
        .where(col(Event.location_country) == "RU")
        .order_by(col(Event.start_sort).desc(), col(Event.id))
        .limit(3)
    )
    orm = [crud.columns_of(r) for r in seeded.exec(stmt).all()]
    seeded.expunge_all()
    found = rows.select_all(seeded, Event, stmt)
    assert [crud.columns_of(r) for r in found] == orm
    assert found[0].slug == "netanyahu-shoigu-meeting-2019-09-12"


def test_what_the_session_holds_unwritten_is_written_first(session: Session) -> None:
    event = Event(
        slug="pending",
        title="Pending",
        event_type=EventType.meeting,
        status=EventStatus.occurred,
        certainty=Certainty.confirmed,
    )
    session.add(event)
    [read] = rows.load(session, Event, "id", [event.id])
    assert (read.slug, read.title) == ("pending", "Pending")
    assert [
        r.id for r in rows.select_all(session, Event, select(Event).where(Event.slug == "pending"))
    ] == [event.id]
