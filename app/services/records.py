"""Records in the import format, built from their stored rows (or rows about to be stored).

The same functions describe a stored record for the dump and a line about to be imported,
so that an import can tell a line identical to its record (`unchanged`) from one that differs.
References are written as ids; lists are sorted, so that equal records give equal lines.
"""

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from app.models import EVENT_MEASURES

Row = Mapping[str, Any]

SOURCE_FIELDS = (
    "kind",
    "title",
    "author",
    "publisher",
    "url",
    "citation",
    "language",
    "credits",
    "text",
)
EVENT_FIELDS = ("title", "summary", "event_type", "cameo_code", "plover_type", "status")
LOCATION_FIELDS = ("name", "admin1", "country", "lat", "lon", "precision")


def _text(value: Any) -> Any:
    # Enums and ids as their JSON values; everything else as it is.
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "value"):
        return value.value
    return value


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _text(v) for k, v in data.items() if v is not None and v != [] and v != {}}


def _head(kind: str, row: Row) -> dict[str, Any]:
    return {"type": kind, "id": str(row["id"]), "slug": row["slug"]}


def source_record(row: Row) -> dict[str, Any]:
    """A source line."""
    fields = {name: row[name] for name in SOURCE_FIELDS}
    return _head("source", row) | _compact(fields | {"published": row["published_edtf"]})


def participant_record(
    row: Row, identifiers: Iterable[Row], roles: Iterable[Row]
) -> dict[str, Any]:
    """A participant line with its identifiers and roles."""
    held = [
        _compact(
            {
                "title": role["title"],
                "organization_id": role["organization_id"],
                "start": role["start_edtf"],
                "end": role["end_edtf"],
                "source_id": role["source_id"],
            }
        )
        for role in roles
    ]
    fields = {
        "name": row["name"],
        "kind": row["kind"],
        "aliases": list(row["aliases"] or []),
        "country": row["country"],
        "description": row["description"],
        "identifiers": {i["scheme"]: i["value"] for i in sorted(identifiers, key=_scheme)},
        "roles": sorted(held, key=_role_order),
    }
    return _head("participant", row) | _compact(fields)


def event_record(
    row: Row,
    identifiers: Iterable[Row],
    citations: Iterable[Row],
    relations: Iterable[Row],
    links: Iterable[Row],
) -> dict[str, Any]:
    """An event line with its identifiers, cited sources, relations and participants."""
    location = _compact({name: row[f"location_{name}"] for name in LOCATION_FIELDS})
    fields: dict[str, Any] = {name: row[name] for name in EVENT_FIELDS}
    fields |= {
        "start": row["start_edtf"],
        "end": row["end_edtf"],
        "status_as_of": row["status_as_of_edtf"],
        "certainty": row["certainty"],
        "location": location,
        "parent_id": row["parent_id"],
    }
    fields |= {name: row[name] for name in EVENT_MEASURES}
    fields["identifiers"] = {i["scheme"]: i["value"] for i in sorted(identifiers, key=_scheme)}
    fields["relations"] = sorted(
        (
            {"relation": _text(r["relation"]), "event_id": str(r["related_event_id"])}
            for r in relations
        ),
        key=lambda r: (r["relation"], r["event_id"]),
    )
    fields["sources"] = sorted(
        (
            _compact({"source": c["source_id"], "locator": c["locator"], "note": c["note"]})
            for c in citations
        ),
        key=lambda c: c["source"],
    )
    fields["participants"] = sorted(
        (
            _compact({"participant": k["participant_id"], "role": k["role"], "note": k["note"]})
            for k in links
        ),
        key=lambda k: (k["participant"], k["role"], k.get("note") or ""),
    )
    return _head("event", row) | _compact(fields)


def claim_record(
    row: Row, subjects: Iterable[Row], relations: Iterable[Row], appearances: Iterable[Row]
) -> dict[str, Any]:
    """A claim line with its subjects, relations and appearances."""
    # A role resolved from the claimant's roles is resolved again on import; an override is kept.
    override = row["claimant_role"] if row["claimant_role_id"] is None else None
    about = [
        {"type": "participant", "id": str(s["participant_id"])}
        if s["participant_id"] is not None
        else {"type": "event", "id": str(s["event_id"])}
        for s in subjects
    ]
    fields = {
        "text": row["text"],
        "claim_type": row["claim_type"],
        "claimant_id": row["claimant_id"],
        "claimant_role": override,
        "event_id": row["event_id"],
        "stated": row["stated_edtf"],
        "status": row["status"],
        "subjects": sorted(about, key=lambda s: (s["type"], s["id"])),
        "relations": sorted(
            (
                {"relation": _text(r["relation"]), "claim_id": str(r["related_claim_id"])}
                for r in relations
            ),
            key=lambda r: (r["relation"], r["claim_id"]),
        ),
        "appearances": sorted(
            (
                _compact(
                    {
                        "source_id": a["source_id"],
                        "quote": a["quote"],
                        "char_start": a["char_start"],
                        "char_end": a["char_end"],
                        "confidence": a["confidence"],
                    }
                )
                for a in appearances
            ),
            key=lambda a: (a["source_id"], a.get("char_start", -1), a["quote"]),
        ),
    }
    return _head("claim", row) | _compact(fields)


def _scheme(row: Row) -> str:
    return str(row["scheme"])


def _role_order(role: dict[str, Any]) -> tuple[str, ...]:
    keys = ("title", "start", "end", "organization_id", "source_id")
    return tuple(str(role.get(k, "")) for k in keys)
