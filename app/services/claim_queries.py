"""The questions asked of claims: text, who, where, about what, when and in which sources."""

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app.errors import NotFound, invalid
from app.models import (
    IX_CLAIM_CREATED_AT_ID,
    IX_CLAIM_STATED_SORT_ID,
    IX_CLAIM_UPDATED_AT_ID,
    Appearance,
    Claim,
    ClaimSubject,
    Event,
    Participant,
    Source,
)
from app.schemas.claims import ClaimPublic, ClaimQuery
from app.services import claims, crud, date_ranges, linked_pages, paging, search

_SORTS: dict[str, paging.Sort] = {
    "recorded": crud.RECORDED,
    "stated": paging.Sort((paging.Key("stated_sort", "date"), paging.Key("id", "uuid"))),
    "updated_at": paging.Sort((paging.Key("updated_at", "datetime"), paging.Key("id", "uuid"))),
}
# The index that reads claims in each order (see app.models.Claim).
_SORT_INDEXES = {
    "recorded": IX_CLAIM_CREATED_AT_ID,
    "stated": IX_CLAIM_STATED_SORT_ID,
    "updated_at": IX_CLAIM_UPDATED_AT_ID,
}
# A page of claims (public models unless a `Shape` made them something else), next cursor, total.
ClaimPage = tuple[list[Any], str | None, int | None]
# Makes a page's records into what the list answers with (by default `public`).
Shape = Callable[[Session, ClaimQuery, list[Claim]], list[Any]] | None


def conditions(
    session: Session, query: ClaimQuery, *, correlated: bool = False
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of `query`; each is backed by an index.

    `correlated` checks `q` claim by claim: the better form when claims are read in page order.
    """
    found: list[ColumnElement[bool]] = []
    for name in ("claim_type", "status"):
        if values := getattr(query, name):
            found.append(col(getattr(Claim, name)).in_([v.value for v in values]))
    if query.claimant:
        found.append(
            col(Claim.claimant_id).in_(_ids(session, Participant, query.claimant, "claimant"))
        )
    if query.event:
        found.append(col(Claim.event_id).in_(_ids(session, Event, query.event, "event")))
    if query.subject:
        found.append(col(Claim.id).in_(_about(session, query.subject)))
    if query.source:
        cited = select(Appearance.claim_id).where(
            col(Appearance.source_id).in_(_ids(session, Source, query.source, "source"))
        )
        found.append(col(Claim.id).in_(cited))
    found.extend(
        date_ranges.within(
            Claim,
            "stated",
            after=query.stated_after,
            before=query.stated_before,
            include_imprecise=query.include_imprecise,
        )
    )
    if query.updated_since:
        found.append(col(Claim.updated_at) >= query.updated_since)
    if query.q:
        found.append(
            search.matches(session, search.CLAIMS, query.q, col(Claim.id), correlated=correlated)
        )
    return found


def list_claims(session: Session, query: ClaimQuery, shape: Shape = None) -> ClaimPage:
    """A page of matching claims in the order asked for, with matches under `q`; public models
    unless `shape` makes the page's records into something else."""
    return _list(session, query, [], "claims", shape)


def list_event_claims(
    session: Session, event_ref: str, query: ClaimQuery, shape: Shape = None
) -> ClaimPage:
    """A page of the matching claims made at an event or about it."""
    event = crud.get_or_404(session, Event, event_ref)
    about = select(ClaimSubject.claim_id).where(col(ClaimSubject.event_id) == event.id)
    base = or_(col(Claim.event_id) == event.id, col(Claim.id).in_(about))
    return _list(session, query, [base], f"event-claims:{event.id}", shape)


def list_participant_claims(
    session: Session, participant_ref: str, query: ClaimQuery, shape: Shape = None
) -> ClaimPage:
    """A page of the matching claims a participant made or that are about them."""
    participant = crud.get_or_404(session, Participant, participant_ref)
    about = select(ClaimSubject.claim_id).where(col(ClaimSubject.participant_id) == participant.id)
    base = or_(col(Claim.claimant_id) == participant.id, col(Claim.id).in_(about))
    return _list(session, query, [base], f"participant-claims:{participant.id}", shape)


def _list(
    session: Session, query: ClaimQuery, base: list[ColumnElement[bool]], name: str, shape: Shape
) -> ClaimPage:
    search.check_sort(query.sort, query.q)
    where = [*base, *conditions(session, query)]
    stmt = select(Claim).where(*where)
    scope = paging.scope_of(name, query.model_dump(exclude={"limit", "cursor"}))
    total = paging.count(session, stmt) if query.include_total else None
    walked = None if base else linked_pages.claim_walk(session, query)
    if walked:
        walk, rest = walked
        rows, next_cursor = linked_pages.page(
            session,
            linked_pages.CLAIMS,
            select(Claim).where(*conditions(session, rest)),
            walk,
            sort=paging.Sort(_SORTS[query.sort.lstrip("-")].keys, query.sort.startswith("-")),
            limit=query.limit,
            cursor=query.cursor,
            scope=scope,
        )
    else:
        rows, next_cursor = _ordered_page(session, query, base, where, scope)
    return (shape or public)(session, query, rows), next_cursor, total


def public(session: Session, query: ClaimQuery, rows: list[Claim]) -> list[ClaimPublic]:
    """The public models of a page's claims, with their matches under `q`."""
    found = claims.to_public(session, rows)
    if query.q:
        marked = search.snippets(session, search.CLAIMS, query.q, [c.id for c in rows])
        for claim in found:
            claim.match = marked.get(claim.id)
    return found


def _ordered_page(
    session: Session,
    query: ClaimQuery,
    base: list[ColumnElement[bool]],
    where: list[ColumnElement[bool]],
    scope: str,
) -> tuple[list[Claim], str | None]:
    return paging.ordered_page(
        session,
        select(Claim).where(*where),
        Claim,
        sort=query.sort,
        sorts=_SORTS,
        text=search.CLAIMS,
        q=query.q,
        limit=query.limit,
        cursor=query.cursor,
        scope=scope,
        sort_indexes=_SORT_INDEXES,
        page_order_stmt=lambda: select(Claim).where(
            *base, *conditions(session, query, correlated=True)
        ),
        # The condition of q comes last, when given.
        unsearched=select(Claim).where(*where[:-1]) if query.q else None,
    )


def _ids(
    session: Session,
    model: type[Participant] | type[Event] | type[Source],
    refs: list[str],
    name: str,
) -> list[uuid.UUID]:
    return [
        crud.resolve_ref(session, model, ref, ("query", name, index)).id
        for index, ref in enumerate(refs)
    ]


def _about(session: Session, refs: list[str]) -> Any:
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
    return select(ClaimSubject.claim_id).where(
        or_(col(ClaimSubject.participant_id).in_(people), col(ClaimSubject.event_id).in_(events))
    )
