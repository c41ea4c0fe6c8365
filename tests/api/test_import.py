"""POST /api/v1/import: NDJSON in, one NDJSON result a line out."""

import hashlib
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


class TestKeyedImport:
    def test_a_keyed_dry_run_answers_and_replays(self, client: TestClient) -> None:
        keyed = NDJSON | {"Idempotency-Key": "dry-1"}
        url = f"{IMPORT}?dry_run=true&atomic=true"
        first = client.post(url, content=body(SOURCE), headers=keyed)
        again = client.post(url, content=body(SOURCE), headers=keyed)
        assert first.status_code == again.status_code == 200
        assert answer(first)[-1]["summary"]["committed"] is False
        assert again.text == first.text
        assert client.get("/api/v1/sources/wire").status_code == 404


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
                "provenance": "stated",
                "identifiers": {"gdelt": "42"},
                "sources": [{"source": ids[0]}],
                "participants": [
                    {"participant": ids[1], "role": "initiator", "provenance": "stated"}
                ],
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


ARTICLE = "Talks went well, the minister said."
RECORDED = hashlib.sha256(ARTICLE.encode()).hexdigest()
# A source whose text is not stored, as a dump writes it: with the sha256 it was recorded with.
RECORDED_SOURCE = SOURCE | {"sha256": RECORDED}
VERIFIED: dict[str, Any] = {
    "source_id": "wire",
    "quote": "Talks went well",
    "char_start": 0,
    "char_end": 15,
    "confidence": 1.0,
    "verification": "verified",
    "verified_sha256": RECORDED,
}
VERIFIED_CLAIM: dict[str, Any] = {
    "type": "claim",
    "slug": "went-well",
    "text": "Talks went well",
    "claim_type": "quote",
    "appearances": [VERIFIED],
}


@pytest.fixture
def writer(anonymous: TestClient, session: Session) -> TestClient:
    """A client sending a key with the write scope only."""
    anonymous.headers.update(bearer(stored_key(session, KeyScope.write)))
    return anonymous


