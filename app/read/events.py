"""Events as JSON bytes: an event with its history, relations, identifiers and citations."""

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Dialect, Table
from sqlmodel import Session

from app.models import (
    EVENT_MEASURES,
    Claim,
    ClaimSubject,
    Event,
    EventIdentifier,
    EventParticipant,
    EventRelation,
    EventSource,
    EventStatusChange,
    Participant,
)
from app.query import dialects
from app.read import pages
from app.read.claims import CLAIMS
from app.read.columns import Db, Select, cached, dialect_of, markers, of, rebind, select
from app.read.layouts import (
    EVENT_SUMMARY,
    FILLED,
    META,
    PARTICIPANT_SUMMARY,
    PROVENANCE,
    DateBounds,
    Layout,
    Location,
)
from app.read.records import Filler, Kind, Record, encode
from app.read.sources import SOURCES
from app.schemas.events import EventExpansion, EventQuery
from app.services import event_periods, search

EVENT: Table = Event.__table__  # type: ignore[attr-defined]
_LAYOUT = Layout(
    *META,
    *PROVENANCE,
    *("slug", "title", "summary", "event_type", "cameo_code", "plover_type"),
    ("start", DateBounds("start")),
    ("end", DateBounds("end")),
    "status",
    ("status_as_of", DateBounds("status_as_of")),
    ("status_history", FILLED),
    "certainty",
    ("location", Location()),
    "parent_id",
    ("parent", FILLED),
    ("relations", FILLED),
    ("incoming_relations", FILLED),
    ("identifiers", FILLED),
    *EVENT_MEASURES,
    ("citations", FILLED),
)
_LINK = Layout(
    *META,
    *PROVENANCE,
    *("event_id", "participant_id", "role", "note"),
    ("participant", FILLED),
    ("event", FILLED),
)
_SUMMARY_FIELDS = tuple(field for field, _ in EVENT_SUMMARY.fields)


def _aliased(alias: str, layout: Layout, table: Table) -> list[str]:
    return [f"{alias}.{c.name}" for c in layout.columns(table)]


@cached
def _events(dialect: Dialect, column: str, count: int) -> Select:
    # With the parent in brief: an event names at most one.
    return select(
        dialect,
        _LAYOUT.columns(EVENT) + EVENT_SUMMARY.columns(EVENT),
        "FROM event e LEFT JOIN event parent ON parent.id = e.parent_id "
        f"WHERE e.{column} IN ({markers(dialect, count)})",
        names=_aliased("e", _LAYOUT, EVENT) + _aliased("parent", EVENT_SUMMARY, EVENT),
    )


@cached
def _identifiers(dialect: Dialect, count: int) -> Select:
    table = EventIdentifier.__table__  # type: ignore[attr-defined]
    return select(
        dialect,
        of(table, "event_id", "scheme", "value"),
        f"FROM event_identifier WHERE event_id IN ({markers(dialect, count)}) ORDER BY scheme",
    )


@cached
def _citations(dialect: Dialect, count: int) -> Select:
    table = EventSource.__table__  # type: ignore[attr-defined]
    return select(
        dialect,
        of(table, "event_id", "source_id", "locator", "note"),
        f"FROM event_source WHERE event_id IN ({markers(dialect, count)}) ORDER BY source_id",
    )


@cached
def _history(dialect: Dialect, count: int) -> Select:
    table = EventStatusChange.__table__  # type: ignore[attr-defined]
    names = ("event_id", "status", "as_of_edtf", "as_of_precision", "as_of_earliest")
    return select(
        dialect,
        of(table, *names, "as_of_latest", "recorded_at"),
        f"FROM event_status_change WHERE event_id IN ({markers(dialect, count)}) "
        "ORDER BY recorded_at, id",
    )


@cached
def _relations(dialect: Dialect, count: int, incoming: bool) -> Select:
    # Outgoing links name the related event; incoming ones the event declaring them.
    table = EventRelation.__table__  # type: ignore[attr-defined]
    own, other = ("related_event_id", "event_id") if incoming else ("event_id", "related_event_id")
    return select(
        dialect,
        of(table, own, "relation", other) + EVENT_SUMMARY.columns(EVENT),
        f"FROM event_relation r JOIN event e ON e.id = r.{other} "
        f"WHERE r.{own} IN ({markers(dialect, count)}) ORDER BY r.relation, r.{other}",
        names=[f"r.{own}", "r.relation", f"r.{other}", *_aliased("e", EVENT_SUMMARY, EVENT)],
    )


