"""The whole database as import lines (NDJSON): what `POST /import` reads back unchanged."""

import heapq
import json
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from app.models import (
    Appearance,
    Claim,
    ClaimRelation,
    ClaimSubject,
    Event,
    EventIdentifier,
    EventParticipant,
    EventRelation,
    EventSource,
    Participant,
    ParticipantIdentifier,
    Role,
    Source,
)
from app.schemas.imports import RecordType
from app.services import records

BATCH = 500
Rows = dict[uuid.UUID, list[Any]]


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _children(session: Session, model: Any, key: str, ids: Sequence[uuid.UUID]) -> Rows:
    table = _table(model)
    found: Rows = defaultdict(list)
    for row in session.execute(select(table).where(table.c[key].in_(ids))).mappings():
        found[row[key]].append(row)
    return found


def _main(session: Session, model: Any, ids: Sequence[uuid.UUID]) -> list[Any]:
    table = _table(model)
    stored = {
        r["id"]: r for r in session.execute(select(table).where(table.c.id.in_(ids))).mappings()
    }
    return [stored[i] for i in ids if i in stored]


def load_records(
    session: Session, kind: RecordType, ids: Sequence[uuid.UUID]
) -> list[dict[str, Any]]:
    """The records of `kind` with these ids, as import lines, in the order of `ids`."""
    if not ids:
        return []
    mains = _main(session, _MODELS[kind], ids)
    if kind == "source":
        return [records.source_record(row) for row in mains]
    if kind == "participant":
        idents = _children(session, ParticipantIdentifier, "participant_id", ids)
        roles = _children(session, Role, "participant_id", ids)
        return [records.participant_record(r, idents[r["id"]], roles[r["id"]]) for r in mains]
    if kind == "event":
        idents = _children(session, EventIdentifier, "event_id", ids)
        cited = _children(session, EventSource, "event_id", ids)
        related = _children(session, EventRelation, "event_id", ids)
        links = _children(session, EventParticipant, "event_id", ids)
        return [
            records.event_record(
                r, idents[r["id"]], cited[r["id"]], related[r["id"]], links[r["id"]]
            )
            for r in mains
        ]
    subjects = _children(session, ClaimSubject, "claim_id", ids)
    related = _children(session, ClaimRelation, "claim_id", ids)
    shown = _children(session, Appearance, "claim_id", ids)
    return [
        records.claim_record(r, subjects[r["id"]], related[r["id"]], shown[r["id"]]) for r in mains
    ]


def dump_records(session: Session) -> Iterator[bytes]:
    """Every record as one import line each: sources, participants, events, then claims.

    Within a type, records come by slug, except that a record comes after those of its type
    it refers to (an organisation before who held a role in it, a parent event before its
    parts, a related event or claim before what relates to it), so that the lines import in
    order. Memory holds one batch, and the few records that refer to others of their type.
    """
    kinds: tuple[RecordType, ...] = ("source", "participant", "event", "claim")
    for kind in kinds:
        for ids in _ordered_batches(session, kind):
            for record in load_records(session, kind, ids):
                yield encode(record)


def encode(record: dict[str, Any]) -> bytes:
    """One NDJSON line: compact, UTF-8, fields in their record order."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _dependencies(session: Session, kind: str) -> list[tuple[uuid.UUID, uuid.UUID]]:
    # (record, a record of the same type it refers to)
    pairs: list[Any] = []
    if kind == "participant":
        role = _table(Role)
        stmt = select(role.c.participant_id, role.c.organization_id).where(
            role.c.organization_id.is_not(None), role.c.organization_id != role.c.participant_id
        )
        pairs.extend(session.execute(stmt))
    elif kind == "event":
        event, relation = _table(Event), _table(EventRelation)
        pairs.extend(
            session.execute(
                select(event.c.id, event.c.parent_id).where(event.c.parent_id.is_not(None))
            )
        )
        pairs.extend(session.execute(select(relation.c.event_id, relation.c.related_event_id)))
    elif kind == "claim":
        relation = _table(ClaimRelation)
        pairs.extend(session.execute(select(relation.c.claim_id, relation.c.related_claim_id)))
    return [(a, b) for a, b in pairs]


def _ordered_batches(session: Session, kind: str) -> Iterator[list[uuid.UUID]]:
    table = _table(_MODELS[kind])
    pairs = _dependencies(session, kind)
    dependent = {a for a, _ in pairs}
    last: str | None = None
    while True:
        stmt = select(table.c.id, table.c.slug).order_by(table.c.slug).limit(BATCH)
        if last is not None:
            stmt = stmt.where(table.c.slug > last)
        page = list(session.execute(stmt))
        if not page:
            break
        last = page[-1][1]
        free = [row[0] for row in page if row[0] not in dependent]
        if free:
            yield free
    ordered = _topological(session, table, pairs, dependent)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def _topological(
    session: Session,
    table: Table,
    pairs: list[tuple[uuid.UUID, uuid.UUID]],
    dependent: set[uuid.UUID],
) -> list[uuid.UUID]:
    """The dependent records, each after those it refers to, ties (and cycles) by slug."""
    slugs: dict[uuid.UUID, str] = {}
    ids = list(dependent)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        stmt = select(table.c.id, table.c.slug).where(table.c.id.in_(chunk))
        slugs.update({row[0]: row[1] for row in session.execute(stmt)})
    waits: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    freed: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for record, target in pairs:
        if target in dependent and target != record:
            waits[record].add(target)
            freed[target].add(record)
    ready = [(slugs[i], i) for i in dependent if not waits[i]]
    heapq.heapify(ready)
    order: list[uuid.UUID] = []
    done: set[uuid.UUID] = set()
    while len(order) < len(dependent):
        if not ready:
            # A cycle: the first record of it by slug goes first.
            rest = min((slugs[i], i) for i in dependent if i not in done)
            heapq.heappush(ready, rest)
        _, current = heapq.heappop(ready)
        if current in done:
            continue
        done.add(current)
        order.append(current)
        for other in freed[current]:
            waits[other].discard(current)
            if not waits[other] and other not in done:
                heapq.heappush(ready, (slugs[other], other))
    return order


_MODELS: dict[str, Any] = {
    "source": Source,
    "participant": Participant,
    "event": Event,
    "claim": Claim,
}
