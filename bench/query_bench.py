"""Time each documented query's first page in-process on a large database, with its plan.

Usage: DATABASE_URL=sqlite:///bench/data/sqlite-1000000.db python -m bench.query_bench
[--runs 15], on the data set `make bench` makes (or any `python -m seed.synthetic` database).
Appends a section to bench/RESULTS.md. Times are medians of `--runs` calls of the service
function behind the endpoint (query, shaping into public models), without HTTP; the plan is
the database's own EXPLAIN of the statement that selects the page.
"""

import argparse
import datetime as dt
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, text
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import build_engine
from app.models import Event, EventParticipant, ParticipantIdentifier, Role, Source
from app.query import events as event_list
from app.schemas.claims import ClaimQuery
from app.schemas.events import EventQuery, EventStatsQuery
from app.schemas.participants import ParticipantQuery
from app.schemas.timelines import NetworkQuery, TimelineQuery
from app.services import (
    claim_queries,
    event_stats,
    networks,
    participant_queries,
    timelines,
)

RESULTS = Path(__file__).with_name("RESULTS.md")


def _busiest_participants(session: Session) -> list[str]:
    rows = session.exec(
        select(col(EventParticipant.participant_id), func.count())
        .group_by(col(EventParticipant.participant_id))
        .order_by(func.count().desc())
        .limit(2)
    ).all()
    return [str(participant_id) for participant_id, _ in rows]


def _rare_participant(session: Session) -> str:
    row = session.exec(
        select(col(EventParticipant.participant_id), func.count())
        .group_by(col(EventParticipant.participant_id))
        .having(func.count() >= 3)
        .order_by(func.count())
        .limit(1)
    ).first()
    assert row is not None
    return str(row[0])


def event_cases(session: Session) -> dict[str, Callable[[], Any]]:
    """The documented event questions, as service calls."""
    busiest, second = _busiest_participants(session)
    rare = _rare_participant(session)
    parent = session.exec(
        select(col(Event.parent_id)).where(col(Event.parent_id).is_not(None))
    ).first()
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)

    def page(**params: Any) -> Callable[[], Any]:
        query = EventQuery(**params)
        return lambda: event_list.list_events(session, query)

    def stats(**params: Any) -> Callable[[], Any]:
        query = EventStatsQuery(**params)
        return lambda: event_stats.event_stats(session, query)

    return {
        "first page, recorded order": page(),
        "sort=-start": page(sort="-start"),
        "country=RU": page(country=["RU"]),
        "country=RU, start in 2019, busiest participant": page(
            country=["RU"], start_after="2019", start_before="2019", participant=[busiest]
        ),
        "country + date range + participant, sort=-start": page(
            country=["US"],
            start_after="2015",
            start_before="2020",
            participant=[busiest],
            sort="-start",
        ),
        "participant (rare)": page(participant=[rare]),
        "two participants, participant_match=all": page(
            participant=[busiest, second], participant_match="all"
        ),
        "participant + role=host": page(participant=[busiest], role=["host"]),
        "event_type=meeting, sort=-start": page(event_type=["meeting"], sort="-start"),
        "status=scheduled": page(status=["scheduled"]),
        "certainty=alleged": page(certainty=["alleged"]),
        "cameo_code=04": page(cameo_code="04"),
        "start in 2019-09 (precise)": page(start_after="2019-09", start_before="2019-09"),
        "start in 2019-09, include_imprecise": page(
            start_after="2019-09", start_before="2019-09", include_imprecise=True
        ),
        "updated_since (30 days)": page(updated_since=recent),
        "parent": page(parent=str(parent)),
        "bbox (Levant)": page(bbox="34,29,42,37"),
        "near Sochi, 100 km": page(near="43.58,39.72,100"),
        "q=ceasefire": page(q="ceasefire"),
        "q=ceasefire, sort=relevance": page(q="ceasefire", sort="relevance"),
        "q=ceasefire, country=RU": page(q="ceasefire", country=["RU"]),
        "q=ceasefire, start in 2019": page(q="ceasefire", start_after="2019", start_before="2019"),
        "include_total, country=RU": page(country=["RU"], include_total=True),
        "expand=participants,claims,sources": page(expand="participants,claims,sources"),
        "stats by month, country=RU": stats(group_by="month", country=["RU"]),
        "stats by month, all events": stats(group_by="month"),
        "stats by event_type": stats(group_by="event_type"),
    }


