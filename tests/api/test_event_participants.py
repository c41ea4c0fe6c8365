"""The /events/{id}/participants sub-resource and /participants/{id}/events."""

import datetime as dt
import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import (
    assert_problem,
    make_event,
    make_event_participant,
    make_participant,
)


def links_of(event: dict[str, Any]) -> str:
    """The path of an event's participant links."""
    return f"/api/v1/events/{event['id']}/participants"


class TestAddEventParticipant:
    def test_returns_201_with_location_and_summaries(self, client: TestClient) -> None:
        event = make_event(client, slug="sochi-meeting", title="Netanyahu meets Putin")
        putin = make_participant(client, slug="vladimir-putin", name="Vladimir Putin")
        body = {"participant_id": "vladimir-putin", "role": "host", "note": "In Sochi."}
        response = client.post("/api/v1/events/sochi-meeting/participants", json=body)
        assert response.status_code == 201
        link = response.json()
        assert (
            response.headers["location"]
            == f"/api/v1/events/{event['id']}/participants/{link['id']}"
        )
        assert uuid.UUID(link.pop("id")).version == 4
        created_at = dt.datetime.fromisoformat(link.pop("created_at"))
        assert created_at <= dt.datetime.fromisoformat(link.pop("updated_at"))
        assert link.pop("created_by") == link.pop("updated_by")
        assert link == {
            "event_id": event["id"],
            "participant_id": putin["id"],
            "role": "host",
            "note": "In Sochi.",
            "provenance": "stated",
            "provenance_basis": None,
            "participant": {
                "id": putin["id"],
                "slug": "vladimir-putin",
                "name": "Vladimir Putin",
                "kind": "person",
            },
            "event": {
                "id": event["id"],
                "slug": "sochi-meeting",
                "title": "Netanyahu meets Putin",
                "event_type": "meeting",
                "start": {
                    "edtf": "2019-09-12",
                    "precision": "day",
                    "earliest": "2019-09-12",
                    "latest": "2019-09-12",
                },
            },
            "version": 1,
        }

    def test_an_inferred_role_is_an_assessment_with_its_basis(self, client: TestClient) -> None:
        event = make_event(client, slug="sochi-meeting")
        make_participant(client, slug="vladimir-putin", name="Vladimir Putin")
        url = f"/api/v1/events/{event['slug']}/participants"
        body = {"participant_id": "vladimir-putin", "role": "host", "provenance": "assessment"}
        response = client.post(url, json=body)
        detail = "provenance_basis: an assessment states its basis"
        assert_problem(response, 422, detail, locs=[["body", "provenance_basis"]])
        basis = "The meeting was in Russia, whose president he is."
        link = client.post(url, json=body | {"provenance_basis": basis}).json()
        assert (link["provenance"], link["provenance_basis"]) == ("assessment", basis)
        changed = client.patch(f"{url}/{link['id']}", json={"provenance": "stated"}).json()
        assert (changed["provenance"], changed["version"]) == ("stated", 2)

    def test_rejects_the_same_participant_in_the_same_role(self, client: TestClient) -> None:
        event = make_event(client, slug="sochi-meeting")
        make_participant(client, slug="vladimir-putin")
        make_event_participant(client, event["id"], "vladimir-putin", role="host")
        body = {"participant_id": "vladimir-putin", "role": "host"}
        detail = (
            "participant 'vladimir-putin' as host of 'sochi-meeting' conflicts with an existing "
            "record (a unique field is taken)"
        )
        assert_problem(client.post(links_of(event), json=body), 409, detail)
        assert len(client.get(links_of(event)).json()["items"]) == 1

    def test_accepts_the_same_participant_in_another_role(self, client: TestClient) -> None:
        event, putin = make_event(client), make_participant(client)
        make_event_participant(client, event["id"], putin["id"], role="host")
        link = make_event_participant(client, event["id"], putin["id"], role="organizer")
        assert link["role"] == "organizer"

    def test_rejects_an_unknown_participant(self, client: TestClient) -> None:
        event = make_event(client)
        response = client.post(links_of(event), json={"participant_id": "nobody", "role": "host"})
        detail = "participant_id: no participant 'nobody'"
        assert_problem(response, 422, detail, locs=[["body", "participant_id"]])

    def test_rejects_an_unknown_role(self, client: TestClient) -> None:
        event, putin = make_event(client), make_participant(client)
        response = client.post(links_of(event), json={"participant_id": putin["id"], "role": "x"})
        assert_problem(response, 422, "invalid fields: role", locs=[["body", "role"]])

    def test_unknown_event_is_404(self, client: TestClient) -> None:
        putin = make_participant(client)
        body = {"participant_id": putin["id"], "role": "host"}
        response = client.post("/api/v1/events/no-such-event/participants", json=body)
        assert_problem(response, 404, "no event 'no-such-event'")


class TestListEventParticipants:
    def test_lists_the_links_in_creation_order(self, client: TestClient) -> None:
        event = make_event(client)
        putin, netanyahu = make_participant(client), make_participant(client)
        host = make_event_participant(client, event["slug"], putin["id"], role="host")
        visitor = make_event_participant(client, event["slug"], netanyahu["id"], role="visitor")
        other_event = make_event(client)
        make_event_participant(client, other_event["id"], putin["id"])
        response = client.get(f"/api/v1/events/{event['slug']}/participants")
        assert response.status_code == 200
        assert response.json() == {"items": [host, visitor], "next_cursor": None}

    def test_pages_with_a_cursor(self, client: TestClient) -> None:
        event = make_event(client)
        links = [
            make_event_participant(client, event["id"], make_participant(client)["id"])
            for _ in range(3)
        ]
        first = client.get(links_of(event), params={"limit": 2}).json()
        assert first["items"] == links[:2]
        params: dict[str, str | int] = {"limit": 2, "cursor": first["next_cursor"]}
        assert client.get(links_of(event), params=params).json() == {
            "items": links[2:],
            "next_cursor": None,
        }

    def test_unknown_event_is_404(self, client: TestClient) -> None:
        response = client.get("/api/v1/events/no-such-event/participants")
        assert_problem(response, 404, "no event 'no-such-event'")


