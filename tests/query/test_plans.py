"""Which plan each representative list query gets, and why, on each engine."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.query import claims, events, planner
from app.query.lists import PARTICIPANTS, Request
from app.query.planner import PlanName
from app.schemas.claims import ClaimQuery
from app.schemas.events import EventQuery
from app.schemas.participants import ParticipantQuery
from app.services import paging, participant_queries
from tests.factories import make_event

# PostgreSQL weighs LIMIT itself: it is given the page-order form whenever no walk applies.
WEIGHED = (PlanName.INDEX_ORDER, "postgresql weighs LIMIT itself")
NETANYAHU = "benjamin-netanyahu"
# Seeded events in Russia from 2019 on, counted on (country, start) alone: an upper bound.
NARROWED = "at most 3 events of the country or type in range, fewer than links"

# (query, the SQLite plan, the PostgreSQL plan) over the seeded data.
EVENT_CASES: list[tuple[dict[str, Any], tuple[PlanName, str], tuple[PlanName, str]]] = [
    ({}, (PlanName.INDEX_ORDER, "unfiltered, or many matches"), WEIGHED),
    ({"country": ["IL"]}, (PlanName.SORTED_MATCHES, "few matches"), WEIGHED),
    (
        {"participant": [NETANYAHU], "sort": "-start"},
        (PlanName.WALK_LINKS, "one participant's links in start order"),
        (PlanName.WALK_LINKS, "one participant's links in start order"),
    ),
    (
        {"participant": ["vladimir-putin", NETANYAHU], "participant_match": "all"},
        (PlanName.WALK_LINKS, "one participant's links in recorded order"),
        (PlanName.WALK_LINKS, "one participant's links in recorded order"),
    ),
    (
        {"participant": [NETANYAHU], "sort": "title"},
        (PlanName.SORTED_MATCHES, "participants with few links"),
        WEIGHED,
    ),
    (
        {"participant": [NETANYAHU], "country": ["RU"], "start_after": "2019"},
        (PlanName.NARROW_FIRST, NARROWED),
        (PlanName.NARROW_FIRST, NARROWED),
    ),
    ({"q": "election"}, (PlanName.SORTED_MATCHES, "few text matches"), WEIGHED),
    (
        {"q": "election", "sort": "relevance"},
        (PlanName.RELEVANCE_TOP, "ranked text matches alone"),
        (PlanName.RELEVANCE_TOP, "ranked text matches alone"),
    ),
    (
        {"q": "election", "country": ["IL"], "sort": "relevance"},
        (PlanName.RELEVANCE, "ranked text matches, other filters"),
        (PlanName.RELEVANCE, "ranked text matches, other filters"),
    ),
]
CLAIM_CASES: list[tuple[dict[str, Any], tuple[PlanName, str], tuple[PlanName, str]]] = [
    (
        {"subject": [NETANYAHU], "sort": "-stated"},
        (PlanName.WALK_LINKS, "one participant's links in stated order"),
        (PlanName.WALK_LINKS, "one participant's links in stated order"),
    ),
    (
        {"subject": ["israel"], "sort": "updated_at"},
        (PlanName.SORTED_MATCHES, "few matches"),
        WEIGHED,
    ),
    ({"claim_type": ["quote"]}, (PlanName.SORTED_MATCHES, "few matches"), WEIGHED),
    (
        {"q": "Netanyahu", "sort": "relevance"},
        (PlanName.RELEVANCE_TOP, "ranked text matches alone"),
        (PlanName.RELEVANCE_TOP, "ranked text matches alone"),
    ),
]


def _expected(session: Session, sqlite: tuple[PlanName, str], other: tuple[PlanName, str]) -> Any:
    return sqlite if session.get_bind().dialect.name == "sqlite" else other


class TestEventPlans:
    @pytest.mark.parametrize(("params", "sqlite", "postgresql"), EVENT_CASES)
    def test_plan_and_reason(
        self,
        seeded: Session,
        params: dict[str, Any],
        sqlite: tuple[PlanName, str],
        postgresql: tuple[PlanName, str],
    ) -> None:
        plan = events.plan(seeded, EventQuery.model_validate(params))
        assert (plan.name, plan.reason) == _expected(seeded, sqlite, postgresql)

    def test_many_matches_are_read_along_the_sort_index(
        self, seeded: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(paging, "DENSE", 1)
        plan = events.plan(seeded, EventQuery.model_validate({"country": ["IL"]}))
        expected = (PlanName.INDEX_ORDER, "unfiltered, or many matches")
        assert (plan.name, plan.reason) == _expected(seeded, expected, WEIGHED)

    def test_many_text_matches_and_few_others_read_the_others_first(
        self, session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for n in range(1, 7):
            place = {"name": "Paris", "country": "FR"} if n in (2, 5) else None
            make_event(client, title=f"Summit number {n}", location=place)
        make_event(client, title="A meeting in France", location={"name": "Lyon", "country": "FR"})
        monkeypatch.setattr(paging, "DENSE", 4)
        plan = events.plan(session, EventQuery.model_validate({"q": "summit", "country": ["FR"]}))
        expected = (PlanName.OTHERS_FIRST, "many text matches, few others")
        assert (plan.name, plan.reason) == _expected(session, expected, WEIGHED)


class TestClaimPlans:
    @pytest.mark.parametrize(("params", "sqlite", "postgresql"), CLAIM_CASES)
    def test_plan_and_reason(
        self,
        seeded: Session,
        params: dict[str, Any],
        sqlite: tuple[PlanName, str],
        postgresql: tuple[PlanName, str],
    ) -> None:
        plan = claims.plan(seeded, ClaimQuery.model_validate(params))
        assert (plan.name, plan.reason) == _expected(seeded, sqlite, postgresql)


class TestParticipantPlans:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"sort": "name"}, (PlanName.STORED_ORDER, "no index hints for this list")),
            (
                {"q": "netanyahu", "sort": "relevance"},
                (PlanName.RELEVANCE, "every text match ranked"),
            ),
        ],
    )
    def test_plan_and_reason(
        self, seeded: Session, params: dict[str, Any], expected: tuple[PlanName, str]
    ) -> None:
        found = ParticipantQuery.model_validate(params)
        request = Request(
            listing=PARTICIPANTS,
            where=participant_queries.conditions(seeded, found),
            sort=found.sort,
            q=found.q,
            limit=found.limit,
            cursor=None,
            scope="",
            include_total=False,
        )
        plan = planner.plan_ordered(seeded, request)
        assert (plan.name, plan.reason) == expected
