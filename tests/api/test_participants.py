"""/participants: create, read, list, update and delete, with the reference rules."""

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import (
    assert_problem,
    make_claim,
    make_event,
    make_event_participant,
    make_participant,
    make_role,
)

URL = "/api/v1/participants"
METADATA = {"id", "created_at", "updated_at", "version", "created_by", "updated_by"}


def public_fields(body: dict[str, Any]) -> dict[str, Any]:
    """A participant's JSON without the fields the server generates."""
    return {k: v for k, v in body.items() if k not in METADATA}


class TestCreateParticipant:
    def test_returns_201_with_location_and_fields(self, client: TestClient) -> None:
        response = client.post(
            URL,
            json={
                "slug": "vladimir-putin",
                "name": "Vladimir Putin",
                "kind": "person",
                "aliases": ["Putin"],
                "country": "RU",
                "description": "President of Russia.",
                "identifiers": {"wikidata": "Q7747", "cameo": "RUSGOV"},
            },
        )
        assert response.status_code == 201
        body = response.json()
        assert response.headers["location"] == f"{URL}/{body['id']}"
        assert body["version"] == 1
        assert public_fields(body) == {
            "slug": "vladimir-putin",
            "name": "Vladimir Putin",
            "kind": "person",
            "aliases": ["Putin"],
            "country": "RU",
            "description": "President of Russia.",
            "identifiers": {"cameo": "RUSGOV", "wikidata": "Q7747"},
        }

    def test_defaults_optional_fields(self, client: TestClient) -> None:
        body = make_participant(client, slug="someone")
        assert public_fields(body) == {
            "slug": "someone",
            "name": "Someone",
            "kind": "person",
            "aliases": [],
            "country": None,
            "description": None,
            "identifiers": {},
        }

    def test_normalises_alpha3_country(self, client: TestClient) -> None:
        assert make_participant(client, kind="state", country="ISR")["country"] == "IL"

    def test_rejects_unknown_country(self, client: TestClient) -> None:
        response = client.post(
            URL, json={"slug": "x", "name": "X", "kind": "state", "country": "XX"}
        )
        assert_problem(response, 422, "invalid fields: country", locs=[["body", "country"]])

    @pytest.mark.parametrize("value", ["7747", "Q0", "q7747"])
    def test_rejects_malformed_wikidata_id(self, client: TestClient, value: str) -> None:
        body = {"slug": "x", "name": "X", "kind": "person", "identifiers": {"wikidata": value}}
        response = client.post(URL, json=body)
        assert_problem(response, 422, "invalid fields: identifiers", locs=[["body", "identifiers"]])
        assert response.json()["errors"][0]["msg"] == (
            f"wikidata identifier '{value}' is malformed: expected a Wikidata item id such as Q7747"
        )

    def test_rejects_unknown_identifier_scheme(self, client: TestClient) -> None:
        body = {"slug": "x", "name": "X", "kind": "person", "identifiers": {"imdb": "nm0000"}}
        response = client.post(URL, json=body)
        assert_problem(response, 422, "invalid fields: identifiers", locs=[["body", "identifiers"]])

    def test_rejects_kind_outside_vocabulary(self, client: TestClient) -> None:
        response = client.post(URL, json={"slug": "x", "name": "X", "kind": "nation"})
        assert_problem(response, 422, "invalid fields: kind", locs=[["body", "kind"]])

    def test_rejects_unknown_field(self, client: TestClient) -> None:
        body = {"slug": "x", "name": "X", "kind": "person", "nickname": "Bibi"}
        response = client.post(URL, json=body)
        assert_problem(response, 422, "invalid fields: nickname", locs=[["body", "nickname"]])

    def test_rejects_taken_wikidata_id_and_writes_nothing(self, client: TestClient) -> None:
        make_participant(client, identifiers={"wikidata": "Q7747"})
        body = {
            "slug": "other",
            "name": "X",
            "kind": "person",
            "identifiers": {"wikidata": "Q7747"},
        }
        response = client.post(URL, json=body)
        assert_problem(
            response, 409, "wikidata identifier Q7747 already belongs to another participant"
        )
        assert_problem(client.get(f"{URL}/other"), 404, "no participant 'other'")

    def test_rejects_duplicate_slug(self, client: TestClient) -> None:
        make_participant(client, slug="israel")
        response = client.post(URL, json={"slug": "israel", "name": "X", "kind": "state"})
        assert_problem(
            response,
            409,
            "participant 'israel' conflicts with an existing record (a unique field is taken)",
        )
        assert client.get(f"{URL}/israel").json()["name"] == "Someone"


