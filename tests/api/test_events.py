"""The /events endpoints: CRUD, dates, location, status history, parents, relations, paging."""

import datetime as dt
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import (
    assert_problem,
    brief,
    make_claim,
    make_event,
    make_event_participant,
    make_participant,
    make_source,
    unique_slug,
)

EVENTS = "/api/v1/events"


def day(iso: str) -> dict[str, Any]:
    """The public date object of one day."""
    return {"edtf": iso, "precision": "day", "earliest": iso, "latest": iso}


def event_body(**fields: Any) -> dict[str, Any]:
    """A valid POST /events body."""
    return {
        "slug": unique_slug("event"),
        "title": "Netanyahu meets Putin",
        "event_type": "meeting",
        "status": "occurred",
    } | fields


def without(record: dict[str, Any], *names: str) -> dict[str, Any]:
    """`record` without the fields `names`."""
    return {k: v for k, v in record.items() if k not in names}


def instant(iso: str) -> dt.datetime:
    """A timestamp of a response, which must be in UTC."""
    parsed = dt.datetime.fromisoformat(iso)
    assert parsed.utcoffset() == dt.timedelta(0)
    return parsed


def list_slugs(client: TestClient, query: str = "") -> list[str]:
    """The slugs of the first page of GET /events."""
    response = client.get(f"{EVENTS}{query}")
    assert response.status_code == 200
    return [item["slug"] for item in response.json()["items"]]


