"""How import lines are written: new records in bulk, updates and claims one at a time."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlmodel import Session

from app.dates import parse_date
from app.errors import invalid
from app.models import Claim, metadata
from app.schemas.claims import ClaimCreate, ClaimUpdate
from app.schemas.imports import ClaimLine
from app.services import appearances, claims, crud, records, sources
from app.services.bulk_insert import insert_rows
from app.services.import_refs import Resolver, UnknownReference
from app.services.import_rows import Built

# Parents before children, so that every foreign key is met when its row is inserted.
INSERT_ORDER = (
    "source",
    "participant",
    "participant_identifier",
    "participant_role",
    "role_title_key",
    "event",
    "event_status_change",
    "event_identifier",
    "event_source",
    "event_relation",
    "event_participant",
)
# The rows of a record replaced whole by an update, by table: (table, owner column).
_OWNED = {
    "participant": (
        ("participant_identifier", "participant_id"),
        ("participant_role", "participant_id"),
    ),
    "event": (
        ("event_identifier", "event_id"),
        ("event_source", "event_id"),
        ("event_relation", "event_id"),
        ("event_participant", "event_id"),
    ),
    "source": (),
}
_KEEP = {"id", "created_at", "created_by", "version"}


def _table(name: str) -> Table:
    return metadata.tables[name]


def insert_all(session: Session, built: Sequence[Built]) -> None:
    """Insert the rows of new records, one statement per table for the whole lot."""
    by_table: dict[str, list[dict[str, Any]]] = {name: [] for name in INSERT_ORDER}
    for record in built:
        for name, found in record.rows.items():
            by_table[name].extend(found)
    for name in INSERT_ORDER:
        if by_table[name]:
            insert_rows(session, name, by_table[name])


def update_record(session: Session, built: Built, stored: dict[str, Any]) -> None:
    """Replace a stored source, participant or event by the line's rows."""
    table = _table(built.kind)
    own = built.rows[built.kind][0]
    if built.kind == "event" and own["parent_id"] is not None:
        _check_ancestors(session, built.id, own["parent_id"])
    values = {k: v for k, v in own.items() if k not in _KEEP}
    session.execute(
        update(table)
        .where(table.c.id == built.id)
        .values({**values, "version": table.c.version + 1})
    )
    for name, owner in _OWNED[built.kind]:
        child = _table(name)
        session.execute(delete(child).where(child.c[owner] == built.id))
        if built.rows[name]:
            insert_rows(session, name, built.rows[name])
    # The old roles' title keys went with them (ON DELETE CASCADE).
    if built.rows.get("role_title_key"):
        insert_rows(session, "role_title_key", built.rows["role_title_key"])
    if built.kind == "source" and own["text"] != stored.get("text"):
        # As PATCH /sources/{id}: the quotes must hold in the new text, and are verified by it.
        sources.reverify_appearances(session, built.id, own["text"], own["sha256"])
    if built.kind == "event" and (stored.get("status"), stored.get("status_as_of")) != (
        built.record.get("status"),
        built.record.get("status_as_of"),
    ):
        insert_rows(session, "event_status_change", built.rows["event_status_change"])


def _check_ancestors(session: Session, event_id: uuid.UUID, parent_id: uuid.UUID) -> None:
    table = _table("event")
    current: uuid.UUID | None = parent_id
    while current is not None:
        if current == event_id:
            raise invalid(("line", "parent_id"), "an event cannot be part of itself")
        current = session.execute(select(table.c.parent_id).where(table.c.id == current)).scalar()


def claim_body(line: ClaimLine, resolver: Resolver) -> dict[str, Any]:
    """The line as a claim body whose references are ids (identifiers resolved)."""
    body = line.model_dump(exclude={"type", "id"}, exclude_unset=True, mode="json")

    def ref(kind: str, value: str, loc: tuple[str | int, ...]) -> str:
        try:
            return str(resolver.resolve(kind, value))
        except UnknownReference as exc:
            raise invalid(("line", *loc), str(exc)) from exc

    for name, kind in (("claimant_id", "participant"), ("event_id", "event")):
        if body.get(name):
            body[name] = ref(kind, body[name], (name,))
    for index, subject in enumerate(body.get("subjects", [])):
        subject["id"] = ref(subject["type"], subject["id"], ("subjects", index, "id"))
    for index, relation in enumerate(body.get("relations", [])):
        relation["claim_id"] = ref("claim", relation["claim_id"], ("relations", index, "claim_id"))
    for index, shown in enumerate(body.get("appearances", [])):
        shown["source_id"] = ref("source", shown["source_id"], ("appearances", index, "source_id"))
    return body


