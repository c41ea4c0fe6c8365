"""Claims: create, read, list, update, delete, with subjects, relations and the claimant's role."""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, delete, select

from app.dates import stored_date
from app.errors import invalid
from app.models import (
    Appearance,
    Claim,
    ClaimRelation,
    ClaimSubject,
    Event,
    Participant,
    ParticipantKind,
    Role,
)
from app.schemas.claims import (
    AppearancePublic,
    ClaimCreate,
    ClaimPublic,
    ClaimRelationIn,
    ClaimRelationPublic,
    ClaimUpdate,
    SubjectIn,
    SubjectPublic,
)
from app.schemas.summaries import EventSummary, ParticipantSummary
from app.services import appearances, crud, rows, slugs, summaries

_REQUIRED = ("slug", "text", "claim_type", "status")
_SCALARS = {"text", "claim_type", "status"}
# When a claimant held several roles at once, the one speaking for a state is the likeliest.
_KIND_RANK = {
    ParticipantKind.state: 0,
    ParticipantKind.government: 1,
    ParticipantKind.legislature: 2,
    ParticipantKind.military: 3,
}
_OTHER_KIND = len(_KIND_RANK)
_ROLE_LENGTH = 300


def create_claim(
    session: Session,
    data: ClaimCreate,
    *,
    record_id: uuid.UUID | None = None,
    verified_sha256: str | None = None,
    verified: Sequence[str | None] | None = None,
) -> ClaimPublic:
    """Store a new claim with its subjects, relations and appearances (`verified_sha256`: as
    in appearances.add_appearance; `verified`: one such hash per appearance, instead)."""
    record_id = record_id or uuid.uuid4()
    slug = data.slug or slugs.new_slug(session, Claim, data.text, record_id)
    claim = Claim(id=record_id, slug=slug, **data.model_dump(include=_SCALARS))
    _apply(session, claim, data.model_dump(exclude_unset=True, exclude={"slug"}))
    session.add(claim)
    crud.flush(session, f"claim '{slug}'")
    _set_subjects(session, claim, data.subjects)
    _set_relations(session, claim, data.relations)
    for index, item in enumerate(data.appearances):
        loc = ("body", "appearances", index)
        checked = verified[index] if verified is not None else verified_sha256
        appearances.add_appearance(session, claim, item, loc, verified_sha256=checked)
    crud.commit(session, f"claim '{slug}'")
    return to_public(session, [claim])[0]


def create_event_claim(session: Session, event_ref: str, data: ClaimCreate) -> ClaimPublic:
    """Store a new claim made at an event."""
    event = crud.get_or_404(session, Event, event_ref)
    if data.event_id is not None:
        sent = crud.resolve_ref(session, Event, data.event_id, ("body", "event_id"))
        if sent.id != event.id:
            raise invalid(
                ("body", "event_id"), f"differs from the event in the path, '{event.slug}'"
            )
    return create_claim(session, data.model_copy(update={"event_id": str(event.id)}))


def read_claim(session: Session, ref: str) -> ClaimPublic:
    """One claim by id or slug."""
    return to_public(session, [crud.get_or_404(session, Claim, ref)])[0]


def update_claim(
    session: Session, ref: str, data: ClaimUpdate, *, if_match: str | None = None
) -> ClaimPublic:
    """Change the fields sent; `subjects` and `relations` replace the stored lists."""
    claim = crud.get_or_404(session, Claim, ref)
    crud.check_if_match(claim, if_match)
    changes = data.model_dump(exclude_unset=True)
    crud.reject_nulls(changes, _REQUIRED)
    # Nothing is flushed before the commit, so that a taken slug surfaces there as a 409.
    with session.no_autoflush:
        for name in _SCALARS | {"slug"}:
            if name in changes:
                setattr(claim, name, changes[name])
        _apply(session, claim, changes)
        if data.subjects is not None:
            session.exec(delete(ClaimSubject).where(col(ClaimSubject.claim_id) == claim.id))
            _set_subjects(session, claim, data.subjects)
        if data.relations is not None:
            session.exec(delete(ClaimRelation).where(col(ClaimRelation.claim_id) == claim.id))
            _set_relations(session, claim, data.relations)
    crud.touch(claim)
    crud.commit(session, f"claim '{claim.slug}'")
    return to_public(session, [claim])[0]


