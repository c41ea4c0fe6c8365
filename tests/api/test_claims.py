"""/claims, the claims of an event or a participant, and the claimant's role."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import (
    ARTICLE_TEXT,
    assert_problem,
    brief,
    make_appearance,
    make_claim,
    make_event,
    make_participant,
    make_role,
    make_source,
)

URL = "/api/v1/claims"
GENERATED = {"id", "created_at", "updated_at", "version", "created_by", "updated_by"}


def walk(client: TestClient, url: str, limit: int) -> list[list[str]]:
    """The slugs of every page of a claim list, following `next_cursor`."""
    pages: list[list[str]] = []
    params: dict[str, Any] = {"limit": limit}
    while True:
        body = client.get(url, params=params).json()
        pages.append([item["slug"] for item in body["items"]])
        if body["next_cursor"] is None:
            return pages
        params["cursor"] = body["next_cursor"]


def netanyahu(client: TestClient) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Netanyahu with his roles: Prime Minister of Israel and Leader of Likud."""
    person = make_participant(client, slug="netanyahu", name="Benjamin Netanyahu")
    make_participant(client, slug="israel", name="Israel", kind="state")
    make_participant(client, slug="likud", name="Likud", kind="political_party")
    likud = make_role(
        client, "netanyahu", title="Leader", organization_id="likud", start="2005-12-20"
    )
    premier = make_role(
        client, "netanyahu", title="Prime Minister", organization_id="israel", start="2009-03-31"
    )
    return person, premier, likud


class TestCreateClaim:
    def test_returns_201_with_location_and_fields(self, client: TestClient) -> None:
        person = make_participant(client, slug="netanyahu", name="Benjamin Netanyahu")
        iran = make_participant(client, slug="iran", name="Iran", kind="state")
        event = make_event(client, slug="sochi-meeting", title="Netanyahu meets Putin")
        earlier = make_claim(client, slug="earlier")
        response = client.post(
            URL,
            json={
                "slug": "taking-action",
                "text": "We are taking action.",
                "claim_type": "quote",
                "claimant_id": "netanyahu",
                "event_id": "sochi-meeting",
                "stated": "2019-09-12",
                "status": "supported",
                "subjects": [
                    {"type": "event", "id": "sochi-meeting"},
                    {"type": "participant", "id": "iran"},
                ],
                "relations": [{"relation": "repeats", "claim_id": "earlier"}],
            },
        )
        assert response.status_code == 201
        body = response.json()
        assert response.headers["location"] == f"{URL}/{body['id']}"
        assert {k: v for k, v in body.items() if k not in GENERATED} == {
            "slug": "taking-action",
            "text": "We are taking action.",
            "claim_type": "quote",
            "claimant_id": person["id"],
            "claimant": brief(person),
            "claimant_role": None,
            "claimant_role_id": None,
            "resolved_role": None,
            "event_id": event["id"],
            "event": brief(event),
            "stated": {
                "edtf": "2019-09-12",
                "precision": "day",
                "earliest": "2019-09-12",
                "latest": "2019-09-12",
            },
            "status": "supported",
            "subjects": [
                {"type": "participant", "id": iran["id"], "slug": "iran", "label": "Iran"},
                {
                    "type": "event",
                    "id": event["id"],
                    "slug": "sochi-meeting",
                    "label": "Netanyahu meets Putin",
                },
            ],
            "appearances": [],
            "relations": [{"relation": "repeats", "claim_id": earlier["id"]}],
            "incoming_relations": [],
        }

    def test_defaults(self, client: TestClient) -> None:
        body = client.post(
            URL, json={"slug": "bare", "text": "Something happened.", "claim_type": "report"}
        ).json()
        assert {k: body[k] for k in ("claimant_id", "event_id", "stated", "status")} == {
            "claimant_id": None,
            "event_id": None,
            "stated": None,
            "status": "unverified",
        }

    def test_rejects_unknown_claimant(self, client: TestClient) -> None:
        response = client.post(
            URL, json={"slug": "c", "text": "t", "claim_type": "quote", "claimant_id": "nobody"}
        )
        assert_problem(
            response, 422, "claimant_id: no participant 'nobody'", locs=[["body", "claimant_id"]]
        )

    def test_rejects_unknown_subject_and_writes_nothing(self, client: TestClient) -> None:
        make_participant(client, slug="iran")
        subjects = [{"type": "participant", "id": "iran"}, {"type": "event", "id": "nothing"}]
        response = client.post(
            URL, json={"slug": "c", "text": "t", "claim_type": "report", "subjects": subjects}
        )
        assert_problem(
            response, 422, "subjects.1.id: no event 'nothing'", locs=[["body", "subjects", 1, "id"]]
        )
        assert_problem(client.get(f"{URL}/c"), 404, "no claim 'c'")

    def test_rejects_unknown_related_claim(self, client: TestClient) -> None:
        relations = [{"relation": "supports", "claim_id": "nothing"}]
        response = client.post(
            URL, json={"slug": "c", "text": "t", "claim_type": "report", "relations": relations}
        )
        assert_problem(
            response,
            422,
            "relations.0.claim_id: no claim 'nothing'",
            locs=[["body", "relations", 0, "claim_id"]],
        )

    def test_rejects_duplicate_slug(self, client: TestClient) -> None:
        make_claim(client, slug="taken")
        response = client.post(URL, json={"slug": "taken", "text": "t", "claim_type": "report"})
        assert_problem(
            response,
            409,
            "claim 'taken' conflicts with an existing record (a unique field is taken)",
        )

    def test_rejects_unknown_claim_type(self, client: TestClient) -> None:
        response = client.post(URL, json={"slug": "c", "text": "t", "claim_type": "rumour"})
        assert_problem(response, 422, "invalid fields: claim_type", locs=[["body", "claim_type"]])


