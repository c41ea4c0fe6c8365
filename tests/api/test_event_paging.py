"""GET /events: every sort, keyset paging, cursors, `Link` headers and totals."""

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import assert_problem, make_event

EVENTS = "/api/v1/events"
# The seeded events in the order the seed records them.
SEEDED = [
    "russian-military-intervention-syria-2015",
    "israeli-strikes-in-syria",
    "iranian-attack-attempts-upsurge-2019-08",
    "netanyahu-visit-sochi-2019-09-12",
    "netanyahu-putin-meeting-2019-09-12",
    "netanyahu-shoigu-meeting-2019-09-12",
    "knesset-election-2019-04-09",
    "netanyahu-coalition-failure-2019-05",
    "knesset-dispersal-2019-05",
    "knesset-election-2019-09-17",
    "rivlin-invites-putin-to-israel",
    "putin-visit-israel-2020",
]
# By the day each start sorts by (its earliest, else its latest), then by id: five events
# sort by 12 September 2019 and three by 1 April 2019 (the month-precise April election and the
# two undated steps between it and 12 September 2019).
BY_START = [
    "russian-military-intervention-syria-2015",
    "knesset-dispersal-2019-05",
    "netanyahu-coalition-failure-2019-05",
    "knesset-election-2019-04-09",
    "iranian-attack-attempts-upsurge-2019-08",
    "rivlin-invites-putin-to-israel",
    "netanyahu-shoigu-meeting-2019-09-12",
    "netanyahu-putin-meeting-2019-09-12",
    "israeli-strikes-in-syria",
    "netanyahu-visit-sochi-2019-09-12",
    "knesset-election-2019-09-17",
    "putin-visit-israel-2020",
]
# By code point: "Netanyahu visits" before "Netanyahu\u2013Putin" (an en dash).
BY_TITLE = [
    "israeli-strikes-in-syria",
    "knesset-dispersal-2019-05",
    "knesset-election-2019-04-09",
    "knesset-election-2019-09-17",
    "netanyahu-coalition-failure-2019-05",
    "netanyahu-shoigu-meeting-2019-09-12",
    "netanyahu-visit-sochi-2019-09-12",
    "netanyahu-putin-meeting-2019-09-12",
    "putin-visit-israel-2020",
    "rivlin-invites-putin-to-israel",
    "russian-military-intervention-syria-2015",
    "iranian-attack-attempts-upsurge-2019-08",
]
STALE_CURSOR = "cursor belongs to another list or other filters; start again without it"


