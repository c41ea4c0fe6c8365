"""Import lines turned into the rows they store, checked, without touching the database."""

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from app.dates import UNDATED, parse_date, sort_key
from app.errors import Conflict, ValidationFailed, invalid
from app.models import EVENT_MEASURES, Provenance
from app.schemas.imports import EventLine, ParticipantLine, SourceLine
from app.schemas.provenance import ProvenanceIn
from app.services import crud, provenance, records, roles
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
    """A line's rows by table (its own first): what a new record inserts, and the record."""

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


def _provenance(sent: ProvenanceIn, source_id: Any, loc: Loc, *, cites: bool) -> Row:
    """A fact's provenance columns, defaulted and checked as its API write does."""
    fact = SimpleNamespace(provenance=Provenance.stated, provenance_basis=None, source_id=source_id)
    try:
        changes = sent.model_dump(include={"provenance", "provenance_basis"}, exclude_unset=True)
        provenance.apply(fact, changes, cites=cites)
    except ValidationFailed as exc:
        error = (exc.errors or [{}])[0]
        raise invalid((*loc, error.get("loc", ["provenance"])[-1]), error.get("msg", "")) from exc
    return {"provenance": fact.provenance.value, "provenance_basis": fact.provenance_basis}


def build_source(line: SourceLine, record_id: uuid.UUID, slug: str, stamp: Stamp) -> Built:
    """The row of a source line; its sha256 is computed from its text, as the API does.

    Without a text, a restored line's `sha256` is the source's recorded one.
    """
    text = line.text
    sha256 = line.sha256
    if text is not None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if line.sha256 not in (None, sha256):
            raise invalid(("line", "sha256"), f"the text's sha256 is {sha256}, not this one")
    row = _meta(record_id, stamp) | {"slug": slug, "sha256": sha256}
    row |= line.model_dump(include=set(records.SOURCE_FIELDS))
    row |= date_columns("published", line.published)
    return Built("source", record_id, slug, {"source": [row]})


def keep_recorded_sha256(built: Built, line: SourceLine, stored: dict[str, Any]) -> None:
    """A line for a stored source leaves its recorded sha256 as it is, unless it sends one.

    A text sent must be the text the recorded sha256 is of: another text is another source.
    """
    recorded = stored.get("sha256")
    if recorded is None or line.sha256 is not None:
        return
    row = built.rows["source"][0]
    if line.text is None:
        row["sha256"] = recorded
    elif row["sha256"] != recorded:
        raise Conflict(
            f"the text's sha256 is {row['sha256']}, not the source's recorded {recorded}: it is "
            "not the text this source was recorded from; to replace it deliberately, first "
            'remove the stored text through the API (`"text": null`), then import the new one'
        )


def build_participant(
    line: ParticipantLine, record_id: uuid.UUID, slug: str, resolver: Resolver, stamp: Stamp
) -> Built:
    """The rows of a participant line: itself, its identifiers and its roles."""
    row = _meta(record_id, stamp) | {"slug": slug}
    row |= line.model_dump(include={"name", "kind", "aliases", "country", "description"})
    idents = [
        {"participant_id": record_id, "scheme": s, "value": v} for s, v in line.identifiers.items()
    ]
    held_roles: list[Row] = []
    keys: list[Row] = []
    for index, role in enumerate(line.roles):
        loc: Loc = ("line", "roles", index)
        held = _meta(uuid.uuid4(), stamp) | {"participant_id": record_id, "title": role.title}
        held["aliases"] = list(dict.fromkeys(role.aliases))
        held["organization_id"] = role.organization_id and _ref(
            resolver, "participant", role.organization_id, (*loc, "organization_id")
        )
        held["source_id"] = role.source_id and _ref(
            resolver, "source", role.source_id, (*loc, "source_id")
        )
        held |= date_columns("start", role.start) | date_columns("end", role.end)
        crud.check_order(held["start_earliest"], held["end_latest"], (*loc, "end"))
        held |= _provenance(role, held["source_id"], loc, cites=True)
        held_roles.append(held)
        titles = dict.fromkeys(roles.title_key(t) for t in [role.title, *held["aliases"]])
        keys += [{"role_id": held["id"], "key": key} for key in titles]
    tables = {
        "participant": [row],
        "participant_identifier": idents,
        "participant_role": held_roles,
        "role_title_key": keys,
    }
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
    row |= _provenance(line, None, ("line",), cites=False)
    tables = {
        "event": [row],
        "event_identifier": [
            {"event_id": record_id, "scheme": s, "value": v} for s, v in line.identifiers.items()
        ],
        "event_source": _citations(line, record_id, resolver),
        "event_relation": _relations(line, record_id, resolver),
        "event_participant": _links(line, record_id, resolver, stamp),
        # Written when the event is created, or when an update changes its status.
        "event_status_change": [status_change(row)],
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
            | {"role": link.role.value, "note": link.note}
            | _provenance(link, None, ("line", "participants", index), cites=False),
        )
    return list(found.values())
