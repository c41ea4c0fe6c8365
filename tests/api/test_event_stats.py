"""GET /events/stats: counts by month, year, type, country and status, with the filters."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import assert_problem, make_event

STATS = "/api/v1/events/stats"


def stats(client: TestClient, **params: Any) -> dict[str, Any]:
    """The body of GET /events/stats for `params`."""
    response = client.get(STATS, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def buckets(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    """The JSON of buckets `(key, count)`."""
    return [{"key": key, "count": count} for key, count in pairs]


class TestEventStats:
    def test_by_month(self, seeded: Session, client: TestClient) -> None:
        # `2015`, `../2019-09-12` (twice), `2019-04/2019-09-12` (the coalition failure and
        # the dispersal, which the article does not date) and `2020-01/2020-04` fit no month.
        assert stats(client, group_by="month") == {
            "group_by": "month",
            "buckets": buckets(("2019-04", 1), ("2019-08", 1), ("2019-09", 4)),
            "imprecise": 6,
            "undated": 0,
        }

    def test_by_year(self, seeded: Session, client: TestClient) -> None:
        # Only the two open starts (`../2019-09-12`) fit no single year.
        assert stats(client, group_by="year") == {
            "group_by": "year",
            "buckets": buckets(("2015", 1), ("2019", 8), ("2020", 1)),
            "imprecise": 2,
            "undated": 0,
        }

    def test_by_event_type(self, seeded: Session, client: TestClient) -> None:
        assert stats(client, group_by="event_type") == {
            "group_by": "event_type",
            "buckets": buckets(
                ("attack", 1),
                ("election", 2),
                ("intervention", 1),
                ("invitation", 1),
                ("legislative_action", 1),
                ("meeting", 2),
                ("other", 1),
                ("strike", 1),
                ("visit", 2),
            ),
            "imprecise": 0,
            "undated": 0,
        }

    def test_by_country(self, seeded: Session, client: TestClient) -> None:
        # The invitation has no location.
        assert stats(client, group_by="country") == {
            "group_by": "country",
            "buckets": buckets(("IL", 5), ("RU", 3), ("SY", 3), ("unknown", 1)),
            "imprecise": 0,
            "undated": 0,
        }

    def test_by_status(self, seeded: Session, client: TestClient) -> None:
        assert stats(client, group_by="status") == {
            "group_by": "status",
            "buckets": buckets(("occurred", 9), ("ongoing", 1), ("planned", 1), ("scheduled", 1)),
            "imprecise": 0,
            "undated": 0,
        }

    def test_a_year_only_date_is_imprecise_by_month(self, client: TestClient) -> None:
        make_event(client, start="2019")
        make_event(client, start="2019-01-15")
        make_event(client, start="2019-01")
        make_event(client, start=None)
        assert stats(client, group_by="month") == {
            "group_by": "month",
            "buckets": buckets(("2019-01", 2)),
            "imprecise": 1,
            "undated": 1,
        }
        assert stats(client, group_by="year") == {
            "group_by": "year",
            "buckets": buckets(("2019", 3)),
            "imprecise": 0,
            "undated": 1,
        }

    def test_a_range_within_one_month_counts_in_it(self, client: TestClient) -> None:
        make_event(client, start="2019-09-01/2019-09-30")
        make_event(client, start="2019-09-25/2019-10-05")
        make_event(client, start="2019-12-31/2020-01-01")
        assert stats(client, group_by="month")["buckets"] == buckets(("2019-09", 1))
        assert stats(client, group_by="year")["buckets"] == buckets(("2019", 2))

    def test_an_open_range_is_imprecise_not_undated(self, client: TestClient) -> None:
        make_event(client, start="2019-09-12/..")
        make_event(client, start="../2019-09-12")
        make_event(client, start="2019-09-12")
        assert stats(client, group_by="month") == {
            "group_by": "month",
            "buckets": buckets(("2019-09", 1)),
            "imprecise": 2,
            "undated": 0,
        }

    def test_undated_events_count_under_their_other_keys(self, client: TestClient) -> None:
        make_event(client, start=None, event_type="visit")
        assert stats(client, group_by="event_type") == {
            "group_by": "event_type",
            "buckets": buckets(("visit", 1)),
            "imprecise": 0,
            "undated": 0,
        }

    def test_nothing_to_count(self, client: TestClient) -> None:
        assert stats(client, group_by="month") == {
            "group_by": "month",
            "buckets": [],
            "imprecise": 0,
            "undated": 0,
        }


class TestEventStatsFilters:
    def test_country(self, seeded: Session, client: TestClient) -> None:
        assert stats(client, group_by="month", country="IL") == {
            "group_by": "month",
            "buckets": buckets(("2019-04", 1), ("2019-09", 1)),
            "imprecise": 3,
            "undated": 0,
        }
        assert stats(client, group_by="event_type", country=["ISR", "RU"])["buckets"] == buckets(
            ("election", 2),
            ("legislative_action", 1),
            ("meeting", 2),
            ("other", 1),
            ("visit", 2),
        )

    def test_participant_and_role(self, seeded: Session, client: TestClient) -> None:
        assert stats(client, group_by="event_type", participant="vladimir-putin")[
            "buckets"
        ] == buckets(("invitation", 1), ("meeting", 1), ("visit", 2))
        assert stats(client, group_by="country", participant="vladimir-putin", role="host")[
            "buckets"
        ] == buckets(("RU", 2))

    def test_start_range(self, seeded: Session, client: TestClient) -> None:
        september = {"start_after": "2019-09", "start_before": "2019-09"}
        assert stats(client, group_by="country", **september)["buckets"] == buckets(
            ("IL", 1), ("RU", 3)
        )
        imprecise = stats(client, group_by="country", include_imprecise=True, **september)
        assert imprecise["buckets"] == buckets(("IL", 3), ("RU", 3), ("SY", 1), ("unknown", 1))

    def test_q(self, seeded: Session, client: TestClient) -> None:
        assert stats(client, group_by="status", q="elections")["buckets"] == buckets(
            ("occurred", 3), ("scheduled", 1)
        )

    def test_place(self, seeded: Session, client: TestClient) -> None:
        assert stats(client, group_by="year", near="43.58,39.72,50") == {
            "group_by": "year",
            "buckets": buckets(("2019", 3)),
            "imprecise": 0,
            "undated": 0,
        }
        assert stats(client, group_by="status", bbox="34,29,42,37")["buckets"] == buckets(
            ("occurred", 5), ("ongoing", 1), ("planned", 1), ("scheduled", 1)
        )

    def test_parent_and_type(self, seeded: Session, client: TestClient) -> None:
        params = {"parent": "netanyahu-visit-sochi-2019-09-12", "event_type": "meeting"}
        assert stats(client, group_by="month", **params)["buckets"] == buckets(("2019-09", 2))


class TestEventStatsStatusOn:
    def test_groups_by_the_status_on_that_day(self, client: TestClient) -> None:
        changed = make_event(client, status="scheduled", status_as_of="2019-09-12")
        body = {"status": "occurred", "status_as_of": "2019-09-17"}
        assert client.patch(f"/api/v1/events/{changed['id']}", json=body).status_code == 200
        make_event(client, status="occurred", status_as_of="2019-09-10")
        # Reported after the day asked about: its status then is unknown, so it is left out.
        make_event(client, status="planned", status_as_of="2019-09-20")
        assert stats(client, group_by="status", status_on="2019-09-13") == {
            "group_by": "status",
            "buckets": buckets(("occurred", 1), ("scheduled", 1)),
            "imprecise": 0,
            "undated": 0,
        }
        assert stats(client, group_by="status", status_on="2019-09-17")["buckets"] == buckets(
            ("occurred", 2)
        )
        on = {"group_by": "status", "status_on": "2019-09-13", "status": "scheduled"}
        assert stats(client, **on)["buckets"] == buckets(("scheduled", 1))
        assert stats(client, group_by="status")["buckets"] == buckets(
            ("occurred", 2), ("planned", 1)
        )


class TestEventStatsErrors:
    def test_rejects_an_unknown_group_by(self, client: TestClient) -> None:
        response = client.get(STATS, params={"group_by": "week"})
        assert_problem(response, 422, "invalid fields: group_by", locs=[["query", "group_by"]])

    def test_rejects_a_missing_group_by(self, client: TestClient) -> None:
        response = client.get(STATS)
        assert_problem(response, 422, "invalid fields: group_by", locs=[["query", "group_by"]])

    @pytest.mark.parametrize("name", ["sort", "limit", "cursor", "fields"])
    def test_rejects_list_parameters(self, client: TestClient, name: str) -> None:
        response = client.get(STATS, params={"group_by": "year", name: "1"})
        assert_problem(response, 422, f"invalid fields: {name}", locs=[["query", name]])

    def test_rejects_a_role_without_participant(self, client: TestClient) -> None:
        response = client.get(STATS, params={"group_by": "year", "role": "host"})
        assert_problem(response, 422, "role: needs participant", locs=[["query", "role"]])

    def test_rejects_a_query_of_stop_words(self, client: TestClient) -> None:
        response = client.get(STATS, params={"group_by": "year", "q": "the"})
        detail = "q: has no searchable words (only stop words or symbols)"
        assert_problem(response, 422, detail, locs=[["query", "q"]])

    def test_rejects_an_unknown_parent(self, client: TestClient) -> None:
        response = client.get(STATS, params={"group_by": "year", "parent": "nothing"})
        assert_problem(response, 422, "parent: no event 'nothing'", locs=[["query", "parent"]])