class TestReadParticipant:
    def test_by_id(self, client: TestClient) -> None:
        created = make_participant(client)
        response = client.get(f"{URL}/{created['id']}")
        assert response.status_code == 200
        assert response.json() == created

    def test_by_slug(self, client: TestClient) -> None:
        created = make_participant(client, slug="benjamin-netanyahu")
        response = client.get(f"{URL}/benjamin-netanyahu")
        assert response.status_code == 200
        assert response.json() == created

    def test_unknown_returns_404(self, client: TestClient) -> None:
        assert_problem(client.get(f"{URL}/nobody"), 404, "no participant 'nobody'")


class TestListParticipants:
    def test_walks_pages_in_creation_order(self, client: TestClient) -> None:
        slugs = [make_participant(client)["slug"] for _ in range(5)]
        pages: list[list[str]] = []
        params: dict[str, Any] = {"limit": 2}
        while True:
            body = client.get(URL, params=params).json()
            pages.append([item["slug"] for item in body["items"]])
            if body["next_cursor"] is None:
                break
            params["cursor"] = body["next_cursor"]
        assert pages == [slugs[0:2], slugs[2:4], slugs[4:5]]

    def test_rejects_unknown_query_parameter(self, client: TestClient) -> None:
        response = client.get(URL, params={"knd": "state"})
        assert_problem(response, 422, "invalid fields: knd", locs=[["query", "knd"]])


class TestUpdateParticipant:
    def test_changes_only_the_fields_sent(self, client: TestClient) -> None:
        created = make_participant(client, country="RU", aliases=["Putin"])
        response = client.patch(f"{URL}/{created['slug']}", json={"name": "Vladimir Putin"})
        assert response.status_code == 200
        body = response.json()
        assert body["version"] == 2
        updated, before = body["updated_at"], created["updated_at"]
        assert dt.datetime.fromisoformat(updated) > dt.datetime.fromisoformat(before)
        assert public_fields(body) == public_fields(created) | {"name": "Vladimir Putin"}

    def test_identifiers_replace_the_mapping(self, client: TestClient) -> None:
        created = make_participant(client, identifiers={"wikidata": "Q7747", "cameo": "RUSGOV"})
        sent = {"wikidata": "Q43723", "viaf": "12345"}
        response = client.patch(f"{URL}/{created['id']}", json={"identifiers": sent})
        assert response.status_code == 200
        assert response.json()["identifiers"] == sent
        assert client.get(f"{URL}/{created['id']}").json()["identifiers"] == sent

    def test_released_identifier_can_be_reused(self, client: TestClient) -> None:
        first = make_participant(client, identifiers={"wikidata": "Q7747"})
        client.patch(f"{URL}/{first['id']}", json={"identifiers": {}})
        assert make_participant(client, identifiers={"wikidata": "Q7747"})["identifiers"] == {
            "wikidata": "Q7747"
        }

    def test_rejects_identifier_of_another_participant(self, client: TestClient) -> None:
        make_participant(client, identifiers={"wikidata": "Q7747"})
        other = make_participant(client, identifiers={"wikidata": "Q43723"})
        response = client.patch(f"{URL}/{other['id']}", json={"identifiers": {"wikidata": "Q7747"}})
        assert_problem(
            response, 409, "wikidata identifier Q7747 already belongs to another participant"
        )
        assert client.get(f"{URL}/{other['id']}").json() == other

    def test_rejects_a_taken_slug_and_changes_nothing(self, client: TestClient) -> None:
        make_participant(client, slug="taken")
        created = make_participant(client, identifiers={"wikidata": "Q7747"})
        body = {"slug": "taken", "identifiers": {"wikidata": "Q43723"}}
        response = client.patch(f"{URL}/{created['id']}", json=body)
        assert_problem(
            response,
            409,
            "participant 'taken' conflicts with an existing record (a unique field is taken)",
        )
        assert client.get(f"{URL}/{created['id']}").json() == created

    def test_rejects_null_name(self, client: TestClient) -> None:
        created = make_participant(client)
        response = client.patch(f"{URL}/{created['id']}", json={"name": None})
        assert_problem(response, 422, "name: may not be null", locs=[["body", "name"]])

    def test_rejects_unknown_country(self, client: TestClient) -> None:
        created = make_participant(client)
        response = client.patch(f"{URL}/{created['id']}", json={"country": "XX"})
        assert_problem(response, 422, "invalid fields: country", locs=[["body", "country"]])

    def test_unknown_returns_404(self, client: TestClient) -> None:
        response = client.patch(f"{URL}/nobody", json={"name": "X"})
        assert_problem(response, 404, "no participant 'nobody'")