def delete_claim(session: Session, ref: str, *, if_match: str | None = None) -> None:
    """Delete a claim with its appearances, subjects and relations, unless claims relate to it."""
    claim = crud.get_or_404(session, Claim, ref)
    crud.check_if_match(claim, if_match)
    count = crud.counter(session)
    crud.ensure_unreferenced(
        [
            (
                "relations from other claims",
                count(ClaimRelation, col(ClaimRelation.related_claim_id) == claim.id),
            )
        ],
        f"claim '{claim.slug}'",
    )
    # Explicit, so that it does not depend on the database enforcing ON DELETE CASCADE.
    for child in (Appearance, ClaimSubject, ClaimRelation):
        session.exec(delete(child).where(col(child.claim_id) == claim.id))
    session.delete(claim)
    crud.commit(session, f"claim '{claim.slug}'")


def _apply(session: Session, claim: Claim, changes: dict[str, Any]) -> None:
    was_resolved = claim.claimant_role_id is not None or claim.claimant_role is None
    if "claimant_id" in changes:
        ref = changes["claimant_id"]
        loc = ("body", "claimant_id")
        claim.claimant_id = crud.resolve_ref(session, Participant, ref, loc).id if ref else None
    if "event_id" in changes:
        ref = changes["event_id"]
        claim.event_id = (
            crud.resolve_ref(session, Event, ref, ("body", "event_id")).id if ref else None
        )
    if "stated" in changes:
        crud.set_date(claim, "stated", changes["stated"])
    if changes.get("claimant_role") is not None:
        claim.claimant_role, claim.claimant_role_id = changes["claimant_role"], None
    elif "claimant_role" in changes or (
        was_resolved and {"claimant_id", "stated"} & changes.keys()
    ):
        role = resolve_role(session, claim)
        claim.claimant_role_id = role.id if role else None
        claim.claimant_role = _role_label(session, role) if role else None


def resolve_role(session: Session, claim: Claim) -> Role | None:
    """The role the claimant most likely spoke in at the claim's `stated` date, if any."""
    # Without a date the role when speaking is unknown; guessing one would invent a fact.
    if claim.claimant_id is None or claim.stated_edtf is None:
        return None
    stmt = select(Role).where(col(Role.participant_id) == claim.claimant_id)
    if claim.stated_latest is not None:
        start = col(Role.start_earliest)
        stmt = stmt.where(or_(start.is_(None), start <= claim.stated_latest))
    if claim.stated_earliest is not None:
        end = col(Role.end_latest)
        stmt = stmt.where(or_(end.is_(None), end >= claim.stated_earliest))
    roles = list(session.exec(stmt).all())
    if not roles:
        return None
    organizations = rows.by_id(
        session, Participant, {r.organization_id for r in roles if r.organization_id}
    )

    def preference(role: Role) -> tuple[int, dt.date, str]:
        org = organizations.get(role.organization_id) if role.organization_id else None
        rank = _KIND_RANK.get(org.kind, _OTHER_KIND) if org else _OTHER_KIND
        return rank, role.start_earliest or dt.date.max, str(role.id)

    return min(roles, key=preference)


def _role_label(session: Session, role: Role) -> str:
    org = session.get(Participant, role.organization_id) if role.organization_id else None
    label = f"{role.title}, {org.name}" if org else role.title
    return label[:_ROLE_LENGTH]


def _set_subjects(session: Session, claim: Claim, subjects: Sequence[SubjectIn]) -> None:
    seen: set[uuid.UUID] = set()
    for index, subject in enumerate(subjects):
        loc = ("body", "subjects", index, "id")
        model: type[Participant] | type[Event] = (
            Participant if subject.type == "participant" else Event
        )
        found = crud.resolve_ref(session, model, subject.id, loc)
        if found.id in seen:
            continue
        seen.add(found.id)
        is_participant = subject.type == "participant"
        session.add(
            ClaimSubject(
                claim_id=claim.id,
                participant_id=found.id if is_participant else None,
                event_id=None if is_participant else found.id,
            )
        )


