"""/participants/{id}/roles: the roles a participant held over time."""

import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import (
    assert_problem,
    brief,
    make_claim,
    make_participant,
    make_role,
    make_source,
)

URL = "/api/v1/participants"
# Set by the server: compared separately, or not at all.
AUTHORED = {"id", "created_at", "updated_at", "created_by", "updated_by"}


def roles_url(participant: dict[str, Any]) -> str:
    """The roles collection of `participant`."""
    return f"{URL}/{participant['slug']}/roles"


def day(date: str) -> dict[str, str]:
    """The public form of an EDTF day."""
    return {"edtf": date, "precision": "day", "earliest": date, "latest": date}


class TestProvenance:
    def test_a_role_without_a_source_is_background(self, client: TestClient) -> None:
        role = make_role(client, make_participant(client)["slug"], start="2009-03-31")
        assert (role["provenance"], role["source_id"]) == ("background", None)

    def test_a_stated_role_needs_its_source(self, client: TestClient) -> None:
        person = make_participant(client)
        response = client.post(roles_url(person), json={"title": "PM", "provenance": "stated"})
        detail = (
            "provenance: a stated fact cites the source that states it: send source_id, or "
            "mark it `background` (known, but no source here states it)"
        )
        assert_problem(response, 422, detail, locs=[["body", "provenance"]])

    def test_a_background_role_cites_nothing(self, client: TestClient) -> None:
        person, source = make_participant(client), make_source(client)
        body = {"title": "PM", "provenance": "background", "source_id": source["slug"]}
        response = client.post(roles_url(person), json=body)
        detail = (
            "source_id: a background fact cites no source; a source that states it makes it "
            "`stated`"
        )
        assert_problem(response, 422, detail, locs=[["body", "source_id"]])

    def test_an_assessment_states_its_basis(self, client: TestClient) -> None:
        person = make_participant(client)
        response = client.post(roles_url(person), json={"title": "PM", "provenance": "assessment"})
        detail = "provenance_basis: an assessment states its basis"
        assert_problem(response, 422, detail, locs=[["body", "provenance_basis"]])
        basis = "He speaks for the government."
        body = {"title": "PM", "provenance": "assessment", "provenance_basis": basis}
        role = client.post(roles_url(person), json=body).json()
        assert (role["provenance"], role["provenance_basis"]) == ("assessment", basis)

    def test_dropping_the_source_makes_it_background(self, client: TestClient) -> None:
        person, source = make_participant(client), make_source(client)
        role = make_role(client, person["slug"], source_id=source["slug"])
        assert role["provenance"] == "stated"
        url = f"{roles_url(person)}/{role['id']}"
        changed = client.patch(url, json={"source_id": None}).json()
        assert (changed["provenance"], changed["source_id"]) == ("background", None)


class TestAliases:
    def test_aliases_are_kept_once_each(self, client: TestClient) -> None:
        person = make_participant(client)
        aliases = ["Defense Minister", "Defense Minister", "Defence Minister"]
        role = make_role(client, person["slug"], title="Minister of Defence", aliases=aliases)
        assert role["aliases"] == ["Defense Minister", "Defence Minister"]

    def test_a_new_alias_is_found_and_an_old_one_is_not(self, client: TestClient) -> None:
        person = make_participant(client)
        role = make_role(client, person["slug"], title="Minister of Defence", aliases=["MoD"])
        url = f"{roles_url(person)}/{role['id']}"
        client.patch(url, json={"aliases": ["Defense Minister"]})

        def holders(title: str) -> list[str]:
            found = client.get(URL, params={"role_title": title}).json()["items"]
            return [p["slug"] for p in found]

        assert holders("defense minister") == [person["slug"]]
        assert holders("mod") == []
        assert holders("minister of defence") == [person["slug"]]


