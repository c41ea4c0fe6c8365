"""The OpenAPI document as code generators and frontends read it, checked against the server."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from sqlmodel import Session

from app.config import Settings
from app.main import create_app
from app.openapi_clients import RESPONSE_HEADERS
from app.ratelimit import EXEMPT_PATHS
from tests.api.test_docs import operations
from tests.conftest import app_on
from tests.factories import bearer, make_claim, make_event, make_participant, make_source

API = "/api/v1"
MEETING = "netanyahu-putin-meeting-2019-09-12"
PAGES = {
    "AppearancePage",
    "ChangesPage",
    "ClaimPage",
    "EventPage",
    "EventParticipantPage",
    "KeyEventPage",
    "KeyPage",
    "ParticipantPage",
    "RevisionPage",
    "RolePage",
    "SourcePage",
    "TimelineItemPage",
}
HISTORY_PAGES = {"ChangesPage", "RevisionPage"}
# The headers this API itself sets; others (content type, CORS, security) are not operations'.
API_HEADERS = {name.lower() for name in RESPONSE_HEADERS}


def document(settings: Settings | None = None) -> dict[str, Any]:
    """The OpenAPI document of an app built with `settings`."""
    with TestClient(create_app(settings)) as test_client:
        spec: dict[str, Any] = test_client.get("/openapi.json").json()
    return spec


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    """The document with reads public (the default)."""
    return document(Settings(require_key_for_reads=False))


def lists(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every operation answering with a page."""
    return [
        (path, operation)
        for path, method, operation in operations(spec)
        if method == "get" and page_of(operation) is not None
    ]