class TestDeleteParticipant:
    def test_returns_204_then_410(self, client: TestClient) -> None:
        created = make_participant(client, identifiers={"wikidata": "Q7747"})
        response = client.delete(f"{URL}/{created['slug']}")
        assert response.status_code == 204
        assert response.content == b""
        gone = client.get(f"{URL}/{created['id']}")
        assert gone.status_code == 410
        assert gone.json()["detail"].startswith(f"participant '{created['id']}' was deleted at ")

    def test_removes_its_own_roles(self, client: TestClient) -> None:
        person = make_participant(client)
        party = make_participant(client, kind="political_party")
        make_role(client, person["slug"], title="Leader", organization_id=party["slug"])
        assert client.delete(f"{URL}/{person['slug']}").status_code == 204
        # The party is deletable only if the role held in it went with the person.
        assert client.delete(f"{URL}/{party['slug']}").status_code == 204

    def test_refuses_a_claimant(self, client: TestClient) -> None:
        person = make_participant(client, slug="netanyahu")
        make_claim(client, claimant_id="netanyahu")
        assert_problem(
            client.delete(f"{URL}/netanyahu"),
            409,
            "participant 'netanyahu' is still referenced by 1 claims made by it; "
            "delete those first",
        )
        assert client.get(f"{URL}/netanyahu").json() == person

    def test_refuses_a_claim_subject(self, client: TestClient) -> None:
        make_participant(client, slug="iran", kind="state")
        make_claim(client, subjects=[{"type": "participant", "id": "iran"}])
        make_claim(client, subjects=[{"type": "participant", "id": "iran"}])
        assert_problem(
            client.delete(f"{URL}/iran"),
            409,
            "participant 'iran' is still referenced by 2 claims about it; delete those first",
        )

    def test_refuses_an_event_participant(self, client: TestClient) -> None:
        make_participant(client, slug="putin")
        make_event_participant(client, make_event(client)["slug"], "putin")
        assert_problem(
            client.delete(f"{URL}/putin"),
            409,
            "participant 'putin' is still referenced by 1 event participations; delete those first",
        )

    def test_refuses_the_organization_of_a_role(self, client: TestClient) -> None:
        make_participant(client, slug="likud", kind="political_party")
        make_role(client, make_participant(client)["slug"], title="Leader", organization_id="likud")
        assert_problem(
            client.delete(f"{URL}/likud"),
            409,
            "participant 'likud' is still referenced by 1 roles held in it; delete those first",
        )

    def test_names_every_kind_of_reference(self, client: TestClient) -> None:
        make_participant(client, slug="israel", kind="state")
        make_role(client, make_participant(client)["slug"], organization_id="israel")
        make_claim(client, claimant_id="israel", subjects=[{"type": "participant", "id": "israel"}])
        assert_problem(
            client.delete(f"{URL}/israel"),
            409,
            "participant 'israel' is still referenced by 1 claims made by it, 1 claims about it, "
            "1 roles held in it; delete those first",
        )

    def test_unknown_returns_404(self, client: TestClient) -> None:
        assert_problem(client.delete(f"{URL}/nobody"), 404, "no participant 'nobody'")
