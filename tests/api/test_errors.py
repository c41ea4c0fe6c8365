"""Every error is an RFC 9457 problem document."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import build_engine, get_session
from app.main import create_app

PROBLEM = "application/problem+json"


class TestProblemDocuments:
    def test_unknown_route_is_404(self, client: TestClient) -> None:
        response = client.get("/api/v1/nowhere")
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        assert response.json() == {
            "type": "/problems/not-found",
            "title": "Not found",
            "status": 404,
            "detail": "no route matches /api/v1/nowhere",
            "instance": "/api/v1/nowhere",
        }

    def test_wrong_method_is_405(self, client: TestClient) -> None:
        response = client.put("/api/v1/events")
        assert response.status_code == 405
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["allow"] == "GET, POST"
        assert response.json() == {
            "type": "/problems/method-not-allowed",
            "title": "Method not allowed",
            "status": 405,
            "detail": "PUT is not allowed on /api/v1/events",
            "instance": "/api/v1/events",
        }

    def test_405_allow_lists_every_method_of_the_path(self, client: TestClient) -> None:
        response = client.put("/api/v1/events/some-event")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, PATCH, DELETE"

    def test_malformed_json_is_400(self, client: TestClient) -> None:
        response = client.post(
            "/api/v1/events", content=b"{bad", headers={"content-type": "application/json"}
        )
        assert response.status_code == 400
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert (body["type"], body["title"], body["detail"]) == (
            "/problems/malformed-json",
            "Malformed JSON",
            "request body is not valid JSON",
        )

    def test_validation_names_each_field(self, client: TestClient) -> None:
        body = {
            "slug": "x",
            "title": "t",
            "event_type": "meeting",
            "status": "occurred",
            "start": "2019-13",
            "location": {"country": "ZZ"},
        }
        response = client.post("/api/v1/events", json=body)
        assert response.status_code == 422
        problem = response.json()
        assert problem["type"] == "/problems/validation-error"
        assert problem["detail"] == "invalid fields: location.country, start"
        assert [(e["loc"], e["field"]) for e in problem["errors"]] == [
            (["body", "start"], "start"),
            (["body", "location", "country"], "location.country"),
        ]

    def test_unknown_record_is_404(self, client: TestClient) -> None:
        response = client.get("/api/v1/claims/no-such-claim")
        assert response.status_code == 404
        assert response.json()["detail"] == "no claim 'no-such-claim'"

    def test_problem_types_are_documented(self, client: TestClient) -> None:
        response = client.get("/problems/validation-error")
        assert response.status_code == 200
        assert response.json()["type"] == "/problems/validation-error"


class TestOperations:
    def test_health(self, client: TestClient) -> None:
        assert client.get("/health").json() == {"status": "ok"}

    def test_ready_names_the_database(self, client: TestClient) -> None:
        response = client.get("/ready")
        assert response.status_code == 200
        assert response.json()["status"] == "ready"
        assert response.json()["database"] in {"sqlite", "postgresql"}

    def test_request_bodies_have_seed_examples(self, client: TestClient) -> None:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        assert schemas["EventCreate"]["examples"][0]["slug"] == "netanyahu-putin-meeting-2019-09-12"
        assert schemas["ParticipantCreate"]["examples"][0]["identifiers"] == {"wikidata": "Q7747"}

    def test_docs_page_lists_every_resource(self, client: TestClient) -> None:
        assert client.get("/docs").status_code == 200
        spec = client.get("/openapi.json").json()
        tags = {
            tag for path in spec["paths"].values() for op in path.values() for tag in op["tags"]
        }
        assert {"events", "participants", "claims", "sources"} <= tags
        for path in spec["paths"].values():
            for operation in path.values():
                assert operation["summary"]
                assert "_api_v1_" not in operation["operationId"]


class TestDatabaseUnavailable:
    @pytest.fixture
    def offline_client(self) -> Iterator[TestClient]:
        """A client whose database refuses connections."""
        engine = build_engine("postgresql+psycopg://postgres@127.0.0.1:9/nowhere")
        app = create_app()

        def offline_session() -> Iterator[Session]:
            with Session(engine) as session:
                yield session

        app.dependency_overrides[get_session] = offline_session
        with TestClient(app, raise_server_exceptions=False) as test_client:
            yield test_client
        engine.dispose()

    def test_ready_is_503(self, offline_client: TestClient) -> None:
        response = offline_client.get("/ready")
        assert response.status_code == 503
        assert response.json()["type"] == "/problems/database-unavailable"

    def test_a_read_is_a_503_problem_with_retry_after(self, offline_client: TestClient) -> None:
        response = offline_client.get("/api/v1/events")
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["retry-after"] == "1"
        assert response.json()["detail"] == (
            "the database is busy or unreachable; nothing was written, retry shortly"
        )


@pytest.mark.parametrize(
    "slug", ["method-not-allowed", "write-outcome-unknown", "unsupported-media-type"]
)
def test_new_problem_types_are_documented(client: TestClient, slug: str) -> None:
    response = client.get(f"/problems/{slug}")
    assert response.status_code == 200
    assert response.json()["type"] == f"/problems/{slug}"
