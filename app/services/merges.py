"""Merging duplicates: everything of the merged record moves to the survivor, nothing lost."""

import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app.errors import invalid
from app.models import (
    Claim,
    ClaimSubject,
    Event,
    EventIdentifier,
    EventParticipant,
    EventRelation,
    EventSource,
    Participant,
    ParticipantIdentifier,
    Record,
    Role,
)
from app.schemas.history import MergeReport, MergeRequest
from app.services import crud, history

Row = Any


@dataclass(frozen=True)
class Clash:
    """When two rows of one table are the same once they point at the survivor (`key`), and
    how the survivor's row takes in the merged one's (`fold`, saying what it did)."""

    key: Callable[[Row], Hashable]
    fold: Callable[[Row, Row], str]
    # Links carry their own version: a moved link is a changed link.
    touch: bool = False


def merge_participant(session: Session, ref: str, data: MergeRequest) -> MergeReport:
    """Move links, roles, claims, subjects and identifiers to `into`; the merged one redirects."""
    merged = crud.get_or_404(session, Participant, ref)
    survivor = crud.resolve_ref(session, Participant, data.into, ("body", "into"))
    if survivor.id == merged.id:
        raise invalid(("body", "into"), "a participant cannot be merged into itself")
    ids = (merged.id, survivor.id)
    links = _links("event", "both were {role}; one link kept")
    combined = _move(session, EventParticipant, "participant_id", ids, links)
    subjects = _subjects("both were subjects; one kept")
    combined += _move(session, ClaimSubject, "participant_id", ids, subjects)
    combined += _move(session, ParticipantIdentifier, "participant_id", ids, _IDENTIFIERS)
    for role in session.exec(select(Role).where(col(Role.participant_id) == merged.id)):
        role.participant_id = survivor.id
    for role in session.exec(select(Role).where(col(Role.organization_id) == merged.id)):
        role.organization_id = survivor.id
    for claim in session.exec(select(Claim).where(col(Claim.claimant_id) == merged.id)):
        claim.claimant_id = survivor.id
    names = [merged.name, *merged.aliases, *survivor.aliases]
    survivor.aliases = [n for n in dict.fromkeys(names) if n != survivor.name]
    crud.touch(survivor)
    crud.flush(session, f"participant '{survivor.slug}'")
    # Only now: the database would cascade away what still pointed at the merged record.
    session.delete(merged)
    history.note_merge(session, "participant", merged.id, survivor.id)
    crud.commit(session, f"participant '{survivor.slug}'")
    return MergeReport(survivor_id=survivor.id, merged_id=merged.id, combined=combined)


def merge_event(session: Session, ref: str, data: MergeRequest) -> MergeReport:
    """Move participant links, relations, claims, subjects, identifiers, cited sources and
    child events to `into`."""
    merged = crud.get_or_404(session, Event, ref)
    survivor = crud.resolve_ref(session, Event, data.into, ("body", "into"))
    if survivor.id == merged.id:
        raise invalid(("body", "into"), "an event cannot be merged into itself")
    ids = (merged.id, survivor.id)
    links = _links("participant", "in both as {role}; one kept")
    combined = _move(session, EventParticipant, "event_id", ids, links)
    combined += _move_relations(session, merged.id, survivor.id)
    subjects = _subjects("about both; one subject kept")
    combined += _move(session, ClaimSubject, "event_id", ids, subjects)
    combined += _move(session, EventIdentifier, "event_id", ids, _IDENTIFIERS)
    combined += _move(session, EventSource, "event_id", ids, _CITATIONS)
    for claim in session.exec(select(Claim).where(col(Claim.event_id) == merged.id)):
        claim.event_id = survivor.id
    for child in session.exec(select(Event).where(col(Event.parent_id) == merged.id)):
        # The survivor, if it was part of the merged event, takes its place in the tree.
        child.parent_id = merged.parent_id if child.id == survivor.id else survivor.id
    crud.touch(survivor)
    crud.flush(session, f"event '{survivor.slug}'")
    session.delete(merged)
    history.note_merge(session, "event", merged.id, survivor.id)
    crud.commit(session, f"event '{survivor.slug}'")
    return MergeReport(survivor_id=survivor.id, merged_id=merged.id, combined=combined)


def _move_relations(session: Session, merged: uuid.UUID, survivor: uuid.UUID) -> list[str]:
    combined = []
    links = session.exec(
        select(EventRelation).where(
            (col(EventRelation.event_id) == merged)
            | (col(EventRelation.related_event_id) == merged)
        )
    ).all()
    held = {
        (r.event_id, r.relation, r.related_event_id)
        for r in session.exec(
            select(EventRelation).where(
                (col(EventRelation.event_id) == survivor)
                | (col(EventRelation.related_event_id) == survivor)
            )
        )
    }
    for link in links:
        source = survivor if link.event_id == merged else link.event_id
        target = survivor if link.related_event_id == merged else link.related_event_id
        if source == target or (source, link.relation, target) in held:
            session.delete(link)
            combined.append(f"relation {link.relation}: would repeat or point at itself; dropped")
            continue
        held.add((source, link.relation, target))
        link.event_id, link.related_event_id = source, target
    return combined


def _move(
    session: Session,
    model: type[SQLModel],
    column: str,
    ids: tuple[uuid.UUID, uuid.UUID],
    clash: Clash,
) -> list[str]:
    """Point `model`'s rows from the merged record to the survivor along `column`; a row the
    survivor already has an equal of is folded into that one and deleted."""
    merged, survivor = ids
    owned = col(getattr(model, column))
    held = {clash.key(row): row for row in session.exec(select(model).where(owned == survivor))}
    combined = []
    for row in session.exec(select(model).where(owned == merged)).all():
        kept = held.get(clash.key(row))
        if kept is None:
            setattr(row, column, survivor)
            if clash.touch and isinstance(row, Record):
                crud.touch(row)
            continue
        combined.append(clash.fold(kept, row))
        session.delete(row)
    return combined


def _links(other: str, said: str) -> Clash:
    """Participant links, the same when they name one `other` record in one role."""

    def fold(kept: EventParticipant, link: EventParticipant) -> str:
        kept.note = kept.note or link.note
        return f"{other} {getattr(link, f'{other}_id')}: {said.format(role=link.role)}"

    return Clash(lambda link: (getattr(link, f"{other}_id"), link.role), fold, touch=True)


def _subjects(said: str) -> Clash:
    """Claim subjects, the same when they are of one claim."""
    return Clash(lambda subject: subject.claim_id, lambda _, s: f"claim {s.claim_id}: {said}")


def _fold_identifier(kept: Any, ident: Any) -> str:
    # One identifier per scheme: the survivor's stays; (scheme, value) is unique anyway.
    return f"identifier {ident.scheme}: kept {kept.value}, dropped {ident.value}"


def _fold_citation(kept: EventSource, cited: EventSource) -> str:
    kept.locator = kept.locator or cited.locator
    kept.note = kept.note or cited.note
    return f"source {cited.source_id}: cited by both; one citation kept"


_IDENTIFIERS = Clash(lambda ident: ident.scheme, _fold_identifier)
_CITATIONS = Clash(lambda cited: cited.source_id, _fold_citation)