class TestCreateEvent:
    def test_returns_201_with_location_and_the_event(self, client: TestClient) -> None:
        body = event_body(slug="sochi-meeting", start="2019-09-12", summary="Talks in Sochi.")
        response = client.post(EVENTS, json=body)
        assert response.status_code == 201
        event = response.json()
        assert response.headers["location"] == f"/api/v1/events/{event['id']}"
        assert uuid.UUID(event["id"]).version == 4
        assert instant(event["created_at"]) <= instant(event["updated_at"])
        history = event.pop("status_history")
        assert [without(h, "recorded_at") for h in history] == [
            {"status": "occurred", "as_of": None}
        ]
        assert without(event, "id", "created_at", "updated_at", "created_by", "updated_by") == {
            "slug": "sochi-meeting",
            "title": "Netanyahu meets Putin",
            "summary": "Talks in Sochi.",
            "event_type": "meeting",
            "cameo_code": None,
            "plover_type": None,
            "start": day("2019-09-12"),
            "end": None,
            "status": "occurred",
            "status_as_of": None,
            "certainty": "confirmed",
            "location": None,
            "parent_id": None,
            "parent": None,
            "relations": [],
            "identifiers": {},
            "goldstein": None,
            "quad_class": None,
            "tone": None,
            "num_mentions": None,
            "num_sources": None,
            "num_articles": None,
            "fatalities": None,
            "citations": [],
            "provenance": "stated",
            "provenance_basis": None,
            "incoming_relations": [],
            "version": 1,
        }

    @pytest.mark.parametrize(
        ("edtf", "precision", "earliest", "latest"),
        [
            ("2019", "year", "2019-01-01", "2019-12-31"),
            ("2019-08", "month", "2019-08-01", "2019-08-31"),
            ("2019-09-17", "day", "2019-09-17", "2019-09-17"),
            ("2020-01/2020-04", "month", "2020-01-01", "2020-04-30"),
            ("2015/..", "year", "2015-01-01", None),
        ],
    )
    def test_keeps_the_precision_of_the_start(
        self, client: TestClient, edtf: str, precision: str, earliest: str, latest: str | None
    ) -> None:
        event = make_event(client, start=edtf)
        expected = {"edtf": edtf, "precision": precision, "earliest": earliest, "latest": latest}
        assert event["start"] == expected
        assert client.get(f"{EVENTS}/{event['id']}").json()["start"] == expected

    @pytest.mark.parametrize("edtf", ["2019-13", "yesterday"])
    def test_rejects_an_invalid_edtf_start(self, client: TestClient, edtf: str) -> None:
        response = client.post(EVENTS, json=event_body(start=edtf))
        assert_problem(response, 422, "invalid fields: start", locs=[["body", "start"]])

    def test_rejects_an_end_before_the_start(self, client: TestClient) -> None:
        response = client.post(EVENTS, json=event_body(start="2019-09-17", end="2019-09-12"))
        assert_problem(response, 422, "end: ends before its start", locs=[["body", "end"]])

    def test_normalises_an_alpha3_country(self, client: TestClient) -> None:
        location = {"name": "Sochi", "admin1": "Krasnodar Krai", "country": "RUS"}
        event = make_event(client, location=location | {"lat": 43.6, "lon": 39.73})
        assert event["location"] == {
            "name": "Sochi",
            "admin1": "Krasnodar Krai",
            "country": "RU",
            "lat": 43.6,
            "lon": 39.73,
            "precision": None,
        }

    def test_rejects_an_unknown_country(self, client: TestClient) -> None:
        response = client.post(EVENTS, json=event_body(location={"country": "ZZ"}))
        locs: list[list[str | int]] = [["body", "location", "country"]]
        assert_problem(response, 422, "invalid fields: location.country", locs=locs)

    def test_rejects_a_latitude_out_of_range(self, client: TestClient) -> None:
        response = client.post(EVENTS, json=event_body(location={"lat": 90.5, "lon": 0}))
        locs: list[list[str | int]] = [["body", "location", "lat"]]
        assert_problem(response, 422, "invalid fields: location.lat", locs=locs)

    def test_takes_the_parent_by_slug(self, client: TestClient) -> None:
        parent = make_event(client, event_type="visit")
        assert make_event(client, parent_id=parent["slug"])["parent_id"] == parent["id"]

    def test_rejects_an_unknown_parent(self, client: TestClient) -> None:
        response = client.post(EVENTS, json=event_body(parent_id="no-such-event"))
        detail = "parent_id: no event 'no-such-event'"
        assert_problem(response, 422, detail, locs=[["body", "parent_id"]])

    def test_stores_relations_given_by_slug(self, client: TestClient) -> None:
        cause, earlier = make_event(client), make_event(client)
        relations = [
            {"relation": "follows", "event_id": earlier["slug"]},
            {"relation": "caused_by", "event_id": cause["slug"]},
        ]
        event = make_event(client, relations=relations)
        expected = [
            {"relation": "caused_by", "event_id": cause["id"], "event": brief(cause)},
            {"relation": "follows", "event_id": earlier["id"], "event": brief(earlier)},
        ]
        assert event["relations"] == expected
        assert client.get(f"{EVENTS}/{event['slug']}").json()["relations"] == expected

    def test_rejects_a_relation_to_an_unknown_event(self, client: TestClient) -> None:
        relations = [{"relation": "follows", "event_id": "no-such-event"}]
        response = client.post(EVENTS, json=event_body(relations=relations))
        detail = "relations.0.event_id: no event 'no-such-event'"
        assert_problem(response, 422, detail, locs=[["body", "relations", 0, "event_id"]])

    def test_rejects_a_taken_slug_and_writes_nothing(self, client: TestClient) -> None:
        make_event(client, slug="sochi-meeting")
        response = client.post(EVENTS, json=event_body(slug="sochi-meeting"))
        detail = "event 'sochi-meeting' conflicts with an existing record (a unique field is taken)"
        assert_problem(response, 409, detail)
        assert list_slugs(client) == ["sochi-meeting"]

    @pytest.mark.parametrize(
        "slug", ["0123456789abcdef0123456789abcdef", "00000000-0000-4000-8000-00000000beef"]
    )
    def test_rejects_a_slug_that_reads_as_a_uuid(self, client: TestClient, slug: str) -> None:
        response = client.post(EVENTS, json=event_body(slug=slug))
        assert_problem(response, 422, "invalid fields: slug", locs=[["body", "slug"]])

    def test_rejects_an_unknown_field(self, client: TestClient) -> None:
        response = client.post(EVENTS, json=event_body(titel="Netanyahu meets Putin"))
        assert_problem(response, 422, "invalid fields: titel", locs=[["body", "titel"]])
        assert list_slugs(client) == []


