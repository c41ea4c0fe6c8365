"""Conditional requests: ETag and Last-Modified on every record, If-None-Match, If-Match."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.factories import (
    assert_problem,
    make_claim,
    make_event,
    make_participant,
    make_source,
    unique_slug,
)

API = "/api/v1"


@dataclass(frozen=True)
class Kind:
    """A kind of record: where to POST it, a valid body, a valid PATCH and its error label."""

    label: str
    target: Callable[[TestClient], tuple[str, dict[str, Any]]]
    change: dict[str, Any]


KINDS = {
    "event": Kind(
        "event",
        lambda c: (
            "/events",
            {
                "slug": unique_slug("event"),
                "title": "A",
                "event_type": "meeting",
                "status": "occurred",
            },
        ),
        {"title": "Talks in Sochi"},
    ),
    "participant": Kind(
        "participant",
        lambda c: (
            "/participants",
            {"slug": unique_slug("p"), "name": "Someone", "kind": "person"},
        ),
        {"name": "Someone else"},
    ),
    "claim": Kind(
        "claim",
        lambda c: (
            "/claims",
            {"slug": unique_slug("claim"), "text": "Putin will visit.", "claim_type": "report"},
        ),
        {"text": "Putin will not visit."},
    ),
    "source": Kind(
        "source",
        lambda c: ("/sources", {"slug": unique_slug("s"), "kind": "news_article", "title": "A"}),
        {"title": "Netanyahu meets Putin"},
    ),
    "event participant": Kind(
        "event participant",
        lambda c: (
            f"/events/{make_event(c)['id']}/participants",
            {"participant_id": make_participant(c)["id"], "role": "host"},
        ),
        {"note": "arrived late"},
    ),
    "role": Kind(
        "participant role",
        lambda c: (f"/participants/{make_participant(c)['id']}/roles", {"title": "Minister"}),
        {"title": "Prime Minister"},
    ),
    "appearance": Kind(
        "appearance",
        lambda c: (
            f"/claims/{make_claim(c)['id']}/appearances",
            {"source_id": make_source(c)["id"], "quote": "Putin met Netanyahu"},
        ),
        {"confidence": 0.5},
    ),
}


@pytest.fixture(params=list(KINDS), ids=list(KINDS))
def kind(request: pytest.FixtureRequest) -> Kind:
    """Each kind of record in turn."""
    return KINDS[request.param]


def create(client: TestClient, kind: Kind) -> Response:
    """POST one record of `kind`; its URL is the response's Location."""
    collection, body = kind.target(client)
    response: Response = client.post(f"{API}{collection}", json=body)
    assert response.status_code == 201, response.text
    return response


def etag_of(record: dict[str, Any]) -> str:
    """The ETag a record's id and version give."""
    return f'"{record["id"]}.{record["version"]}"'


def assert_validators(response: Response) -> None:
    """The response carries the strong ETag and the Last-Modified of the record it returns."""
    record = response.json()
    assert response.headers["etag"] == etag_of(record)
    last_modified = response.headers["last-modified"]
    assert last_modified.endswith(" GMT")
    updated = dt.datetime.fromisoformat(record["updated_at"]).replace(microsecond=0)
    assert parsedate_to_datetime(last_modified) == updated


def stale_detail(kind: Kind, current: str) -> str:
    """The 412 detail when `current` is the record's ETag."""
    return (
        f"the {kind.label} has changed since it was read (its ETag is now {current}); "
        "read it again and reapply the change"
    )


class TestValidators:
    def test_post_returns_etag_and_last_modified(self, client: TestClient, kind: Kind) -> None:
        response = create(client, kind)
        assert response.json()["version"] == 1
        assert_validators(response)

    def test_get_returns_the_same_validators(self, client: TestClient, kind: Kind) -> None:
        created = create(client, kind)
        response = client.get(created.headers["location"])
        assert response.status_code == 200
        assert_validators(response)
        assert response.headers["etag"] == created.headers["etag"]

    def test_patch_returns_the_next_version(self, client: TestClient, kind: Kind) -> None:
        created = create(client, kind)
        response = client.patch(created.headers["location"], json=kind.change)
        assert response.status_code == 200
        assert response.json()["version"] == 2
        assert_validators(response)
        assert response.headers["etag"] != created.headers["etag"]


