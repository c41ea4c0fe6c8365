"""Event filters on what real data brings: identifiers, cited sources and typed measures."""

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from app.errors import invalid
from app.models import EVENT_MEASURES, Event, EventIdentifier, EventSource, Source
from app.schemas.events import EventFilters
from app.services import crud


def identified(filters: EventFilters) -> list[ColumnElement[bool]]:
    """Events holding any of the identifiers asked for."""
    if not filters.identifier:
        return []
    pairs = [tuple(ref.split(":", 1)) for ref in filters.identifier]
    held = select(EventIdentifier.event_id).where(
        or_(
            *(
                and_(col(EventIdentifier.scheme) == s, col(EventIdentifier.value) == v)
                for s, v in pairs
            )
        )
    )
    return [col(Event.id).in_(held)]


def citing(session: Session, filters: EventFilters) -> list[ColumnElement[bool]]:
    """Events citing any of the sources asked for directly."""
    ids = [
        crud.resolve_ref(session, Source, ref, ("query", "source", i)).id
        for i, ref in enumerate(filters.source)
    ]
    if not ids:
        return []
    return [
        col(Event.id).in_(select(EventSource.event_id).where(col(EventSource.source_id).in_(ids)))
    ]


def measures(filters: EventFilters) -> list[ColumnElement[bool]]:
    """Events whose measures fall within the ranges asked for (goldstein, quad_class,
    num_mentions and fatalities are indexed; the others narrow what other filters find)."""
    found: list[ColumnElement[bool]] = []
    for name in EVENT_MEASURES:
        low, high = getattr(filters, f"{name}_min"), getattr(filters, f"{name}_max")
        if low is not None and high is not None and low > high:
            raise invalid(("query", f"{name}_max"), f"is less than {name}_min")
        column = col(getattr(Event, name))
        if low is not None:
            found.append(column >= low)
        if high is not None:
            found.append(column <= high)
    return found