class TestRestore:
    def test_a_write_key_cannot_send_recorded_hashes(self, writer: TestClient) -> None:
        lines = answer(writer.post(IMPORT, content=body(RECORDED_SOURCE), headers=NDJSON))
        assert lines[0]["status"] == "error"
        problem = lines[0]["problem"]
        assert problem["title"] == "Validation failed"
        assert [e["loc"] for e in problem["errors"]] == [["line", "sha256"]]
        assert "only a restore may send one" in problem["detail"]
        assert "admin key" in problem["detail"]
        assert writer.get("/api/v1/sources/wire").status_code == 404
        claim = body(SOURCE, VERIFIED_CLAIM)
        lines = answer(writer.post(IMPORT, content=claim, headers=NDJSON))
        assert [r["status"] for r in lines[:-1]] == ["created", "error"]
        errors = lines[1]["problem"]["errors"]
        assert [e["loc"] for e in errors] == [["line", "appearances", 0, "verified_sha256"]]
        assert writer.get("/api/v1/claims/went-well").status_code == 404

    def test_an_admin_key_restores_them(self, client: TestClient) -> None:
        lines = answer(
            client.post(IMPORT, content=body(RECORDED_SOURCE, VERIFIED_CLAIM), headers=NDJSON)
        )
        assert [r["status"] for r in lines[:-1]] == ["created", "created"]
        assert client.get("/api/v1/sources/wire").json()["sha256"] == RECORDED
        shown = client.get("/api/v1/claims/went-well/appearances").json()["items"]
        assert [(a["verification"], a["verified_sha256"], a["confidence"]) for a in shown] == [
            ("verified", RECORDED, 1.0)
        ]
        again = answer(
            client.post(IMPORT, content=body(RECORDED_SOURCE, VERIFIED_CLAIM), headers=NDJSON)
        )
        assert [r["status"] for r in again[:-1]] == ["unchanged", "unchanged"]

    def test_a_restored_hash_must_be_the_texts_and_the_sources(self, client: TestClient) -> None:
        other = "0" * 64
        wrong_text = RECORDED_SOURCE | {"text": "Another text", "slug": "other"}
        wrong_quote = VERIFIED_CLAIM | {"appearances": [VERIFIED | {"verified_sha256": other}]}
        lines = answer(
            client.post(
                IMPORT, content=body(wrong_text, RECORDED_SOURCE, wrong_quote), headers=NDJSON
            )
        )
        assert [r["status"] for r in lines[:-1]] == ["error", "created", "error"]
        assert lines[0]["problem"]["errors"][0]["loc"] == ["line", "sha256"]
        assert lines[2]["problem"]["detail"].endswith("source 'wire' has another sha256")
        assert client.get("/api/v1/claims/went-well").status_code == 404

    def test_verification_sent_must_be_what_the_import_finds(self, client: TestClient) -> None:
        unhashed = {k: v for k, v in VERIFIED.items() if k != "verified_sha256"}
        claim = VERIFIED_CLAIM | {"appearances": [unhashed | {"confidence": 0.5}]}
        lines = answer(client.post(IMPORT, content=body(SOURCE, claim), headers=NDJSON))
        assert lines[1]["status"] == "error"
        assert lines[1]["problem"]["errors"][0]["loc"] == [
            "line",
            "appearances",
            0,
            "verification",
        ]

    def test_an_unverified_quote_keeps_its_confidence(self, writer: TestClient) -> None:
        shown = {"source_id": "wire", "quote": "Talks went well", "confidence": 0.4}
        claim = VERIFIED_CLAIM | {"appearances": [shown | {"verification": "unverified"}]}
        lines = answer(writer.post(IMPORT, content=body(SOURCE, claim), headers=NDJSON))
        assert [r["status"] for r in lines[:-1]] == ["created", "created"]
        found = writer.get("/api/v1/claims/went-well/appearances").json()["items"]
        assert [(a["verification"], a["confidence"]) for a in found] == [("unverified", 0.4)]
        dumped = writer.get("/api/v1/claims", params={"format": "ndjson"}).text
        assert json.loads(dumped)["appearances"][0] == {
            "source_id": lines[0]["id"],
            "quote": "Talks went well",
            "confidence": 0.4,
            "verification": "unverified",
        }
        sure = claim | {"appearances": [shown | {"confidence": 1.0}]}
        update = {"on_conflict": "update"}
        refused = answer(writer.post(IMPORT, params=update, content=body(sure), headers=NDJSON))
        assert refused[0]["status"] == "error"
        assert refused[0]["problem"]["errors"][0]["loc"] == ["line", "appearances", 0, "confidence"]
        found = writer.get("/api/v1/claims/went-well/appearances").json()["items"]
        assert [(a["verification"], a["confidence"]) for a in found] == [("unverified", 0.4)]

    def test_a_text_must_be_the_one_a_source_was_recorded_from(self, client: TestClient) -> None:
        answer(client.post(IMPORT, content=body(RECORDED_SOURCE), headers=NDJSON))
        kept = answer(client.post(IMPORT, content=body(SOURCE), headers=NDJSON))
        assert kept[0]["status"] == "unchanged"
        other = SOURCE | {"text": "Another text"}
        update = {"on_conflict": "update"}
        lines = answer(client.post(IMPORT, params=update, content=body(other), headers=NDJSON))
        assert (lines[0]["status"], lines[0]["problem"]["title"]) == ("error", "Conflict")
        assert "not the text this source was recorded from" in lines[0]["problem"]["detail"]
        same = SOURCE | {"text": ARTICLE}
        lines = answer(client.post(IMPORT, params=update, content=body(same), headers=NDJSON))
        assert lines[0]["status"] == "updated"
        assert client.get("/api/v1/sources/wire").json()["sha256"] == RECORDED


class TestFidelity:
    def test_provenance_and_aliases_are_imported_and_checked(self, client: TestClient) -> None:
        role = {"title": "Member", "aliases": ["Member state"], "source_id": "wire"}
        person = {"type": "participant", "slug": "ru", "name": "Russia", "kind": "state"}
        assessed = {"provenance": "assessment", "provenance_basis": "The wire implies it."}
        event = EVENT | assessed | {"participants": [{"participant": "ru", "role": "initiator"}]}
        lines = answer(
            client.post(
                IMPORT, content=body(SOURCE, person | {"roles": [role]}, event), headers=NDJSON
            )
        )
        assert [r["status"] for r in lines[:-1]] == ["created"] * 3
        held = client.get("/api/v1/participants/ru/roles").json()["items"]
        assert [(r["aliases"], r["provenance"]) for r in held] == [(["Member state"], "stated")]
        stored = client.get(f"/api/v1/events/{lines[2]['id']}").json()
        assert (stored["provenance"], stored["provenance_basis"]) == tuple(assessed.values())
        background = role | {"provenance": "background"}
        unbased = EVENT | {"identifiers": {"gdelt": "43"}, "provenance": "assessment"}
        lines = answer(
            client.post(
                IMPORT,
                content=body(person | {"slug": "ru2", "roles": [background]}, unbased),
                headers=NDJSON,
            )
        )
        assert [r["problem"]["errors"][0]["loc"] for r in lines[:-1]] == [
            ["line", "roles", 0, "source_id"],
            ["line", "provenance_basis"],
        ]