class TestReadEvent:
    def test_reads_by_id_and_by_slug(self, client: TestClient) -> None:
        event = make_event(client)
        assert client.get(f"{EVENTS}/{event['id']}").json() == event
        by_slug = client.get(f"{EVENTS}/{event['slug']}")
        assert by_slug.status_code == 200
        assert by_slug.json() == event

    def test_unknown_event_is_404(self, client: TestClient) -> None:
        assert_problem(client.get(f"{EVENTS}/no-such-event"), 404, "no event 'no-such-event'")


class TestUpdateEvent:
    def test_changes_only_the_fields_sent(self, client: TestClient) -> None:
        event = make_event(client, summary="Talks.", location={"name": "Sochi"})
        response = client.patch(f"{EVENTS}/{event['slug']}", json={"title": "Sochi talks"})
        assert response.status_code == 200
        updated = response.json()
        assert updated["title"] == "Sochi talks"
        assert updated["version"] == 2
        assert instant(updated["updated_at"]) > instant(event["updated_at"])
        unchanged = ("title", "version", "updated_at")
        assert without(updated, *unchanged) == without(event, *unchanged)
        assert client.get(f"{EVENTS}/{event['id']}").json() == updated

    def test_rejects_null_for_a_required_field(self, client: TestClient) -> None:
        event = make_event(client)
        response = client.patch(f"{EVENTS}/{event['id']}", json={"title": None})
        assert_problem(response, 422, "title: may not be null", locs=[["body", "title"]])
        assert client.get(f"{EVENTS}/{event['id']}").json() == event

    def test_rejects_an_end_before_the_stored_start(self, client: TestClient) -> None:
        event = make_event(client, start="2019-09-17")
        response = client.patch(f"{EVENTS}/{event['id']}", json={"end": "2019-09-12"})
        assert_problem(response, 422, "end: ends before its start", locs=[["body", "end"]])
        assert client.get(f"{EVENTS}/{event['id']}").json() == event

    def test_rejects_an_invalid_edtf_start(self, client: TestClient) -> None:
        event = make_event(client)
        response = client.patch(f"{EVENTS}/{event['id']}", json={"start": "2019-13"})
        assert_problem(response, 422, "invalid fields: start", locs=[["body", "start"]])

    def test_appends_a_new_status_to_the_history(self, client: TestClient) -> None:
        event = make_event(client, status="scheduled", status_as_of="2019-09-12")
        body = {"status": "occurred", "status_as_of": "2019-09-17"}
        updated = client.patch(f"{EVENTS}/{event['id']}", json=body).json()
        assert updated["status"] == "occurred"
        assert updated["status_as_of"] == day("2019-09-17")
        history = updated["status_history"]
        assert [without(h, "recorded_at") for h in history] == [
            {"status": "scheduled", "as_of": day("2019-09-12")},
            {"status": "occurred", "as_of": day("2019-09-17")},
        ]
        assert history[0]["recorded_at"] == event["status_history"][0]["recorded_at"]
        assert instant(history[0]["recorded_at"]) < instant(history[1]["recorded_at"])

    def test_a_title_change_adds_no_status_entry(self, client: TestClient) -> None:
        event = make_event(client, status="scheduled", status_as_of="2019-09-12")
        updated = client.patch(f"{EVENTS}/{event['id']}", json={"title": "Election"}).json()
        assert updated["status_history"] == event["status_history"]

    def test_replaces_the_relations(self, client: TestClient) -> None:
        first, second = make_event(client), make_event(client)
        event = make_event(client, relations=[{"relation": "follows", "event_id": first["id"]}])
        relations = [{"relation": "related_to", "event_id": second["slug"]}]
        response = client.patch(f"{EVENTS}/{event['id']}", json={"relations": relations})
        expected = [{"relation": "related_to", "event_id": second["id"], "event": brief(second)}]
        assert response.json()["relations"] == expected
        assert client.get(f"{EVENTS}/{event['id']}").json()["relations"] == expected

    def test_rejects_a_relation_to_itself(self, client: TestClient) -> None:
        event = make_event(client)
        relations = [{"relation": "follows", "event_id": event["slug"]}]
        response = client.patch(f"{EVENTS}/{event['id']}", json={"relations": relations})
        detail = "relations.0.event_id: an event cannot relate to itself"
        assert_problem(response, 422, detail, locs=[["body", "relations", 0, "event_id"]])

    def test_rejects_a_taken_slug(self, client: TestClient) -> None:
        make_event(client, slug="sochi-meeting")
        event = make_event(client, slug="sochi-visit")
        response = client.patch(f"{EVENTS}/{event['id']}", json={"slug": "sochi-meeting"})
        detail = "event 'sochi-meeting' conflicts with an existing record (a unique field is taken)"
        assert_problem(response, 409, detail)
        assert client.get(f"{EVENTS}/sochi-visit").json() == event

    def test_rejects_a_taken_slug_sent_with_relations(self, client: TestClient) -> None:
        make_event(client, slug="sochi-meeting")
        other = make_event(client)
        event = make_event(client, slug="sochi-visit")
        body = {
            "slug": "sochi-meeting",
            "relations": [{"relation": "follows", "event_id": other["id"]}],
        }
        response = client.patch(f"{EVENTS}/{event['id']}", json=body)
        detail = "event 'sochi-meeting' conflicts with an existing record (a unique field is taken)"
        assert_problem(response, 409, detail)
        assert client.get(f"{EVENTS}/sochi-visit").json() == event

    def test_null_parent_detaches_the_event(self, client: TestClient) -> None:
        event = make_event(client, parent_id=make_event(client)["id"])
        response = client.patch(f"{EVENTS}/{event['id']}", json={"parent_id": None})
        assert response.json()["parent_id"] is None
        assert response.json()["parent"] is None

    def test_an_event_cannot_be_its_own_parent(self, client: TestClient) -> None:
        event = make_event(client)
        response = client.patch(f"{EVENTS}/{event['id']}", json={"parent_id": event["slug"]})
        detail = "parent_id: an event cannot be part of itself"
        assert_problem(response, 422, detail, locs=[["body", "parent_id"]])

    def test_an_event_cannot_be_part_of_its_descendant(self, client: TestClient) -> None:
        root = make_event(client)
        child = make_event(client, parent_id=root["id"])
        grandchild = make_event(client, parent_id=child["id"])
        response = client.patch(f"{EVENTS}/{root['id']}", json={"parent_id": grandchild["slug"]})
        detail = "parent_id: an event cannot be part of itself"
        assert_problem(response, 422, detail, locs=[["body", "parent_id"]])
        assert client.get(f"{EVENTS}/{root['id']}").json()["parent_id"] is None

    def test_unknown_event_is_404(self, client: TestClient) -> None:
        response = client.patch(f"{EVENTS}/no-such-event", json={"title": "Election"})
        assert_problem(response, 404, "no event 'no-such-event'")