def _set_relations(session: Session, claim: Claim, relations: Sequence[ClaimRelationIn]) -> None:
    seen: set[tuple[str, uuid.UUID]] = set()
    for index, relation in enumerate(relations):
        loc = ("body", "relations", index, "claim_id")
        # Compared by reference, before the lookup: the slug or id names no other claim.
        if relation.claim_id == claim.slug or rows.as_uuid(relation.claim_id) == claim.id:
            raise invalid(loc, "a claim cannot relate to itself")
        other = crud.resolve_ref(session, Claim, relation.claim_id, loc)
        key = (relation.relation.value, other.id)
        if key not in seen:
            seen.add(key)
            session.add(
                ClaimRelation(
                    claim_id=claim.id, relation=relation.relation, related_claim_id=other.id
                )
            )


def to_public(session: Session, claims: Sequence[Claim]) -> list[ClaimPublic]:
    """Public form of claims with their subjects, appearances, relations and the records they
    name in brief: seven queries for any number of claims."""
    ids = [c.id for c in claims]
    links = rows.load(session, ClaimSubject, "claim_id", ids)
    roles = rows.by_id(session, Role, {c.claimant_role_id for c in claims if c.claimant_role_id})
    people = summaries.participants(
        session,
        [
            *(link.participant_id for link in links),
            *(c.claimant_id for c in claims),
            *(r.organization_id for r in roles.values()),
        ],
    )
    events = summaries.events(
        session, [*(link.event_id for link in links), *(c.event_id for c in claims)]
    )
    subjects = _subjects(links, people, events)
    shown, relations = _appearances_and_relations(session, ids)
    pointing = _incoming(session, ids)
    return [
        ClaimPublic(
            **crud.columns_of(claim),
            stated=stored_date(claim, "stated"),
            claimant=summaries.pick(people, claim.claimant_id),
            resolved_role=(
                summaries.role_summary(roles[claim.claimant_role_id], people)
                if claim.claimant_role_id
                else None
            ),
            event=summaries.pick(events, claim.event_id),
            subjects=subjects[claim.id],
            appearances=shown[claim.id],
            relations=relations[claim.id],
            incoming_relations=pointing[claim.id],
        )
        for claim in claims
    ]


def _appearances_and_relations(
    session: Session, ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[AppearancePublic]], dict[uuid.UUID, list[ClaimRelationPublic]]]:
    shown: dict[uuid.UUID, list[AppearancePublic]] = defaultdict(list)
    found = rows.load(session, Appearance, "claim_id", ids, ("created_at", "id"))
    for public in appearances.to_public(session, found):
        shown[public.claim_id].append(public)
    relations: dict[uuid.UUID, list[ClaimRelationPublic]] = defaultdict(list)
    order = ("relation", "related_claim_id")
    for link in rows.load(session, ClaimRelation, "claim_id", ids, order):
        relations[link.claim_id].append(
            ClaimRelationPublic(relation=link.relation, claim_id=link.related_claim_id)
        )
    return shown, relations


def _incoming(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ClaimRelationPublic]]:
    pointing: dict[uuid.UUID, list[ClaimRelationPublic]] = defaultdict(list)
    order = ("relation", "claim_id")
    for link in rows.load(session, ClaimRelation, "related_claim_id", ids, order):
        pointing[link.related_claim_id].append(
            ClaimRelationPublic(relation=link.relation, claim_id=link.claim_id)
        )
    return pointing


def _subjects(
    links: Sequence[ClaimSubject],
    people: dict[uuid.UUID, ParticipantSummary],
    events: dict[uuid.UUID, EventSummary],
) -> dict[uuid.UUID, list[SubjectPublic]]:
    found: dict[uuid.UUID, list[SubjectPublic]] = defaultdict(list)
    for row in links:
        if row.participant_id is not None:
            person = people[row.participant_id]
            subject = SubjectPublic(
                type="participant", id=person.id, slug=person.slug, label=person.name
            )
        elif row.event_id is not None:
            event = events[row.event_id]
            subject = SubjectPublic(type="event", id=event.id, slug=event.slug, label=event.title)
        else:
            continue
        found[row.claim_id].append(subject)
    for items in found.values():
        # Participants first, then events, each by label: stable whatever the insert order.
        items.sort(key=lambda s: (s.type != "participant", s.label, str(s.id)))
    return found