class TestAddRole:
    def test_returns_201_with_location_and_fields(self, client: TestClient) -> None:
        person = make_participant(client)
        israel = make_participant(client, slug="israel", kind="state")
        source = make_source(client)
        body = {
            "title": "Prime Minister",
            "organization_id": "israel",
            "start": "2009-03-31",
            "end": "2021-06-13",
            "source_id": source["slug"],
        }
        response = client.post(roles_url(person), json=body)
        assert response.status_code == 201
        role = response.json()
        assert response.headers["location"] == f"{URL}/{person['id']}/roles/{role['id']}"
        assert {k: v for k, v in role.items() if k not in AUTHORED} == {
            "participant_id": person["id"],
            "title": "Prime Minister",
            "organization_id": israel["id"],
            "organization": brief(israel),
            "start": day("2009-03-31"),
            "end": day("2021-06-13"),
            "source_id": source["id"],
            "source": brief(source),
            "aliases": [],
            "provenance": "stated",
            "provenance_basis": None,
            "version": 1,
        }

    def test_keeps_the_precision_of_dates(self, client: TestClient) -> None:
        role = make_role(client, make_participant(client)["slug"], start="2005-12", end="2019")
        assert role["start"] == {
            "edtf": "2005-12",
            "precision": "month",
            "earliest": "2005-12-01",
            "latest": "2005-12-31",
        }
        assert role["end"] == {
            "edtf": "2019",
            "precision": "year",
            "earliest": "2019-01-01",
            "latest": "2019-12-31",
        }

    def test_optional_fields_default_to_null(self, client: TestClient) -> None:
        role = make_role(client, make_participant(client)["slug"])
        assert (role["organization_id"], role["start"], role["end"], role["source_id"]) == (
            None,
            None,
            None,
            None,
        )

    def test_rejects_end_before_start(self, client: TestClient) -> None:
        person = make_participant(client)
        response = client.post(
            roles_url(person), json={"title": "Leader", "start": "2009-03-31", "end": "2008"}
        )
        assert_problem(response, 422, "end: ends before its start", locs=[["body", "end"]])

    def test_accepts_end_in_the_year_of_start(self, client: TestClient) -> None:
        role = make_role(client, make_participant(client)["slug"], start="2019-09", end="2019")
        assert role["end"]["edtf"] == "2019"

    def test_rejects_unknown_organization(self, client: TestClient) -> None:
        person = make_participant(client)
        response = client.post(roles_url(person), json={"title": "Leader", "organization_id": "x"})
        assert_problem(
            response,
            422,
            "organization_id: no participant 'x'",
            locs=[["body", "organization_id"]],
        )
        assert client.get(roles_url(person)).json() == {"items": [], "next_cursor": None}

    def test_rejects_malformed_date(self, client: TestClient) -> None:
        person = make_participant(client)
        response = client.post(roles_url(person), json={"title": "Leader", "start": "Tuesday"})
        assert_problem(response, 422, "invalid fields: start", locs=[["body", "start"]])

    def test_unknown_participant_returns_404(self, client: TestClient) -> None:
        response = client.post(f"{URL}/nobody/roles", json={"title": "Leader"})
        assert_problem(response, 404, "no participant 'nobody'")


class TestListRoles:
    def test_walks_pages_of_this_participants_roles(self, client: TestClient) -> None:
        person = make_participant(client)
        titles = ["Minister of Finance", "Leader", "Prime Minister"]
        ids = [make_role(client, person["slug"], title=title)["id"] for title in titles]
        make_role(client, make_participant(client)["slug"], title="President")
        first = client.get(roles_url(person), params={"limit": 2}).json()
        second = client.get(
            roles_url(person), params={"limit": 2, "cursor": first["next_cursor"]}
        ).json()
        assert [r["id"] for r in first["items"]] == ids[:2]
        assert [r["id"] for r in second["items"]] == ids[2:]
        assert second["next_cursor"] is None

    def test_unknown_participant_returns_404(self, client: TestClient) -> None:
        assert_problem(client.get(f"{URL}/nobody/roles"), 404, "no participant 'nobody'")


class TestReadRole:
    def test_by_participant_slug_and_id(self, client: TestClient) -> None:
        person = make_participant(client)
        role = make_role(client, person["slug"], start="2009-03-31")
        response = client.get(f"{URL}/{person['id']}/roles/{role['id']}")
        assert response.status_code == 200
        assert response.json() == role

    def test_role_of_another_participant_returns_404(self, client: TestClient) -> None:
        person = make_participant(client)
        role = make_role(client, make_participant(client)["slug"])
        assert_problem(
            client.get(f"{roles_url(person)}/{role['id']}"),
            404,
            f"participant '{person['slug']}' has no role {role['id']}",
        )

    def test_role_id_must_be_a_uuid(self, client: TestClient) -> None:
        person = make_participant(client)
        response = client.get(f"{roles_url(person)}/prime-minister")
        assert_problem(response, 422, "invalid fields: role_id", locs=[["path", "role_id"]])


