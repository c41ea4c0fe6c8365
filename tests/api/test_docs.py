"""The API's manual: offline docs pages and a complete, valid OpenAPI document."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from pydantic import BaseModel

from app.main import create_app
from app.schemas.claims import ClaimUpdate
from app.schemas.events import EventParticipantUpdate, EventPublic, EventUpdate
from app.schemas.participants import ParticipantPublic

PROBLEM = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


@pytest.fixture(scope="module")
def docs_client() -> Iterator[TestClient]:
    """A client on a fresh app; nothing here touches the database."""
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def spec(docs_client: TestClient) -> dict[str, Any]:
    """The served OpenAPI document."""
    document: dict[str, Any] = docs_client.get("/openapi.json").json()
    return document


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (path, method, operation) of the document."""
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def is_problem(response: dict[str, Any]) -> bool:
    """The documented response is the Problem schema, as problem+json only."""
    return response.get("content") == {PROBLEM: {"schema": {"$ref": PROBLEM_REF}}}


class TestDocsPages:
    @pytest.mark.parametrize("page", ["/docs", "/redoc"])
    def test_page_loads_only_local_assets(self, docs_client: TestClient, page: str) -> None:
        response = docs_client.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "cdn" not in response.text.lower()
        assets = ASSET.findall(response.text)
        assert len(assets) >= 2
        for url in assets:
            assert url.startswith("/static-docs/"), url
            asset = docs_client.get(url)
            assert asset.status_code == 200, url
            assert asset.headers["content-type"].split(";")[0] in {
                "text/javascript",
                "application/javascript",
                "text/css",
                "image/png",
            }, url

    def test_swagger_ui_loads_script_and_stylesheet(self, docs_client: TestClient) -> None:
        assets = ASSET.findall(docs_client.get("/docs").text)
        assert "/static-docs/swagger-ui-bundle.js" in assets
        assert "/static-docs/swagger-ui.css" in assets

    def test_redoc_loads_its_script(self, docs_client: TestClient) -> None:
        assert "/static-docs/redoc.standalone.js" in ASSET.findall(docs_client.get("/redoc").text)

    def test_oauth2_redirect_page(self, docs_client: TestClient) -> None:
        response = docs_client.get("/docs/oauth2-redirect")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")

    def test_pages_are_not_operations(self, spec: dict[str, Any]) -> None:
        assert not {"/docs", "/redoc", "/docs/oauth2-redirect"} & set(spec["paths"])


class TestOpenAPIDocument:
    def test_validates(self, spec: dict[str, Any]) -> None:
        assert spec["openapi"].startswith("3.1")
        validate(spec)

    def test_every_operation_is_described(self, spec: dict[str, Any]) -> None:
        for path, method, operation in operations(spec):
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            assert operation.get("description"), where
            assert operation.get("tags"), where
            assert SNAKE_CASE.match(operation["operationId"]), where
            assert "_api_v1_" not in operation["operationId"], where

    def test_operation_ids_are_unique(self, spec: dict[str, Any]) -> None:
        ids = [operation["operationId"] for _, _, operation in operations(spec)]
        assert len(ids) == len(set(ids))

    def test_every_error_is_a_problem(self, spec: dict[str, Any]) -> None:
        for path, method, operation in operations(spec):
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    assert is_problem(response), f"{method.upper()} {path} {status}"

    def test_input_errors_are_documented(self, spec: dict[str, Any]) -> None:
        for path, method, operation in operations(spec):
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            kinds = {p["in"] for p in operation.get("parameters", [])}
            if "requestBody" in operation or "query" in kinds:
                assert "422" in responses, where
            if "path" in kinds:
                assert "404" in responses, where

    def test_database_outage_is_documented(self, spec: dict[str, Any]) -> None:
        for path, method, operation in operations(spec):
            if path.startswith("/api/v1/"):
                assert "503" in operation["responses"], f"{method.upper()} {path}"

    def test_validation_error_schemas_are_gone(self, spec: dict[str, Any]) -> None:
        schemas = spec["components"]["schemas"]
        assert "HTTPValidationError" not in schemas
        assert "ValidationError" not in schemas
        assert "Problem" in schemas


class TestExamples:
    @pytest.mark.parametrize(
        ("name", "model"),
        [
            ("EventUpdate", EventUpdate),
            ("EventParticipantUpdate", EventParticipantUpdate),
            ("ClaimUpdate", ClaimUpdate),
            ("EventPublic", EventPublic),
            ("ParticipantPublic", ParticipantPublic),
        ],
    )
    def test_example_is_a_valid_body(
        self, spec: dict[str, Any], name: str, model: type[BaseModel]
    ) -> None:
        [example] = spec["components"]["schemas"][name]["examples"]
        model.model_validate(example)

    def test_update_example_patches_the_september_election(self, spec: dict[str, Any]) -> None:
        [example] = spec["components"]["schemas"]["EventUpdate"]["examples"]
        assert example == {"status": "occurred", "status_as_of": "2019-09-17"}

    def test_event_example_is_the_seeded_meeting(self, spec: dict[str, Any]) -> None:
        [example] = spec["components"]["schemas"]["EventPublic"]["examples"]
        assert example["slug"] == "netanyahu-putin-meeting-2019-09-12"
        assert example["start"] == {
            "edtf": "2019-09-12",
            "precision": "day",
            "earliest": "2019-09-12",
            "latest": "2019-09-12",
        }
        assert example["location"]["country"] == "RU"
        assert [h["status"] for h in example["status_history"]] == ["occurred"]
