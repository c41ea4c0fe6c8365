"""Links hold exact copies of their event's (claim's) sort keys, whoever writes them."""

import datetime as dt
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.models import Claim, Event, EventParticipant
from app.services import linked_pages
from tests.factories import make_claim, make_event, make_event_participant, make_participant

UNDATED = dt.date(1, 1, 1)


def copied_keys(
    session: Session, links: linked_pages.Links, record: type[Event] | type[Claim], record_id: str
) -> list[tuple[Any, ...]]:
    """(copied created_at, copied date key, the record's created_at, its date key) of each of
    the record's links."""
    link, dated = links.table, next(name for name in links.indexes if name != "created_at")
    target = getattr(link, links.target)
    rows = session.exec(
        select(
            getattr(link, links.copies["created_at"]),
            getattr(link, links.copies[dated]),
            col(record.created_at),
            getattr(record, dated),
        )
        .join(record, col(record.id) == target)
        .where(target == uuid.UUID(record_id))
    )
    return [tuple(row) for row in rows]


def event_links(session: Session, event_id: str) -> list[tuple[Any, ...]]:
    """(copied created_at, copied start, event's created_at, event's start) of each link."""
    return copied_keys(session, linked_pages.EVENTS, Event, event_id)


def claim_subjects(session: Session, claim_id: str) -> list[tuple[Any, ...]]:
    """(copied created_at, copied stated, claim's created_at, claim's stated) of each subject."""
    return copied_keys(session, linked_pages.CLAIMS, Claim, claim_id)


class TestEventParticipantCopies:
    def test_a_new_link_copies_the_event(self, session: Session, client: TestClient) -> None:
        event = make_event(client, start="2019-09")
        make_event_participant(client, event["id"], make_participant(client)["id"])
        [(created, start, event_created, _)] = event_links(session, event["id"])
        assert (created, start) == (event_created, dt.date(2019, 9, 1))

    def test_a_new_start_reaches_every_link(self, session: Session, client: TestClient) -> None:
        event = make_event(client)
        for role in ("host", "visitor"):
            make_event_participant(client, event["id"], make_participant(client)["id"], role=role)
        response = client.patch(f"/api/v1/events/{event['id']}", json={"start": "2015-09-30"})
        assert response.status_code == 200, response.text
        starts = [start for _, start, _, _ in event_links(session, event["id"])]
        assert starts == [dt.date(2015, 9, 30), dt.date(2015, 9, 30)]

    def test_an_undated_event_sorts_its_links_first(
        self, session: Session, client: TestClient
    ) -> None:
        event = make_event(client)
        make_event_participant(client, event["id"], make_participant(client)["id"])
        response = client.patch(f"/api/v1/events/{event['id']}", json={"start": None})
        assert response.status_code == 200, response.text
        [(_, start, _, event_start)] = event_links(session, event["id"])
        assert (start, event_start) == (UNDATED, UNDATED)

    def test_other_changes_leave_the_copies(self, session: Session, client: TestClient) -> None:
        event = make_event(client)
        make_event_participant(client, event["id"], make_participant(client)["id"])
        before = event_links(session, event["id"])
        response = client.patch(f"/api/v1/events/{event['id']}", json={"title": "Renamed"})
        assert response.status_code == 200, response.text
        assert event_links(session, event["id"]) == before

    def test_a_bulk_insert_copies_the_event(self, session: Session, client: TestClient) -> None:
        # As seed.synthetic writes links: Core INSERTs, without the copies.
        event = make_event(client, start="2001-02-03")
        person = make_participant(client)
        now = dt.datetime.now(dt.UTC)
        session.exec(
            insert(EventParticipant).values(
                id=uuid.uuid4(),
                event_id=uuid.UUID(event["id"]),
                participant_id=uuid.UUID(person["id"]),
                role="host",
                created_at=now,
                updated_at=now,
                version=1,
            )
        )
        [(created, start, event_created, _)] = event_links(session, event["id"])
        assert (created, start) == (event_created, dt.date(2001, 2, 3))

    def test_a_removed_link_leaves_the_participants_list(
        self, session: Session, client: TestClient
    ) -> None:
        event, person = make_event(client), make_participant(client)
        link = make_event_participant(client, event["id"], person["id"])
        path = f"/api/v1/events/{event['id']}/participants/{link['id']}"
        assert client.delete(path).status_code == 204
        assert event_links(session, event["id"]) == []
        listed = client.get("/api/v1/events", params={"participant": person["id"]})
        assert listed.json()["items"] == []


class TestClaimSubjectCopies:
    def test_a_new_subject_copies_the_claim(self, session: Session, client: TestClient) -> None:
        person = make_participant(client)
        claim = make_claim(client, subjects=[{"type": "participant", "id": person["id"]}])
        [(created, stated, claim_created, _)] = claim_subjects(session, claim["id"])
        assert (created, stated) == (claim_created, dt.date(2019, 9, 12))

    def test_a_new_stated_date_reaches_the_subjects(
        self, session: Session, client: TestClient
    ) -> None:
        person = make_participant(client)
        claim = make_claim(client, subjects=[{"type": "participant", "id": person["id"]}])
        response = client.patch(f"/api/v1/claims/{claim['id']}", json={"stated": "2020"})
        assert response.status_code == 200, response.text
        [(_, stated, _, claim_stated)] = claim_subjects(session, claim["id"])
        assert (stated, claim_stated) == (dt.date(2020, 1, 1), dt.date(2020, 1, 1))
