"""The /sources endpoints: CRUD, the text's sha256 and quotes that must survive edits."""

import hashlib
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.schemas.sources import SHA256_DERIVED
from tests.factories import (
    ARTICLE_TEXT,
    assert_problem,
    make_claim,
    make_participant,
    make_role,
    make_source,
    unique_slug,
)

SOURCES = "/api/v1/sources"
ARTICLE_SHA256 = hashlib.sha256(ARTICLE_TEXT.encode("utf-8")).hexdigest()


def source_body(**fields: Any) -> dict[str, Any]:
    """A valid POST /sources body."""
    return {"slug": unique_slug("source"), "kind": "news_article", "title": "Sochi"} | fields


def without(record: dict[str, Any], *names: str) -> dict[str, Any]:
    """`record` without the fields `names`."""
    return {k: v for k, v in record.items() if k not in names}


def cite(client: TestClient, source: dict[str, Any]) -> dict[str, Any]:
    """A claim with an appearance quoting the article text of `source`."""
    appearance = {"source_id": source["slug"], "quote": "We are taking action"}
    return make_claim(client, claim_type="quote", appearances=[appearance])


SEEDED_ARTICLE = "breen-portnoy-netanyahu-putin-sochi-2019-09-12"


class TestCreateSource:
    def test_returns_201_with_location_and_the_source(self, client: TestClient) -> None:
        body = source_body(
            slug="jns-sochi",
            title="Netanyahu meets Putin in Sochi",
            author="Barney Breen-Portnoy",
            publisher="JNS",
            url="https://example.org/netanyahu-putin",
            published="2019-09-12",
            language="en",
            credits="Amos Ben-Gershom / GPO",
            text=ARTICLE_TEXT,
        )
        response = client.post(SOURCES, json=body)
        assert response.status_code == 201
        source = response.json()
        assert response.headers["location"] == f"/api/v1/sources/{source['id']}"
        assert uuid.UUID(source["id"]).version == 4
        assert without(source, "id", "created_at", "updated_at", "created_by", "updated_by") == {
            "slug": "jns-sochi",
            "kind": "news_article",
            "title": "Netanyahu meets Putin in Sochi",
            "author": "Barney Breen-Portnoy",
            "publisher": "JNS",
            "url": "https://example.org/netanyahu-putin",
            "citation": None,
            "published": {
                "edtf": "2019-09-12",
                "precision": "day",
                "earliest": "2019-09-12",
                "latest": "2019-09-12",
            },
            "language": "en",
            "credits": "Amos Ben-Gershom / GPO",
            "text": ARTICLE_TEXT,
            "sha256": ARTICLE_SHA256,
            "version": 1,
        }

    def test_stores_the_text_exactly_as_sent(self, client: TestClient) -> None:
        text = "  Putin met Netanyahu in Sochi.\n"
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        source = make_source(client, text=text)
        assert (source["text"], source["sha256"]) == (text, digest)

    def test_has_no_sha256_without_text(self, client: TestClient) -> None:
        source = make_source(client, text=None)
        assert (source["text"], source["sha256"]) == (None, None)

    @pytest.mark.parametrize("text", [None, ARTICLE_TEXT])
    def test_refuses_a_sha256_sent_by_hand(self, client: TestClient, text: str | None) -> None:
        response = client.post(SOURCES, json=source_body(text=text, sha256=ARTICLE_SHA256))
        assert_problem(response, 422, "invalid fields: sha256", locs=[["body", "sha256"]])
        assert response.json()["errors"][0]["msg"] == SHA256_DERIVED
        assert client.get(SOURCES).json()["items"] == []

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("language", "english!"),
            ("language", "e"),
            ("url", "not a url"),
            ("url", "ftp://example.org/a"),
            ("sha256", "XYZ"),
            ("published", "2019-13"),
            ("kind", "blog"),
        ],
    )
    def test_rejects_an_invalid_field(self, client: TestClient, field: str, value: str) -> None:
        response = client.post(SOURCES, json=source_body(**{field: value}))
        assert_problem(response, 422, f"invalid fields: {field}", locs=[["body", field]])

    def test_rejects_a_taken_slug_and_writes_nothing(self, client: TestClient) -> None:
        make_source(client, slug="jns-sochi")
        response = client.post(SOURCES, json=source_body(slug="jns-sochi"))
        detail = "source 'jns-sochi' conflicts with an existing record (a unique field is taken)"
        assert_problem(response, 409, detail)
        assert [s["slug"] for s in client.get(SOURCES).json()["items"]] == ["jns-sochi"]


