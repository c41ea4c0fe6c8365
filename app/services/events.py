"""Events: create, read, list, update, delete, with status history and relations."""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, delete, select

from app.dates import sort_key, stored_date
from app.errors import Conflict, invalid
from app.models import (
    EVENT_MEASURES,
    Claim,
    ClaimSubject,
    Event,
    EventIdentifier,
    EventRelation,
    EventSource,
    EventStatusChange,
    Source,
    utcnow,
)
from app.schemas.events import (
    CitationIn,
    CitationPublic,
    EventCreate,
    EventFields,
    EventPublic,
    EventUpdate,
    LocationIn,
    LocationPublic,
    RelationIn,
    RelationPublic,
    StatusChangePublic,
)
from app.schemas.summaries import EventSummary
from app.services import crud, provenance, rows, slugs, summaries

_REQUIRED = ("slug", "title", "event_type", "status", "certainty", "identifiers", "sources")
_SCALARS = {
    "title",
    "summary",
    "event_type",
    "cameo_code",
    "plover_type",
    "status",
    "certainty",
    *EVENT_MEASURES,
}
_STATUS_COLUMNS = (
    "status",
    "status_as_of_edtf",
    "status_as_of_precision",
    "status_as_of_earliest",
    "status_as_of_latest",
)
_LOCATION_FIELDS = ("name", "admin1", "country", "lat", "lon", "precision")


def create_event(
    session: Session, data: EventCreate, *, record_id: uuid.UUID | None = None
) -> EventPublic:
    """Store a new event, its first status, identifiers, relations and citations."""
    record_id = record_id or uuid.uuid4()
    slug = data.slug or slugs.new_slug(session, Event, data.title, record_id)
    event = Event(id=record_id, slug=slug, **_scalar_fields(data))
    _apply(session, event, data.model_dump(exclude_unset=True, exclude={"slug"}))
    session.add(event)
    crud.flush(session, f"event '{slug}'")
    _set_relations(session, event, data.relations)
    _set_identifiers(session, event, data.identifiers)
    _set_citations(session, event, data.sources)
    _record_status(session, event)
    crud.commit(session, f"event '{slug}'")
    return to_public(session, [event])[0]


def read_event(session: Session, ref: str) -> EventPublic:
    """One event by id or slug."""
    return to_public(session, [crud.get_or_404(session, Event, ref)])[0]


def update_event(
    session: Session, ref: str, data: EventUpdate, *, if_match: str | None = None
) -> EventPublic:
    """Change the fields sent; a new status or status date is appended to the history."""
    event = crud.get_or_404(session, Event, ref)
    crud.check_if_match(event, if_match)
    changes = data.model_dump(exclude_unset=True)
    crud.reject_nulls(changes, _REQUIRED)
    before = {name: getattr(event, name) for name in _STATUS_COLUMNS}
    # Lookups below must not flush a half-applied update (a taken slug must surface at commit).
    with session.no_autoflush:
        for name in _SCALARS & changes.keys() | {"slug"} & changes.keys():
            setattr(event, name, changes[name])
        _apply(session, event, changes)
        if data.relations is not None:
            session.exec(delete(EventRelation).where(col(EventRelation.event_id) == event.id))
            _set_relations(session, event, data.relations)
        if data.identifiers is not None:
            session.exec(delete(EventIdentifier).where(col(EventIdentifier.event_id) == event.id))
            _set_identifiers(session, event, data.identifiers)
        if data.sources is not None:
            session.exec(delete(EventSource).where(col(EventSource.event_id) == event.id))
            _set_citations(session, event, data.sources)
        _change_status(session, event, before, dated="status_as_of" in changes)
    crud.touch(event)
    crud.commit(session, f"event '{event.slug}'")
    return to_public(session, [event])[0]


def delete_event(session: Session, ref: str, *, if_match: str | None = None) -> None:
    """Delete an event with its participants, relations and history, unless others refer to it."""
    event = crud.get_or_404(session, Event, ref)
    crud.check_if_match(event, if_match)
    count = crud.counter(session)
    crud.ensure_unreferenced(
        [
            ("child events", count(Event, col(Event.parent_id) == event.id)),
            (
                "relations from other events",
                count(EventRelation, col(EventRelation.related_event_id) == event.id),
            ),
            ("claims made at it", count(Claim, col(Claim.event_id) == event.id)),
            ("claims about it", count(ClaimSubject, col(ClaimSubject.event_id) == event.id)),
        ],
        f"event '{event.slug}'",
    )
    session.delete(event)
    crud.commit(session, f"event '{event.slug}'")


