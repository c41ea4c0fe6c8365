"""How a table's columns map onto a public record: scalars, column groups, parts filled later.

A layout lists a public model's fields in its JSON order; each field takes its value from one
column (`Scalar`), from a group of columns (`DateBounds`, `Location`), or is filled by the
reader from other statements (`Filled`). The layout names the columns to select, in order,
and turns a decoded row into the record's dict, which orjson writes as pydantic would.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Column, Table


class Part(Protocol):
    """A field's source: how many columns it reads and how it builds its value."""

    @property
    def width(self) -> int:
        """How many columns the field reads."""
        ...

    def names(self) -> tuple[str, ...]:
        """The columns it reads, in order."""
        ...

    def value(self, row: Sequence[Any], at: int) -> Any:
        """The field's value from `row[at:at + width]`."""
        ...


@dataclass(frozen=True)
class Scalar:
    """A field stored in one column of the same name (or `column`)."""

    column: str
    width: int = 1

    def names(self) -> tuple[str, ...]:
        """The one column."""
        return (self.column,)

    def value(self, row: Sequence[Any], at: int) -> Any:
        """The column's value."""
        return row[at]


@dataclass(frozen=True)
class DateBounds:
    """A stated date: `<prefix>_edtf`, `_precision`, `_earliest`, `_latest` (a DateValue)."""

    prefix: str
    width: int = 4

    def names(self) -> tuple[str, ...]:
        """The four columns of the date."""
        p = self.prefix
        return (f"{p}_edtf", f"{p}_precision", f"{p}_earliest", f"{p}_latest")

    def value(self, row: Sequence[Any], at: int) -> dict[str, Any] | None:
        """The public date object; null when no date is stored."""
        edtf = row[at]
        if edtf is None:
            return None
        return {
            "edtf": edtf,
            "precision": row[at + 1],
            "earliest": row[at + 2],
            "latest": row[at + 3],
        }


LOCATION_FIELDS = ("name", "admin1", "country", "lat", "lon", "precision")


@dataclass(frozen=True)
class Location:
    """Where an event took place: the `location_*` columns (a LocationPublic)."""

    width: int = len(LOCATION_FIELDS)

    def names(self) -> tuple[str, ...]:
        """The location columns."""
        return tuple(f"location_{name}" for name in LOCATION_FIELDS)

    def value(self, row: Sequence[Any], at: int) -> dict[str, Any] | None:
        """The public location; null when every part of it is."""
        values = row[at : at + self.width]
        if all(v is None for v in values):
            return None
        return dict(zip(LOCATION_FIELDS, values, strict=True))


@dataclass(frozen=True)
class Filled:
    """A field the reader fills from other statements; reads no column."""

    width: int = 0

    def names(self) -> tuple[str, ...]:
        """No columns."""
        return ()

    def value(self, row: Sequence[Any], at: int) -> None:
        """A placeholder keeping the field's place in the JSON order."""
        return


FILLED = Filled()


class Layout:
    """A public model's fields in JSON order, each with the part it is built from."""

    def __init__(self, *fields: tuple[str, Part] | str) -> None:
        self.fields = tuple((f, Scalar(f)) if isinstance(f, str) else f for f in fields)
        self.width = sum(part.width for _, part in self.fields)

    def columns(self, table: Table) -> list[Column[Any]]:
        """The columns of `table` to select, in order."""
        return [table.c[name] for _, part in self.fields for name in part.names()]

    def record(self, row: Sequence[Any], at: int = 0) -> dict[str, Any]:
        """The record's dict from `row[at:at + width]`, filled parts set to None."""
        record = {}
        for field, part in self.fields:
            record[field] = part.value(row, at)
            at += part.width
        return record


META = ("id", "created_at", "updated_at", "version", "created_by", "updated_by")
PROVENANCE = ("provenance", "provenance_basis")

EVENT_SUMMARY = Layout("id", "slug", "title", "event_type", ("start", DateBounds("start")))
PARTICIPANT_SUMMARY = Layout("id", "slug", "name", "kind")
SOURCE_SUMMARY = Layout("id", "slug", "title")