def walk(client: TestClient, limit: int = 2, **params: Any) -> list[list[str]]:
    """The slugs of every page of GET /events, checking each page's `Link` header."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        following = {"cursor": cursor} if cursor else {}
        response = client.get(EVENTS, params={"limit": limit} | params | following)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["slug"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            return pages
        assert response.headers["link"] == (
            f'<{response.request.url.copy_set_param("cursor", cursor)}>; rel="next"'
        )
        assert len(pages) <= 50


def flat(pages: list[list[str]]) -> list[str]:
    """The slugs of all pages in order."""
    return [slug for page in pages for slug in page]


class TestListEventsSorts:
    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("recorded", SEEDED),
            ("-recorded", SEEDED[::-1]),
            ("start", BY_START),
            ("-start", BY_START[::-1]),
            ("title", BY_TITLE),
            ("-title", BY_TITLE[::-1]),
        ],
    )
    def test_walks_every_page_in_order(
        self, seeded: Session, client: TestClient, sort: str, expected: list[str]
    ) -> None:
        pages = walk(client, sort=sort)
        assert pages == [expected[i : i + 2] for i in range(0, 12, 2)]
        assert walk(client, limit=5, sort=sort) == [expected[0:5], expected[5:10], expected[10:]]
        assert walk(client, limit=12, sort=sort) == [expected]

    def test_recorded_is_the_default(self, seeded: Session, client: TestClient) -> None:
        assert walk(client, limit=5) == walk(client, limit=5, sort="recorded")

    def test_updated_at(self, seeded: Session, client: TestClient) -> None:
        # Seeding revises some events after creating them (a relation pointing at an event is a
        # revision of it too), so the order comes from the timestamps the list reports.
        items = client.get(EVENTS, params={"limit": 12}).json()["items"]
        items.sort(key=lambda item: (dt.datetime.fromisoformat(item["updated_at"]), item["id"]))
        assert flat(walk(client, sort="updated_at")) == [item["slug"] for item in items]
        changed = client.patch(f"{EVENTS}/{SEEDED[4]}", json={"title": "Renamed"})
        assert changed.status_code == 200
        expected = [item["slug"] for item in items if item["slug"] != SEEDED[4]] + [SEEDED[4]]
        assert flat(walk(client, sort="updated_at")) == expected
        assert flat(walk(client, sort="-updated_at")) == expected[::-1]

    def test_undated_events_sort_first(self, client: TestClient) -> None:
        dated = make_event(client, start="1999")
        undated = make_event(client, start=None)
        assert flat(walk(client, sort="start")) == [undated["slug"], dated["slug"]]

    def test_id_breaks_ties(self, client: TestClient) -> None:
        events = [make_event(client, start="2019-09-12", title="Same") for _ in range(3)]
        by_id = [e["slug"] for e in sorted(events, key=lambda e: str(e["id"]))]
        assert flat(walk(client, sort="start")) == by_id
        assert flat(walk(client, sort="-start")) == by_id[::-1]
        assert flat(walk(client, sort="title")) == by_id
        assert flat(walk(client, sort="-title")) == by_id[::-1]

    def test_relevance_needs_q(self, client: TestClient) -> None:
        response = client.get(EVENTS, params={"sort": "relevance"})
        assert_problem(response, 422, "sort: relevance needs q", locs=[["query", "sort"]])

    def test_rejects_an_unknown_sort(self, client: TestClient) -> None:
        response = client.get(EVENTS, params={"sort": "-id"})
        assert_problem(response, 422, "invalid fields: sort", locs=[["query", "sort"]])


class TestListEventsConcurrentInserts:
    def test_recorded_shows_a_new_event_at_the_end_only(self, client: TestClient) -> None:
        slugs = [make_event(client)["slug"] for _ in range(5)]
        first = client.get(EVENTS, params={"limit": 2}).json()
        inserted = make_event(client)["slug"]
        rest = walk(client, cursor=first["next_cursor"])
        assert [item["slug"] for item in first["items"]] == slugs[0:2]
        assert rest == [slugs[2:4], [slugs[4], inserted]]

    def test_an_event_inserted_before_the_cursor_shifts_nothing(self, client: TestClient) -> None:
        slugs = [make_event(client, start=f"2019-0{m}")["slug"] for m in range(1, 6)]
        first = client.get(EVENTS, params={"limit": 2, "sort": "start"}).json()
        assert [item["slug"] for item in first["items"]] == slugs[0:2]
        make_event(client, start="2018")
        later = make_event(client, start="2019-03-15")["slug"]
        rest = walk(client, sort="start", cursor=first["next_cursor"])
        assert rest == [[slugs[2], later], slugs[3:5]]

    def test_descending_order_ignores_newer_rows_before_the_cursor(
        self, client: TestClient
    ) -> None:
        slugs = [make_event(client)["slug"] for _ in range(4)]
        first = client.get(EVENTS, params={"limit": 2, "sort": "-recorded"}).json()
        make_event(client)
        rest = walk(client, sort="-recorded", cursor=first["next_cursor"])
        assert [item["slug"] for item in first["items"]] == [slugs[3], slugs[2]]
        assert rest == [[slugs[1], slugs[0]]]


class TestListEventsCursors:
    def test_link_header_is_present_iff_there_is_a_next_page(
        self, seeded: Session, client: TestClient
    ) -> None:
        response = client.get(EVENTS, params={"limit": 2, "country": "SY", "sort": "start"})
        body = response.json()
        cursor = body["next_cursor"]
        assert cursor is not None
        assert response.headers["link"] == (
            "<http://testserver/api/v1/events?limit=2&country=SY&sort=start"
            f'&cursor={cursor}>; rel="next"'
        )
        last = client.get(
            EVENTS, params={"limit": 2, "country": "SY", "sort": "start", "cursor": cursor}
        )
        assert last.json()["next_cursor"] is None
        assert "link" not in last.headers

    def test_following_the_link_header_reaches_the_next_page(
        self, seeded: Session, client: TestClient
    ) -> None:
        response = client.get(EVENTS, params={"limit": 5, "sort": "-title"})
        following = client.get(response.links["next"]["url"])
        assert [item["slug"] for item in following.json()["items"]] == BY_TITLE[::-1][5:10]

    @pytest.mark.parametrize(
        ("first", "second"),
        [
            ({"country": "IL"}, {"country": "RU"}),
            ({"country": "IL"}, {}),
            ({"sort": "start"}, {"sort": "title"}),
            ({"sort": "start"}, {"sort": "-start"}),
            ({"q": "Netanyahu", "sort": "relevance"}, {"q": "Netanyahu"}),
            ({"q": "Netanyahu"}, {"q": "Putin"}),
        ],
    )
    def test_rejects_a_cursor_of_other_filters_or_sort(
        self,
        seeded: Session,
        client: TestClient,
        first: dict[str, str],
        second: dict[str, str],
    ) -> None:
        cursor = client.get(EVENTS, params={"limit": 1} | first).json()["next_cursor"]
        assert cursor is not None
        response = client.get(EVENTS, params={"limit": 1, "cursor": cursor} | second)
        assert_problem(response, 400, STALE_CURSOR)

    def test_the_page_size_may_change_between_pages(
        self, seeded: Session, client: TestClient
    ) -> None:
        cursor = client.get(EVENTS, params={"limit": 3}).json()["next_cursor"]
        page = client.get(EVENTS, params={"limit": 4, "cursor": cursor}).json()
        assert [item["slug"] for item in page["items"]] == SEEDED[3:7]


class TestListEventsTotal:
    def test_include_total_counts_every_match(self, seeded: Session, client: TestClient) -> None:
        body = client.get(EVENTS, params={"limit": 2, "include_total": True}).json()
        assert body["total"] == 12
        assert len(body["items"]) == 2
        filtered = {"limit": 1, "include_total": True, "country": "IL", "sort": "title"}
        assert client.get(EVENTS, params=filtered).json()["total"] == 5

    def test_every_page_has_the_total(self, seeded: Session, client: TestClient) -> None:
        params: dict[str, Any] = {"limit": 5, "include_total": True, "q": "Netanyahu"}
        first = client.get(EVENTS, params=params).json()
        second = client.get(EVENTS, params=params | {"cursor": first["next_cursor"]}).json()
        assert (first["total"], second["total"]) == (8, 8)
        assert (len(first["items"]), len(second["items"])) == (5, 3)

    def test_total_is_absent_unless_asked_for(self, seeded: Session, client: TestClient) -> None:
        assert set(client.get(EVENTS).json()) == {"items", "next_cursor"}
        body = client.get(EVENTS, params={"include_total": False}).json()
        assert set(body) == {"items", "next_cursor"}

    def test_total_of_nothing_is_zero(self, client: TestClient) -> None:
        body = client.get(EVENTS, params={"include_total": True}).json()
        assert body == {"items": [], "next_cursor": None, "total": 0}

    def test_total_with_fields(self, seeded: Session, client: TestClient) -> None:
        params = {"include_total": True, "fields": "slug", "limit": 1}
        body = client.get(EVENTS, params=params).json()
        assert body["total"] == 12
        assert body["items"] == [{"id": body["items"][0]["id"], "slug": SEEDED[0]}]
