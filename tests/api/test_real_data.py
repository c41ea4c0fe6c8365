"""Events with identifiers, measures and cited sources; shared codes; slugs made for you."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.services import paging
from tests.factories import (
    assert_problem,
    make_event,
    make_event_participant,
    make_participant,
    make_source,
)

EVENTS = "/api/v1/events"
GDELT_MEASURES = {
    "goldstein": -2.5,
    "quad_class": 3,
    "tone": -4.25,
    "num_mentions": 10,
    "num_sources": 2,
    "num_articles": 8,
    "fatalities": 0,
}


def slugs_of(client: TestClient, **params: Any) -> list[str]:
    """The slugs of the first page of GET /events with `params`."""
    response = client.get(EVENTS, params=params)
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


class TestEventIdentifiers:
    def test_are_stored_and_filtered_on(self, client: TestClient) -> None:
        event = make_event(client, identifiers={"gdelt": "864104301", "wikidata": "Q42"})
        make_event(client, identifiers={"gdelt": "864104302"})
        assert event["identifiers"] == {"gdelt": "864104301", "wikidata": "Q42"}
        assert slugs_of(client, identifier="gdelt:864104301") == [event["slug"]]
        assert slugs_of(client, identifier="wikidata:Q42") == [event["slug"]]
        assert slugs_of(client, identifier="gdelt:1") == []

    def test_a_taken_identifier_is_a_409(self, client: TestClient) -> None:
        make_event(client, identifiers={"gdelt": "7"})
        response = client.post(
            EVENTS,
            json={"title": "Again", "event_type": "other", "status": "occurred"}
            | {"identifiers": {"gdelt": "7"}},
        )
        assert_problem(response, 409, "gdelt identifier 7 already belongs to another event")

    def test_a_malformed_or_unknown_identifier_is_a_422(self, client: TestClient) -> None:
        for identifiers in ({"gdelt": "12a"}, {"cameo": "USA"}):
            body = {"title": "T", "event_type": "other", "status": "occurred"}
            response = client.post(EVENTS, json=body | {"identifiers": identifiers})
            assert response.status_code == 422, response.text
            assert response.json()["errors"][0]["loc"] == ["body", "identifiers"]
        response = client.get(EVENTS, params={"identifier": "gdelt:x"})
        assert response.json()["errors"][0]["loc"] == ["query", "identifier", 0]

    def test_update_replaces_them(self, client: TestClient) -> None:
        event = make_event(client, identifiers={"gdelt": "5"})
        patch = {"identifiers": {"acled": "SYR1"}}
        response = client.patch(f"{EVENTS}/{event['slug']}", json=patch)
        assert response.json()["identifiers"] == {"acled": "SYR1"}
        assert slugs_of(client, identifier="gdelt:5") == []


class TestEventMeasures:
    def test_are_stored_and_range_filtered(self, client: TestClient) -> None:
        event = make_event(client, **GDELT_MEASURES)
        calm = make_event(client, goldstein=7.0, quad_class=1)
        assert {k: event[k] for k in GDELT_MEASURES} == GDELT_MEASURES
        assert slugs_of(client, goldstein_max=-2.5) == [event["slug"]]
        assert slugs_of(client, goldstein_min=0) == [calm["slug"]]
        assert slugs_of(client, quad_class_min=3, quad_class_max=4) == [event["slug"]]
        assert slugs_of(client, fatalities_min=0, num_articles_min=8) == [event["slug"]]
        assert slugs_of(client, tone_min=-5, tone_max=-4) == [event["slug"]]

    def test_out_of_range_is_a_422(self, client: TestClient) -> None:
        for field, value in (("goldstein", 10.5), ("quad_class", 5), ("num_mentions", -1)):
            body = {"title": "T", "event_type": "other", "status": "occurred", field: value}
            response = client.post(EVENTS, json=body)
            assert response.json()["errors"][0]["loc"] == ["body", field]
        response = client.get(EVENTS, params={"goldstein_min": 3, "goldstein_max": 1})
        assert_problem(
            response,
            422,
            "goldstein_max: is less than goldstein_min",
            locs=[["query", "goldstein_max"]],
        )

    def test_counts_stop_at_the_largest_32_bit_integer(self, client: TestClient) -> None:
        largest = 2**31 - 1
        event = make_event(client, num_mentions=largest, fatalities=largest)
        assert [event["num_mentions"], event["fatalities"]] == [largest, largest]
        for field in ("num_mentions", "num_sources", "num_articles", "fatalities"):
            body = {"title": "T", "event_type": "other", "status": "occurred", field: 2**31}
            response = client.post(EVENTS, json=body)
            assert response.status_code == 422
            assert response.json()["errors"][0]["loc"] == ["body", field]
            for path, extra in ((EVENTS, {}), (f"{EVENTS}/stats", {"group_by": "year"})):
                response = client.get(path, params={f"{field}_min": 2**31} | extra)
                assert response.status_code == 422
                assert response.json()["errors"][0]["loc"] == ["query", f"{field}_min"]
        line = {"type": "event", "title": "T", "event_type": "other", "status": "occurred"}
        response = client.post(
            "/api/v1/import",
            content=json.dumps(line | {"num_articles": 2**31}),
            headers={"Content-Type": "application/x-ndjson"},
        )
        result = json.loads(response.text.splitlines()[0])
        assert result["status"] == "error"
        assert result["problem"]["errors"][0]["field"] == "num_articles"


class TestEventCitations:
    def test_are_listed_filtered_and_expanded(self, client: TestClient) -> None:
        source = make_source(client)
        event = make_event(client, sources=[{"source": source["slug"], "locator": "para. 3"}])
        make_event(client)
        assert event["citations"] == [
            {"source_id": source["id"], "locator": "para. 3", "note": None}
        ]
        assert slugs_of(client, source=source["slug"]) == [event["slug"]]
        expanded = client.get(f"{EVENTS}/{event['id']}", params={"expand": "sources"}).json()
        assert [s["slug"] for s in expanded["sources"]] == [source["slug"]]

    def test_an_unknown_source_is_a_422(self, client: TestClient) -> None:
        body = {"title": "T", "event_type": "other", "status": "occurred"}
        response = client.post(EVENTS, json=body | {"sources": [{"source": "nowhere"}]})
        assert_problem(
            response,
            422,
            "sources.0.source: no source 'nowhere'",
            locs=[["body", "sources", 0, "source"]],
        )

    def test_a_cited_source_cannot_be_deleted(self, client: TestClient) -> None:
        source = make_source(client)
        make_event(client, sources=[{"source": source["id"]}])
        response = client.delete(f"/api/v1/sources/{source['id']}")
        assert_problem(
            response,
            409,
            f"source '{source['slug']}' is still referenced by 1 event citations; "
            "delete those first",
        )


class TestSharedCodes:
    def test_participants_may_share_a_cameo_code_not_a_wikidata_item(
        self, client: TestClient
    ) -> None:
        usa = make_participant(client, name="UNITED STATES", identifiers={"cameo": "USA"})
        capital = make_participant(client, name="WASHINGTON", identifiers={"cameo": "USA"})
        found = client.get("/api/v1/participants", params={"identifier": "cameo:USA"}).json()
        assert [p["id"] for p in found["items"]] == [usa["id"], capital["id"]]
        make_participant(client, identifiers={"wikidata": "Q30"})
        body = {"name": "Again", "kind": "state", "identifiers": {"wikidata": "Q30"}}
        response = client.post("/api/v1/participants", json=body)
        assert_problem(
            response, 409, "wikidata identifier Q30 already belongs to another participant"
        )

    def test_initiator_and_recipient_roles(self, client: TestClient) -> None:
        event = make_event(client)
        for role in ("initiator", "recipient"):
            link = make_event_participant(
                client, event["id"], make_participant(client)["id"], role=role
            )
            assert link["role"] == role


class TestKosovoAndCitations:
    def test_xk_and_xkx_are_kosovo(self, client: TestClient) -> None:
        assert make_participant(client, country="XKX", kind="state")["country"] == "XK"
        event = make_event(client, location={"country": "XK", "name": "Pristina"})
        assert event["location"]["country"] == "XK"
        assert slugs_of(client, country="XK") == [event["slug"]]

    def test_a_source_may_be_a_citation_but_a_url_has_no_spaces(self, client: TestClient) -> None:
        source = make_source(client, citation="BBC Monitoring")
        assert (source["url"], source["citation"]) == (None, "BBC Monitoring")
        body = {"kind": "news_article", "title": "T", "url": "https://a b"}
        response = client.post("/api/v1/sources", json=body)
        assert response.json()["errors"][0]["loc"] == ["body", "url"]


class TestGeneratedSlugs:
    def test_made_from_the_title_unique_and_stable(self, client: TestClient) -> None:
        body = {"title": "Putin meets Netanyahu!", "event_type": "meeting", "status": "occurred"}
        first = client.post(EVENTS, json=body).json()
        second = client.post(EVENTS, json=body).json()
        assert first["slug"] == "putin-meets-netanyahu"
        assert second["slug"] == f"putin-meets-netanyahu-{second['id'].replace('-', '')[:8]}"
        renamed = client.patch(f"{EVENTS}/{first['id']}", json={"title": "Other"}).json()
        assert renamed["slug"] == "putin-meets-netanyahu"

    def test_for_participants_sources_and_claims(self, client: TestClient) -> None:
        person = client.post(
            "/api/v1/participants", json={"name": "Benjamin Netanyahu", "kind": "person"}
        )
        assert person.json()["slug"] == "benjamin-netanyahu"
        source = client.post("/api/v1/sources", json={"kind": "report", "title": "Über Sochi"})
        assert source.json()["slug"] == "uber-sochi"
        claim = client.post("/api/v1/claims", json={"text": "We act.", "claim_type": "quote"})
        assert claim.json()["slug"] == "we-act"


REAL_DATA_QUERIES = [
    {"goldstein_min": -3, "sort": "-start"},
    {"quad_class_min": 2, "quad_class_max": 4, "participant": "real-data-actor"},
    {"identifier": ["gdelt:101", "gdelt:103", "gdelt:104"], "sort": "title"},
    {"source": "real-data-wire", "participant": "real-data-actor", "sort": "start"},
    {"fatalities_min": 1, "num_mentions_max": 30, "sort": "-updated_at"},
]


@pytest.mark.parametrize("params", REAL_DATA_QUERIES)
def test_page_order_and_matches_first_agree_on_real_data_filters(
    client: TestClient, params: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_source(client, slug="real-data-wire")
    actor = make_participant(client, slug="real-data-actor")
    for n in range(6):
        event = make_event(
            client,
            title=f"Event {5 - n}",
            start=f"2019-09-{10 + n}",
            identifiers={"gdelt": str(100 + n)},
            goldstein=-5.0 + 2 * n,
            quad_class=1 + n % 4,
            fatalities=n % 3,
            num_mentions=10 * n,
            sources=[{"source": source["id"]}] if n % 2 else [],
        )
        if n != 3:
            make_event_participant(client, event["id"], actor["id"], role="initiator")
    monkeypatch.setattr(paging, "DENSE", 1)
    in_page_order = walk(client, params)
    monkeypatch.setattr(paging, "DENSE", 10**9)
    assert walk(client, params) == in_page_order
    assert in_page_order


def walk(client: TestClient, params: dict[str, Any]) -> list[str]:
    """Every slug of GET /events with `params`, two at a time."""
    slugs: list[str] = []
    cursor = None
    while True:
        page = client.get(
            EVENTS, params=params | {"limit": 2} | ({"cursor": cursor} if cursor else {})
        )
        assert page.status_code == 200, page.text
        slugs += [item["slug"] for item in page.json()["items"]]
        if (cursor := page.json()["next_cursor"]) is None:
            return slugs
