"""Events: create, read, list, update, delete, with status history and relations."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, delete

from app.dates import stored_date
from app.errors import invalid
from app.models import Claim, ClaimSubject, Event, EventRelation, EventStatusChange
from app.schemas.events import (
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
from app.services import crud, rows, summaries

_REQUIRED = ("slug", "title", "event_type", "status", "certainty")
_SCALARS = {"title", "summary", "event_type", "cameo_code", "plover_type", "status", "certainty"}
_LOCATION_FIELDS = ("name", "admin1", "country", "lat", "lon", "precision")


def create_event(
    session: Session, data: EventCreate, *, record_id: uuid.UUID | None = None
) -> EventPublic:
    """Store a new event and its first status."""
    event = Event(id=record_id or uuid.uuid4(), slug=data.slug, **_scalar_fields(data))
    _apply(session, event, data.model_dump(exclude_unset=True, exclude={"slug"}))
    session.add(event)
    crud.flush(session, f"event '{data.slug}'")
    _set_relations(session, event, data.relations)
    _record_status(session, event)
    crud.commit(session, f"event '{data.slug}'")
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
    before = (event.status, event.status_as_of_edtf)
    # Lookups below must not flush a half-applied update (a taken slug must surface at commit).
    with session.no_autoflush:
        for name in _SCALARS & changes.keys() | {"slug"} & changes.keys():
            setattr(event, name, changes[name])
        _apply(session, event, changes)
        if data.relations is not None:
            session.exec(delete(EventRelation).where(col(EventRelation.event_id) == event.id))
            _set_relations(session, event, data.relations)
        if (event.status, event.status_as_of_edtf) != before:
            _record_status(session, event)
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
    order = ("recorded_at", "id")
    for change in rows.load(session, EventStatusChange, "event_id", ids, order):
        history[change.event_id].append(
            StatusChangePublic(
                status=change.status,
                as_of=stored_date(change, "as_of"),
                recorded_at=change.recorded_at,
            )
        )
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
            e, history[e.id], (relations[e.id], pointing[e.id]), summaries.pick(named, e.parent_id)
        )
        for e in events
    ]


def _relation(kind: str, other: uuid.UUID, named: dict[uuid.UUID, EventSummary]) -> RelationPublic:
    return RelationPublic(relation=kind, event_id=other, event=named[other])


def _public(
    event: Event,
    history: list[StatusChangePublic],
    relations: tuple[list[RelationPublic], list[RelationPublic]],
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
        status_history=history,
        certainty=event.certainty,
        location=location,
        parent_id=event.parent_id,
        parent=parent,
        relations=relations[0],
        incoming_relations=relations[1],
        created_at=event.created_at,
        updated_at=event.updated_at,
        version=event.version,
        created_by=event.created_by,
        updated_by=event.updated_by,
    )
