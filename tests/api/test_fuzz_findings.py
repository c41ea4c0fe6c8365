"""What Schemathesis found: NUL characters, unknown `fields`, partial items, public reads."""

from fastapi.testclient import TestClient

from tests.factories import assert_problem, make_participant

NUL = "must not contain the NUL character (\\u0000)"


class TestNulCharacters:
    def test_in_a_body_is_422(self, client: TestClient) -> None:
        response = client.post("/api/v1/keys", json={"name": "a\x00b", "scopes": ["read"]})
        assert_problem(response, 422, "invalid fields: name", locs=[["body", "name"]])
        assert response.json()["errors"][0]["msg"] == NUL

    def test_in_a_nested_value_is_422(self, client: TestClient) -> None:
        body = {"slug": "x", "name": "X", "kind": "person", "aliases": ["ok", "\x00"]}
        response = client.post("/api/v1/participants", json=body)
        assert_problem(response, 422, "invalid fields: aliases", locs=[["body", "aliases"]])

    def test_in_a_query_is_422(self, client: TestClient) -> None:
        response = client.get("/api/v1/events", params={"q": "a\x00"})
        assert_problem(response, 422, "invalid fields: q", locs=[["query", "q"]])

    def test_in_a_path_is_422(self, client: TestClient) -> None:
        response = client.get("/api/v1/participants/a%00b")
        assert_problem(
            response, 422, "invalid fields: participant_id", locs=[["path", "participant_id"]]
        )


class TestFieldSelection:
    def test_unknown_field_is_422_on_every_list(self, client: TestClient) -> None:
        for path in ("/participants", "/claims", "/events"):
            response = client.get(f"/api/v1{path}", params={"fields": "slug,colour"})
            assert_problem(
                response, 422, "fields: unknown fields: colour", locs=[["query", "fields"]]
            )

    def test_partial_items_are_documented(self, client: TestClient) -> None:
        make_participant(client, slug="putin")
        items = client.get("/api/v1/participants", params={"fields": "slug"}).json()["items"]
        assert [sorted(item) for item in items] == [["id", "slug"]]
        spec = client.get("/openapi.json").json()
        components = spec["components"]["schemas"]
        assert components["ParticipantPage"]["properties"]["items"]["items"] == {
            "$ref": "#/components/schemas/ParticipantPublic"
        }
        assert components["ParticipantPublicFields"]["required"] == ["id"]
        parameters = spec["paths"]["/api/v1/participants"]["get"]["parameters"]
        selection = next(p for p in parameters if p["name"] == "fields")
        assert "`ParticipantPublicFields`" in selection["description"]


class TestDocumentedSecurity:
    def test_reads_take_no_key_writes_and_keys_need_one(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        assert "security" not in paths["/api/v1/events"]["get"]
        assert paths["/api/v1/events"]["post"]["security"] == [{"apiKey": []}]
        assert paths["/api/v1/keys"]["get"]["security"] == [{"apiKey": []}]


class TestTimestamps:
    def test_a_number_is_not_a_date_time(self, client: TestClient) -> None:
        response = client.get("/api/v1/events", params={"updated_since": "0.5"})
        assert_problem(
            response, 422, "invalid fields: updated_since", locs=[["query", "updated_since"]]
        )

    def test_an_iso_date_time_is(self, client: TestClient) -> None:
        response = client.get("/api/v1/events", params={"updated_since": "2019-09-12T10:00:00Z"})
        assert response.status_code == 200
