"""GET /events: every filter, the questions the seed answers, field selection and expansion."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from seed.loader import seed_id
from tests.factories import assert_problem, make_event, make_event_participant, make_participant

EVENTS = "/api/v1/events"
MEETING = "netanyahu-putin-meeting-2019-09-12"
VISIT = "netanyahu-visit-sochi-2019-09-12"
SHOIGU_MEETING = "netanyahu-shoigu-meeting-2019-09-12"
SEPTEMBER_ELECTION = "knesset-election-2019-09-17"
APRIL_ELECTION = "knesset-election-2019-04-09"
# The seeded events in the order the seed records them.
SEEDED = [
    "russian-military-intervention-syria-2015",
    "israeli-strikes-in-syria",
    "iranian-attack-attempts-upsurge-2019-08",
    VISIT,
    MEETING,
    SHOIGU_MEETING,
    APRIL_ELECTION,
    "netanyahu-coalition-failure-2019-05",
    "knesset-dispersal-2019-05",
    SEPTEMBER_ELECTION,
    "rivlin-invites-putin-to-israel",
    "putin-visit-israel-2020",
]
SOCHI = [VISIT, MEETING, SHOIGU_MEETING]
SYRIA = SEEDED[0:3]
ISRAEL = [
    APRIL_ELECTION,
    "netanyahu-coalition-failure-2019-05",
    "knesset-dispersal-2019-05",
    SEPTEMBER_ELECTION,
    "putin-visit-israel-2020",
]


def found(client: TestClient, **params: Any) -> list[str]:
    """The slugs of every event GET /events returns for `params`, in order."""
    response = client.get(EVENTS, params={"limit": 500} | params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return [item["slug"] for item in body["items"]]


def in_seed_order(*slugs: str) -> list[str]:
    """`slugs` in the order the seed records them."""
    return [slug for slug in SEEDED if slug in slugs]


class TestListEventsByKind:
    def test_without_filters_lists_every_event_in_recorded_order(
        self, seeded: Session, client: TestClient
    ) -> None:
        assert found(client) == SEEDED

    def test_event_type(self, seeded: Session, client: TestClient) -> None:
        assert found(client, event_type="meeting") == [MEETING, SHOIGU_MEETING]

    def test_repeated_event_type_means_any_of(self, seeded: Session, client: TestClient) -> None:
        assert found(client, event_type=["visit", "election"]) == [
            VISIT,
            APRIL_ELECTION,
            SEPTEMBER_ELECTION,
            "putin-visit-israel-2020",
        ]

    def test_status(self, seeded: Session, client: TestClient) -> None:
        # The article says the strikes were conducted, not that they go on.
        assert found(client, status="ongoing") == SEEDED[0:1]
        assert found(client, status=["planned", "scheduled"]) == [
            SEPTEMBER_ELECTION,
            "putin-visit-israel-2020",
        ]

    def test_certainty(self, seeded: Session, client: TestClient) -> None:
        assert found(client, certainty="reported") == ["israeli-strikes-in-syria"]
        assert found(client, certainty=["alleged", "reported"]) == SEEDED[1:3]

    def test_rejects_an_unknown_event_type(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, params={"event_type": "picnic"})
        assert_problem(
            response, 422, "invalid fields: event_type.0", locs=[["query", "event_type", 0]]
        )

    @pytest.mark.parametrize(
        ("prefix", "expected"),
        [
            ("0", [VISIT, MEETING, SHOIGU_MEETING, "putin-visit-israel-2020"]),
            ("04", [VISIT, MEETING, SHOIGU_MEETING, "putin-visit-israel-2020"]),
            ("042", [VISIT, "putin-visit-israel-2020"]),
            ("043", [MEETING]),
            ("19", SEEDED[0:2]),
            ("1909", []),
        ],
    )
    def test_cameo_code_prefix(
        self, seeded: Session, client: TestClient, prefix: str, expected: list[str]
    ) -> None:
        assert found(client, cameo_code=prefix) == expected

    def test_parent_by_slug_or_id(self, seeded: Session, client: TestClient) -> None:
        assert found(client, parent=VISIT) == [MEETING, SHOIGU_MEETING]
        assert found(client, parent=str(seed_id("events", VISIT))) == [MEETING, SHOIGU_MEETING]
        assert found(client, parent=MEETING) == []

    def test_rejects_an_unknown_parent(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, params={"parent": "no-such-event"})
        assert_problem(
            response, 422, "parent: no event 'no-such-event'", locs=[["query", "parent"]]
        )

    def test_updated_since(self, client: TestClient) -> None:
        first, second, third = (make_event(client) for _ in range(3))
        changed = client.patch(f"{EVENTS}/{second['id']}", json={"title": "Renamed"}).json()
        assert found(client, updated_since=first["updated_at"]) == [
            first["slug"],
            second["slug"],
            third["slug"],
        ]
        assert found(client, updated_since=changed["updated_at"]) == [second["slug"]]


class TestListEventsByCountry:
    def test_country(self, seeded: Session, client: TestClient) -> None:
        assert found(client, country="IL") == ISRAEL

    def test_repeated_country_means_any_of(self, seeded: Session, client: TestClient) -> None:
        assert found(client, country=["RU", "SY"]) == SYRIA + SOCHI

    def test_accepts_alpha3_and_lowercase(self, seeded: Session, client: TestClient) -> None:
        assert found(client, country="ISR") == ISRAEL
        assert found(client, country=["rus", "sy"]) == SYRIA + SOCHI

    def test_rejects_an_unknown_country(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, params={"country": "XX"})
        assert_problem(response, 422, "invalid fields: country.0", locs=[["query", "country", 0]])


class TestListEventsByParticipant:
    def test_by_slug_or_id(self, seeded: Session, client: TestClient) -> None:
        with_putin = [VISIT, MEETING, "rivlin-invites-putin-to-israel", "putin-visit-israel-2020"]
        assert found(client, participant="vladimir-putin") == with_putin
        putin_id = str(seed_id("participants", "vladimir-putin"))
        assert found(client, participant=putin_id) == with_putin

    def test_repeated_participant_means_any_of(self, seeded: Session, client: TestClient) -> None:
        assert found(client, participant=["sergei-shoigu", "reuven-rivlin"]) == [
            SHOIGU_MEETING,
            "rivlin-invites-putin-to-israel",
        ]

    def test_participant_match_all(self, seeded: Session, client: TestClient) -> None:
        both = {"participant": ["vladimir-putin", "reuven-rivlin"], "participant_match": "all"}
        assert found(client, **both) == ["rivlin-invites-putin-to-israel"]
        assert (
            found(
                client,
                participant=["sergei-shoigu", "vladimir-putin"],
                **{"participant_match": "all"},
            )
            == []
        )

    def test_role_narrows_the_participant(self, seeded: Session, client: TestClient) -> None:
        assert found(client, participant="vladimir-putin", role="host") == [VISIT, MEETING]
        assert found(client, participant="vladimir-putin", role="visitor") == [
            "putin-visit-israel-2020"
        ]
        assert found(client, participant="benjamin-netanyahu", role=["candidate", "subject"]) == [
            APRIL_ELECTION,
            "netanyahu-coalition-failure-2019-05",
            SEPTEMBER_ELECTION,
        ]

    def test_rejects_a_role_without_participant(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, params={"role": "host"})
        assert_problem(response, 422, "role: needs participant", locs=[["query", "role"]])

    def test_rejects_an_unknown_participant(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, params={"participant": ["vladimir-putin", "nobody"]})
        assert_problem(
            response,
            422,
            "participant.1: no participant 'nobody'",
            locs=[["query", "participant", 1]],
        )


class TestListEventsByStart:
    def test_precise_by_default(self, seeded: Session, client: TestClient) -> None:
        september = {"start_after": "2019-09", "start_before": "2019-09"}
        assert found(client, **september) == [*SOCHI, SEPTEMBER_ELECTION]

    def test_include_imprecise_adds_starts_that_may_fall_in_the_range(
        self, seeded: Session, client: TestClient
    ) -> None:
        september = {"start_after": "2019-09", "start_before": "2019-09"}
        # The coalition failure and the dispersal may fall in September: the article says
        # only that they came after April's elections.
        assert found(client, include_imprecise=True, **september) == [
            "israeli-strikes-in-syria",
            *SOCHI,
            "netanyahu-coalition-failure-2019-05",
            "knesset-dispersal-2019-05",
            SEPTEMBER_ELECTION,
            "rivlin-invites-putin-to-israel",
        ]

    def test_an_event_dated_by_year_only_matches_months_when_imprecise(
        self, client: TestClient
    ) -> None:
        year = make_event(client, start="2019")
        day = make_event(client, start="2019-09-03")
        make_event(client, start="2018")
        september = {"start_after": "2019-09", "start_before": "2019-09"}
        assert found(client, **september) == [day["slug"]]
        assert found(client, include_imprecise=True, **september) == [year["slug"], day["slug"]]
        assert found(client, start_after="2019", start_before="2019") == [
            year["slug"],
            day["slug"],
        ]

    def test_open_bounds(self, seeded: Session, client: TestClient) -> None:
        # Starts given as `../2019-09-12` certainly began on or before that day.
        assert found(client, start_before="2019-09-12") == [
            slug for slug in SEEDED if slug not in {SEPTEMBER_ELECTION, "putin-visit-israel-2020"}
        ]
        assert found(client, start_after="2019-09-13") == [
            SEPTEMBER_ELECTION,
            "putin-visit-israel-2020",
        ]
        assert found(client, start_before="../2019-09-11") == [
            "russian-military-intervention-syria-2015",
            "iranian-attack-attempts-upsurge-2019-08",
            APRIL_ELECTION,
        ]

    def test_open_starts_never_match_a_lower_bound_unless_imprecise(
        self, seeded: Session, client: TestClient
    ) -> None:
        assert found(client, start_after="2019-09-12") == [*SOCHI, SEPTEMBER_ELECTION, SEEDED[11]]
        assert found(client, start_after="2019-09-12", include_imprecise=True) == [
            "israeli-strikes-in-syria",
            *SOCHI,
            "netanyahu-coalition-failure-2019-05",
            "knesset-dispersal-2019-05",
            SEPTEMBER_ELECTION,
            "rivlin-invites-putin-to-israel",
            "putin-visit-israel-2020",
        ]

    def test_a_range_across_a_ranged_start(self, seeded: Session, client: TestClient) -> None:
        # `2020-01/2020-04` lies within 2020 but not certainly within February.
        assert found(client, start_after="2020", start_before="2020") == [SEEDED[11]]
        assert found(client, start_after="2020-02", start_before="2020-02") == []
        assert found(
            client, start_after="2020-02", start_before="2020-02", include_imprecise=True
        ) == [SEEDED[11]]

    def test_undated_events_never_match_a_date_range(self, client: TestClient) -> None:
        make_event(client, start=None)
        dated = make_event(client, start="2019-09-12")
        assert found(client, start_after="2019", include_imprecise=True) == [dated["slug"]]

    def test_rejects_an_invalid_date(self, client: TestClient) -> None:
        response = client.get(EVENTS, params={"start_after": "September"})
        assert_problem(
            response, 422, "invalid fields: start_after", locs=[["query", "start_after"]]
        )


class TestListEventsByPlace:
    def test_bbox(self, seeded: Session, client: TestClient) -> None:
        assert found(client, bbox="39,43,40,44") == SOCHI
        assert found(client, bbox="34,29,42,37") == SYRIA + ISRAEL

    def test_bbox_across_the_antimeridian(self, client: TestClient) -> None:
        fiji = make_event(client, location={"lat": -18.1, "lon": 178.4, "country": "FJ"})
        samoa = make_event(client, location={"lat": -13.8, "lon": -171.8, "country": "WS"})
        greenwich = make_event(client, location={"lat": -15.0, "lon": 0.0})
        make_event(client, location={"lat": 10.0, "lon": 179.0})
        assert found(client, bbox="170,-20,-170,-10") == [fiji["slug"], samoa["slug"]]
        assert found(client, bbox="-170,-20,170,-10") == [greenwich["slug"]]

    @pytest.mark.parametrize("bbox", ["34,40,42,37", "200,29,42,37", "34,-95,42,37"])
    def test_rejects_an_impossible_bbox(self, client: TestClient, bbox: str) -> None:
        response = client.get(EVENTS, params={"bbox": bbox})
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "bbox"]

    def test_near(self, seeded: Session, client: TestClient) -> None:
        assert found(client, near="43.58,39.72,50") == SOCHI
        # From the Syria point (35N 38E): Israel's is 492.7 km away, Sochi 966.0 km.
        assert found(client, near="35,38,490") == SYRIA
        assert found(client, near="35,38,495") == SYRIA + ISRAEL
        assert found(client, near="35,38,970") == [
            slug for slug in SEEDED if slug != "rivlin-invites-putin-to-israel"
        ]

    def test_near_an_exact_point(self, seeded: Session, client: TestClient) -> None:
        assert found(client, near="43.5855,39.7231,0.001") == SOCHI

    @pytest.mark.parametrize(
        ("near", "detail"),
        [
            ("43.58,39.72", "invalid fields: near"),
            ("north,39.72,50", "invalid fields: near"),
            ("1.2.3,39.72,50", "near: must be comma-separated numbers"),
            ("91,39.72,50", "near: needs lat -90..90, lon -180..180, 0 < radius_km <= 20000"),
            ("43.58,39.72,0", "near: needs lat -90..90, lon -180..180, 0 < radius_km <= 20000"),
        ],
    )
    def test_rejects_a_malformed_near(self, client: TestClient, near: str, detail: str) -> None:
        response = client.get(EVENTS, params={"near": near})
        assert_problem(response, 422, detail, locs=[["query", "near"]])


class TestListEventsSeededQuestions:
    def test_russia_in_september_2019_with_netanyahu(
        self, seeded: Session, client: TestClient
    ) -> None:
        question = {
            "country": "RU",
            "start_after": "2019-09",
            "start_before": "2019-09",
            "participant": "benjamin-netanyahu",
        }
        assert found(client, **question) == SOCHI
        assert found(client, **question, include_imprecise=True) == SOCHI

    def test_parts_of_the_sochi_visit(self, seeded: Session, client: TestClient) -> None:
        assert found(client, parent=VISIT, participant="benjamin-netanyahu") == [
            MEETING,
            SHOIGU_MEETING,
        ]

    def test_scheduled_elections(self, seeded: Session, client: TestClient) -> None:
        assert found(client, event_type="election", status="scheduled") == [SEPTEMBER_ELECTION]

    def test_the_chain_that_led_to_the_september_election(
        self, seeded: Session, client: TestClient
    ) -> None:
        chain = found(
            client, country="IL", start_after="2019-04", start_before="2019-09", sort="start"
        )
        # The three before September share April as their earliest day (the article dates
        # the failure and the dispersal only as after April's elections): ties go by id.
        assert sorted(chain[:3]) == sorted(
            [APRIL_ELECTION, "knesset-dispersal-2019-05", "netanyahu-coalition-failure-2019-05"]
        )
        assert chain[3:] == [SEPTEMBER_ELECTION]
        # The article states the order ("following", "after", "subsequent"), not causes:
        # the chain is linked by `follows`.
        by_slug = {
            item["slug"]: item
            for item in client.get(EVENTS, params={"country": "IL"}).json()["items"]
        }
        slug_of = {item["id"]: slug for slug, item in by_slug.items()}

        def follows(slug: str) -> list[str]:
            return sorted(slug_of[r["event_id"]] for r in by_slug[slug]["relations"])

        assert follows(SEPTEMBER_ELECTION) == ["knesset-dispersal-2019-05", APRIL_ELECTION]
        assert follows("knesset-dispersal-2019-05") == ["netanyahu-coalition-failure-2019-05"]
        assert follows("netanyahu-coalition-failure-2019-05") == [APRIL_ELECTION]
        chain_slugs = [*chain, "netanyahu-coalition-failure-2019-05"]
        relations = {r["relation"] for slug in chain_slugs for r in by_slug[slug]["relations"]}
        assert relations == {"follows"}

    def test_netanyahu_as_a_candidate(self, seeded: Session, client: TestClient) -> None:
        assert found(client, participant="benjamin-netanyahu", role="candidate") == [
            APRIL_ELECTION,
            SEPTEMBER_ELECTION,
        ]

    def test_what_israel_attacked_and_was_attacked_by(
        self, seeded: Session, client: TestClient
    ) -> None:
        assert found(client, participant="israel", role="attacker") == ["israeli-strikes-in-syria"]
        assert found(client, participant="israel", role="target") == [
            "iranian-attack-attempts-upsurge-2019-08"
        ]

    def test_every_filter_at_once(self, seeded: Session, client: TestClient) -> None:
        everything = {
            "event_type": "meeting",
            "status": "occurred",
            "certainty": "confirmed",
            "country": "RUS",
            "participant": ["vladimir-putin", "benjamin-netanyahu"],
            "participant_match": "all",
            "role": ["host", "visitor"],
            "cameo_code": "04",
            "parent": VISIT,
            "start_after": "2019-09-12",
            "start_before": "2019-09-12",
            "bbox": "39,43,40,44",
            "near": "43.58,39.72,50",
            "q": "Sochi",
        }
        assert found(client, **everything) == [MEETING]


class TestListEventsFields:
    def test_fields_selects_the_fields_and_id(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, params={"fields": "slug,title", "parent": VISIT})
        assert response.status_code == 200
        assert response.json() == {
            "items": [
                {
                    "id": str(seed_id("events", MEETING)),
                    "slug": MEETING,
                    "title": "Netanyahu\u2013Putin meeting in Sochi",
                },
                {
                    "id": str(seed_id("events", SHOIGU_MEETING)),
                    "slug": SHOIGU_MEETING,
                    "title": "Netanyahu meets Russian Defense Minister Shoigu",
                },
            ],
            "next_cursor": None,
        }

    def test_rejects_an_unknown_field(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, params={"fields": "slug,colour,weight"})
        assert_problem(
            response, 422, "fields: unknown fields: colour, weight", locs=[["query", "fields"]]
        )

    def test_optional_parts_are_absent_unless_asked_for(
        self, seeded: Session, client: TestClient
    ) -> None:
        item = client.get(EVENTS, params={"parent": VISIT, "limit": 1}).json()["items"][0]
        assert {"match", "status_on", "participants", "claims", "sources"}.isdisjoint(item)
        assert set(item) == {
            "provenance",
            "provenance_basis",
            "id",
            "created_at",
            "updated_at",
            "version",
            "created_by",
            "updated_by",
            "slug",
            "title",
            "summary",
            "event_type",
            "cameo_code",
            "plover_type",
            "start",
            "end",
            "status",
            "status_as_of",
            "status_history",
            "certainty",
            "location",
            "parent_id",
            "identifiers",
            "goldstein",
            "quad_class",
            "tone",
            "num_mentions",
            "num_sources",
            "num_articles",
            "fatalities",
            "citations",
            "parent",
            "relations",
            "incoming_relations",
        }

    def test_fields_can_ask_for_the_optional_parts(
        self, seeded: Session, client: TestClient
    ) -> None:
        params = {
            "parent": VISIT,
            "q": "Shoigu",
            "expand": "participants",
            "fields": "slug,match,participants,claims",
        }
        items = client.get(EVENTS, params=params).json()["items"]
        assert [sorted(item) for item in items] == [["id", "match", "participants", "slug"]]
        assert "<mark>Shoigu</mark>" in items[0]["match"]

    def test_fields_with_a_cursor_and_a_link(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, params={"fields": "slug", "limit": 11})
        body = response.json()
        assert [item["slug"] for item in body["items"]] == SEEDED[:11]
        assert response.headers["link"] == (
            f"<http://testserver/api/v1/events?fields=slug&limit=11&cursor={body['next_cursor']}>"
            '; rel="next"'
        )
        following = client.get(
            EVENTS, params={"fields": "slug", "limit": 11, "cursor": body["next_cursor"]}
        )
        assert following.json() == {
            "items": [{"id": str(seed_id("events", SEEDED[11])), "slug": SEEDED[11]}],
            "next_cursor": None,
        }
        assert "link" not in following.headers


MEETING_CLAIMS = [
    "netanyahu-quote-security-coordination-iran-upsurge",
    "netanyahu-quote-intolerable-threat",
    "netanyahu-quote-coordination-prevents-friction",
    "netanyahu-quote-will-continue-coordination",
    "putin-quote-relations-new-quality",
    "putin-quote-international-terrorism-threat",
    "putin-accepted-rivlin-invitation",
]
ARTICLE = "breen-portnoy-netanyahu-putin-sochi-2019-09-12"


class TestListEventsExpand:
    def meeting(self, client: TestClient, expand: str) -> dict[str, Any]:
        """The Putin meeting as GET /events returns it with `expand`."""
        params = {"parent": VISIT, "cameo_code": "043", "expand": expand}
        items: list[dict[str, Any]] = client.get(EVENTS, params=params).json()["items"]
        assert [item["slug"] for item in items] == [MEETING]
        return items[0]

    def test_participants(self, seeded: Session, client: TestClient) -> None:
        item = self.meeting(client, "participants")
        assert {"claims", "sources"}.isdisjoint(item)
        links = item["participants"]
        assert [(link["participant"]["slug"], link["role"]) for link in links] == [
            ("vladimir-putin", "host"),
            ("benjamin-netanyahu", "visitor"),
        ]
        assert links[0]["participant"] == {
            "id": str(seed_id("participants", "vladimir-putin")),
            "slug": "vladimir-putin",
            "name": "Vladimir Putin",
            "kind": "person",
        }
        assert {link["event_id"] for link in links} == {str(seed_id("events", MEETING))}
        assert links[0]["event"]["slug"] == MEETING
        listed = client.get(f"{EVENTS}/{MEETING}/participants").json()["items"]
        assert links == listed

    def test_claims_at_the_event_and_about_it(self, seeded: Session, client: TestClient) -> None:
        item = self.meeting(client, "claims")
        assert {"participants", "sources"}.isdisjoint(item)
        assert [claim["slug"] for claim in item["claims"]] == MEETING_CLAIMS
        about = client.get(EVENTS, params={"expand": "claims", "limit": 500}).json()["items"]
        by_slug = {event["slug"]: [c["slug"] for c in event["claims"]] for event in about}
        assert by_slug == {
            "russian-military-intervention-syria-2015": [
                "assessment-netanyahu-putin-meetings-frequent"
            ],
            "israeli-strikes-in-syria": ["report-israeli-strikes-in-syria"],
            "iranian-attack-attempts-upsurge-2019-08": [
                "netanyahu-quote-security-coordination-iran-upsurge",
                "netanyahu-quote-intolerable-threat",
            ],
            VISIT: [],
            MEETING: MEETING_CLAIMS,
            SHOIGU_MEETING: [],
            APRIL_ELECTION: [],
            "netanyahu-coalition-failure-2019-05": [],
            "knesset-dispersal-2019-05": [],
            SEPTEMBER_ELECTION: [
                "assessment-gantz-stiff-challenge",
                "assessment-campaign-focused-on-corruption",
            ],
            "rivlin-invites-putin-to-israel": ["putin-accepted-rivlin-invitation"],
            "putin-visit-israel-2020": ["putin-accepted-rivlin-invitation"],
        }

    def test_claims_are_the_claims_as_read(self, seeded: Session, client: TestClient) -> None:
        item = self.meeting(client, "claims")
        for claim in item["claims"]:
            assert client.get(f"/api/v1/claims/{claim['id']}").json() == claim

    def test_sources(self, seeded: Session, client: TestClient) -> None:
        item = self.meeting(client, "sources")
        assert {"participants", "claims"}.isdisjoint(item)
        assert [source["slug"] for source in item["sources"]] == [ARTICLE]
        assert item["sources"][0] == client.get(f"/api/v1/sources/{ARTICLE}").json()

    def test_everything_at_once(self, seeded: Session, client: TestClient) -> None:
        item = self.meeting(client, "participants,claims,sources")
        assert len(item["participants"]) == 2
        assert [claim["slug"] for claim in item["claims"]] == MEETING_CLAIMS
        assert [source["slug"] for source in item["sources"]] == [ARTICLE]

    def test_an_event_without_links_expands_to_empty_lists(self, client: TestClient) -> None:
        made = make_event(client)
        params = {"expand": "participants,claims,sources"}
        item = client.get(EVENTS, params=params).json()["items"][0]
        assert item["slug"] == made["slug"]
        assert (item["participants"], item["claims"], item["sources"]) == ([], [], [])

    def test_rejects_an_unknown_expansion(self, client: TestClient) -> None:
        response = client.get(EVENTS, params={"expand": "participants,weather"})
        assert_problem(response, 422, "invalid fields: expand", locs=[["query", "expand"]])


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run while the test runs."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


class TestListEventsQueryCount:
    def test_expansion_takes_the_same_queries_for_any_page_size(
        self, seeded: Session, client: TestClient, statements: list[str]
    ) -> None:
        # The rate limiter looks a key up once, then remembers it: not a cost of the page.
        client.get(EVENTS, params={"limit": 1})
        counts: dict[int, int] = {}
        for limit in (1, 5, 12):
            statements.clear()
            params = {"limit": limit, "expand": "participants,claims,sources"}
            response = client.get(EVENTS, params=params)
            assert len(response.json()["items"]) == limit
            counts[limit] = len(statements)
        assert counts[1] == counts[5] == counts[12]
        assert counts[1] > 0

    def test_more_participants_take_no_more_queries(
        self, client: TestClient, statements: list[str]
    ) -> None:
        first, second = make_event(client), make_event(client)
        for made in (first, second):
            make_event_participant(client, made["id"], make_participant(client)["id"])
        params = {"expand": "participants,claims,sources"}
        statements.clear()
        client.get(EVENTS, params={"limit": 1} | params)
        one = len(statements)
        for _ in range(3):
            make_event_participant(client, second["id"], make_participant(client)["id"])
        statements.clear()
        assert len(client.get(EVENTS, params=params).json()["items"][1]["participants"]) == 4
        assert len(statements) == one


class TestReadExpandedEvent:
    def test_embeds_participants_without_an_etag(self, seeded: Session, client: TestClient) -> None:
        url = "/api/v1/events/netanyahu-putin-meeting-2019-09-12"
        response = client.get(url, params={"expand": "participants"})
        assert response.status_code == 200
        links = response.json()["participants"]
        assert sorted((p["participant"]["slug"], p["role"]) for p in links) == [
            ("benjamin-netanyahu", "visitor"),
            ("vladimir-putin", "host"),
        ]
        assert "claims" not in response.json()
        assert "etag" not in response.headers
        assert "participants" not in client.get(url).json()

    def test_unknown_expansion_is_422(self, seeded: Session, client: TestClient) -> None:
        url = "/api/v1/events/netanyahu-putin-meeting-2019-09-12"
        response = client.get(url, params={"expand": "friends"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "expand"]