def feed_end(client: TestClient) -> str | None:
    """The changes feed's cursor after everything written so far."""
    page = client.get("/api/v1/changes?limit=1000").json()
    while page["more"]:
        page = client.get(f"/api/v1/changes?limit=1000&since={page['next_cursor']}").json()
    cursor: str | None = page["next_cursor"]
    return cursor


class TestHistory:
    def test_every_imported_record_has_its_revision_and_feed_entry(
        self, client: TestClient
    ) -> None:
        since = feed_end(client)
        person = {"type": "participant", "slug": "envoy", "name": "Envoy", "kind": "person"}
        claim = {
            "type": "claim",
            "slug": "talks-said",
            "text": "Talks went well",
            "claim_type": "quote",
            "claimant_id": "envoy",
        }
        lines = answer(
            client.post(IMPORT, content=body(SOURCE, person, EVENT, claim), headers=NDJSON)
        )
        made = [(r["type"], r["id"]) for r in lines[:-1]]
        assert [r["status"] for r in lines[:-1]] == ["created"] * 4
        feed = client.get("/api/v1/changes", params={"since": since, "limit": 100}).json()
        # One commit writes a batch's records together, in no particular order.
        assert sorted((c["resource"], c["id"], c["operation"]) for c in feed["items"]) == sorted(
            (kind, ident, "create") for kind, ident in made
        )
        for kind, ident in made:
            found = client.get(f"/api/v1/{kind}s/{ident}/revisions").json()["items"]
            assert [(r["version"], r["operation"]) for r in found] == [(1, "create")]
            assert found[0]["changes"]["fields"]["id"] == [None, ident]
        event_id = made[2][1]
        [first] = client.get(f"/api/v1/events/{event_id}/revisions").json()["items"]
        assert [new["value"] for _, new in first["changes"]["event_identifier"].values()] == ["42"]
        assert [new["source_id"] for _, new in first["changes"]["event_source"].values()] == [
            made[0][1]
        ]

    def test_an_imported_update_is_the_next_revision(self, client: TestClient) -> None:
        answer(client.post(IMPORT, content=body(SOURCE, EVENT), headers=NDJSON))
        since = feed_end(client)
        changed = body(
            EVENT | {"title": "Talks again", "identifiers": {"gdelt": "42", "acled": "X"}}
        )
        update = {"on_conflict": "update"}
        lines = answer(client.post(IMPORT, params=update, content=changed, headers=NDJSON))
        assert lines[0]["status"] == "updated"
        event_id = lines[0]["id"]
        found = client.get(f"/api/v1/events/{event_id}/revisions").json()["items"]
        assert [(r["version"], r["operation"]) for r in found] == [(1, "create"), (2, "update")]
        assert found[1]["changes"]["fields"]["title"] == ["Talks", "Talks again"]
        [(old, new)] = found[1]["changes"]["event_identifier"].values()
        assert (old, new["value"]) == (None, "X")
        assert client.get(f"/api/v1/events/{event_id}").json()["version"] == 2
        feed = client.get("/api/v1/changes", params={"since": since}).json()
        assert [(c["id"], c["operation"]) for c in feed["items"]] == [(event_id, "update")]

    def test_a_deleted_records_id_and_slug_stay_unused(self, client: TestClient) -> None:
        [made, _] = answer(client.post(IMPORT, content=body(SOURCE), headers=NDJSON))
        assert client.delete(f"/api/v1/sources/{made['id']}").status_code == 204
        again = SOURCE | {"id": made["id"], "slug": "wire-2"}
        lines = answer(client.post(IMPORT, content=body(SOURCE, again), headers=NDJSON))
        assert [r["status"] for r in lines[:-1]] == ["error", "error"]
        assert all("never reused" in r["problem"]["detail"] for r in lines[:-1])
        untitled = {k: v for k, v in SOURCE.items() if k != "slug"}
        [fresh, _] = answer(client.post(IMPORT, content=body(untitled), headers=NDJSON))
        assert fresh["status"] == "created"
        slug = client.get(f"/api/v1/sources/{fresh['id']}").json()["slug"]
        assert slug != "wire"
        assert slug.startswith("wire-")
        found = client.get(f"/api/v1/sources/{fresh['id']}/revisions").json()["items"]
        assert [(r["version"], r["operation"]) for r in found] == [(1, "create")]
