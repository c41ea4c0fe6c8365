"""Records flattened to named columns: the rows of CSV and the properties of GeoJSON.

Each table lists a kind's columns in order; a new field of a record is one more line.
Values stay typed (numbers, booleans, None, lists of text); each writer spells them.
"""

import datetime as dt
import enum
import uuid
from collections.abc import Callable
from typing import Any

from app.formats.registry import Kind
from app.models import EVENT_MEASURES

Value = str | int | float | bool | list[str] | None
Column = tuple[str, Callable[[Any], Value]]


def plain(value: Any) -> Value:
    """A value as text or a number: enums by value, ids and times as ISO strings."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    return value  # type: ignore[no-any-return]


def field(path: str) -> Callable[[Any], Value]:
    """The value at a dotted attribute path (`location.lat`); None where a step is None."""
    steps = path.split(".")

    def read(record: Any) -> Value:
        value = record
        for step in steps:
            value = getattr(value, step, None) if value is not None else None
        return plain(value)

    return read


def listed(path: str, item: Callable[[Any], str]) -> Callable[[Any], Value]:
    """A list attribute, each item as text (`item`)."""
    return lambda record: [item(each) for each in getattr(record, path)]


def date(name: str) -> list[Column]:
    """A date's columns: its EDTF text, precision, and earliest and latest day."""
    return [
        (name, field(f"{name}.edtf")),
        (f"{name}_precision", field(f"{name}.precision")),
        (f"{name}_earliest", field(f"{name}.earliest")),
        (f"{name}_latest", field(f"{name}.latest")),
    ]


def _pair(first: str, second: str) -> Callable[[Any], str]:
    return lambda item: f"{plain(getattr(item, first))}:{plain(getattr(item, second))}"


def _identifiers(record: Any) -> Value:
    return [f"{scheme}:{value}" for scheme, value in sorted(record.identifiers.items())]


RECORD: list[Column] = [
    ("created_at", field("created_at")),
    ("updated_at", field("updated_at")),
    ("version", field("version")),
]

EVENT: list[Column] = [
    ("id", field("id")),
    ("slug", field("slug")),
    ("title", field("title")),
    ("summary", field("summary")),
    ("event_type", field("event_type")),
    ("cameo_code", field("cameo_code")),
    ("plover_type", field("plover_type")),
    *date("start"),
    *date("end"),
    ("status", field("status")),
    ("status_as_of", field("status_as_of.edtf")),
    ("certainty", field("certainty")),
    ("location_name", field("location.name")),
    ("location_admin1", field("location.admin1")),
    ("location_country", field("location.country")),
    ("location_lat", field("location.lat")),
    ("location_lon", field("location.lon")),
    ("location_precision", field("location.precision")),
    ("parent_id", field("parent_id")),
    ("relations", listed("relations", _pair("relation", "event_id"))),
    ("incoming_relations", listed("incoming_relations", _pair("relation", "event_id"))),
    ("identifiers", _identifiers),
    # An event's coded measures (GDELT and ACLED style), each its own column.
    *((name, field(name)) for name in EVENT_MEASURES),
    ("citations", listed("citations", lambda c: str(c.source_id))),
    ("provenance", field("provenance")),
    ("provenance_basis", field("provenance_basis")),
    *RECORD,
]

PARTICIPANT: list[Column] = [
    ("id", field("id")),
    ("slug", field("slug")),
    ("name", field("name")),
    ("kind", field("kind")),
    ("aliases", listed("aliases", str)),
    ("country", field("country")),
    ("description", field("description")),
    ("identifiers", _identifiers),
    *RECORD,
]

CLAIM: list[Column] = [
    ("id", field("id")),
    ("slug", field("slug")),
    ("text", field("text")),
    ("claim_type", field("claim_type")),
    ("claimant_id", field("claimant_id")),
    ("claimant_role", field("claimant_role")),
    ("event_id", field("event_id")),
    *date("stated"),
    ("status", field("status")),
    ("subjects", listed("subjects", _pair("type", "id"))),
    ("source_ids", listed("appearances", lambda a: str(a.source_id))),
    ("relations", listed("relations", _pair("relation", "claim_id"))),
    *RECORD,
]

# A source's full text is left out: it can be megabytes; read it from /sources/{id}.
SOURCE: list[Column] = [
    ("id", field("id")),
    ("slug", field("slug")),
    ("kind", field("kind")),
    ("title", field("title")),
    ("author", field("author")),
    ("publisher", field("publisher")),
    ("url", field("url")),
    *date("published"),
    ("language", field("language")),
    ("credits", field("credits")),
    ("sha256", field("sha256")),
    *RECORD,
]

COLUMNS: dict[Kind, list[Column]] = {
    "event": EVENT,
    "participant": PARTICIPANT,
    "claim": CLAIM,
    "source": SOURCE,
}
