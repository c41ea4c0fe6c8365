"""GET /events?q=: full-text search, the same answers on SQLite FTS5 and PostgreSQL."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import assert_problem, make_event

EVENTS = "/api/v1/events"
VISIT = "netanyahu-visit-sochi-2019-09-12"
MEETING = "netanyahu-putin-meeting-2019-09-12"
SHOIGU_MEETING = "netanyahu-shoigu-meeting-2019-09-12"
ELECTIONS = [
    "knesset-election-2019-04-09",
    "netanyahu-coalition-failure-2019-05",
    "knesset-dispersal-2019-05",
    "knesset-election-2019-09-17",
]
WITH_PUTIN = [VISIT, MEETING, "rivlin-invites-putin-to-israel", "putin-visit-israel-2020"]
NO_WORDS = "q: has no searchable words (only stop words or symbols)"


def search(client: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    """Every event GET /events returns for `q`."""
    response = client.get(EVENTS, params={"q": q, "limit": 500} | params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def slugs(client: TestClient, q: str, **params: Any) -> list[str]:
    """The slugs of every event GET /events returns for `q`."""
    return [item["slug"] for item in search(client, q, **params)]


def _walk(client: TestClient, params: dict[str, Any], limit: int) -> list[str]:
    """The slugs of every page of GET /events for `params`, following the cursors."""
    found: list[str] = []
    cursor = None
    while True:
        paged = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = client.get(EVENTS, params=params | paged).json()
        found += [item["slug"] for item in body["items"]]
        if (cursor := body["next_cursor"]) is None:
            return found


class TestListEventsSearchWords:
    @pytest.mark.parametrize("q", ["elections", "election", "elected", "ELECTION"])
    def test_stems_the_words(self, seeded: Session, client: TestClient, q: str) -> None:
        assert slugs(client, q) == ELECTIONS

    def test_every_word_must_match(self, seeded: Session, client: TestClient) -> None:
        assert slugs(client, "Putin") == WITH_PUTIN
        assert slugs(client, "Putin Sochi") == [VISIT, MEETING]
        assert slugs(client, "Putin Shoigu") == [VISIT]
        assert slugs(client, "Putin Shoigu Gantz") == []

    def test_searches_title_and_summary(self, seeded: Session, client: TestClient) -> None:
        assert slugs(client, "disperse") == ["knesset-dispersal-2019-05"]
        assert slugs(client, "Krasnodar") == []
        assert slugs(client, "resort") == [VISIT]

    def test_drops_stop_words(self, seeded: Session, client: TestClient) -> None:
        assert slugs(client, "the Blue and the White") == ["knesset-election-2019-09-17"]

    @pytest.mark.parametrize(
        "q",
        [
            '"Putin"',
            "'Putin'",
            "Putin's",
            "(Putin",
            "Putin)",
            "Putin*",
            "^Putin",
            "Putin:",
            "Putin\\",
            "+Putin",
            "Putin;--",
            "{Putin}",
            "Putin OR",
            "NOT Putin",
        ],
    )
    def test_punctuation_and_operators_are_taken_literally(
        self, seeded: Session, client: TestClient, q: str
    ) -> None:
        assert slugs(client, q) == WITH_PUTIN

    def test_hyphens_and_dashes_separate_words(self, seeded: Session, client: TestClient) -> None:
        assert slugs(client, "Blue-and-White") == ["knesset-election-2019-09-17"]
        assert slugs(client, "Netanyahu\u2013Putin") == [VISIT, MEETING]

    def test_or_is_an_ordinary_word(self, seeded: Session, client: TestClient) -> None:
        assert slugs(client, "Shoigu OR Rivlin") == []
        assert slugs(client, '"Putin" OR Sochi') == [VISIT, MEETING]

    def test_column_filters_are_taken_literally(self, seeded: Session, client: TestClient) -> None:
        assert slugs(client, "title:Sochi") == []
        assert slugs(client, "NEAR(Putin Sochi)") == []

    @pytest.mark.parametrize("q", ["the and of", "!!!", "a — the", "'\""])
    def test_rejects_a_query_without_searchable_words(
        self, seeded: Session, client: TestClient, q: str
    ) -> None:
        response = client.get(EVENTS, params={"q": q})
        assert_problem(response, 422, NO_WORDS, locs=[["query", "q"]])

    def test_rejects_an_empty_query(self, client: TestClient) -> None:
        assert_problem(
            client.get(EVENTS, params={"q": ""}), 422, "invalid fields: q", locs=[["query", "q"]]
        )

    def test_combines_with_filters(self, seeded: Session, client: TestClient) -> None:
        assert slugs(client, "Netanyahu", country="IL") == ELECTIONS
        assert slugs(client, "Netanyahu", country="RU", event_type="meeting") == [
            MEETING,
            SHOIGU_MEETING,
        ]


class TestListEventsSearchMatch:
    def test_marks_the_word(self, seeded: Session, client: TestClient) -> None:
        items = search(client, "Sochi")
        assert [item["slug"] for item in items] == [VISIT, MEETING, SHOIGU_MEETING]
        for item in items:
            assert "<mark>Sochi</mark>" in item["match"], item["match"]

    def test_marks_the_stemmed_word_as_written(self, seeded: Session, client: TestClient) -> None:
        items = search(client, "elections")
        assert [item["slug"] for item in items] == ELECTIONS
        marked = [set(re.findall(r"<mark>(.*?)</mark>", item["match"])) for item in items]
        # The April election's summary quotes "April's elections"; the engines may choose
        # different passages of the dispersal's.
        assert marked[0] == {"election", "elections"}
        assert [marked[1], marked[3]] == [{"election"}] * 2
        assert marked[2] in ({"elected"}, {"election"}, {"elected", "election"})

    def test_marks_every_word(self, seeded: Session, client: TestClient) -> None:
        (item,) = search(client, "Shoigu resort")
        assert "<mark>Shoigu</mark>" in item["match"]
        assert "<mark>resort</mark>" in item["match"]

    def test_no_match_without_q(self, seeded: Session, client: TestClient) -> None:
        items = client.get(EVENTS).json()["items"]
        assert ["match" in item for item in items] == [False] * 12


class TestListEventsSearchRelevance:
    def test_title_matches_rank_first(self, seeded: Session, client: TestClient) -> None:
        assert slugs(client, "Shoigu") == [VISIT, SHOIGU_MEETING]
        assert slugs(client, "Shoigu", sort="relevance") == [SHOIGU_MEETING, VISIT]

    def test_more_occurrences_rank_first(self, client: TestClient) -> None:
        once = make_event(client, title="Harbour talks", summary="Ministers met.")
        thrice = make_event(client, title="Harbour", summary="Harbour dues and harbour fees.")
        assert slugs(client, "harbour") == [once["slug"], thrice["slug"]]
        assert slugs(client, "harbour", sort="relevance") == [thrice["slug"], once["slug"]]

    def test_pages_in_relevance_order(self, seeded: Session, client: TestClient) -> None:
        params = {"q": "Shoigu", "sort": "relevance", "limit": 1, "include_total": True}
        first = client.get(EVENTS, params=params)
        body = first.json()
        assert [item["slug"] for item in body["items"]] == [SHOIGU_MEETING]
        assert body["total"] == 2
        assert first.headers["link"] == (
            "<http://testserver/api/v1/events?q=Shoigu&sort=relevance&limit=1"
            f'&include_total=true&cursor={body["next_cursor"]}>; rel="next"'
        )
        second = client.get(EVENTS, params=params | {"cursor": body["next_cursor"]})
        assert second.json()["items"][0]["slug"] == VISIT
        assert second.json()["next_cursor"] is None
        assert "link" not in second.headers

    @pytest.mark.parametrize("filters", [{}, {"event_type": "meeting"}])
    def test_pages_through_ties_in_id_order(
        self, client: TestClient, filters: dict[str, str]
    ) -> None:
        # q alone ranks only the best matches (ties at the cut included); with another filter
        # every match is ranked. Both page the same way.
        tied = [make_event(client, title="Harbour", summary="Dues.") for _ in range(4)]
        best = make_event(client, title="Harbour", summary="Harbour dues, harbour fees.")
        expected = [best["slug"]] + [e["slug"] for e in sorted(tied, key=lambda e: e["id"])]
        for limit in (1, 2, 3):
            assert _walk(client, {"q": "harbour", "sort": "relevance"} | filters, limit) == expected

    def test_relevance_needs_q(self, client: TestClient) -> None:
        response = client.get(EVENTS, params={"sort": "relevance"})
        assert_problem(response, 422, "sort: relevance needs q", locs=[["query", "sort"]])


class TestListEventsSearchStaysCurrent:
    def test_finds_a_new_event(self, client: TestClient) -> None:
        made = make_event(client, title="Quokka census", summary="Counting marsupials.")
        assert slugs(client, "quokka") == [made["slug"]]
        assert slugs(client, "marsupial") == [made["slug"]]

    def test_follows_a_title_change(self, client: TestClient) -> None:
        made = make_event(client, title="Quokka census", summary="Counting marsupials.")
        response = client.patch(f"{EVENTS}/{made['id']}", json={"title": "Wombat census"})
        assert response.status_code == 200
        assert slugs(client, "quokka") == []
        assert slugs(client, "wombat") == [made["slug"]]
        assert slugs(client, "marsupials") == [made["slug"]]

    def test_follows_a_summary_change(self, client: TestClient) -> None:
        made = make_event(client, title="Quokka census", summary="Counting marsupials.")
        response = client.patch(f"{EVENTS}/{made['id']}", json={"summary": "Counting numbats."})
        assert response.status_code == 200
        assert slugs(client, "marsupials") == []
        assert slugs(client, "numbat") == [made["slug"]]
        assert slugs(client, "quokka") == [made["slug"]]
        cleared = client.patch(f"{EVENTS}/{made['id']}", json={"summary": None})
        assert cleared.status_code == 200
        assert slugs(client, "numbat") == []

    def test_other_changes_keep_it_found(self, client: TestClient) -> None:
        made = make_event(client, title="Quokka census")
        response = client.patch(f"{EVENTS}/{made['id']}", json={"status": "ongoing"})
        assert response.status_code == 200
        assert slugs(client, "quokka") == [made["slug"]]

    def test_forgets_a_deleted_event(self, client: TestClient) -> None:
        kept = make_event(client, title="Quokka census")
        gone = make_event(client, title="Quokka count")
        assert client.delete(f"{EVENTS}/{gone['id']}").status_code == 204
        assert slugs(client, "quokka") == [kept["slug"]]
        assert slugs(client, "count") == []