class TestClaimantRole:
    def test_resolves_the_state_role_held_when_stated(self, client: TestClient) -> None:
        _, premier, _ = netanyahu(client)
        claim = make_claim(client, claimant_id="netanyahu", stated="2019-09-12")
        assert (claim["claimant_role"], claim["claimant_role_id"]) == (
            "Prime Minister, Israel",
            premier["id"],
        )

    def test_resolves_the_only_role_held_earlier(self, client: TestClient) -> None:
        _, _, likud = netanyahu(client)
        claim = make_claim(client, claimant_id="netanyahu", stated="2008")
        assert (claim["claimant_role"], claim["claimant_role_id"]) == ("Leader, Likud", likud["id"])

    def test_leaves_it_null_without_a_stated_date(self, client: TestClient) -> None:
        netanyahu(client)
        claim = client.post(
            URL, json={"slug": "c", "text": "t", "claim_type": "quote", "claimant_id": "netanyahu"}
        ).json()
        assert (claim["claimant_role"], claim["claimant_role_id"]) == (None, None)

    def test_explicit_role_overrides(self, client: TestClient) -> None:
        netanyahu(client)
        claim = make_claim(client, claimant_id="netanyahu", claimant_role="Candidate")
        assert (claim["claimant_role"], claim["claimant_role_id"]) == ("Candidate", None)

    def test_patch_stated_resolves_again(self, client: TestClient) -> None:
        _, _, likud = netanyahu(client)
        claim = make_claim(client, claimant_id="netanyahu", stated="2019-09-12")
        body = client.patch(f"{URL}/{claim['slug']}", json={"stated": "2008"}).json()
        assert (body["claimant_role"], body["claimant_role_id"]) == ("Leader, Likud", likud["id"])

    def test_patch_stated_keeps_an_explicit_role(self, client: TestClient) -> None:
        netanyahu(client)
        claim = make_claim(client, claimant_id="netanyahu", claimant_role="Candidate")
        body = client.patch(f"{URL}/{claim['slug']}", json={"stated": "2008"}).json()
        assert (body["claimant_role"], body["claimant_role_id"]) == ("Candidate", None)

    def test_patch_null_role_drops_the_override(self, client: TestClient) -> None:
        _, premier, _ = netanyahu(client)
        claim = make_claim(client, claimant_id="netanyahu", claimant_role="Candidate")
        body = client.patch(f"{URL}/{claim['slug']}", json={"claimant_role": None}).json()
        assert (body["claimant_role"], body["claimant_role_id"]) == (
            "Prime Minister, Israel",
            premier["id"],
        )


class TestReadClaim:
    def test_by_id_and_by_slug(self, client: TestClient) -> None:
        claim = make_claim(client)
        assert client.get(f"{URL}/{claim['id']}").json() == claim
        assert client.get(f"{URL}/{claim['slug']}").json() == claim

    def test_unknown_returns_404(self, client: TestClient) -> None:
        assert_problem(client.get(f"{URL}/nothing"), 404, "no claim 'nothing'")


class TestListClaims:
    def test_walks_pages_in_creation_order(self, client: TestClient) -> None:
        slugs = [make_claim(client)["slug"] for _ in range(5)]
        assert walk(client, URL, 2) == [slugs[0:2], slugs[2:4], slugs[4:5]]

    def test_rejects_unknown_query_parameter(self, client: TestClient) -> None:
        response = client.get(URL, params={"claimnt": "netanyahu"})
        assert_problem(response, 422, "invalid fields: claimnt", locs=[["query", "claimnt"]])

    def test_rejects_a_cursor_of_another_list(self, client: TestClient) -> None:
        make_participant(client)
        make_participant(client)
        cursor = client.get("/api/v1/participants", params={"limit": 1}).json()["next_cursor"]
        response = client.get(URL, params={"cursor": cursor})
        assert_problem(
            response,
            400,
            "cursor belongs to another list or other filters; start again without it",
        )