class TestReadSource:
    def test_reads_by_id_and_by_slug(self, client: TestClient) -> None:
        source = make_source(client)
        assert client.get(f"{SOURCES}/{source['id']}").json() == source
        assert client.get(f"{SOURCES}/{source['slug']}").json() == source

    def test_unknown_source_is_404(self, client: TestClient) -> None:
        assert_problem(client.get(f"{SOURCES}/nowhere"), 404, "no source 'nowhere'")


class TestListSources:
    def test_walks_the_pages_in_creation_order(self, client: TestClient) -> None:
        sources = [make_source(client) for _ in range(3)]
        first = client.get(SOURCES, params={"limit": 2}).json()
        assert first["items"] == sources[:2]
        params: dict[str, str | int] = {"limit": 2, "cursor": first["next_cursor"]}
        second = client.get(SOURCES, params=params).json()
        assert second == {"items": sources[2:], "next_cursor": None}

    def test_rejects_an_unknown_parameter(self, client: TestClient) -> None:
        response = client.get(SOURCES, params={"colour": "red"})
        assert_problem(response, 422, "invalid fields: colour", locs=[["query", "colour"]])

    def test_rejects_a_cursor_of_another_list(self, client: TestClient) -> None:
        make_claim(client)
        make_claim(client)
        cursor = client.get("/api/v1/claims", params={"limit": 1}).json()["next_cursor"]
        response = client.get(SOURCES, params={"cursor": cursor})
        detail = "cursor belongs to another list or other filters; start again without it"
        assert_problem(response, 400, detail)


