"""Merging duplicates: everything of the merged record moves to the survivor, nothing lost."""

import uuid

from sqlmodel import Session, col, select

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
    Role,
)
from app.schemas.history import MergeReport, MergeRequest
from app.services import crud, history


def merge_participant(session: Session, ref: str, data: MergeRequest) -> MergeReport:
    """Move links, roles, claims, subjects and identifiers to `into`; the merged one redirects."""
    merged = crud.get_or_404(session, Participant, ref)
    survivor = crud.resolve_ref(session, Participant, data.into, ("body", "into"))
    if survivor.id == merged.id:
        raise invalid(("body", "into"), "a participant cannot be merged into itself")
    combined = _move_links(session, merged.id, survivor.id)
    combined += _move_subjects(session, merged.id, survivor.id)
    combined += _move_identifiers(session, merged.id, survivor.id)
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


def _move_links(session: Session, merged: uuid.UUID, survivor: uuid.UUID) -> list[str]:
    combined = []
    held = {
        (link.event_id, link.role): link
        for link in session.exec(
            select(EventParticipant).where(col(EventParticipant.participant_id) == survivor)
        )
    }
    for link in session.exec(
        select(EventParticipant).where(col(EventParticipant.participant_id) == merged)
    ).all():
        kept = held.get((link.event_id, link.role))
        if kept is None:
            link.participant_id = survivor
            crud.touch(link)
            continue
        kept.note = kept.note or link.note
        session.delete(link)
        combined.append(f"event {link.event_id}: both were {link.role}; one link kept")
    return combined


def _move_subjects(session: Session, merged: uuid.UUID, survivor: uuid.UUID) -> list[str]:
    combined = []
    held = {
        s.claim_id
        for s in session.exec(
            select(ClaimSubject).where(col(ClaimSubject.participant_id) == survivor)
        )
    }
    for subject in session.exec(
        select(ClaimSubject).where(col(ClaimSubject.participant_id) == merged)
    ).all():
        if subject.claim_id in held:
            session.delete(subject)
            combined.append(f"claim {subject.claim_id}: both were subjects; one kept")
        else:
            subject.participant_id = survivor
    return combined


def _move_identifiers(session: Session, merged: uuid.UUID, survivor: uuid.UUID) -> list[str]:
    combined = []
    held = {
        i.scheme: i.value
        for i in session.exec(
            select(ParticipantIdentifier).where(
                col(ParticipantIdentifier.participant_id) == survivor
            )
        )
    }
    for ident in session.exec(
        select(ParticipantIdentifier).where(col(ParticipantIdentifier.participant_id) == merged)
    ).all():
        if ident.scheme in held:
            session.delete(ident)
            combined.append(
                f"identifier {ident.scheme}: kept {held[ident.scheme]}, dropped {ident.value}"
            )
        else:
            ident.participant_id = survivor
    return combined


def merge_event(session: Session, ref: str, data: MergeRequest) -> MergeReport:
    """Move participant links, relations, claims, subjects, identifiers, cited sources and
    child events to `into`."""
    merged = crud.get_or_404(session, Event, ref)
    survivor = crud.resolve_ref(session, Event, data.into, ("body", "into"))
    if survivor.id == merged.id:
        raise invalid(("body", "into"), "an event cannot be merged into itself")
    combined = _move_event_links(session, merged.id, survivor.id)
    combined += _move_relations(session, merged.id, survivor.id)
    combined += _move_event_subjects(session, merged.id, survivor.id)
    combined += _move_event_identifiers(session, merged.id, survivor.id)
    combined += _move_citations(session, merged.id, survivor.id)
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


def _move_event_links(session: Session, merged: uuid.UUID, survivor: uuid.UUID) -> list[str]:
    combined = []
    held = {
        (link.participant_id, link.role): link
        for link in session.exec(
            select(EventParticipant).where(col(EventParticipant.event_id) == survivor)
        )
    }
    for link in session.exec(
        select(EventParticipant).where(col(EventParticipant.event_id) == merged)
    ).all():
        kept = held.get((link.participant_id, link.role))
        if kept is None:
            link.event_id = survivor
            crud.touch(link)
            continue
        kept.note = kept.note or link.note
        session.delete(link)
        combined.append(f"participant {link.participant_id}: in both as {link.role}; one kept")
    return combined


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


def _move_event_subjects(session: Session, merged: uuid.UUID, survivor: uuid.UUID) -> list[str]:
    combined = []
    held = {
        s.claim_id
        for s in session.exec(select(ClaimSubject).where(col(ClaimSubject.event_id) == survivor))
    }
    for subject in session.exec(
        select(ClaimSubject).where(col(ClaimSubject.event_id) == merged)
    ).all():
        if subject.claim_id in held:
            session.delete(subject)
            combined.append(f"claim {subject.claim_id}: about both; one subject kept")
        else:
            subject.event_id = survivor
    return combined


def _move_event_identifiers(session: Session, merged: uuid.UUID, survivor: uuid.UUID) -> list[str]:
    combined = []
    held = {
        i.scheme: i.value
        for i in session.exec(
            select(EventIdentifier).where(col(EventIdentifier.event_id) == survivor)
        )
    }
    for ident in session.exec(
        select(EventIdentifier).where(col(EventIdentifier.event_id) == merged)
    ).all():
        # One identifier per scheme: the survivor's stays; (scheme, value) is unique anyway.
        if ident.scheme in held:
            session.delete(ident)
            combined.append(
                f"identifier {ident.scheme}: kept {held[ident.scheme]}, dropped {ident.value}"
            )
        else:
            ident.event_id = survivor
    return combined


def _move_citations(session: Session, merged: uuid.UUID, survivor: uuid.UUID) -> list[str]:
    combined = []
    held = {
        c.source_id: c
        for c in session.exec(select(EventSource).where(col(EventSource.event_id) == survivor))
    }
    for cited in session.exec(select(EventSource).where(col(EventSource.event_id) == merged)).all():
        kept = held.get(cited.source_id)
        if kept is None:
            cited.event_id = survivor
            continue
        kept.locator = kept.locator or cited.locator
        kept.note = kept.note or cited.note
        session.delete(cited)
        combined.append(f"source {cited.source_id}: cited by both; one citation kept")
    return combined