@cached
def _participants(dialect: Dialect, count: int) -> Select:
    links = EventParticipant.__table__  # type: ignore[attr-defined]
    people = Participant.__table__  # type: ignore[attr-defined]
    return select(
        dialect,
        _LINK.columns(links) + PARTICIPANT_SUMMARY.columns(people),
        "FROM event_participant l JOIN participant p ON p.id = l.participant_id "
        f"WHERE l.event_id IN ({markers(dialect, count)}) ORDER BY l.created_at, l.id",
        names=_aliased("l", _LINK, links) + _aliased("p", PARTICIPANT_SUMMARY, people),
    )


@cached
def _subjects(dialect: Dialect, count: int) -> Select:
    table = ClaimSubject.__table__  # type: ignore[attr-defined]
    return select(
        dialect,
        of(table, "claim_id", "event_id"),
        f"FROM claim_subject WHERE event_id IN ({markers(dialect, count)})",
    )


@cached
def _claims_about(dialect: Dialect, events: int, subjects: int) -> Select:
    # The claims of the events (their `event_id`) and those with them among their subjects.
    table = Claim.__table__  # type: ignore[attr-defined]
    also = f" OR id IN ({markers(dialect, subjects)})" if subjects else ""
    return select(
        dialect,
        of(table, "id", "event_id"),
        f"FROM claim WHERE event_id IN ({markers(dialect, events)}){also} ORDER BY created_at, id",
    )


def _event(row: list[Any]) -> Record:
    record = _LAYOUT.record(row)
    record["parent"] = EVENT_SUMMARY.record(row, _LAYOUT.width) if record["parent_id"] else None
    return record


def _statements(dialect: Dialect, count: int) -> tuple[Select, ...]:
    return (
        _identifiers(dialect, count),
        _citations(dialect, count),
        _history(dialect, count),
        _relations(dialect, count, False),
        _relations(dialect, count, True),
    )


def _fill(by_id: dict[Any, Record], rows: list[list[list[Any]]]) -> None:
    identifiers, citations, history, outgoing, incoming = rows
    for record in by_id.values():
        record.update(
            status_history=[], relations=[], incoming_relations=[], identifiers={}, citations=[]
        )
    for event_id, scheme, value in identifiers:
        by_id[event_id]["identifiers"][scheme] = value
    for event_id, source_id, locator, note in citations:
        by_id[event_id]["citations"].append(
            {"source_id": source_id, "locator": locator, "note": note}
        )
    _fill_history(by_id, history)
    for found, field in ((outgoing, "relations"), (incoming, "incoming_relations")):
        for row in found:
            summary = EVENT_SUMMARY.record(row, 3)
            by_id[row[0]][field].append({"relation": row[1], "event_id": row[2], "event": summary})


def _fill_history(by_id: dict[Any, Record], rows: list[list[Any]]) -> None:
    for event_id, status, edtf, precision, earliest, latest, recorded_at in rows:
        as_of = (
            None
            if edtf is None
            else {"edtf": edtf, "precision": precision, "earliest": earliest, "latest": latest}
        )
        # Oldest first by the day each status was reported for (an undated one: recorded), so
        # that a backdated status takes its place; days compared as ISO text on every engine.
        day = recorded_at.date() if edtf is None else earliest or latest or "0001-01-01"
        change = {"status": status, "as_of": as_of, "recorded_at": recorded_at}
        by_id[event_id]["status_history"].append((str(day), recorded_at, change))
    for record in by_id.values():
        record["status_history"] = [c for _, _, c in sorted(record["status_history"], key=_first2)]


def _first2(entry: tuple[str, Any, Any]) -> tuple[str, Any]:
    return entry[0], entry[1]


def _fill_participants(by_id: dict[Any, Record], rows: list[list[list[Any]]]) -> None:
    for record in by_id.values():
        record["participants"] = []
    for row in rows[0]:
        link = _LINK.record(row)
        event = by_id[link["event_id"]]
        link["participant"] = PARTICIPANT_SUMMARY.record(row, _LINK.width)
        link["event"] = {field: event[field] for field in _SUMMARY_FIELDS}
        event["participants"].append(link)


_FILLER = Filler(_statements, _fill)
EVENTS = Kind(Event, _LAYOUT, (_FILLER,), _events, _event)
# With `expand=participants`: each event with its participants and their roles.
EVENTS_WITH_PARTICIPANTS = Kind(
    Event,
    _LAYOUT,
    (_FILLER, Filler(lambda dialect, n: (_participants(dialect, n),), _fill_participants)),
    _events,
    _event,
)


# Parts a list adds to its events, after the rest and in this order, as EventPublic has them.
_ADDED = ("match", "status_on", "participants", "claims", "sources")


