"""Import lines turned into the rows they store, checked, without touching the database."""

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from app.dates import UNDATED, parse_date, sort_key
from app.errors import invalid
from app.models import EVENT_MEASURES
from app.schemas.imports import EventLine, ParticipantLine, SourceLine
from app.services import crud, records
from app.services.import_refs import Resolver, UnknownReference

Row = dict[str, Any]
Loc = tuple[str | int, ...]


@dataclass
class Stamp:
    """Who writes and when: the same for every row of a batch."""

    actor: uuid.UUID | None
    now: dt.datetime


@dataclass
class Built:
    """A line's rows by table (its own row first) and the record they make."""

    kind: str
    id: uuid.UUID
    slug: str
    rows: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def record(self) -> dict[str, Any]:
        """The record the rows make, in the import format (made only when compared)."""
        rows = self.rows
        own = rows[self.kind][0]
        if self.kind == "source":
            return records.source_record(own)
        if self.kind == "participant":
            return records.participant_record(
                own, rows["participant_identifier"], rows["participant_role"]
            )
        return records.event_record(
            own,
            rows["event_identifier"],
            rows["event_source"],
            rows["event_relation"],
            rows["event_participant"],
        )


def _meta(record_id: uuid.UUID, stamp: Stamp) -> Row:
    return {
        "id": record_id,
        "created_at": stamp.now,
        "updated_at": stamp.now,
        "version": 1,
        "created_by": stamp.actor,
        "updated_by": stamp.actor,
    }


def date_columns(name: str, edtf: str | None, *, sortable: bool = False) -> Row:
    """The four stored columns of a date (five with its sort key)."""
    parsed = parse_date(edtf) if edtf is not None else None
    found: Row = {
        f"{name}_edtf": parsed.edtf if parsed else None,
        f"{name}_precision": parsed.precision if parsed else None,
        f"{name}_earliest": parsed.earliest if parsed else None,
        f"{name}_latest": parsed.latest if parsed else None,
    }
    if sortable:
        found[f"{name}_sort"] = sort_key(parsed.earliest, parsed.latest) if parsed else UNDATED
    return found


def _ref(resolver: Resolver, kind: str, ref: str, loc: Loc) -> uuid.UUID:
    try:
        return resolver.resolve(kind, ref)
    except UnknownReference as exc:
        raise invalid(loc, str(exc)) from exc


def build_source(line: SourceLine, record_id: uuid.UUID, slug: str, stamp: Stamp) -> Built:
    """The row of a source line; its sha256 is computed from its text, as the API does."""
    text = line.text
    sha256 = None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()
    row = _meta(record_id, stamp) | {"slug": slug, "sha256": sha256}
    row |= line.model_dump(include=set(records.SOURCE_FIELDS))
    row |= date_columns("published", line.published)
    return Built("source", record_id, slug, {"source": [row]})


def build_participant(
    line: ParticipantLine, record_id: uuid.UUID, slug: str, resolver: Resolver, stamp: Stamp
) -> Built:
    """The rows of a participant line: itself, its identifiers and its roles."""
    row = _meta(record_id, stamp) | {"slug": slug}
    row |= line.model_dump(include={"name", "kind", "aliases", "country", "description"})
    idents = [
        {"participant_id": record_id, "scheme": s, "value": v} for s, v in line.identifiers.items()
    ]
    roles: list[Row] = []
    for index, role in enumerate(line.roles):
        loc: Loc = ("line", "roles", index)
        held = _meta(uuid.uuid4(), stamp) | {"participant_id": record_id, "title": role.title}
        held["organization_id"] = role.organization_id and _ref(
            resolver, "participant", role.organization_id, (*loc, "organization_id")
        )
        held["source_id"] = role.source_id and _ref(
            resolver, "source", role.source_id, (*loc, "source_id")
        )
        held |= date_columns("start", role.start) | date_columns("end", role.end)
        crud.check_order(held["start_earliest"], held["end_latest"], (*loc, "end"))
        roles.append(held)
    tables = {"participant": [row], "participant_identifier": idents, "participant_role": roles}
    return Built("participant", record_id, slug, tables)


def build_event(
    line: EventLine, record_id: uuid.UUID, slug: str, resolver: Resolver, stamp: Stamp
) -> Built:
    """The rows of an event line: itself, identifiers, citations, relations, participants."""
    row = _meta(record_id, stamp) | {"slug": slug}
    row |= line.model_dump(include={*records.EVENT_FIELDS, "certainty", *EVENT_MEASURES})
    row |= date_columns("start", line.start, sortable=True) | date_columns("end", line.end)
    row |= date_columns("status_as_of", line.status_as_of)
    crud.check_order(row["start_earliest"], row["end_latest"], ("line", "end"))
    location = line.location.model_dump() if line.location else {}
    row |= {f"location_{n}": location.get(n) for n in records.LOCATION_FIELDS}
    row["parent_id"] = line.parent_id and _ref(
        resolver, "event", line.parent_id, ("line", "parent_id")
    )
    if row["parent_id"] == record_id:
        raise invalid(("line", "parent_id"), "an event cannot be part of itself")
    tables = {
        "event": [row],
        "event_identifier": [
            {"event_id": record_id, "scheme": s, "value": v} for s, v in line.identifiers.items()
        ],
        "event_source": _citations(line, record_id, resolver),
        "event_relation": _relations(line, record_id, resolver),
        "event_participant": _links(line, record_id, resolver, stamp),
    }
    return Built("event", record_id, slug, tables)


def status_change(event: Row) -> Row:
    """The status history entry of an event row."""
    return {
        "id": uuid.uuid4(),
        "event_id": event["id"],
        "status": event["status"],
        "as_of_edtf": event["status_as_of_edtf"],
        "as_of_precision": event["status_as_of_precision"],
        "as_of_earliest": event["status_as_of_earliest"],
        "as_of_latest": event["status_as_of_latest"],
        "recorded_at": event["updated_at"],
    }


def _citations(line: EventLine, record_id: uuid.UUID, resolver: Resolver) -> list[Row]:
    found: dict[uuid.UUID, Row] = {}
    for index, citation in enumerate(line.sources):
        source_id = _ref(resolver, "source", citation.source, ("line", "sources", index, "source"))
        found.setdefault(
            source_id,
            {"event_id": record_id, "source_id": source_id}
            | {"locator": citation.locator, "note": citation.note},
        )
    return list(found.values())


def _relations(line: EventLine, record_id: uuid.UUID, resolver: Resolver) -> list[Row]:
    found: dict[tuple[str, uuid.UUID], Row] = {}
    for index, relation in enumerate(line.relations):
        loc: Loc = ("line", "relations", index, "event_id")
        other = _ref(resolver, "event", relation.event_id, loc)
        if other == record_id:
            raise invalid(loc, "an event cannot relate to itself")
        found.setdefault(
            (relation.relation.value, other),
            {"event_id": record_id, "relation": relation.relation.value}
            | {"related_event_id": other},
        )
    return list(found.values())


def _links(line: EventLine, record_id: uuid.UUID, resolver: Resolver, stamp: Stamp) -> list[Row]:
    found: dict[tuple[uuid.UUID, str], Row] = {}
    for index, link in enumerate(line.participants):
        loc: Loc = ("line", "participants", index, "participant")
        participant_id = _ref(resolver, "participant", link.participant, loc)
        found.setdefault(
            (participant_id, link.role.value),
            _meta(uuid.uuid4(), stamp)
            | {"event_id": record_id, "participant_id": participant_id}
            | {"role": link.role.value, "note": link.note},
        )
    return list(found.values())