def _scalar_fields(data: EventFields) -> dict[str, Any]:
    return data.model_dump(include=_SCALARS)


def _apply(session: Session, event: Event, changes: dict[str, Any]) -> None:
    for name in ("start", "end", "status_as_of"):
        if name in changes:
            crud.set_date(event, name, changes[name])
    crud.check_order(event.start_earliest, event.end_latest, ("body", "end"))
    provenance.apply(event, changes, cites=False)
    if "location" in changes:
        location = LocationIn.model_validate(changes["location"] or {})
        for name in _LOCATION_FIELDS:
            setattr(event, f"location_{name}", getattr(location, name))
    if "parent_id" in changes:
        event.parent_id = _parent_id(session, event, changes["parent_id"])


def _parent_id(session: Session, event: Event, ref: str | None) -> uuid.UUID | None:
    if ref is None:
        return None
    parent = crud.resolve_ref(session, Event, ref, ("body", "parent_id"))
    ancestor: Event | None = parent
    while ancestor is not None:
        if ancestor.id == event.id:
            raise invalid(("body", "parent_id"), "an event cannot be part of itself")
        ancestor = session.get(Event, ancestor.parent_id) if ancestor.parent_id else None
    return parent.id


def _set_relations(session: Session, event: Event, relations: Sequence[RelationIn]) -> None:
    seen: set[tuple[str, uuid.UUID]] = set()
    for index, relation in enumerate(relations):
        loc = ("body", "relations", index, "event_id")
        other = crud.resolve_ref(session, Event, relation.event_id, loc)
        if other.id == event.id:
            raise invalid(loc, "an event cannot relate to itself")
        key = (relation.relation.value, other.id)
        if key not in seen:
            seen.add(key)
            session.add(
                EventRelation(
                    event_id=event.id, relation=relation.relation, related_event_id=other.id
                )
            )


def _set_identifiers(session: Session, event: Event, identifiers: dict[str, str]) -> None:
    for scheme, value in identifiers.items():
        holder = session.exec(
            select(EventIdentifier.event_id).where(
                EventIdentifier.scheme == scheme,
                EventIdentifier.value == value,
                col(EventIdentifier.event_id) != event.id,
            )
        ).first()
        if holder is not None:
            raise Conflict(f"{scheme} identifier {value} already belongs to another event")
        session.add(EventIdentifier(event_id=event.id, scheme=scheme, value=value))


def _set_citations(session: Session, event: Event, citations: Sequence[CitationIn]) -> None:
    seen: set[uuid.UUID] = set()
    for index, citation in enumerate(citations):
        loc = ("body", "sources", index, "source")
        source = crud.resolve_ref(session, Source, citation.source, loc)
        if source.id not in seen:
            seen.add(source.id)
            session.add(
                EventSource(
                    event_id=event.id,
                    source_id=source.id,
                    locator=citation.locator,
                    note=citation.note,
                )
            )


def _change_status(session: Session, event: Event, before: dict[str, Any], *, dated: bool) -> None:
    # A new status without a date is reported as of the day it is recorded: keeping the old
    # date would state something nobody said. A status dated before the current one belongs
    # to the history only: the later status stays current.
    if event.status != before["status"] and not dated:
        crud.set_date(event, "status_as_of", utcnow().date().isoformat())
    if (event.status, event.status_as_of_edtf) == (before["status"], before["status_as_of_edtf"]):
        return
    _record_status(session, event)
    old = sort_key(before["status_as_of_earliest"], before["status_as_of_latest"])
    new = sort_key(event.status_as_of_earliest, event.status_as_of_latest)
    if before["status_as_of_edtf"] is not None and new < old:
        for name, value in before.items():
            setattr(event, name, value)


def _record_status(session: Session, event: Event) -> None:
    session.add(
        EventStatusChange(
            event_id=event.id,
            status=event.status,
            as_of_edtf=event.status_as_of_edtf,
            as_of_precision=event.status_as_of_precision,
            as_of_earliest=event.status_as_of_earliest,
            as_of_latest=event.status_as_of_latest,
        )
    )


