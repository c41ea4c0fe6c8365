"""GET /participants/{id}/timeline and /network, answered from the seed."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from seed.loader import seed_id
from tests.factories import (
    assert_problem,
    make_claim,
    make_event,
    make_event_participant,
    make_participant,
)

URL = "/api/v1/participants"
VISIT = "netanyahu-visit-sochi-2019-09-12"
MEETING = "netanyahu-putin-meeting-2019-09-12"
SHOIGU = "netanyahu-shoigu-meeting-2019-09-12"
NETANYAHU_QUOTES = [
    "netanyahu-quote-security-coordination-iran-upsurge",
    "netanyahu-quote-intolerable-threat",
    "netanyahu-quote-coordination-prevents-friction",
    "netanyahu-quote-will-continue-coordination",
]


def by_id(resource: str, *slugs: str) -> list[str]:
    """Seeded `slugs` in the order of their ids, the tie-breaker."""
    return sorted(slugs, key=lambda slug: str(seed_id(resource, slug)))


# On 12 September 2019 the events he took part in come first, then the claims he made.
NETANYAHU_TIMELINE = [
    ("event", "knesset-election-2019-04-09", "candidate"),
    ("event", "netanyahu-coalition-failure-2019-05", "subject"),
    *(("event", slug, "visitor") for slug in by_id("events", VISIT, MEETING, SHOIGU)),
    *(("claim", slug, None) for slug in by_id("claims", *NETANYAHU_QUOTES)),
    ("event", "knesset-election-2019-09-17", "candidate"),
]


def entries(items: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    """(kind, slug, role) of timeline items."""
    return [
        ("event", item["event"]["slug"], item["event"]["role"])
        if item["kind"] == "event"
        else ("claim", item["claim"]["slug"], None)
        for item in items
    ]


def timeline(client: TestClient, who: str, **params: Any) -> list[tuple[str, str, str | None]]:
    """The whole timeline of `who` for `params`, in one page."""
    response = client.get(f"{URL}/{who}/timeline", params={"limit": 500} | params)
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return entries(response.json()["items"])


class TestTimeline:
    def test_netanyahu_from_the_april_election(self, seeded: Session, client: TestClient) -> None:
        assert timeline(client, "benjamin-netanyahu") == NETANYAHU_TIMELINE

    def test_items_carry_their_dates_and_records(self, seeded: Session, client: TestClient) -> None:
        items = client.get(f"{URL}/benjamin-netanyahu/timeline", params={"limit": 2}).json()
        first, second = items["items"]
        assert first == {
            "kind": "event",
            "date": {
                "edtf": "2019-04-09",
                "precision": "day",
                "earliest": "2019-04-09",
                "latest": "2019-04-09",
            },
            "event": {
                "id": str(seed_id("events", "knesset-election-2019-04-09")),
                "slug": "knesset-election-2019-04-09",
                "title": "Knesset election (April 2019)",
                "event_type": "election",
                "start": first["date"],
                "role": "candidate",
            },
            "claim": None,
        }
        assert second["date"]["edtf"] == "2019-05"
        claim = client.get(f"{URL}/benjamin-netanyahu/timeline", params={"limit": 500}).json()
        quote = next(item for item in claim["items"] if item["kind"] == "claim")
        assert set(quote["claim"]) == {"id", "slug", "text", "claim_type", "stated"}
        assert quote["event"] is None

    def test_pages_follow_the_link_header(self, seeded: Session, client: TestClient) -> None:
        url: str | None = f"{URL}/benjamin-netanyahu/timeline?limit=3"
        walked: list[tuple[str, str, str | None]] = []
        while url is not None:
            response = client.get(url)
            walked += entries(response.json()["items"])
            link = response.headers.get("link")
            url = link[1 : link.index(">")] if link else None
        assert walked == NETANYAHU_TIMELINE

    @pytest.mark.parametrize("limit", [1, 2, 4, 5, 6, 7])
    def test_every_page_size_walks_the_same(
        self, seeded: Session, client: TestClient, limit: int
    ) -> None:
        params: dict[str, Any] = {"limit": limit}
        walked: list[tuple[str, str, str | None]] = []
        while True:
            body = client.get(f"{URL}/benjamin-netanyahu/timeline", params=params).json()
            walked += entries(body["items"])
            if body["next_cursor"] is None:
                break
            params["cursor"] = body["next_cursor"]
        assert walked == NETANYAHU_TIMELINE

    def test_dates_filter_precisely_by_default(self, seeded: Session, client: TestClient) -> None:
        assert (
            timeline(client, "benjamin-netanyahu", start_after="2019-09")
            == (NETANYAHU_TIMELINE[2:])
        )
        assert (
            timeline(client, "benjamin-netanyahu", start_before="2019-05-15")
            == (NETANYAHU_TIMELINE[:1])
        )
        imprecise = {"start_before": "2019-05-15", "include_imprecise": True}
        assert timeline(client, "benjamin-netanyahu", **imprecise) == NETANYAHU_TIMELINE[:2]

    def test_undated_items_come_first(self, client: TestClient) -> None:
        person = make_participant(client)["slug"]
        dated = make_claim(client, claimant_id=person, stated="2019")
        event = make_event(client, start=None)
        make_event_participant(client, event["slug"], person)
        claim = make_claim(client, claimant_id=person, stated=None)
        assert timeline(client, person) == [
            ("event", event["slug"], "host"),
            ("claim", claim["slug"], None),
            ("claim", dated["slug"], None),
        ]

    def test_cursor_of_other_filters_is_400(self, seeded: Session, client: TestClient) -> None:
        url = f"{URL}/benjamin-netanyahu/timeline"
        cursor = client.get(url, params={"limit": 1}).json()["next_cursor"]
        response = client.get(url, params={"cursor": cursor, "start_after": "2019"})
        detail = "cursor belongs to another list or other filters; start again without it"
        assert_problem(response, 400, detail)
        other = client.get(f"{URL}/vladimir-putin/timeline", params={"cursor": cursor})
        assert_problem(other, 400, detail)

    def test_unknown_parameter_is_422(self, seeded: Session, client: TestClient) -> None:
        response = client.get(f"{URL}/benjamin-netanyahu/timeline", params={"sort": "date"})
        assert_problem(response, 422, "invalid fields: sort", locs=[["query", "sort"]])

    def test_unknown_participant_is_404(self, client: TestClient) -> None:
        response = client.get(f"{URL}/nobody/timeline")
        assert_problem(response, 404, "no participant 'nobody'")


def network(client: TestClient, who: str, **params: Any) -> list[tuple[str, int, list[str]]]:
    """(slug, count, shared event slugs) of each connection of `who`."""
    response = client.get(f"{URL}/{who}/network", params=params)
    assert response.status_code == 200, response.text
    return [
        (c["participant"]["slug"], c["count"], [e["slug"] for e in c["events"]])
        for c in response.json()["connections"]
    ]


class TestNetwork:
    def test_putin_met_netanyahu_twice_and_rivlin(
        self, seeded: Session, client: TestClient
    ) -> None:
        body = client.get(f"{URL}/vladimir-putin/network").json()
        assert body["participant"] == {
            "id": str(seed_id("participants", "vladimir-putin")),
            "slug": "vladimir-putin",
            "name": "Vladimir Putin",
            "kind": "person",
        }
        assert [
            (c["participant"]["slug"], c["count"], c["roles"]) for c in body["connections"]
        ] == [
            ("benjamin-netanyahu", 2, [{"role": "host", "other_role": "visitor", "count": 2}]),
            (
                "reuven-rivlin",
                2,
                [
                    {"role": "subject", "other_role": "organizer", "count": 1},
                    {"role": "visitor", "other_role": "host", "count": 1},
                ],
            ),
        ]
        assert network(client, "vladimir-putin") == [
            ("benjamin-netanyahu", 2, by_id("events", VISIT, MEETING)),
            ("reuven-rivlin", 2, ["putin-visit-israel-2020", "rivlin-invites-putin-to-israel"]),
        ]

    def test_netanyahu_by_count_then_name(self, seeded: Session, client: TestClient) -> None:
        assert [(slug, count) for slug, count, _ in network(client, "benjamin-netanyahu")] == [
            ("likud", 3),
            ("knesset", 2),
            ("vladimir-putin", 2),
            ("benny-gantz", 1),
            ("blue-and-white", 1),
            ("sergei-shoigu", 1),
        ]

    def test_events_most_recent_first(self, seeded: Session, client: TestClient) -> None:
        likud = network(client, "benjamin-netanyahu", limit=1)
        assert likud == [
            (
                "likud",
                3,
                [
                    "knesset-election-2019-09-17",
                    "netanyahu-coalition-failure-2019-05",
                    "knesset-election-2019-04-09",
                ],
            )
        ]

    def test_filters_by_date_and_type(self, seeded: Session, client: TestClient) -> None:
        assert network(client, "vladimir-putin", event_type="meeting") == [
            ("benjamin-netanyahu", 1, [MEETING])
        ]
        assert network(client, "vladimir-putin", start_after="2020") == [
            ("reuven-rivlin", 1, ["putin-visit-israel-2020"])
        ]
        # The invitation is dated only "on or before 12 September 2019".
        precise = network(client, "vladimir-putin", start_after="2019-09")
        assert [(slug, count) for slug, count, _ in precise] == [
            ("benjamin-netanyahu", 2),
            ("reuven-rivlin", 1),
        ]
        imprecise = network(client, "vladimir-putin", start_after="2019-09", include_imprecise=True)
        assert [(slug, count) for slug, count, _ in imprecise] == [
            ("benjamin-netanyahu", 2),
            ("reuven-rivlin", 2),
        ]

    def test_at_most_twenty_events_each(self, client: TestClient) -> None:
        host, visitor = make_participant(client)["slug"], make_participant(client)["slug"]
        events = [make_event(client, start=f"2001-01-{day:02d}") for day in range(1, 23)]
        for event in events:
            make_event_participant(client, event["slug"], host, role="host")
            make_event_participant(client, event["slug"], visitor, role="visitor")
        ((slug, count, shared),) = network(client, host)
        assert (slug, count) == (visitor, 22)
        assert shared == [event["slug"] for event in events[::-1][:20]]

    def test_ties_at_the_limit_go_by_name(self, client: TestClient) -> None:
        me = make_participant(client, name="Centre")["slug"]
        names = ["Zulu", "Alpha", "Mike", "Bravo"]
        others = {name: make_participant(client, name=name)["slug"] for name in names}
        often = make_event(client, start="2002-01-01")["slug"]
        make_event_participant(client, often, me)
        make_event_participant(client, often, others["Zulu"])
        for name in names:
            event = make_event(client, start="2001-01-01")["slug"]
            make_event_participant(client, event, me)
            make_event_participant(client, event, others[name])
        top = [slug for slug, _, _ in network(client, me, limit=3)]
        assert top == [others["Zulu"], others["Alpha"], others["Bravo"]]

    def test_an_event_shared_in_two_roles_counts_once(self, client: TestClient) -> None:
        me, other = make_participant(client)["slug"], make_participant(client)["slug"]
        event = make_event(client, start="2003-03-03")["slug"]
        make_event_participant(client, event, me, role="host")
        make_event_participant(client, event, other, role="visitor")
        make_event_participant(client, event, other, role="attendee")
        body = client.get(f"{URL}/{me}/network").json()
        (connection,) = body["connections"]
        assert connection["count"] == 1
        assert connection["roles"] == [
            {"role": "host", "other_role": "attendee", "count": 1},
            {"role": "host", "other_role": "visitor", "count": 1},
        ]

    def test_targets_share_with_attackers(self, seeded: Session, client: TestClient) -> None:
        strikes = ["israeli-strikes-in-syria"]
        assert network(client, "hezbollah") == [
            ("iran", 1, strikes),
            ("israel", 1, strikes),
            ("israel-defense-forces", 1, strikes),
        ]

    def test_no_shared_events(self, client: TestClient) -> None:
        assert network(client, make_participant(client)["slug"]) == []

    def test_limit_bounds_and_unknown_parameter(self, client: TestClient) -> None:
        response = client.get(f"{URL}/vladimir-putin/network", params={"limit": 101})
        assert_problem(response, 422, "invalid fields: limit", locs=[["query", "limit"]])
        response = client.get(f"{URL}/vladimir-putin/network", params={"cursor": "x"})
        assert_problem(response, 422, "invalid fields: cursor", locs=[["query", "cursor"]])