def other_cases(session: Session) -> dict[str, Callable[[], Any]]:
    """The documented participant and claim questions, timelines and networks."""
    busiest, _ = _busiest_participants(session)
    rare = _rare_participant(session)
    source = session.exec(select(col(Source.id)).order_by(col(Source.created_at))).first()
    role = session.exec(select(col(Role.title), col(Role.organization_id)).limit(1)).first()
    identifier = session.exec(select(ParticipantIdentifier).limit(1)).first()
    assert source is not None
    assert role is not None
    assert identifier is not None

    def claims(**params: Any) -> Callable[[], Any]:
        query = ClaimQuery(**params)
        return lambda: claim_queries.list_claims(session, query)

    def people(**params: Any) -> Callable[[], Any]:
        query = ParticipantQuery(**params)
        return lambda: participant_queries.list_participants(session, query)

    timeline, network = TimelineQuery(), NetworkQuery(start_after="2019", start_before="2019")
    return {
        "claims: first page": claims(),
        "claims: claimant (busiest)": claims(claimant=[busiest]),
        "claims: subject (busiest), sort=-stated": claims(subject=[busiest], sort="-stated"),
        "claims: source": claims(source=[str(source)]),
        "claims: claim_type=allegation, status=disputed": claims(
            claim_type=["allegation"], status=["disputed"]
        ),
        "claims: stated in 2019-09": claims(stated_after="2019-09", stated_before="2019-09"),
        "claims: q=ceasefire": claims(q="ceasefire"),
        "claims: q=ceasefire, sort=relevance": claims(q="ceasefire", sort="relevance"),
        "claims: q=ceasefire, claim_type=allegation": claims(
            q="ceasefire", claim_type=["allegation"]
        ),
        "participants: first page": people(),
        "participants: kind=state": people(kind=["state"]),
        "participants: country=RU, sort=name": people(country=["RU"], sort="name"),
        "participants: identifier": people(identifier=[f"{identifier.scheme}:{identifier.value}"]),
        "participants: role_title + role_on": people(
            role_title=role[0], role_organization=str(role[1]), role_on="2019-09-12"
        ),
        "participants: q (a name)": people(q="Putin"),
        "timeline (busiest participant)": lambda: timelines.participant_timeline(
            session, busiest, timeline
        ),
        "timeline (rare participant)": lambda: timelines.participant_timeline(
            session, rare, timeline
        ),
        "network (busiest participant, 2019)": lambda: networks.participant_network(
            session, busiest, network
        ),
        "network (rare participant)": lambda: networks.participant_network(
            session, rare, NetworkQuery()
        ),
        "network (busiest participant, all dates)": lambda: networks.participant_network(
            session, busiest, NetworkQuery()
        ),
    }


def cursor_walk_cost(
    session: Session, pages: int, ends: int = 10, rounds: int = 5
) -> tuple[float, float]:
    """Median time of the first and of the last `ends` pages of a `pages`-page cursor walk
    (sort=-start): the walk is made once, then those pages are read again by their cursors,
    the two ends taking turns for `rounds` rounds."""
    query = EventQuery(sort="-start")
    cursors: list[str | None] = [None]
    for _ in range(pages - 1):
        _, cursor, _ = event_list.list_events(
            session, query.model_copy(update={"cursor": cursors[-1]})
        )
        cursors.append(cursor)
    timings: dict[str, list[float]] = {"first": [], "last": []}
    for _ in range(rounds):
        for end, chosen in (("first", cursors[:ends]), ("last", cursors[-ends:])):
            for cursor in chosen:
                started = time.perf_counter()
                event_list.list_events(session, query.model_copy(update={"cursor": cursor}))
                timings[end].append(time.perf_counter() - started)
    return statistics.median(timings["first"]), statistics.median(timings["last"])


class PlanCapture:
    """Remembers the statement that selects the page (or the counts) during a call."""

    def __init__(self, engine: Engine) -> None:
        self.statement: tuple[str, Any] | None = None
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        if self.statement is not None or "FROM" not in statement:
            return
        if ("LIMIT" in statement and "ORDER BY" in statement) or "GROUP BY" in statement:
            self.statement = (statement, params)


def explain(engine: Engine, statement: str, params: Any) -> str:
    """The engine's plan of one statement, as text."""
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, params).all()
    if engine.dialect.name == "sqlite":
        return "\n".join(f"{row[1]:>3} {row[3]}" for row in rows)
    return "\n".join(str(row[0]) for row in rows)


def measure(engine: Engine, runs: int) -> list[tuple[str, float, float, str]]:
    """(case, median ms, p95 ms, plan) for every case."""
    results = []
    with Session(engine) as session:
        for name, call in (event_cases(session) | other_cases(session)).items():
            capture = PlanCapture(engine)
            call()
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                call()
                timings.append((time.perf_counter() - started) * 1000)
            event.remove(engine, "before_cursor_execute", capture._seen)
            plan = explain(engine, *capture.statement) if capture.statement else ""
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
            results.append((name, statistics.median(timings), p95, plan))
            print(f"{name:60} {statistics.median(timings):8.2f} ms")
    return results


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
            for name in ("event", "participant", "event_participant", "claim", "appearance")
        }


def main() -> None:
    """Run the cases and append the results to bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--walk", type=int, default=1000, help="pages of the cursor walk")
    args = parser.parse_args()
    engine = build_engine(get_settings().database_url)
    counts = _counts(engine)
    results = measure(engine, args.runs)
    with Session(engine) as session:
        first, last = cursor_walk_cost(session, args.walk)
    lines = [
        f"\n## Query API, in-process, {engine.dialect.name}, {counts['event']:,} events "
        f"({dt.date.today().isoformat()})\n",
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}; {counts['participant']:,} participants, "
        f"{counts['event_participant']:,} event links, {counts['claim']:,} claims, "
        f"{counts['appearance']:,} appearances. Median and p95 of {args.runs} calls after one "
        "warm-up call; first page (50 items).\n",
        "| query | median ms | p95 ms | under 50 ms |",
        "|---|---|---|---|",
        *(f"| {n} | {m:.1f} | {p:.1f} | {'yes' if m < 50 else 'NO'} |" for n, m, p, _ in results),
        f"\nCursor walk (sort=-start) of {args.walk} pages: pages 1 to 10 {first * 1000:.1f} ms, "
        f"the last 10 {last * 1000:.1f} ms (medians, each page read again by its cursor in 5 "
        f"alternating rounds); ratio {last / first:.2f}.\n",
        "### Plans\n",
    ]
    for name, _, _, plan in results:
        lines += [f"**{name}**\n", "```", plan, "```\n"]
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
