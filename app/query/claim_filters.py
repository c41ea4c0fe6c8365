"""A claim list's filters, resolved once: references looked up, conditions built.

As app.query.event_filters for events: a new claim filter goes in `_conditions`.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app.errors import NotFound, invalid
from app.models import Appearance, Claim, ClaimSubject, Event, Participant, Source
from app.query import dialects
from app.query.where import Condition, Kind, Where
from app.schemas.claims import ClaimQuery
from app.services import crud, date_ranges, search


@dataclass(frozen=True)
class ResolvedClaims:
    """A claim list's filters with every reference looked up once, and their conditions."""

    filters: ClaimQuery
    where: Where
    # The one subject asked for, when it is a participant (its links can be walked).
    subject_participant: uuid.UUID | None
    # Whether the list is all claims (not those of one event or participant, which a walk
    # along a subject's links would not narrow to).
    walkable: bool


def resolve(
    session: Session, filters: ClaimQuery, base: tuple[ColumnElement[bool], ...] = ()
) -> ResolvedClaims:
    """`filters` resolved, after the `base` conditions of the list they narrow."""
    found: list[Condition] = [Condition.plain(c) for c in base]
    plain: list[ColumnElement[bool]] = []
    for name in ("claim_type", "status"):
        if values := getattr(filters, name):
            plain.append(col(getattr(Claim, name)).in_([v.value for v in values]))
    if filters.claimant:
        claimants = _ids(session, Participant, filters.claimant, "claimant")
        plain.append(col(Claim.claimant_id).in_(claimants))
    if filters.event:
        plain.append(col(Claim.event_id).in_(_ids(session, Event, filters.event, "event")))
    found += map(Condition.plain, plain)
    people: list[uuid.UUID] = []
    if filters.subject:
        people, about = _about(session, filters.subject)
        found.append(Condition(about, about, Kind.PARTICIPANT, tuple(people)))
    rest: list[ColumnElement[bool]] = []
    if filters.source:
        sources = _ids(session, Source, filters.source, "source")
        cited = select(Appearance.claim_id).where(col(Appearance.source_id).in_(sources))
        rest.append(col(Claim.id).in_(cited))
    rest += date_ranges.within(
        Claim,
        "stated",
        after=filters.stated_after,
        before=filters.stated_before,
        include_imprecise=filters.include_imprecise,
    )
    if filters.updated_since:
        rest.append(col(Claim.updated_at) >= filters.updated_since)
    found += map(Condition.plain, rest)
    if filters.q:
        found.append(_text(session, filters.q))
    one_person = people[0] if len(filters.subject) == 1 and people else None
    return ResolvedClaims(filters, Where(tuple(found)), one_person, walkable=not base)


def _ids(
    session: Session,
    model: type[Participant] | type[Event] | type[Source],
    refs: list[str],
    name: str,
) -> list[uuid.UUID]:
    return list(crud.resolve_ids(session, model, refs, ("query", name)))


def _about(session: Session, refs: list[str]) -> tuple[list[uuid.UUID], ColumnElement[bool]]:
    """The participants among the subjects asked for, and the condition on all of them."""
    people: list[uuid.UUID] = []
    events: list[uuid.UUID] = []
    for index, ref in enumerate(refs):
        # Slugs are unique per resource only: a participant's wins over an event's.
        try:
            people.append(crud.get_or_404(session, Participant, ref).id)
            continue
        except NotFound:
            pass
        try:
            events.append(crud.get_or_404(session, Event, ref).id)
        except NotFound:
            raise invalid(("query", "subject", index), f"no participant or event '{ref}'") from None
    about = select(ClaimSubject.claim_id).where(
        or_(col(ClaimSubject.participant_id).in_(people), col(ClaimSubject.event_id).in_(events))
    )
    return people, col(Claim.id).in_(about)


def _text(session: Session, q: str) -> Condition:
    dialect, ident = dialects.of(session), col(Claim.id)
    collected = dialect.matches(search.CLAIMS, q, ident)
    return Condition(
        collected, dialect.matches(search.CLAIMS, q, ident, correlated=True), Kind.TEXT
    )
