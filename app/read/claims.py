"""Claims as JSON bytes: a claim with the records it names, its subjects, appearances, links."""

from typing import Any

from sqlalchemy import Dialect, Table

from app.models import Appearance, Claim, ClaimRelation, Event, Participant, Role, Source
from app.read.columns import Select, cached, markers, of, select
from app.read.layouts import (
    EVENT_SUMMARY,
    FILLED,
    META,
    PARTICIPANT_SUMMARY,
    SOURCE_SUMMARY,
    DateBounds,
    Layout,
)
from app.read.pages import shaper
from app.read.records import Filler, Kind, Record
from app.services import search

CLAIM: Table = Claim.__table__  # type: ignore[attr-defined]
PARTICIPANT: Table = Participant.__table__  # type: ignore[attr-defined]
EVENT: Table = Event.__table__  # type: ignore[attr-defined]
_LAYOUT = Layout(
    *META,
    *("slug", "text", "claim_type", "claimant_id", ("claimant", FILLED), "claimant_role"),
    *("claimant_role_id", ("resolved_role", FILLED), "event_id", ("event", FILLED)),
    ("stated", DateBounds("stated")),
    "status",
    *(("subjects", FILLED), ("appearances", FILLED)),
    *(("relations", FILLED), ("incoming_relations", FILLED)),
)
_ROLE = Layout("id", "title")
_APPEARANCE = Layout(
    *META,
    *("claim_id", "source_id", ("source", FILLED), "quote", "char_start", "char_end"),
    *("confidence", "verification", "verified_sha256"),
)
# Where each record named in brief starts in a claim's row.
_CLAIMANT = _LAYOUT.width
_EVENT = _CLAIMANT + PARTICIPANT_SUMMARY.width
_ROLE_AT = _EVENT + EVENT_SUMMARY.width
_ORGANIZATION = _ROLE_AT + _ROLE.width


def _written(alias: str, layout: Layout, table: Table) -> list[str]:
    return [f"{alias}.{c.name}" for c in layout.columns(table)]


@cached
def _claims(dialect: Dialect, column: str, count: int) -> Select:
    # With the claimant, the event and the resolved role (and where it was held) in brief.
    role: Table = Role.__table__  # type: ignore[attr-defined]
    return select(
        dialect,
        _LAYOUT.columns(CLAIM)
        + PARTICIPANT_SUMMARY.columns(PARTICIPANT)
        + EVENT_SUMMARY.columns(EVENT)
        + _ROLE.columns(role)
        + PARTICIPANT_SUMMARY.columns(PARTICIPANT),
        "FROM claim c LEFT JOIN participant who ON who.id = c.claimant_id "
        "LEFT JOIN event e ON e.id = c.event_id "
        f"LEFT JOIN {role.name} r ON r.id = c.claimant_role_id "
        "LEFT JOIN participant org ON org.id = r.organization_id "
        f"WHERE c.{column} IN ({markers(dialect, count)})",
        names=_written("c", _LAYOUT, CLAIM)
        + _written("who", PARTICIPANT_SUMMARY, PARTICIPANT)
        + _written("e", EVENT_SUMMARY, EVENT)
        + _written("r", _ROLE, role)
        + _written("org", PARTICIPANT_SUMMARY, PARTICIPANT),
    )


def _claim(row: list[Any]) -> Record:
    record = _LAYOUT.record(row)
    if record["claimant_id"] is not None:
        record["claimant"] = PARTICIPANT_SUMMARY.record(row, _CLAIMANT)
    if record["event_id"] is not None:
        record["event"] = EVENT_SUMMARY.record(row, _EVENT)
    if record["claimant_role_id"] is not None:
        role = _ROLE.record(row, _ROLE_AT)
        held = row[_ORGANIZATION] is not None
        role["organization"] = PARTICIPANT_SUMMARY.record(row, _ORGANIZATION) if held else None
        record["resolved_role"] = role
    return record


@cached
def _subjects(dialect: Dialect, count: int) -> Select:
    subject = Claim.metadata.tables["claim_subject"]
    return select(
        dialect,
        of(subject, "claim_id")
        + of(PARTICIPANT, "id", "slug", "name")
        + of(EVENT, "id", "slug", "title"),
        "FROM claim_subject s LEFT JOIN participant p ON p.id = s.participant_id "
        "LEFT JOIN event e ON e.id = s.event_id "
        f"WHERE s.claim_id IN ({markers(dialect, count)})",
        names=["s.claim_id", "p.id", "p.slug", "p.name", "e.id", "e.slug", "e.title"],
    )


@cached
def _appearances(dialect: Dialect, count: int) -> Select:
    table: Table = Appearance.__table__  # type: ignore[attr-defined]
    sources: Table = Source.__table__  # type: ignore[attr-defined]
    return select(
        dialect,
        _APPEARANCE.columns(table) + SOURCE_SUMMARY.columns(sources),
        "FROM appearance a JOIN source src ON src.id = a.source_id "
        f"WHERE a.claim_id IN ({markers(dialect, count)}) ORDER BY a.created_at, a.id",
        names=_written("a", _APPEARANCE, table) + _written("src", SOURCE_SUMMARY, sources),
    )


@cached
def _relations(dialect: Dialect, count: int, incoming: bool) -> Select:
    # Outgoing links name the related claim; incoming ones the claim declaring them.
    table: Table = ClaimRelation.__table__  # type: ignore[attr-defined]
    own, other = ("related_claim_id", "claim_id") if incoming else ("claim_id", "related_claim_id")
    return select(
        dialect,
        of(table, own, "relation", other),
        f"FROM claim_relation WHERE {own} IN ({markers(dialect, count)}) "
        f"ORDER BY relation, {other}",
    )


def _statements(dialect: Dialect, count: int) -> tuple[Select, ...]:
    return (
        _subjects(dialect, count),
        _appearances(dialect, count),
        _relations(dialect, count, False),
        _relations(dialect, count, True),
    )


def _fill(by_id: dict[Any, Record], rows: list[list[list[Any]]]) -> None:
    subjects_rows, appearances, outgoing, incoming = rows
    for record in by_id.values():
        record.update(subjects=[], appearances=[], relations=[], incoming_relations=[])
    for claim_id, person, slug, name, event, event_slug, title in subjects_rows:
        subjects = by_id[claim_id]["subjects"]
        if person is not None:
            subjects.append({"type": "participant", "id": person, "slug": slug, "label": name})
        elif event is not None:
            subjects.append({"type": "event", "id": event, "slug": event_slug, "label": title})
    for record in by_id.values():
        # Participants first, then events, each by label: stable whatever the insert order.
        record["subjects"].sort(
            key=lambda s: (s["type"] != "participant", s["label"], str(s["id"]))
        )
    for row in appearances:
        shown = _APPEARANCE.record(row)
        shown["source"] = SOURCE_SUMMARY.record(row, _APPEARANCE.width)
        by_id[shown["claim_id"]]["appearances"].append(shown)
    for found, field in ((outgoing, "relations"), (incoming, "incoming_relations")):
        for own, relation, other in found:
            by_id[own][field].append({"relation": relation, "claim_id": other})


CLAIMS = Kind(Claim, _LAYOUT, (Filler(_statements, _fill),), _claims, _claim)

# A list page of claims, with their matches under `q`.
PAGE = shaper(CLAIMS, search.CLAIMS)