def expected_claim(body: dict[str, Any], record_id: uuid.UUID, slug: str) -> dict[str, Any]:
    """The record a claim body would store, for comparison with a stored one."""
    stated = body.get("stated")
    row = {
        "id": record_id,
        "slug": slug,
        "text": body["text"],
        "claim_type": body["claim_type"],
        "claimant_id": body.get("claimant_id"),
        "claimant_role": body.get("claimant_role"),
        "claimant_role_id": None,
        "event_id": body.get("event_id"),
        "stated_edtf": parse_date(stated).edtf if stated else None,
        "status": body.get("status", "unverified"),
    }
    subjects = [
        {"participant_id": s["id"] if s["type"] == "participant" else None, "event_id": s["id"]}
        for s in body.get("subjects", [])
    ]
    relations = [
        {"relation": r["relation"], "related_claim_id": r["claim_id"]}
        for r in body.get("relations", [])
    ]
    unset = dict.fromkeys(("char_start", "char_end", "confidence", "verification"))
    shown = [unset | {"verified_sha256": None} | a for a in body.get("appearances", [])]
    return records.claim_record(row, subjects, relations, shown)


# Fields of an appearance the server finds when a line leaves them out.
_FOUND = (("char_start", "char_end"), ("confidence",), ("verification",), ("verified_sha256",))


def same_claim(body: dict[str, Any], expected: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Whether a stored claim is what the body says, ignoring what the body left to the server."""
    stored = dict(stored)
    if "claimant_role" not in body:
        stored.pop("claimant_role", None)
    for names in _FOUND:
        if any(names[0] not in a for a in body.get("appearances", [])):
            for record in (expected, stored):
                record["appearances"] = [
                    {k: v for k, v in a.items() if k not in names}
                    for a in record.get("appearances", [])
                ]
    return expected == stored


def _appearances(session: Session, body: dict[str, Any]) -> tuple[list[Any], list[str | None]]:
    """The body's appearances as create bodies, and the hash each was verified against.

    A `verification` sent must be what the import finds: verified against a stored text or
    by its `verified_sha256`, unverified otherwise.
    """
    sent = body.get("appearances", [])
    hashes = [a.get("verified_sha256") for a in sent]
    said = {i: a["verification"] for i, a in enumerate(sent) if a.get("verification")}
    if said:
        source = _table("source")
        ids = {uuid.UUID(sent[i]["source_id"]) for i in said}
        stmt = select(source.c.id, source.c.text.is_not(None)).where(source.c.id.in_(ids))
        has_text = {row[0]: row[1] for row in session.execute(stmt)}
        for index, verification in said.items():
            found = has_text.get(uuid.UUID(sent[index]["source_id"])) or hashes[index] is not None
            if verification != ("verified" if found else "unverified"):
                raise invalid(
                    ("line", "appearances", index, "verification"),
                    f"the quote would be {'verified' if found else 'unverified'}: verified "
                    "means checked against the source's stored text, or `verified_sha256`",
                )
    line_only = {"verification", "verified_sha256"}
    parsed = ClaimCreate.model_validate(
        {"text": "-", "claim_type": "report"}
        | {"appearances": [{k: v for k, v in a.items() if k not in line_only} for a in sent]}
    )
    return parsed.appearances, hashes


def write_claim(
    session: Session, body: dict[str, Any], record_id: uuid.UUID, *, exists: bool
) -> str:
    """Create or replace a claim through the claim services, with their checks; its slug."""
    shown, hashes = _appearances(session, body)
    if not exists:
        data = ClaimCreate.model_validate(body | {"appearances": []})
        data = data.model_copy(update={"appearances": shown})
        return claims.create_claim(session, data, record_id=record_id, verified=hashes).slug
    fields = {"slug", "text", "claim_type", "claimant_id", "claimant_role", "event_id", "stated"}
    changes = {k: body.get(k) for k in fields if k in body or k != "slug"}
    changes |= {
        "status": body.get("status", "unverified"),
        "subjects": body.get("subjects", []),
        "relations": body.get("relations", []),
    }
    claim = crud.get_or_404(session, Claim, record_id)
    session.execute(
        delete(_table("appearance")).where(_table("appearance").c.claim_id == record_id)
    )
    for index, item in enumerate(shown):
        loc = ("line", "appearances", index)
        appearances.add_appearance(session, claim, item, loc, verified_sha256=hashes[index])
    # Committed by the update with the appearances: one revision, one new version.
    public = claims.update_claim(session, str(record_id), ClaimUpdate.model_validate(changes))
    return public.slug