class TestDeleteEvent:
    def test_deletes_the_event(self, client: TestClient) -> None:
        event = make_event(client)
        response = client.delete(f"{EVENTS}/{event['slug']}")
        assert response.status_code == 204
        assert response.content == b""
        gone = client.get(f"{EVENTS}/{event['id']}")
        assert gone.status_code == 410
        assert gone.json()["detail"].startswith(f"event '{event['id']}' was deleted at ")

    def test_refuses_while_a_child_event_exists(self, client: TestClient) -> None:
        parent = make_event(client, slug="sochi-visit")
        make_event(client, parent_id=parent["id"])
        detail = "event 'sochi-visit' is still referenced by 1 child events; delete those first"
        assert_problem(client.delete(f"{EVENTS}/{parent['id']}"), 409, detail)
        assert client.get(f"{EVENTS}/{parent['id']}").status_code == 200

    def test_refuses_while_another_event_relates_to_it(self, client: TestClient) -> None:
        target = make_event(client, slug="april-election")
        make_event(client, relations=[{"relation": "follows", "event_id": target["id"]}])
        detail = (
            "event 'april-election' is still referenced by 1 relations from other events; "
            "delete those first"
        )
        assert_problem(client.delete(f"{EVENTS}/{target['id']}"), 409, detail)

    def test_refuses_while_a_claim_was_made_at_it(self, client: TestClient) -> None:
        event = make_event(client, slug="sochi-meeting")
        make_claim(client, event_id=event["slug"])
        detail = (
            "event 'sochi-meeting' is still referenced by 1 claims made at it; delete those first"
        )
        assert_problem(client.delete(f"{EVENTS}/{event['id']}"), 409, detail)

    def test_refuses_while_a_claim_is_about_it(self, client: TestClient) -> None:
        event = make_event(client, slug="sochi-meeting")
        make_claim(client, subjects=[{"type": "event", "id": event["id"]}])
        detail = (
            "event 'sochi-meeting' is still referenced by 1 claims about it; delete those first"
        )
        assert_problem(client.delete(f"{EVENTS}/{event['id']}"), 409, detail)

    def test_removes_its_own_relations_with_the_event(self, client: TestClient) -> None:
        earlier = make_event(client)
        event = make_event(client, relations=[{"relation": "follows", "event_id": earlier["id"]}])
        assert client.delete(f"{EVENTS}/{event['id']}").status_code == 204
        assert client.delete(f"{EVENTS}/{earlier['id']}").status_code == 204

    def test_removes_the_participant_links_with_the_event(self, client: TestClient) -> None:
        event, putin = make_event(client), make_participant(client, name="Vladimir Putin")
        make_event_participant(client, event["id"], putin["slug"])
        assert client.delete(f"{EVENTS}/{event['id']}").status_code == 204
        links = client.get(f"/api/v1/participants/{putin['slug']}/events")
        assert links.json() == {"items": [], "next_cursor": None}
        assert client.get(f"/api/v1/participants/{putin['id']}").status_code == 200

    def test_unknown_event_is_404(self, client: TestClient) -> None:
        assert_problem(client.delete(f"{EVENTS}/no-such-event"), 404, "no event 'no-such-event'")


