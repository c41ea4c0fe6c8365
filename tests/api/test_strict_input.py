"""Input that used to be coerced or crash: strict dates, digits, coordinates, numbers, depth."""

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from app.middleware import CORS_EXPOSE_HEADERS
from tests.factories import make_claim, make_event, make_source, unique_slug

EVENTS = "/api/v1/events"


def event_body(**fields: Any) -> dict[str, Any]:
    """A valid event body with `fields` changed."""
    return {
        "slug": unique_slug("strict"),
        "title": "A meeting",
        "event_type": "meeting",
        "status": "occurred",
    } | fields


def error_of(response: Any) -> tuple[int, str, list[Any]]:
    """Status, problem type and the locs of its errors."""
    body = response.json()
    return response.status_code, body["type"], [e["loc"] for e in body.get("errors", [])]


class TestDates:
    @pytest.mark.parametrize("start", ["2019/2019/2019", "2019/2020/2021", "../2019/.."])
    def test_an_interval_has_two_parts(self, client: TestClient, start: str) -> None:
        response = client.post(EVENTS, json=event_body(start=start))
        assert error_of(response) == (422, "/problems/validation-error", [["body", "start"]])
        assert "exactly two parts" in response.json()["errors"][0]["msg"]

    @pytest.mark.parametrize("start", ["\uff12\uff10\uff11\uff19", "\u0662\u0660\u0661\u0669"])
    def test_digits_are_ascii_in_bodies(self, client: TestClient, start: str) -> None:
        response = client.post(EVENTS, json=event_body(start=start))
        assert error_of(response) == (422, "/problems/validation-error", [["body", "start"]])

    @pytest.mark.parametrize("value", ["\uff12\uff10\uff11\uff19", "\u0662\u0660\u0661\u0669/2020"])
    def test_digits_are_ascii_in_filters(self, client: TestClient, value: str) -> None:
        response = client.get(EVENTS, params={"active_on": value})
        assert response.status_code == 422, response.text

    def test_non_ascii_numbers_in_near_are_refused(self, client: TestClient) -> None:
        response = client.get(EVENTS, params={"near": "\u0664\u0665,10,5"})
        assert error_of(response) == (422, "/problems/validation-error", [["query", "near"]])

    def test_ascii_interval_still_works(self, client: TestClient) -> None:
        event = make_event(client, start="2019/2020")
        assert event["start"]["earliest"] == "2019-01-01"
        assert event["start"]["latest"] == "2020-12-31"


class TestCoordinates:
    @pytest.mark.parametrize("location", [{"lat": 45}, {"lon": 30}])
    def test_lat_and_lon_come_together(self, client: TestClient, location: dict[str, Any]) -> None:
        response = client.post(EVENTS, json=event_body(location=location))
        assert error_of(response) == (422, "/problems/validation-error", [["body", "location"]])
        assert response.json()["errors"][0]["msg"] == "lat and lon must be given together"

    def test_patch_cannot_leave_half_a_point(self, client: TestClient) -> None:
        event = make_event(client)
        response = client.patch(f"{EVENTS}/{event['id']}", json={"location": {"lat": 45}})
        assert response.status_code == 422, response.text

    @pytest.mark.parametrize("lat", [True, "45"])
    def test_lat_is_a_json_number(self, client: TestClient, lat: Any) -> None:
        body = event_body(location={"lat": lat, "lon": 30})
        response = client.post(EVENTS, json=body)
        assert error_of(response) == (
            422,
            "/problems/validation-error",
            [["body", "location", "lat"]],
        )

    def test_integers_are_numbers(self, client: TestClient) -> None:
        event = make_event(client, location={"lat": 45, "lon": 30})
        assert (event["location"]["lat"], event["location"]["lon"]) == (45.0, 30.0)


class TestAppearanceNumbers:
    @pytest.mark.parametrize(
        ("field", "value"),
        [("confidence", True), ("confidence", "0.5"), ("char_start", True), ("char_start", 0.0)],
    )
    def test_no_coercion(self, client: TestClient, field: str, value: Any) -> None:
        source, claim = make_source(client), make_claim(client)
        body = {"source_id": source["id"], "quote": "Putin met Netanyahu", field: value}
        response = client.post(f"/api/v1/claims/{claim['id']}/appearances", json=body)
        assert error_of(response) == (422, "/problems/validation-error", [["body", field]])


def nested(depth: int) -> str:
    """A JSON value `depth` objects deep."""
    return '{"a":' * depth + "1" + "}" * depth


class TestNesting:
    @pytest.mark.parametrize("depth", [400, 999, 5000])
    def test_deep_identifiers_are_a_4xx(self, client: TestClient, depth: int) -> None:
        body = (
            '{"slug": "deep", "name": "Deep", "kind": "person", "identifiers": {"wikidata": '
            + nested(depth)
            + "}}"
        )
        response = client.post(
            "/api/v1/participants", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code in (400, 422), response.text
        assert response.json()["type"] in ("/problems/malformed-json", "/problems/validation-error")

    def test_10000_deep_top_level_json_is_malformed_json(self, client: TestClient) -> None:
        body = "[" * 10_000 + "]" * 10_000
        response = client.post(EVENTS, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400
        assert response.json() == {
            "type": "/problems/malformed-json",
            "title": "Malformed JSON",
            "status": 400,
            "detail": "request body is not valid JSON, or is nested too deeply to read",
            "instance": EVENTS,
        }


class TestSnippets:
    def test_record_text_is_escaped_and_only_mark_is_markup(self, client: TestClient) -> None:
        make_event(client, title="<script>alert(1)</script> zanzibar summit")
        response = client.get(EVENTS, params={"q": "zanzibar"})
        assert response.status_code == 200, response.text
        [item] = response.json()["items"]
        assert "<script>" not in item["match"]
        # SQLite keeps the tag as escaped text; PostgreSQL's headline parser drops tags.
        assert "&lt;script&gt;" in item["match"] or "script" not in item["match"]
        assert "<mark>zanzibar</mark>" in item["match"]
        assert item["match"].replace("<mark>", "").replace("</mark>", "").count("<") == 0

    def test_schema_says_it_is_escaped_html(self, client: TestClient) -> None:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        assert "escaped" in schemas["EventPublic"]["properties"]["match"]["description"]


class TestUnavailable:
    def test_503_logs_the_class_and_request_id(
        self, client: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        def down() -> None:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

        client.app.add_api_route("/down", down)  # type: ignore[attr-defined]
        with caplog.at_level(logging.WARNING, logger="geoevents.errors"):
            response = client.get("/down", headers={"X-Request-ID": "req-503"})
        assert response.status_code == 503
        assert response.json()["type"] == "/problems/database-unavailable"
        [record] = [r for r in caplog.records if r.name == "geoevents.errors"]
        assert "sqlalchemy.exc.OperationalError" in record.getMessage()
        assert "req-503" in record.getMessage()


def test_cors_exposes_idempotent_replayed() -> None:
    assert "Idempotent-Replayed" in CORS_EXPOSE_HEADERS
