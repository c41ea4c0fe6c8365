"""How a list is read: a named plan, and the reason it was chosen.

SQLite's planner does not weigh LIMIT, so for it this one counts (never past paging.DENSE)
and chooses between reading along the sort's index and collecting the matches first.
PostgreSQL weighs LIMIT itself and is given the page-order form to choose from.
"""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session

from app.query import dialects
from app.query.claim_filters import ResolvedClaims
from app.query.event_filters import ResolvedEvents
from app.query.lists import Request
from app.query.where import Where
from app.schemas.events import EventFilters
from app.services import linked_pages, paging


class PlanName(StrEnum):
    """The ways a list page is read."""

    # Along one participant's links, which hold copies of the records' sort keys, in page
    # order: stops at the end of the page (app.services.linked_pages).
    WALK_LINKS = "walk_links"
    # The few events of a country or type in a walk's date range, each checked for the
    # participants, then sorted.
    NARROW_FIRST = "narrow_first"
    # Along the sort's index, each row checked against the filters (EXISTS, text key
    # lookups): stops at the end of the page.
    INDEX_ORDER = "index_order"
    # In the stored order, the engine choosing how (a list without index hints).
    STORED_ORDER = "stored_order"
    # The matches collected through the filters' indexes, then sorted (not along the sort's
    # index).
    SORTED_MATCHES = "sorted_matches"
    # Many text matches but few rows of the other filters: those rows read first, each
    # checked against the text matches, then sorted.
    OTHERS_FIRST = "others_first"
    # `q` alone, by relevance: only the best-ranked matches, on the text index alone.
    RELEVANCE_TOP = "relevance_top"
    # By relevance: the matches of every filter joined to the ranks of `q`, by position.
    RELEVANCE = "relevance"


# The plans that read the checked form of the conditions (app.query.where.Condition).
_CHECKED = {PlanName.NARROW_FIRST, PlanName.INDEX_ORDER, PlanName.OTHERS_FIRST}


@dataclass(frozen=True)
class Plan:
    """A named way to read a page, why it was chosen, and the conditions it reads."""

    name: PlanName
    reason: str
    conditions: tuple[ColumnElement[bool], ...]
    walk: linked_pages.Walk | None = None


def _plan(name: PlanName, reason: str, where: Where) -> Plan:
    return Plan(name, reason, tuple(where.checked() if name in _CHECKED else where.collected()))


def plan_events(session: Session, request: Request, found: ResolvedEvents) -> Plan:
    """The plan that reads an event list's page."""
    if request.sort == "relevance":
        return _relevance(request)
    walk = _event_walk(session, request, found)
    if walk is not None:
        if (fewer := linked_pages.fewer_events(session, found.filters, walk)) is not None:
            why = f"at most {fewer} events of the country or type in range, fewer than links"
            return _plan(PlanName.NARROW_FIRST, why, request.where)
        return walk_plan(request, walk, checked=True)
    if dialects.of(session).counts_to_plan and _participants_alone(found.filters):
        links = _links_dense(session, found)
        if links:
            return _plan(PlanName.INDEX_ORDER, "participants with many links", request.where)
        return _plan(PlanName.SORTED_MATCHES, "participants with few links", request.where)
    return plan_ordered(session, request)


def plan_claims(session: Session, request: Request, found: ResolvedClaims) -> Plan:
    """The plan that reads a claim list's page (`request.where` holds a nested list's base)."""
    walkable = request.sort_name in ("recorded", "stated") and found.walkable
    if walkable and (walk := linked_pages.claim_walk(session, found)) is not None:
        return walk_plan(request, walk, checked=False)
    return plan_ordered(session, request)


def walk_plan(request: Request, walk: linked_pages.Walk, *, checked: bool) -> Plan:
    """The plan that walks one participant's links, the list's other conditions checked on
    each record (`checked`) or collected."""
    # The roles stay on the other participants' conditions; the walk reads them on its links.
    rest = request.where.without_participant(walk.participant_id)
    why = f"one participant's links in {request.sort_name} order"
    found = rest.checked() if checked else rest.collected()
    return Plan(PlanName.WALK_LINKS, why, tuple(found), walk)


def plan_ordered(session: Session, request: Request) -> Plan:
    """The plan of a list read in a stored order (or by relevance), from its conditions alone."""
    where, q = request.where, request.q
    if request.sort == "relevance":
        return _relevance(request)
    if not request.listing.sort_indexes:
        return _plan(PlanName.STORED_ORDER, "no index hints for this list", where)
    dialect = dialects.of(session)
    if not dialect.counts_to_plan:
        return _plan(PlanName.INDEX_ORDER, f"{dialect.name} weighs LIMIT itself", where)
    if not q:
        if _dense(session, request, where):
            return _plan(PlanName.INDEX_ORDER, "unfiltered, or many matches", where)
        return _plan(PlanName.SORTED_MATCHES, "few matches", where)
    if not dialect.many(session, request.listing.text, q, paging.DENSE):
        return _plan(PlanName.SORTED_MATCHES, "few text matches", where)
    if _dense(session, request, where.unsearched()):
        return _plan(PlanName.INDEX_ORDER, "many text matches, and no or many others", where)
    return _plan(PlanName.OTHERS_FIRST, "many text matches, few others", where)


def _relevance(request: Request) -> Plan:
    if request.where.unsearched().conditions:
        return _plan(PlanName.RELEVANCE, "ranked text matches, other filters", request.where)
    if not request.listing.ranks_top:
        return _plan(PlanName.RELEVANCE, "every text match ranked", request.where)
    return _plan(PlanName.RELEVANCE_TOP, "ranked text matches alone", request.where)


def _event_walk(
    session: Session, request: Request, found: ResolvedEvents
) -> linked_pages.Walk | None:
    """The walk along one participant's links, for a list in recorded or start order with
    one participant, or all of several."""
    if request.sort_name not in ("recorded", "start") or not found.participant_ids:
        return None
    if len(found.participant_ids) > 1 and found.filters.participant_match != "all":
        return None
    return linked_pages.event_walk(session, found)


def _participants_alone(filters: EventFilters) -> bool:
    """Whether a list is filtered by any of its participants (and roles) and nothing else."""
    others = filters.model_dump(
        include=set(EventFilters.model_fields) - {"participant", "role", "participant_match"},
        exclude_defaults=True,
    )
    return bool(filters.participant) and filters.participant_match != "all" and not others


def _links_dense(session: Session, found: ResolvedEvents) -> bool:
    """Whether the participants have many events, counted on their links (counting the
    matches would first collect every one of them)."""
    roles = tuple(r.value for r in found.filters.role)
    return linked_pages.links_dense(session, list(found.participant_ids), roles)


def _dense(session: Session, request: Request, where: Where) -> bool:
    """Whether a list should be read along its sort's index: unfiltered, or many matches."""
    if not where.conditions:
        return True
    ident = request.listing.model.id
    matches = select(request.listing.model).where(*where.collected())
    sample = matches.with_only_columns(ident).limit(paging.DENSE).subquery()
    found = session.connection().execute(select(func.count()).select_from(sample)).scalar_one()
    return int(found) >= paging.DENSE
