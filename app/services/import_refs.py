"""References of import lines (id, slug or `scheme:value`) resolved in bulk, a batch at a time."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from app.models import (
    CLASSIFICATION_SCHEMES,
    Claim,
    Event,
    EventIdentifier,
    Participant,
    ParticipantIdentifier,
    Source,
)
from app.schemas.common import EVENT_IDENTIFIER_FORMATS, IDENTIFIER_FORMATS
from app.services import rows

_CHUNK = 500
_TABLES: dict[str, Any] = {
    "source": Source,
    "participant": Participant,
    "event": Event,
    "claim": Claim,
}
# (identifier table, its owner column, the schemes it knows)
_IDENTIFIERS: dict[str, tuple[Any, str, dict[str, Any]]] = {
    "participant": (ParticipantIdentifier, "participant_id", IDENTIFIER_FORMATS),
    "event": (EventIdentifier, "event_id", EVENT_IDENTIFIER_FORMATS),
}
Key = tuple[str, str, str]


class UnknownReference(Exception):
    """A reference that names no record, or several."""


def key_of(kind: str, ref: str) -> Key:
    """How a reference is looked up: by id, by identifier or by slug."""
    ident = rows.as_uuid(ref)
    if ident is not None:
        return (kind, "id", str(ident))
    scheme, sep, _ = ref.partition(":")
    if sep and kind in _IDENTIFIERS and scheme in _IDENTIFIERS[kind][2]:
        return (kind, "ident", ref)
    return (kind, "slug", ref)


class Resolver:
    """What references name: looked up in bulk per batch, plus the records a batch creates."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.found: dict[Key, set[uuid.UUID]] = {}

    def clear(self) -> None:
        """Forget the last batch's lookups (memory stays flat on long inputs)."""
        self.found.clear()

    def prefetch(self, keys: Iterable[Key]) -> None:
        """Look up, in a few statements, every key not yet known."""
        wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
        for key in keys:
            if key not in self.found:
                self.found[key] = set()
                wanted[key[:2]].add(key[2])
        for (kind, how), values in wanted.items():
            ordered = sorted(values)
            for start in range(0, len(ordered), _CHUNK):
                self._fetch(kind, how, ordered[start : start + _CHUNK])

    def _fetch(self, kind: str, how: str, values: list[str]) -> None:
        if how == "ident":
            model, owner, _ = _IDENTIFIERS[kind]
            table: Table = model.__table__
            pairs = [v.split(":", 1) for v in values]
            stmt = select(table.c[owner], table.c.scheme, table.c.value).where(
                table.c.value.in_([value for _, value in pairs])
            )
            for owner_id, scheme, value in self.session.execute(stmt):
                key = (kind, "ident", f"{scheme}:{value}")
                if key in self.found:
                    self.found[key].add(owner_id)
            return
        table = _TABLES[kind].__table__
        column = table.c.id if how == "id" else table.c.slug
        keys: list[Any] = [uuid.UUID(v) for v in values] if how == "id" else values
        for record_id, slug in self.session.execute(
            select(table.c.id, table.c.slug).where(column.in_(keys))
        ):
            self.found[(kind, "id", str(record_id))] = {record_id}
            self.found[(kind, "slug", slug)] = {record_id}

    def match(self, key: Key) -> uuid.UUID | None:
        """The one record a key names, None if none; UnknownReference if several."""
        found = self.found.get(key) or set()
        if len(found) > 1:
            raise UnknownReference(f"'{key[2]}' names {len(found)} {key[0]}s; use an id or slug")
        return next(iter(found), None)

    def resolve(self, kind: str, ref: str) -> uuid.UUID:
        """The id of the record a reference names, or UnknownReference."""
        found = self.match(key_of(kind, ref))
        if found is None:
            raise UnknownReference(f"no {kind} '{ref}'")
        return found

    def remember(
        self, kind: str, record_id: uuid.UUID, slug: str, identifiers: dict[str, str]
    ) -> None:
        """Make a record this batch writes findable by the lines after it."""
        self.found[(kind, "id", str(record_id))] = {record_id}
        self.found[(kind, "slug", slug)] = {record_id}
        for scheme, value in identifiers.items():
            key = (kind, "ident", f"{scheme}:{value}")
            self.found[key] = self.found.get(key, set()) | {record_id}

    def slug_taken(self, kind: str, slug: str) -> bool:
        """Whether a record has this slug (prefetched), or a line of the batch took it."""
        return bool(self.found.get((kind, "slug", slug)))


def identity_keys(kind: str, identifiers: dict[str, str]) -> list[Key]:
    """The keys of the identifiers that identify a record (not classification codes)."""
    return [
        (kind, "ident", f"{scheme}:{value}")
        for scheme, value in identifiers.items()
        if scheme not in CLASSIFICATION_SCHEMES
    ]