class TestListEvents:
    def test_walks_the_pages_in_creation_order(self, client: TestClient) -> None:
        slugs = [make_event(client)["slug"] for _ in range(5)]
        pages: list[list[str]] = []
        cursor: str | None = None
        for _ in range(3):
            params: dict[str, str | int] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            response = client.get(EVENTS, params=params)
            assert response.status_code == 200
            page = response.json()
            assert set(page) == {"items", "next_cursor"}
            pages.append([item["slug"] for item in page["items"]])
            cursor = page["next_cursor"]
        assert pages == [slugs[0:2], slugs[2:4], slugs[4:5]]
        assert cursor is None

    def test_returns_full_events(self, client: TestClient) -> None:
        event = make_event(client)
        assert client.get(EVENTS).json() == {"items": [event], "next_cursor": None}

    @pytest.mark.parametrize("limit", [0, 501])
    def test_rejects_a_limit_out_of_range(self, client: TestClient, limit: int) -> None:
        response = client.get(EVENTS, params={"limit": limit})
        assert_problem(response, 422, "invalid fields: limit", locs=[["query", "limit"]])

    def test_rejects_an_unknown_parameter(self, client: TestClient) -> None:
        response = client.get(EVENTS, params={"colour": "red"})
        assert_problem(response, 422, "invalid fields: colour", locs=[["query", "colour"]])

    @pytest.mark.parametrize("cursor", ["garbage", "!!!", "eyJrIjpbXX0"])
    def test_rejects_a_malformed_cursor(self, client: TestClient, cursor: str) -> None:
        response = client.get(EVENTS, params={"cursor": cursor})
        assert_problem(response, 400, "cursor is malformed; pass next_cursor back unchanged")

    def test_rejects_a_cursor_of_another_list(self, client: TestClient) -> None:
        make_source(client)
        make_source(client)
        cursor = client.get("/api/v1/sources", params={"limit": 1}).json()["next_cursor"]
        assert cursor is not None
        response = client.get(EVENTS, params={"cursor": cursor})
        detail = "cursor belongs to another list or other filters; start again without it"
        assert_problem(response, 400, detail)