def record_lists(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The lists of records: not a record's revisions nor the changes feed, whose items are
    changes (no field of a record to select; a record's revision count is its `version`)."""
    return [(path, op) for path, op in lists(spec) if page_of(op) not in HISTORY_PAGES]


def page_of(operation: dict[str, Any]) -> str | None:
    """The name of the page schema an operation answers with, if it does."""
    content = operation["responses"].get("200", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[1] if ref.endswith("Page") else None


def documented(spec: dict[str, Any], path: str, method: str, status: int) -> set[str]:
    """The header names documented on one response, lower-cased."""
    response = spec["paths"][path][method]["responses"][str(status)]
    return {name.lower() for name in response.get("headers", {})}


class TestNames:
    def test_validates_either_way(self, spec: dict[str, Any]) -> None:
        validate(spec)
        validate(document(Settings(require_key_for_reads=True)))

    def test_schema_names_are_plain_words(self, spec: dict[str, Any]) -> None:
        names = set(spec["components"]["schemas"])
        assert {n for n in names if not re.fullmatch(r"[A-Z][A-Za-z]+", n)} == set()
        assert {n for n in names if n.endswith("Page")} == PAGES

    def test_every_list_answers_with_a_named_page(self, spec: dict[str, Any]) -> None:
        assert {page_of(operation) for _, operation in lists(spec)} == PAGES
        assert len(record_lists(spec)) == 13


class TestListItems:
    def test_items_are_the_full_record(self, spec: dict[str, Any]) -> None:
        schemas = spec["components"]["schemas"]
        items = schemas["EventPage"]["properties"]["items"]["items"]
        assert items == {"$ref": "#/components/schemas/EventPublic"}
        assert "title" in schemas["EventPublic"]["required"]

    def test_every_list_takes_fields_and_include_total(self, spec: dict[str, Any]) -> None:
        schemas = spec["components"]["schemas"]
        for path, operation in record_lists(spec):
            parameters = {p["name"]: p for p in operation["parameters"]}
            assert {"fields", "include_total", "limit", "cursor"} <= set(parameters), path
            item = schemas[page_of(operation) or ""]["properties"]["items"]["items"]["$ref"]
            partial = f"{item.rsplit('/', 1)[1]}Fields"
            assert f"`{partial}`" in parameters["fields"]["description"], path
            assert schemas[partial]["required"] in (["id"], []), path

    def test_optional_parameters_never_take_null(self, spec: dict[str, Any]) -> None:
        for path, method, operation in operations(spec):
            for parameter in operation.get("parameters", []):
                text = str(parameter["schema"])
                assert "'null'" not in text, f"{method} {path} {parameter['name']}"
                assert parameter["schema"].get("default", "") is not None


class TestHeadersAndLimits:
    def test_every_response_names_its_request_id(self, spec: dict[str, Any]) -> None:
        for path, method, operation in operations(spec):
            for status in operation["responses"]:
                assert "x-request-id" in documented(spec, path, method, int(status)), path

    def test_every_limited_operation_documents_its_429(self, spec: dict[str, Any]) -> None:
        for path, method, operation in operations(spec):
            if path in EXEMPT_PATHS:
                assert "429" not in operation["responses"], path
                continue
            assert {"retry-after", "ratelimit-limit"} <= documented(spec, path, method, 429)
            for status in operation["responses"]:
                assert "ratelimit-remaining" in documented(spec, path, method, int(status))

    def test_the_headers_each_kind_of_operation_sends(self, spec: dict[str, Any]) -> None:
        assert {"link"} <= documented(spec, f"{API}/sources", "get", 200)
        assert {"etag", "last-modified"} <= documented(
            spec, f"{API}/events/{{event_id}}", "get", 304
        )
        assert {"etag", "last-modified"} <= documented(
            spec, f"{API}/claims/{{claim_id}}", "patch", 200
        )
        created = documented(spec, f"{API}/events", "post", 201)
        assert {"location", "etag", "idempotent-replayed"} <= created
        assert "retry-after" in documented(spec, f"{API}/events", "post", 409)
        assert "www-authenticate" in documented(spec, f"{API}/events", "post", 401)


class TestAccess:
    def test_public_reads_show_no_padlock_and_no_403(self, spec: dict[str, Any]) -> None:
        for path, method, operation in operations(spec):
            if not path.startswith(API):
                continue
            keys = path.startswith(f"{API}/keys")
            if method == "get" and not keys:
                assert "security" not in operation, path
                assert "403" not in operation["responses"], path
                assert "401" in operation["responses"], path
            else:
                assert operation["security"] == [{"apiKey": []}], f"{method} {path}"
                assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"

    def test_keyed_reads_keep_the_padlock(self) -> None:
        keyed = document(Settings(require_key_for_reads=True))
        read = keyed["paths"][f"{API}/events"]["get"]
        assert read["security"] == [{"apiKey": []}]
        assert {"401", "403"} <= set(read["responses"])
        assert "Every request needs a key" in keyed["info"]["description"]

    def test_the_introduction_explains_keys(self, spec: dict[str, Any]) -> None:
        intro = spec["info"]["description"]
        for words in ("Reads are public", "POST /api/v1/keys", "Scopes", "RATE_LIMIT_PER_MINUTE"):
            assert words in intro


@pytest.fixture
def limited(seeded: Session) -> Iterator[TestClient]:
    """A client without a key on an app allowing three anonymous requests a minute."""
    app = app_on(seeded, Settings(anonymous_rate_limit_per_minute=3))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


class TestSentHeadersAreDocumented:
    """Each header of this API the server sends is documented on the response it comes with."""

    def check(self, spec: dict[str, Any], template: str, response: Any) -> None:
        sent = {name.lower() for name in response.headers} & API_HEADERS
        method = response.request.method.lower()
        assert sent - documented(spec, template, method, response.status_code) == set()

    def test_reads_and_lists(
        self, spec: dict[str, Any], seeded: Session, client: TestClient
    ) -> None:
        read = client.get(f"{API}/events/{MEETING}")
        assert {"etag", "last-modified", "x-request-id", "ratelimit-limit"} <= set(read.headers)
        self.check(spec, f"{API}/events/{{event_id}}", read)
        again = client.get(
            f"{API}/events/{MEETING}", headers={"If-None-Match": read.headers["etag"]}
        )
        assert again.status_code == 304
        self.check(spec, f"{API}/events/{{event_id}}", again)
        page = client.get(f"{API}/sources", params={"limit": 1, "include_total": True})
        self.check(spec, f"{API}/sources", page)
        self.check(spec, f"{API}/events/{{event_id}}", client.get(f"{API}/events/nothing"))

    def test_writes(self, spec: dict[str, Any], client: TestClient) -> None:
        body = {"slug": "sent-headers", "title": "T", "event_type": "meeting", "status": "occurred"}
        key = {"Idempotency-Key": "sent-headers-1"}
        first = client.post(f"{API}/events", json=body, headers=key)
        replay = client.post(f"{API}/events", json=body, headers=key)
        assert replay.headers["idempotent-replayed"] == "true"
        for response in (first, replay):
            self.check(spec, f"{API}/events", response)
        patched = client.patch(f"{API}/events/sent-headers", json={"title": "U"})
        self.check(spec, f"{API}/events/{{event_id}}", patched)
        self.check(spec, f"{API}/events", client.post(f"{API}/events", json={}))

    def test_refusals(self, spec: dict[str, Any], limited: TestClient) -> None:
        unknown = limited.post(f"{API}/events", json={}, headers=bearer("ge_unknown"))
        assert unknown.status_code == 401
        self.check(spec, f"{API}/events", unknown)
        statuses = [limited.get(f"{API}/events").status_code for _ in range(4)]
        assert statuses[-1] == 429
        self.check(spec, f"{API}/events", limited.get(f"{API}/events"))


class TestEveryListShapes:
    @pytest.mark.parametrize(
        ("path", "field"),
        [
            ("/sources", "title"),
            ("/participants/{participant}/events", "role"),
            ("/events/{event}/participants", "role"),
            ("/participants/{participant}/roles", "title"),
            ("/claims/{claim}/appearances", "quote"),
            ("/participants/{participant}/timeline", "kind"),
            ("/keys", "name"),
        ],
    )
    def test_fields_and_include_total(self, client: TestClient, path: str, field: str) -> None:
        participant = make_participant(client)
        event = make_event(client)
        client.post(
            f"{API}/events/{event['id']}/participants",
            json={"participant_id": participant["id"], "role": "host"},
        )
        client.post(f"{API}/participants/{participant['id']}/roles", json={"title": "Envoy"})
        source = make_source(client)
        claim = make_claim(client, appearances=[{"source_id": source["id"], "quote": "Putin"}])
        url = API + path.format(participant=participant["id"], event=event["id"], claim=claim["id"])
        whole = client.get(url, params={"include_total": True})
        assert whole.status_code == 200, whole.text
        assert whole.json()["total"] == len(whole.json()["items"]) >= 1
        shaped = client.get(url, params={"fields": field, "limit": 1})
        assert shaped.status_code == 200, shaped.text
        [item] = shaped.json()["items"]
        assert set(item) <= {"id", field}
        assert field in item

    def test_a_field_a_list_lacks_is_a_422(self, client: TestClient) -> None:
        response = client.get(f"{API}/sources", params={"fields": "title,weather"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "fields"]

    def test_sub_lists_link_their_next_page(self, client: TestClient) -> None:
        participant = make_participant(client)
        for title in ("Envoy", "Minister"):
            client.post(f"{API}/participants/{participant['id']}/roles", json={"title": title})
        first = client.get(f"{API}/participants/{participant['id']}/roles", params={"limit": 1})
        following = first.links["next"]["url"]
        assert client.get(following).json()["items"][0]["title"] in {"Envoy", "Minister"}
        assert client.get(following).json()["next_cursor"] is None