class TestUpdateRole:
    def test_changes_only_the_fields_sent(self, client: TestClient) -> None:
        person = make_participant(client)
        make_participant(client, slug="likud", kind="political_party")
        role = make_role(client, person["slug"], title="Leader", organization_id="likud")
        response = client.patch(f"{roles_url(person)}/{role['id']}", json={"end": "2021-06-13"})
        assert response.status_code == 200
        body = response.json()
        assert body["version"] == 2
        assert (body["title"], body["organization_id"], body["end"]) == (
            "Leader",
            role["organization_id"],
            day("2021-06-13"),
        )

    def test_clears_the_organization(self, client: TestClient) -> None:
        person = make_participant(client)
        make_participant(client, slug="likud", kind="political_party")
        role = make_role(client, person["slug"], organization_id="likud")
        url = f"{roles_url(person)}/{role['id']}"
        assert client.patch(url, json={"organization_id": None}).json()["organization_id"] is None

    def test_rejects_end_before_the_stored_start(self, client: TestClient) -> None:
        person = make_participant(client)
        role = make_role(client, person["slug"], start="2009-03-31")
        url = f"{roles_url(person)}/{role['id']}"
        response = client.patch(url, json={"end": "2001"})
        assert_problem(response, 422, "end: ends before its start", locs=[["body", "end"]])
        assert client.get(url).json() == role

    def test_rejects_null_title(self, client: TestClient) -> None:
        person = make_participant(client)
        role = make_role(client, person["slug"])
        response = client.patch(f"{roles_url(person)}/{role['id']}", json={"title": None})
        assert_problem(response, 422, "title: may not be null", locs=[["body", "title"]])

    def test_role_of_another_participant_returns_404(self, client: TestClient) -> None:
        person = make_participant(client)
        role = make_role(client, make_participant(client)["slug"])
        response = client.patch(f"{roles_url(person)}/{role['id']}", json={"title": "Leader"})
        assert_problem(response, 404, f"participant '{person['slug']}' has no role {role['id']}")


class TestDeleteRole:
    def test_returns_204_then_404(self, client: TestClient) -> None:
        person = make_participant(client)
        role = make_role(client, person["slug"])
        url = f"{roles_url(person)}/{role['id']}"
        response = client.delete(url)
        assert response.status_code == 204
        assert response.content == b""
        assert_problem(
            client.get(url), 404, f"participant '{person['slug']}' has no role {role['id']}"
        )

    def test_claims_resolved_from_it_keep_the_role_text(self, client: TestClient) -> None:
        person = make_participant(client)
        role = make_role(client, person["slug"], start="2009-03-31")
        claim = make_claim(client, claimant_id=person["slug"], stated="2019-09-12")
        assert claim["claimant_role_id"] == role["id"]
        assert client.delete(f"{roles_url(person)}/{role['id']}").status_code == 204
        body = client.get(f"/api/v1/claims/{claim['slug']}").json()
        assert (body["claimant_role"], body["claimant_role_id"]) == ("Prime Minister", None)

    def test_unknown_role_returns_404(self, client: TestClient) -> None:
        person = make_participant(client)
        missing = uuid.uuid4()
        assert_problem(
            client.delete(f"{roles_url(person)}/{missing}"),
            404,
            f"participant '{person['slug']}' has no role {missing}",
        )

    def test_role_of_another_participant_returns_404_and_stays(self, client: TestClient) -> None:
        person, holder = make_participant(client), make_participant(client)
        role = make_role(client, holder["slug"])
        response = client.delete(f"{roles_url(person)}/{role['id']}")
        assert_problem(response, 404, f"participant '{person['slug']}' has no role {role['id']}")
        assert client.get(f"{roles_url(holder)}/{role['id']}").json() == role