class TestUpdateSource:
    def test_changes_only_the_fields_sent(self, client: TestClient) -> None:
        source = make_source(client, author="Barney Breen-Portnoy")
        response = client.patch(f"{SOURCES}/{source['slug']}", json={"publisher": "JNS"})
        assert response.status_code == 200
        updated = response.json()
        assert updated["publisher"] == "JNS"
        assert updated["version"] == 2
        assert updated["updated_at"] != source["updated_at"]
        changed = ("publisher", "version", "updated_at")
        assert without(updated, *changed) == without(source, *changed)
        assert client.get(f"{SOURCES}/{source['id']}").json() == updated

    def test_refuses_another_text_than_the_recorded_sha256(self, client: TestClient) -> None:
        source = make_source(client)
        digest = hashlib.sha256(b"Another text.").hexdigest()
        detail = (
            f"the text's sha256 is {digest}, not the source's recorded {ARTICLE_SHA256}: it is "
            "not the text this source was recorded from; to replace it deliberately, first "
            'remove the stored text (`"text": null`), then send the new one'
        )
        response = client.patch(f"{SOURCES}/{source['id']}", json={"text": "Another text."})
        assert_problem(response, 409, detail)
        assert client.get(f"{SOURCES}/{source['id']}").json() == source
        removed = client.patch(f"{SOURCES}/{source['id']}", json={"text": None})
        assert removed.status_code == 200
        replaced = client.patch(f"{SOURCES}/{source['id']}", json={"text": "Another text."})
        assert (replaced.status_code, replaced.json()["sha256"]) == (200, digest)

    def test_refuses_another_text_than_the_seeds_recorded_sha256(
        self, seeded: Session, client: TestClient
    ) -> None:
        # The seed records the article's sha256 without its text: only that text may be added.
        article = client.get(f"{SOURCES}/{SEEDED_ARTICLE}").json()
        assert article["text"] is None
        assert article["sha256"] is not None
        response = client.patch(f"{SOURCES}/{SEEDED_ARTICLE}", json={"text": "Another text."})
        assert response.status_code == 409
        assert client.get(f"{SOURCES}/{SEEDED_ARTICLE}").json() == article

    def test_refuses_a_sha256_on_a_source_with_text(self, client: TestClient) -> None:
        source = make_source(client)
        response = client.patch(f"{SOURCES}/{source['id']}", json={"sha256": "0" * 64})
        assert_problem(response, 422, "invalid fields: sha256", locs=[["body", "sha256"]])
        assert response.json()["errors"][0]["msg"] == SHA256_DERIVED
        assert client.get(f"{SOURCES}/{source['id']}").json() == source

    def test_clears_the_sha256_with_the_text(self, client: TestClient) -> None:
        source = make_source(client)
        response = client.patch(f"{SOURCES}/{source['id']}", json={"text": None})
        assert (response.json()["text"], response.json()["sha256"]) == (None, None)

    def test_rejects_null_for_a_required_field(self, client: TestClient) -> None:
        source = make_source(client)
        response = client.patch(f"{SOURCES}/{source['id']}", json={"kind": None})
        assert_problem(response, 422, "kind: may not be null", locs=[["body", "kind"]])

    def test_accepts_a_text_that_keeps_every_quote(self, client: TestClient) -> None:
        source = make_source(client)
        cite(client, source)
        longer = ARTICLE_TEXT + " The election is on Tuesday."
        client.patch(f"{SOURCES}/{source['id']}", json={"text": None})
        response = client.patch(f"{SOURCES}/{source['id']}", json={"text": longer})
        assert response.status_code == 200
        assert response.json()["text"] == longer

    def test_refuses_a_text_that_breaks_a_quote(self, client: TestClient) -> None:
        source = make_source(client)
        cite(client, source)
        shorter = "Putin met Netanyahu in Sochi."
        detail = (
            "the new text no longer holds 1 quoted appearance(s) at their offsets; "
            "update or delete those appearances first"
        )
        removed = client.patch(f"{SOURCES}/{source['id']}", json={"text": None}).json()
        response = client.patch(f"{SOURCES}/{source['id']}", json={"text": shorter})
        assert_problem(response, 409, detail)
        assert client.get(f"{SOURCES}/{source['id']}").json() == removed


class TestDeleteSource:
    def test_deletes_the_source(self, client: TestClient) -> None:
        source = make_source(client)
        response = client.delete(f"{SOURCES}/{source['slug']}")
        assert response.status_code == 204
        assert response.content == b""
        gone = client.get(f"{SOURCES}/{source['id']}")
        assert gone.status_code == 410
        assert gone.json()["detail"].startswith(f"source '{source['id']}' was deleted at ")

    def test_refuses_while_an_appearance_cites_it(self, client: TestClient) -> None:
        source = make_source(client, slug="jns-sochi")
        cite(client, source)
        detail = "source 'jns-sochi' is still referenced by 1 claim appearances; delete those first"
        assert_problem(client.delete(f"{SOURCES}/{source['id']}"), 409, detail)
        assert client.get(f"{SOURCES}/{source['id']}").json() == source

    def test_refuses_while_a_role_cites_it(self, client: TestClient) -> None:
        source = make_source(client, slug="jns-sochi")
        make_role(client, make_participant(client)["id"], source_id=source["id"])
        detail = "source 'jns-sochi' is still referenced by 1 participant roles; delete those first"
        assert_problem(client.delete(f"{SOURCES}/{source['id']}"), 409, detail)

    def test_unknown_source_is_404(self, client: TestClient) -> None:
        assert_problem(client.delete(f"{SOURCES}/nowhere"), 404, "no source 'nowhere'")