class TestUpdateClaim:
    def test_changes_only_the_fields_sent(self, client: TestClient) -> None:
        claim = make_claim(
            client, subjects=[{"type": "participant", "id": make_participant(client)["slug"]}]
        )
        response = client.patch(f"{URL}/{claim['slug']}", json={"status": "supported"})
        assert response.status_code == 200
        body = response.json()
        assert body["version"] == 2
        assert {k: v for k, v in body.items() if k not in GENERATED} == {
            k: v for k, v in claim.items() if k not in GENERATED
        } | {"status": "supported"}

    def test_subjects_replace_the_stored_ones(self, client: TestClient) -> None:
        make_participant(client, slug="iran", name="Iran", kind="state")
        syria = make_participant(client, slug="syria", name="Syria", kind="state")
        claim = make_claim(client, subjects=[{"type": "participant", "id": "iran"}])
        response = client.patch(
            f"{URL}/{claim['slug']}", json={"subjects": [{"type": "participant", "id": "syria"}]}
        )
        assert response.json()["subjects"] == [
            {"type": "participant", "id": syria["id"], "slug": "syria", "label": "Syria"}
        ]

    def test_relations_replace_the_stored_ones(self, client: TestClient) -> None:
        first, second = make_claim(client), make_claim(client)
        claim = make_claim(client, relations=[{"relation": "supports", "claim_id": first["slug"]}])
        relations = [{"relation": "contradicts", "claim_id": second["slug"]}]
        body = client.patch(f"{URL}/{claim['slug']}", json={"relations": relations}).json()
        assert body["relations"] == [{"relation": "contradicts", "claim_id": second["id"]}]

    def test_rejects_a_relation_to_itself(self, client: TestClient) -> None:
        claim = make_claim(client)
        relations = [{"relation": "supports", "claim_id": claim["slug"]}]
        response = client.patch(f"{URL}/{claim['slug']}", json={"relations": relations})
        assert_problem(
            response,
            422,
            "relations.0.claim_id: a claim cannot relate to itself",
            locs=[["body", "relations", 0, "claim_id"]],
        )

    def test_rejects_unknown_subject_and_changes_nothing(self, client: TestClient) -> None:
        claim = make_claim(
            client, subjects=[{"type": "participant", "id": make_participant(client)["slug"]}]
        )
        subjects = [{"type": "participant", "id": "nobody"}]
        response = client.patch(f"{URL}/{claim['slug']}", json={"subjects": subjects, "text": "x"})
        assert_problem(
            response,
            422,
            "subjects.0.id: no participant 'nobody'",
            locs=[["body", "subjects", 0, "id"]],
        )
        assert client.get(f"{URL}/{claim['slug']}").json() == claim

    def test_rejects_a_taken_slug(self, client: TestClient) -> None:
        make_claim(client, slug="taken")
        claim = make_claim(client)
        response = client.patch(f"{URL}/{claim['slug']}", json={"slug": "taken"})
        assert_problem(
            response,
            409,
            "claim 'taken' conflicts with an existing record (a unique field is taken)",
        )
        assert client.get(f"{URL}/{claim['slug']}").json() == claim

    def test_rejects_a_taken_slug_with_new_subjects(self, client: TestClient) -> None:
        make_claim(client, slug="taken")
        claim = make_claim(client)
        subjects = [{"type": "participant", "id": make_participant(client)["slug"]}]
        response = client.patch(
            f"{URL}/{claim['slug']}", json={"slug": "taken", "subjects": subjects}
        )
        assert_problem(
            response,
            409,
            "claim 'taken' conflicts with an existing record (a unique field is taken)",
        )
        assert client.get(f"{URL}/{claim['slug']}").json() == claim

    def test_rejects_null_text(self, client: TestClient) -> None:
        claim = make_claim(client)
        response = client.patch(f"{URL}/{claim['slug']}", json={"text": None})
        assert_problem(response, 422, "text: may not be null", locs=[["body", "text"]])

    def test_unknown_returns_404(self, client: TestClient) -> None:
        response = client.patch(f"{URL}/nothing", json={"text": "x"})
        assert_problem(response, 404, "no claim 'nothing'")


