"""The questions asked of participants: text, kind, country, identifiers and roles held."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from app.dates import parse_date
from app.errors import invalid
from app.models import Participant, ParticipantIdentifier, Role, RoleTitleKey
from app.query import dialects, executor, planner
from app.query.lists import PARTICIPANTS, Request
from app.query.where import Condition, Kind, Where
from app.schemas.participants import ParticipantPublic, ParticipantQuery
from app.services import crud, paging, participants, roles, search

# Makes a page's records into what the list answers with (by default `public`).
Shape = Callable[[Session, ParticipantQuery, list[Participant]], list[Any]] | None


def conditions(session: Session, query: ParticipantQuery) -> Where:
    """The WHERE conditions of `query`, resolved once; each is backed by an index."""
    found: list[ColumnElement[bool]] = []
    if query.kind:
        found.append(col(Participant.kind).in_([k.value for k in query.kind]))
    if query.country:
        found.append(col(Participant.country).in_(query.country))
    if query.identifier:
        # Served by the unique (scheme, value) index.
        pairs = [ref.partition(":") for ref in query.identifier]
        held = select(ParticipantIdentifier.participant_id).where(
            or_(
                *(
                    and_(
                        col(ParticipantIdentifier.scheme) == scheme,
                        col(ParticipantIdentifier.value) == value,
                    )
                    for scheme, _, value in pairs
                )
            )
        )
        found.append(col(Participant.id).in_(held))
    if role_conditions := _roles(session, query):
        found.append(col(Participant.id).in_(select(Role.participant_id).where(*role_conditions)))
    if query.updated_since:
        found.append(col(Participant.updated_at) >= query.updated_since)
    text = []
    if query.q:
        matches = dialects.of(session).matches(search.PARTICIPANTS, query.q, col(Participant.id))
        text.append(Condition(matches, matches, Kind.TEXT))
    return Where((*map(Condition.plain, found), *text))


def list_participants(
    session: Session, query: ParticipantQuery, shape: Shape = None
) -> crud.Listed[Any]:
    """A page of matching participants in the order asked for, with matches under `q`; public
    models unless `shape` makes the page's records into something else."""
    search.check_sort(query.sort, query.q)
    request = Request(
        listing=PARTICIPANTS,
        where=conditions(session, query),
        sort=query.sort,
        q=query.q,
        limit=query.limit,
        cursor=query.cursor,
        scope=paging.scope_of("participants", query.model_dump(exclude={"limit", "cursor"})),
        include_total=query.include_total,
    )
    page = executor.run(session, request, planner.plan_ordered(session, request))
    return (shape or public)(session, query, page.rows), page.next_cursor, page.total


def public(
    session: Session, query: ParticipantQuery, rows: list[Participant]
) -> list[ParticipantPublic]:
    """The public models of a page's participants, with their matches under `q`."""
    found = participants.to_public(session, rows)
    if query.q:
        ids = [p.id for p in rows]
        marked = dialects.of(session).snippets(session, search.PARTICIPANTS, query.q, ids)
        for participant in found:
            participant.match = marked.get(participant.id)
    return found


def _roles(session: Session, query: ParticipantQuery) -> list[ColumnElement[bool]]:
    # Conditions on participant_role, served by its (title, start_earliest), organization and
    # end indexes.
    found: list[ColumnElement[bool]] = []
    if query.role_title:
        # Titles and aliases are kept case-folded in role_title_key, whose key index serves this.
        keyed = select(RoleTitleKey.role_id).where(
            col(RoleTitleKey.key) == roles.title_key(query.role_title)
        )
        found.append(col(Role.id).in_(keyed))
    if query.role_organization:
        loc = ("query", "role_organization")
        organization = crud.resolve_ref(session, Participant, query.role_organization, loc)
        found.append(col(Role.organization_id) == organization.id)
    if query.role_on:
        day = parse_date(query.role_on)
        if day.earliest is None or day.latest is None:
            raise invalid(("query", "role_on"), "must be a bounded date, not an open interval")
        # Held for certain: a known start no later than the date's first day (an unknown
        # start proves nothing), and no end or one certainly after the date's last day.
        start_earliest, end_latest = col(Role.start_earliest), col(Role.end_latest)
        found.append(col(Role.start_latest) <= day.earliest)
        found.append(or_(col(Role.end_edtf).is_(None), col(Role.end_earliest) >= day.latest))
        # Implied by the two above; stated so that the indexed bounds can narrow the scan.
        found.append(or_(start_earliest.is_(None), start_earliest <= day.earliest))
        found.append(or_(end_latest.is_(None), end_latest >= day.latest))
    return found