class TestIfNoneMatch:
    def test_current_etag_is_304_without_body(self, client: TestClient, kind: Kind) -> None:
        created = create(client, kind)
        etag = created.headers["etag"]
        response = client.get(created.headers["location"], headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == etag

    def test_stale_etag_is_200_with_the_record(self, client: TestClient, kind: Kind) -> None:
        created = create(client, kind)
        url, stale = created.headers["location"], created.headers["etag"]
        assert client.patch(url, json=kind.change).status_code == 200
        response = client.get(url, headers={"If-None-Match": stale})
        assert response.status_code == 200
        assert response.json()["version"] == 2
        assert_validators(response)

    @pytest.mark.parametrize(
        "header", ["*", '"other", {etag}', "W/{etag}", '"a",{etag} , "b"'], ids=str
    )
    def test_star_lists_and_weak_tags_match(self, client: TestClient, header: str) -> None:
        event = make_event(client)
        value = header.format(etag=etag_of(event))
        response = client.get(f"{API}/events/{event['id']}", headers={"If-None-Match": value})
        assert response.status_code == 304
        assert response.headers["etag"] == etag_of(event)

    def test_no_match_in_a_list_is_200(self, client: TestClient) -> None:
        event = make_event(client)
        headers = {"If-None-Match": f'"{event["id"]}.7", "other"'}
        response = client.get(f"{API}/events/{event['slug']}", headers=headers)
        assert response.status_code == 200
        assert response.json() == event

    def test_unknown_record_is_still_404(self, client: TestClient) -> None:
        response = client.get(f"{API}/events/no-such-event", headers={"If-None-Match": "*"})
        assert_problem(response, 404, "no event 'no-such-event'")


class TestIfMatchOnPatch:
    def test_lost_update_is_prevented(self, client: TestClient, kind: Kind) -> None:
        url = create(client, kind).headers["location"]
        first, second = client.get(url), client.get(url)
        read_etag = first.headers["etag"]
        assert second.headers["etag"] == read_etag
        edit = client.patch(url, json=kind.change, headers={"If-Match": read_etag})
        assert edit.status_code == 200
        current = edit.headers["etag"]
        other = {name: second.json()[name] for name in kind.change}
        response = client.patch(url, json=other, headers={"If-Match": read_etag})
        assert_problem(response, 412, stale_detail(kind, current))
        after = client.get(url)
        assert after.json() == edit.json()
        assert after.json()["version"] == 2
        assert after.headers["etag"] == current

    def test_without_if_match_the_write_proceeds(self, client: TestClient) -> None:
        event = make_event(client)
        url = f"{API}/events/{event['id']}"
        assert client.patch(url, json={"title": "One"}).status_code == 200
        response = client.patch(url, json={"title": "Two"})
        assert response.status_code == 200
        assert (response.json()["title"], response.json()["version"]) == ("Two", 3)

    @pytest.mark.parametrize("header", ["*", '"other", {etag}'], ids=str)
    def test_star_and_lists_match(self, client: TestClient, header: str) -> None:
        event = make_event(client)
        value = header.format(etag=etag_of(event))
        response = client.patch(
            f"{API}/events/{event['id']}", json={"title": "Talks"}, headers={"If-Match": value}
        )
        assert response.status_code == 200
        assert response.json()["version"] == 2

    def test_weak_tag_never_matches(self, client: TestClient) -> None:
        event = make_event(client)
        url = f"{API}/events/{event['id']}"
        response = client.patch(
            url, json={"title": "Talks"}, headers={"If-Match": f"W/{etag_of(event)}"}
        )
        assert_problem(response, 412, stale_detail(KINDS["event"], etag_of(event)))
        assert client.get(url).json() == event

    def test_unknown_record_is_404_before_412(self, client: TestClient) -> None:
        response = client.patch(
            f"{API}/sources/no-such-source", json={"title": "T"}, headers={"If-Match": '"x.1"'}
        )
        assert_problem(response, 404, "no source 'no-such-source'")


class TestIfMatchOnDelete:
    def test_stale_etag_is_412_and_the_record_stays(self, client: TestClient, kind: Kind) -> None:
        created = create(client, kind)
        url, stale = created.headers["location"], created.headers["etag"]
        current = client.patch(url, json=kind.change).headers["etag"]
        response = client.delete(url, headers={"If-Match": stale})
        assert_problem(response, 412, stale_detail(kind, current))
        kept = client.get(url)
        assert kept.status_code == 200
        assert kept.headers["etag"] == current

    def test_current_etag_deletes(self, client: TestClient, kind: Kind) -> None:
        created = create(client, kind)
        url = created.headers["location"]
        response = client.delete(url, headers={"If-Match": created.headers["etag"]})
        assert response.status_code == 204
        assert response.content == b""
        # A deleted record leaves a tombstone (410); a deleted sub-record is simply gone.
        tombstoned = url.count("/") == 4
        assert client.get(url).status_code == (410 if tombstoned else 404)


class TestDocumentation:
    def test_headers_and_statuses_are_documented(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        record = paths[f"{API}/claims/{{claim_id}}/appearances/{{appearance_id}}"]
        headers = {
            method: [p["name"] for p in op["parameters"] if p["in"] == "header"]
            for method, op in record.items()
        }
        assert headers == {
            "get": ["if-none-match"],
            "patch": ["if-match"],
            "delete": ["if-match"],
        }
        assert "304" in record["get"]["responses"]
        assert "412" in record["patch"]["responses"]
        assert "412" in record["delete"]["responses"]
        assert "problem+json" not in str(record["get"]["responses"]["304"])
