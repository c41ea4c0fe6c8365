"""The planner's counts, written once per shape for the driver, count what the walk reads."""

import datetime as dt
import itertools

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Event, Participant
from app.schemas.events import EventFilters
from app.services import linked_pages, paging, rows
from app.services.linked_pages import CLAIMS, EVENTS, Links, Walk

DAYS = (None, dt.date(2019, 9, 12), dt.date(2019, 9, 13), dt.date(2019, 9, 17))


def _core_count(session: Session, links: Links, walk: Walk, most: int) -> int:
    # The same count as SQLAlchemy builds it from the walk's own conditions.
    found = select(col(links.table.participant_id)).where(*linked_pages._narrowing(links, walk))
    sample = found.limit(most).subquery()
    return int(session.exec(select(func.count()).select_from(sample)).one())


def _walks(session: Session, links: Links = EVENTS) -> list[Walk]:
    people = rows.load(session, Participant, "slug", ["vladimir-putin", "benjamin-netanyahu"])
    assert len(people) == 2
    return [
        Walk(person.id, roles, start, end)
        for person in people
        # A claim's subjects have no roles.
        for roles in ((), ("host",), ("host", "guest"))
        if links is EVENTS or not roles
        for start, end in itertools.product(DAYS, DAYS)
    ]


@pytest.mark.parametrize("links", [EVENTS, CLAIMS], ids=["events", "claims"])
def test_each_count_is_what_the_walks_conditions_select(seeded: Session, links: Links) -> None:
    counted = [
        (linked_pages._count(seeded, links, walk, most), _core_count(seeded, links, walk, most))
        for walk in _walks(seeded, links)
        for most in (1, 100)
    ]
    assert [ours for ours, _ in counted] == [core for _, core in counted]
    # The seed's dates and roles cut: not every walk counts the same.
    assert len({core for _, core in counted}) > 2


def test_links_dense_counts_every_participants_links(
    seeded: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    walks = _walks(seeded)
    ids = list({w.participant_id for w in walks})
    linked = _core_count(seeded, EVENTS, Walk(ids[0]), 100) + _core_count(
        seeded, EVENTS, Walk(ids[1]), 100
    )
    monkeypatch.setattr(paging, "DENSE", linked)
    assert linked_pages.links_dense(seeded, ids, ())
    monkeypatch.setattr(paging, "DENSE", linked + 1)
    assert not linked_pages.links_dense(seeded, ids, ())
    # Roles narrow the links counted.
    monkeypatch.setattr(paging, "DENSE", 1)
    assert linked_pages.links_dense(seeded, ids, ("host", "guest"))
    assert not linked_pages.links_dense(seeded, ids, ("no-such-role",))


def test_fewer_events_counts_the_countrys_events_in_range(seeded: Session) -> None:
    (putin,) = rows.load(seeded, Participant, "slug", ["vladimir-putin"])
    for start, end in itertools.product(DAYS, DAYS[1:]):
        walk = Walk(putin.id, (), start, end)
        in_range = [
            col(Event.start_sort) <= end,
            *([col(Event.start_sort) >= start] if start else []),
        ]
        for country in ("RU", "IL"):
            events = seeded.exec(
                select(func.count()).where(col(Event.location_country) == country, *in_range)
            ).one()
            links = _core_count(seeded, EVENTS, walk, 100)
            fewer = linked_pages.fewer_events(seeded, EventFilters(country=[country]), walk)
            assert fewer == (events if events < links else None)
