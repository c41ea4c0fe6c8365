"""An import's update of a stored record is held to what the HTTP update checks."""

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_import import IMPORT, NDJSON, answer, body

UPDATE = {"on_conflict": "update"}
ARTICLE = "Talks went well, the minister said."
QUOTED = {"source_id": "wire", "quote": "Talks went well", "char_start": 0, "char_end": 15}
SOURCE = {"type": "source", "slug": "wire", "kind": "report", "title": "Wire"}
CLAIM = {
    "type": "claim",
    "slug": "went-well",
    "text": "Talks went well",
    "claim_type": "quote",
    "appearances": [QUOTED],
}
RECORDS: dict[str, dict[str, Any]] = {
    "source": {"kind": "report", "title": "Wire"},
    "participant": {"name": "Someone", "kind": "person"},
    "event": {"title": "Talks", "event_type": "meeting", "status": "occurred", "start": "2019"},
}


def verifications(client: TestClient) -> list[tuple[str, str | None]]:
    """How the claim's one appearance is verified, and against which sha256."""
    found = client.get("/api/v1/claims/went-well/appearances").json()["items"]
    return [(a["verification"], a["verified_sha256"]) for a in found]


class TestTextAddedToASource:
    def test_verifies_the_quotes_it_holds(self, client: TestClient) -> None:
        made = answer(client.post(IMPORT, content=body(SOURCE, CLAIM), headers=NDJSON))
        assert [r["status"] for r in made[:-1]] == ["created", "created"]
        assert verifications(client) == [("unverified", None)]
        texted = body(SOURCE | {"text": ARTICLE})
        lines = answer(client.post(IMPORT, params=UPDATE, content=texted, headers=NDJSON))
        assert lines[0]["status"] == "updated"
        digest = hashlib.sha256(ARTICLE.encode()).hexdigest()
        assert verifications(client) == [("verified", digest)]

    def test_is_refused_when_it_does_not_hold_them(self, client: TestClient) -> None:
        answer(client.post(IMPORT, content=body(SOURCE, CLAIM), headers=NDJSON))
        other = body(SOURCE | {"text": "Nothing of the sort."})
        lines = answer(client.post(IMPORT, params=UPDATE, content=other, headers=NDJSON))
        assert lines[0]["status"] == "error"
        assert lines[0]["problem"] == {
            "title": "Conflict",
            "detail": "the new text no longer holds 1 quoted appearance(s) at their offsets; "
            "update or delete those appearances first",
        }
        assert client.get("/api/v1/sources/wire").json()["text"] is None
        assert verifications(client) == [("unverified", None)]

    def test_as_a_patch_does(self, client: TestClient) -> None:
        answer(client.post(IMPORT, content=body(SOURCE, CLAIM), headers=NDJSON))
        patched = client.patch("/api/v1/sources/wire", json={"text": ARTICLE})
        assert patched.status_code == 200
        assert verifications(client) == [("verified", patched.json()["sha256"])]


class TestSlugOfADeletedRecord:
    @pytest.mark.parametrize("kind", list(RECORDS))
    def test_is_refused_per_line_as_by_the_http_update(self, client: TestClient, kind: str) -> None:
        fields = {"type": kind} | RECORDS[kind]
        gone, kept = (fields | {"slug": f"{kind}-gone"}), (fields | {"slug": f"{kind}-kept"})
        made = answer(client.post(IMPORT, content=body(gone, kept), headers=NDJSON))
        assert client.delete(f"/api/v1/{kind}s/{made[0]['id']}").status_code == 204
        renamed = kept | {"id": made[1]["id"], "slug": f"{kind}-gone"}
        lines = answer(
            client.post(IMPORT, params=UPDATE, content=body(renamed, kept), headers=NDJSON)
        )
        detail = (
            f"the slug '{kind}-gone' or the id belonged to a {kind} that was deleted or "
            "merged; slugs and ids are never reused"
        )
        assert [(r["status"], r.get("problem")) for r in lines[:-1]] == [
            ("error", {"title": "Conflict", "detail": detail}),
            ("unchanged", None),
        ]
        assert client.get(f"/api/v1/{kind}s/{kind}-kept").json()["id"] == made[1]["id"]
        patched = client.patch(f"/api/v1/{kind}s/{kind}-kept", json={"slug": f"{kind}-gone"})
        assert (patched.status_code, patched.json()["detail"]) == (409, detail)