class TestReadEventParticipant:
    def test_reads_one_link(self, client: TestClient) -> None:
        event, putin = make_event(client), make_participant(client)
        link = make_event_participant(client, event["id"], putin["id"])
        response = client.get(f"/api/v1/events/{event['slug']}/participants/{link['id']}")
        assert response.status_code == 200
        assert response.json() == link

    def test_a_link_of_another_event_is_404(self, client: TestClient) -> None:
        event, other = make_event(client, slug="sochi-meeting"), make_event(client)
        link = make_event_participant(client, other["id"], make_participant(client)["id"])
        response = client.get(f"{links_of(event)}/{link['id']}")
        detail = f"event 'sochi-meeting' has no participant link {link['id']}"
        assert_problem(response, 404, detail)

    def test_a_malformed_link_id_is_422(self, client: TestClient) -> None:
        event = make_event(client)
        response = client.get(f"{links_of(event)}/not-a-uuid")
        assert_problem(response, 422, "invalid fields: link_id", locs=[["path", "link_id"]])


class TestUpdateEventParticipant:
    def test_changes_the_role(self, client: TestClient) -> None:
        event, netanyahu = make_event(client), make_participant(client)
        link = make_event_participant(client, event["id"], netanyahu["id"], note="Guest.")
        response = client.patch(f"{links_of(event)}/{link['id']}", json={"role": "visitor"})
        assert response.status_code == 200
        updated = response.json()
        assert updated["role"] == "visitor"
        assert updated["note"] == "Guest."
        assert updated["version"] == 2
        assert updated["updated_at"] != link["updated_at"]
        assert client.get(f"{links_of(event)}/{link['id']}").json() == updated

    def test_rejects_a_null_role(self, client: TestClient) -> None:
        event, netanyahu = make_event(client), make_participant(client)
        link = make_event_participant(client, event["id"], netanyahu["id"])
        response = client.patch(f"{links_of(event)}/{link['id']}", json={"role": None})
        assert_problem(response, 422, "role: may not be null", locs=[["body", "role"]])

    def test_rejects_a_role_the_participant_already_has(self, client: TestClient) -> None:
        event, putin = make_event(client), make_participant(client)
        make_event_participant(client, event["id"], putin["id"], role="host")
        link = make_event_participant(client, event["id"], putin["id"], role="organizer")
        response = client.patch(f"{links_of(event)}/{link['id']}", json={"role": "host"})
        detail = "participant link conflicts with an existing record (a unique field is taken)"
        assert_problem(response, 409, detail)


class TestRemoveEventParticipant:
    def test_removes_the_link_and_keeps_the_participant(self, client: TestClient) -> None:
        event, putin = make_event(client), make_participant(client)
        link = make_event_participant(client, event["id"], putin["id"])
        response = client.delete(f"{links_of(event)}/{link['id']}")
        assert response.status_code == 204
        assert response.content == b""
        detail = f"event '{event['slug']}' has no participant link {link['id']}"
        assert_problem(client.get(f"{links_of(event)}/{link['id']}"), 404, detail)
        assert client.get(links_of(event)).json() == {"items": [], "next_cursor": None}
        assert client.get(f"/api/v1/participants/{putin['id']}").status_code == 200

    def test_a_link_of_another_event_is_404(self, client: TestClient) -> None:
        event, other = make_event(client, slug="sochi-meeting"), make_event(client)
        link = make_event_participant(client, other["id"], make_participant(client)["id"])
        detail = f"event 'sochi-meeting' has no participant link {link['id']}"
        assert_problem(client.delete(f"{links_of(event)}/{link['id']}"), 404, detail)
        assert client.get(f"{links_of(other)}/{link['id']}").json() == link


class TestListParticipantEvents:
    def test_lists_the_participants_links(self, client: TestClient) -> None:
        putin = make_participant(client, slug="vladimir-putin")
        meeting, visit = make_event(client), make_event(client, event_type="visit")
        as_host = make_event_participant(client, meeting["id"], putin["id"], role="host")
        as_visitor = make_event_participant(client, visit["id"], putin["id"], role="visitor")
        make_event_participant(client, meeting["id"], make_participant(client)["id"])
        response = client.get("/api/v1/participants/vladimir-putin/events")
        assert response.status_code == 200
        assert response.json() == {"items": [as_host, as_visitor], "next_cursor": None}

    def test_unknown_participant_is_404(self, client: TestClient) -> None:
        response = client.get("/api/v1/participants/nobody/events")
        assert_problem(response, 404, "no participant 'nobody'")


class TestDeleteLinkedParticipant:
    def test_refuses_while_the_participant_is_linked(self, client: TestClient) -> None:
        putin = make_participant(client, slug="vladimir-putin")
        make_event_participant(client, make_event(client)["id"], putin["id"])
        detail = (
            "participant 'vladimir-putin' is still referenced by 1 event participations; "
            "delete those first"
        )
        assert_problem(client.delete("/api/v1/participants/vladimir-putin"), 409, detail)
        assert client.get("/api/v1/participants/vladimir-putin").status_code == 200
