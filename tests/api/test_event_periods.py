"""GET /events by span and by status on a date: active_on, overlaps, status_on."""

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import assert_problem, make_event

EVENTS = "/api/v1/events"


def found(client: TestClient, **params: Any) -> list[str]:
    """The slugs of every matching event, sorted."""
    response = client.get(EVENTS, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return sorted(item["slug"] for item in response.json()["items"])


def day(date: str) -> dict[str, str]:
    """The public form of an EDTF day."""
    return {"edtf": date, "precision": "day", "earliest": date, "latest": date}


class TestActiveOn:
    def test_the_ongoing_intervention_is_under_way_in_september_2019(
        self, seeded: Session, client: TestClient
    ) -> None:
        # Begun in 2015, reported ongoing on 12 September 2019: certainly under way then.
        assert "russian-military-intervention-syria-2015" in found(client, active_on="2019-09")
        assert "russian-military-intervention-syria-2015" in found(client, active_on="2019-09-12")

    def test_certainly_or_possibly(self, client: TestClient) -> None:
        spanning = make_event(client, start="2019-08", end="2019-08")
        whole_month = make_event(client, start="2019-08-01", end="2019-08-31")
        # The first may have lasted only a day of August: possibly, not certainly, on the 15th.
        assert found(client, active_on="2019-08-15") == [whole_month["slug"]]
        assert found(client, active_on="2019-08-15", include_imprecise="true") == [
            spanning["slug"],
            whole_month["slug"],
        ]
        assert found(client, active_on="2019-08") == [spanning["slug"], whole_month["slug"]]

    def test_an_ongoing_event_reaches_the_present(self, client: TestClient) -> None:
        ongoing = make_event(client, start="2015", status="ongoing", status_as_of="2019-09-12")
        over = make_event(client, start="2015", end="2016")
        # Reported ongoing in 2019: possibly still under way in 2024, certainly not known.
        assert found(client, active_on="2024") == []
        assert found(client, active_on="2024", include_imprecise="true") == [ongoing["slug"]]
        # Begun by the end of 2015 and still going in 2019: certainly under way in mid-2016;
        # the other may have ended in January 2016.
        assert found(client, active_on="2016-06") == [ongoing["slug"]]
        both = found(client, active_on="2016-06", include_imprecise="true")
        assert sorted(both) == sorted([ongoing["slug"], over["slug"]])

    def test_an_open_start_is_possibly_under_way_before(self, client: TestClient) -> None:
        strikes = make_event(client, start="../2019-09-12")
        assert found(client, active_on="2018") == []
        assert found(client, active_on="2018", include_imprecise="true") == [strikes["slug"]]
        assert found(client, active_on="2019-09-13", include_imprecise="true") == []

    def test_undated_events_never_match(self, client: TestClient) -> None:
        make_event(client, start=None)
        assert found(client, active_on="2019", include_imprecise="true") == []

    def test_rejects_an_open_date(self, client: TestClient) -> None:
        response = client.get(EVENTS, params={"active_on": "2019/.."})
        detail = "active_on: must be a bounded date; use overlaps for an open range"
        assert_problem(response, 422, detail, locs=[["query", "active_on"]])


class TestOverlaps:
    def test_the_election_chain_on_the_seed(self, seeded: Session, client: TestClient) -> None:
        assert found(client, overlaps="2019-04/2019-09-17", event_type="election") == [
            "knesset-election-2019-04-09",
            "knesset-election-2019-09-17",
        ]

    def test_open_ends(self, client: TestClient) -> None:
        old = make_event(client, start="2001", end="2003")
        new = make_event(client, start="2020-02-02")
        assert found(client, overlaps="../2002") == [old["slug"]]
        assert found(client, overlaps="2020/..") == [new["slug"]]

    @pytest.mark.parametrize(
        ("value", "detail", "loc"),
        [
            (
                "2019-09",
                "overlaps: must be an interval A/B, e.g. 2019-09/2019-10 or 2019/..",
                "overlaps",
            ),
            ("2019/2018", "invalid fields: overlaps", "overlaps"),
        ],
    )
    def test_rejects_what_is_not_an_interval(
        self, client: TestClient, value: str, detail: str, loc: str
    ) -> None:
        response = client.get(EVENTS, params={"overlaps": value})
        assert_problem(response, 422, detail, locs=[["query", loc]])


class TestStatusChanges:
    def test_a_new_status_is_as_of_the_day_it_is_recorded(self, client: TestClient) -> None:
        event = make_event(client, status="planned", status_as_of="2019-09-12")
        updated = client.patch(f"{EVENTS}/{event['id']}", json={"status": "cancelled"}).json()
        today = dt.datetime.now(dt.UTC).date().isoformat()
        assert (updated["status"], updated["status_as_of"]) == ("cancelled", day(today))

    def test_a_backdated_status_goes_into_the_history(self, client: TestClient) -> None:
        event = make_event(client, status="occurred", status_as_of="2019-09-17")
        body = {"status": "scheduled", "status_as_of": "2019-09-12"}
        updated = client.patch(f"{EVENTS}/{event['id']}", json=body).json()
        assert (updated["status"], updated["status_as_of"]) == ("occurred", day("2019-09-17"))
        assert [(h["status"], h["as_of"]["edtf"]) for h in updated["status_history"]] == [
            ("scheduled", "2019-09-12"),
            ("occurred", "2019-09-17"),
        ]


class TestStatusOn:
    def test_the_september_election_was_scheduled_on_the_article_day(
        self, seeded: Session, client: TestClient
    ) -> None:
        params = {"status_on": "2019-09-12", "status": "scheduled"}
        assert found(client, **params) == ["knesset-election-2019-09-17"]
        item = client.get(EVENTS, params=params).json()["items"][0]
        assert item["status_on"] == {
            "date": "2019-09-12",
            "status": "scheduled",
            "as_of": day("2019-09-12"),
        }

    def test_the_status_then_not_now(self, client: TestClient) -> None:
        event = make_event(client, status="scheduled", status_as_of="2019-09-12")
        body = {"status": "occurred", "status_as_of": "2019-09-17"}
        client.patch(f"{EVENTS}/{event['id']}", json=body)
        assert found(client, status_on="2019-09-13", status="scheduled") == [event["slug"]]
        assert found(client, status_on="2019-09-13", status="occurred") == []
        assert found(client, status_on="2019-09-17", status="occurred") == [event["slug"]]
        # Before any report its status is unknown.
        assert found(client, status_on="2019-09-11") == []

    def test_status_on_is_left_out_unless_asked(self, client: TestClient) -> None:
        make_event(client)
        assert "status_on" not in client.get(EVENTS).json()["items"][0]
