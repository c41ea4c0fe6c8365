"""POST /api/v1/import: NDJSON in, one NDJSON result a line out."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.schemas.keys import KeyScope
from tests.conftest import app_on
from tests.factories import bearer, stored_key

IMPORT = "/api/v1/import"
NDJSON = {"Content-Type": "application/x-ndjson"}
SOURCE = {"type": "source", "slug": "wire", "kind": "report", "title": "Wire"}
EVENT = {
    "type": "event",
    "identifiers": {"gdelt": "42"},
    "title": "Talks",
    "event_type": "meeting",
    "status": "occurred",
    "start": "2019-09-12",
    "sources": [{"source": "wire"}],
}


def body(*records: dict[str, Any] | str) -> bytes:
    """NDJSON of `records` (strings sent as they are)."""
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode()


def answer(response: Any) -> list[dict[str, Any]]:
    """The NDJSON lines of an answer."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    return [json.loads(line) for line in response.text.splitlines()]


class TestImport:
    def test_answers_one_result_a_line_then_a_summary(self, client: TestClient) -> None:
        lines = answer(client.post(IMPORT, content=body(SOURCE, "oops", EVENT), headers=NDJSON))
        results, summary = lines[:-1], lines[-1]
        assert [(r["line"], r["status"], r.get("type")) for r in results] == [
            (1, "created", "source"),
            (2, "error", None),
            (3, "created", "event"),
        ]
        assert results[1]["problem"]["title"] == "Invalid line"
        assert summary == {
            "summary": {
                "created": 2,
                "updated": 0,
                "unchanged": 0,
                "skipped": 0,
                "error": 1,
                "committed": True,
            }
        }
        event = client.get("/api/v1/events", params={"identifier": "gdelt:42"}).json()["items"][0]
        assert (event["id"], event["slug"]) == (results[2]["id"], "talks")
        assert event["citations"][0]["source_id"] == results[0]["id"]

    def test_options_dry_run_and_update(self, client: TestClient) -> None:
        dry = answer(
            client.post(IMPORT, params={"dry_run": True}, content=body(SOURCE), headers=NDJSON)
        )
        assert dry[-1]["summary"]["committed"] is False
        assert client.get("/api/v1/sources/wire").status_code == 404
        answer(client.post(IMPORT, content=body(SOURCE), headers=NDJSON))
        changed = body(SOURCE | {"title": "Wire service"})
        lines = answer(
            client.post(IMPORT, params={"on_conflict": "update"}, content=changed, headers=NDJSON)
        )
        assert lines[0]["status"] == "updated"
        assert client.get("/api/v1/sources/wire").json()["title"] == "Wire service"

    def test_refuses_another_media_type_and_unknown_options(self, client: TestClient) -> None:
        response = client.post(IMPORT, json=SOURCE)
        assert response.status_code == 415
        assert response.json()["type"] == "/problems/unsupported-media-type"
        response = client.post(IMPORT, params={"conflict": "skip"}, content=b"", headers=NDJSON)
        assert response.status_code == 422

    def test_needs_the_write_scope(self, anonymous: TestClient, session: Session) -> None:
        response = anonymous.post(IMPORT, content=body(SOURCE), headers=NDJSON)
        assert response.status_code == 401
        reader = bearer(stored_key(session, KeyScope.read))
        response = anonymous.post(IMPORT, content=body(SOURCE), headers=NDJSON | reader)
        assert response.status_code == 403


@pytest.fixture
def limited(session: Session) -> Iterator[TestClient]:
    """A client on an app whose bodies are limited to 100 bytes, imports to 1000."""
    settings = Settings(max_body_bytes=100, import_max_body_bytes=1000)
    key = stored_key(session, KeyScope.write)
    app = app_on(session, settings)
    with TestClient(app, raise_server_exceptions=False, headers=bearer(key)) as client:
        yield client


class TestImportRateLimit:
    def test_one_request_costs_one_token_however_many_lines(self, session: Session) -> None:
        key = stored_key(session, KeyScope.write)
        app = app_on(session, Settings(rate_limit_per_minute=3))
        with TestClient(app, raise_server_exceptions=False, headers=bearer(key)) as client:
            many = body(*(SOURCE | {"slug": f"wire-{n}"} for n in range(20)))
            first = client.post(IMPORT, content=many, headers=NDJSON)
            second = client.post(IMPORT, content=many, headers=NDJSON)
        assert [first.headers["RateLimit-Remaining"], second.headers["RateLimit-Remaining"]] == [
            "2",
            "1",
        ]
        assert answer(second)[-1]["summary"]["unchanged"] == 20


class TestImportBodyLimit:
    def test_imports_have_their_own_larger_limit(self, limited: TestClient) -> None:
        lines = [SOURCE | {"slug": f"wire-{n}"} for n in range(3)]
        assert len(body(*lines)) > 100
        results = answer(limited.post(IMPORT, content=body(*lines), headers=NDJSON))
        assert [r.get("status") for r in results[:-1]] == ["created"] * 3
        response = limited.post(IMPORT, content=body(*lines * 5), headers=NDJSON)
        assert_problem_413(response)


def assert_problem_413(response: Any) -> None:
    """A 413 naming the import's limit."""
    assert response.status_code == 413
    assert response.json()["detail"] == "the request body is larger than the limit of 1000 bytes"


class TestNdjsonExport:
    def test_lists_answer_in_the_import_format(self, client: TestClient) -> None:
        participant = {"type": "participant", "slug": "usa", "name": "USA", "kind": "state"}
        event = EVENT | {"participants": [{"participant": "usa", "role": "initiator"}]}
        created = answer(
            client.post(IMPORT, content=body(SOURCE, participant, event), headers=NDJSON)
        )
        ids = [r["id"] for r in created[:-1]]
        response = client.get("/api/v1/events", headers={"Accept": "application/x-ndjson"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        assert [json.loads(line) for line in response.text.splitlines()] == [
            {
                "type": "event",
                "id": ids[2],
                "slug": "talks",
                "title": "Talks",
                "event_type": "meeting",
                "status": "occurred",
                "start": "2019-09-12",
                "certainty": "confirmed",
                "identifiers": {"gdelt": "42"},
                "sources": [{"source": ids[0]}],
                "participants": [{"participant": ids[1], "role": "initiator"}],
            }
        ]
        sources = client.get("/api/v1/sources", params={"format": "ndjson"})
        assert (
            sources.text
            == json.dumps(
                {"type": "source", "id": ids[0], "slug": "wire", "kind": "report", "title": "Wire"},
                separators=(",", ":"),
            )
            + "\n"
        )
        again = answer(client.post(IMPORT, content=response.content, headers=NDJSON))
        assert again[0]["status"] == "unchanged"