def _fill_claims_and_sources(
    session: Db, records: list[Record], claims: bool, sources: bool
) -> None:
    """Embed in each event the claims about it (in the order recorded) and the sources they
    appear in or it cites (by slug), as `expand=claims,sources` asks."""
    dialect = dialect_of(session)
    params = [rebind(dialect, record["id"]) for record in records]
    subject_of: defaultdict[Any, set[Any]] = defaultdict(set)
    for claim_id, event_id in _subjects(dialect, len(params)).rows(session, params):
        subject_of[claim_id].add(event_id)
    about = _claims_about(dialect, len(params), len(subject_of))
    order = about.rows(session, params + [rebind(dialect, i) for i in subject_of])
    found = {
        r["id"]: r for r in CLAIMS.records(session, "id", [rebind(dialect, i) for i, _ in order])
    }
    by_event: defaultdict[Any, list[Record]] = defaultdict(list)
    for claim_id, event_id in order:
        for about_event in subject_of[claim_id] | ({event_id} if event_id else set()):
            by_event[about_event].append(found[claim_id])
    if claims:
        for record in records:
            record["claims"] = by_event[record["id"]]
    if not sources:
        return
    wanted = {
        record["id"]: {a["source_id"] for c in by_event[record["id"]] for a in c["appearances"]}
        | {citation["source_id"] for citation in record["citations"]}
        for record in records
    }
    every = set().union(*wanted.values())
    cited = {
        r["id"]: r for r in SOURCES.records(session, "id", [rebind(dialect, i) for i in every])
    }
    for record in records:
        record["sources"] = sorted((cited[s] for s in wanted[record["id"]]), key=_slug)


def _slug(record: Record) -> str:
    return str(record["slug"])


def page_records(
    session: Session,
    ids: list[uuid.UUID],
    *,
    participants: bool = False,
    claims: bool = False,
    sources: bool = False,
    marked: dict[uuid.UUID, str] | None = None,
    status_on: tuple[str, dt.date] | None = None,
) -> list[Record]:
    """The events of a list page (`ids` in its order), as the events list writes them: with
    its match under `q` (`marked`), its status on `status_on` (the date as sent and its last
    day), and its participants, claims and sources if expanded."""
    kind = EVENTS_WITH_PARTICIPANTS if participants else EVENTS
    found = pages.records(session, kind, ids, marked or {})
    if found and (claims or sources):
        _fill_claims_and_sources(session, found, claims, sources)
    for record in found:
        if status_on is not None:
            record["status_on"] = _status_on(record["status_history"], *status_on)
        _in_model_order(record)
    return found


def _in_model_order(record: Record) -> None:
    # The parts added last, in the order EventPublic has them.
    for part in _ADDED:
        if part in record:
            record[part] = record.pop(part)


def find_expanded(db: Db, ref: str, expansions: set[EventExpansion]) -> Record | None:
    """One event by id or slug with the related records `expansions` names embedded, or None."""
    kind = EVENTS_WITH_PARTICIPANTS if "participants" in expansions else EVENTS
    record = kind.find(db, ref)
    if record is None:
        return None
    claims, sources = "claims" in expansions, "sources" in expansions
    if claims or sources:
        _fill_claims_and_sources(db, [record], claims, sources)
    _in_model_order(record)
    return record


def page_items(session: Session, ids: list[uuid.UUID], **shaping: Any) -> list[bytes]:
    """The JSON of each event of a list page; `page_records` says how they are shaped."""
    return [encode(record) for record in page_records(session, ids, **shaping)]


def shape_page(session: Session, query: EventQuery, rows: list[Any]) -> list[Record]:
    """The events list's shape of its page (for `app.query.events`): records, not models."""
    ids = [row.id for row in rows]
    marked = (
        dialects.of(session).snippets(session, search.EVENTS, query.q, ids) if query.q else None
    )
    status_on = (query.status_on, event_periods.status_day(query)) if query.status_on else None
    expansions = query.expansions()
    return page_records(
        session,
        ids,
        participants="participants" in expansions,
        claims="claims" in expansions,
        sources="sources" in expansions,
        marked=marked,
        status_on=status_on,
    )


def _status_on(history: list[Record], on: str, day: dt.date) -> Record:
    # The latest status of the history reported by `day`: by its reported day, then by when
    # recorded (event_periods.mark_status_on). Days as ISO text, as every engine gives them.
    last = day.isoformat()
    known = [
        (str(change["as_of"]["latest"]), change["recorded_at"], index)
        for index, change in enumerate(history)
        if change["as_of"] is not None
        and change["as_of"]["latest"] is not None
        and str(change["as_of"]["latest"]) <= last
    ]
    latest = history[max(known)[2]] if known else None
    return {
        "date": on,
        "status": latest["status"] if latest else None,
        "as_of": latest["as_of"] if latest else None,
    }