def to_public(session: Session, events: Sequence[Event]) -> list[EventPublic]:
    """Public form of events, loading their histories, relations and the events they name in
    three queries."""
    ids = [e.id for e in events]
    history: dict[uuid.UUID, list[StatusChangePublic]] = defaultdict(list)
    relations: dict[uuid.UUID, list[RelationPublic]] = defaultdict(list)
    identifiers: dict[uuid.UUID, dict[str, str]] = defaultdict(dict)
    citations: dict[uuid.UUID, list[CitationPublic]] = defaultdict(list)
    for ident in rows.load(session, EventIdentifier, "event_id", ids, ("scheme",)):
        identifiers[ident.event_id][ident.scheme] = ident.value
    for cited in rows.load(session, EventSource, "event_id", ids, ("source_id",)):
        citations[cited.event_id].append(CitationPublic.model_validate(cited))
    order = ("recorded_at", "id")
    for change in rows.load(session, EventStatusChange, "event_id", ids, order):
        history[change.event_id].append(
            StatusChangePublic(
                status=change.status,
                as_of=stored_date(change, "as_of"),
                recorded_at=change.recorded_at,
            )
        )
    for changes in history.values():
        changes.sort(key=_reported)
    links = rows.load(session, EventRelation, "event_id", ids, ("relation", "related_event_id"))
    incoming = rows.load(session, EventRelation, "related_event_id", ids, ("relation", "event_id"))
    named = summaries.events(
        session,
        [
            *(e.parent_id for e in events),
            *(link.related_event_id for link in links),
            *(link.event_id for link in incoming),
        ],
    )
    for link in links:
        relations[link.event_id].append(_relation(link.relation, link.related_event_id, named))
    pointing: dict[uuid.UUID, list[RelationPublic]] = defaultdict(list)
    for link in incoming:
        pointing[link.related_event_id].append(_relation(link.relation, link.event_id, named))
    return [
        _public(
            e,
            history[e.id],
            (relations[e.id], pointing[e.id]),
            identifiers[e.id],
            citations[e.id],
            summaries.pick(named, e.parent_id),
        )
        for e in events
    ]


def _reported(change: StatusChangePublic) -> tuple[dt.date, dt.datetime]:
    # Oldest first by the day each status was reported for (an undated one: recorded), so
    # that a backdated status takes its place in the history.
    day = sort_key(change.as_of.earliest, change.as_of.latest) if change.as_of else None
    return day or change.recorded_at.date(), change.recorded_at


def _relation(kind: str, other: uuid.UUID, named: dict[uuid.UUID, EventSummary]) -> RelationPublic:
    return RelationPublic(relation=kind, event_id=other, event=named[other])


def _public(
    event: Event,
    history: list[StatusChangePublic],
    relations: tuple[list[RelationPublic], list[RelationPublic]],
    identifiers: dict[str, str],
    citations: list[CitationPublic],
    parent: EventSummary | None,
) -> EventPublic:
    has_location = any(getattr(event, f"location_{n}") is not None for n in _LOCATION_FIELDS)
    location = (
        LocationPublic(**{n: getattr(event, f"location_{n}") for n in _LOCATION_FIELDS})
        if has_location
        else None
    )
    return EventPublic(
        id=event.id,
        slug=event.slug,
        title=event.title,
        summary=event.summary,
        event_type=event.event_type,
        cameo_code=event.cameo_code,
        plover_type=event.plover_type,
        start=stored_date(event, "start"),
        end=stored_date(event, "end"),
        status=event.status,
        status_as_of=stored_date(event, "status_as_of"),
        provenance=event.provenance,
        provenance_basis=event.provenance_basis,
        status_history=history,
        certainty=event.certainty,
        location=location,
        parent_id=event.parent_id,
        parent=parent,
        relations=relations[0],
        incoming_relations=relations[1],
        identifiers=identifiers,
        citations=citations,
        **{name: getattr(event, name) for name in EVENT_MEASURES},
        created_at=event.created_at,
        updated_at=event.updated_at,
        version=event.version,
        created_by=event.created_by,
        updated_by=event.updated_by,
    )