class TestDeleteClaim:
    def test_returns_204_then_410(self, client: TestClient) -> None:
        claim = make_claim(client)
        response = client.delete(f"{URL}/{claim['id']}")
        assert response.status_code == 204
        assert response.content == b""
        gone = client.get(f"{URL}/{claim['slug']}")
        assert gone.status_code == 410
        assert gone.json()["detail"].startswith(f"claim '{claim['slug']}' was deleted at ")

    def test_removes_its_appearances(self, client: TestClient) -> None:
        source = make_source(client)
        claim = make_claim(client)
        make_appearance(client, claim["slug"], source_id=source["slug"], quote=ARTICLE_TEXT[:5])
        assert client.delete(f"{URL}/{claim['slug']}").status_code == 204
        # A source with appearances cannot be deleted: this one can, so none is left.
        assert client.delete(f"/api/v1/sources/{source['slug']}").status_code == 204

    def test_releases_its_subjects_and_claimant(self, client: TestClient) -> None:
        person = make_participant(client)
        claim = make_claim(
            client,
            claimant_id=person["slug"],
            subjects=[{"type": "participant", "id": person["slug"]}],
        )
        assert client.delete(f"{URL}/{claim['slug']}").status_code == 204
        assert client.delete(f"/api/v1/participants/{person['slug']}").status_code == 204

    def test_refuses_a_claim_another_relates_to(self, client: TestClient) -> None:
        make_claim(client, slug="target")
        other = make_claim(client, relations=[{"relation": "contradicts", "claim_id": "target"}])
        target = client.get(f"{URL}/target").json()
        assert target["incoming_relations"] == [
            {"relation": "contradicts", "claim_id": other["id"]}
        ]
        assert_problem(
            client.delete(f"{URL}/target"),
            409,
            "claim 'target' is still referenced by 1 relations from other claims; "
            "delete those first",
        )
        assert client.get(f"{URL}/target").json() == target

    def test_unknown_returns_404(self, client: TestClient) -> None:
        assert_problem(client.delete(f"{URL}/nothing"), 404, "no claim 'nothing'")


class TestListEventClaims:
    def test_lists_claims_made_at_and_about_the_event(self, client: TestClient) -> None:
        make_event(client, slug="sochi")
        at = make_claim(client, event_id="sochi")["slug"]
        make_claim(client)
        about = make_claim(client, subjects=[{"type": "event", "id": "sochi"}])["slug"]
        both = make_claim(client, event_id="sochi", subjects=[{"type": "event", "id": "sochi"}])
        make_claim(client, event_id=make_event(client)["slug"])
        assert walk(client, "/api/v1/events/sochi/claims", 2) == [[at, about], [both["slug"]]]

    def test_unknown_event_returns_404(self, client: TestClient) -> None:
        assert_problem(client.get("/api/v1/events/nothing/claims"), 404, "no event 'nothing'")

    def test_rejects_unknown_query_parameter(self, client: TestClient) -> None:
        make_event(client, slug="sochi")
        response = client.get("/api/v1/events/sochi/claims", params={"query": "Iran"})
        assert_problem(response, 422, "invalid fields: query", locs=[["query", "query"]])


class TestCreateEventClaim:
    def test_sets_the_event(self, client: TestClient) -> None:
        event = make_event(client, slug="sochi")
        body = {"slug": "c", "text": "We are taking action.", "claim_type": "quote"}
        response = client.post("/api/v1/events/sochi/claims", json=body)
        assert response.status_code == 201
        claim = response.json()
        assert response.headers["location"] == f"{URL}/{claim['id']}"
        assert claim["event_id"] == event["id"]
        assert walk(client, "/api/v1/events/sochi/claims", 50) == [["c"]]

    def test_rejects_a_different_event_in_the_body(self, client: TestClient) -> None:
        make_event(client, slug="sochi")
        make_event(client, slug="election")
        body = {"slug": "c", "text": "t", "claim_type": "quote", "event_id": "election"}
        response = client.post("/api/v1/events/sochi/claims", json=body)
        assert_problem(
            response,
            422,
            "event_id: differs from the event in the path, 'sochi'",
            locs=[["body", "event_id"]],
        )

    def test_unknown_event_returns_404(self, client: TestClient) -> None:
        body = {"slug": "c", "text": "t", "claim_type": "quote"}
        response = client.post("/api/v1/events/nothing/claims", json=body)
        assert_problem(response, 404, "no event 'nothing'")


class TestListParticipantClaims:
    def test_lists_claims_by_and_about_the_participant(self, client: TestClient) -> None:
        make_participant(client, slug="putin")
        other = make_participant(client)["slug"]
        by = make_claim(client, claimant_id="putin")["slug"]
        make_claim(client, claimant_id=other)
        about = make_claim(client, subjects=[{"type": "participant", "id": "putin"}])["slug"]
        both = make_claim(
            client, claimant_id="putin", subjects=[{"type": "participant", "id": "putin"}]
        )["slug"]
        url = "/api/v1/participants/putin/claims"
        assert walk(client, url, 2) == [[by, about], [both]]

    def test_unknown_participant_returns_404(self, client: TestClient) -> None:
        response = client.get("/api/v1/participants/nobody/claims")
        assert_problem(response, 404, "no participant 'nobody'")
