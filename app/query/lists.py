"""The kinds of list the query engine reads, and one list request with its filters resolved."""

from dataclasses import dataclass
from typing import Any

from app.models import (
    IX_CLAIM_CREATED_AT_ID,
    IX_CLAIM_STATED_SORT_ID,
    IX_CLAIM_UPDATED_AT_ID,
    IX_EVENT_CREATED_AT_ID,
    IX_EVENT_START_SORT_ID,
    IX_EVENT_TITLE_ID,
    IX_EVENT_UPDATED_AT_ID,
    Claim,
    Event,
    Participant,
)
from app.query.where import Where
from app.services import linked_pages, paging, search
from app.services.crud import RECORDED


@dataclass(frozen=True)
class Listing:
    """One kind of list: its table, its orders and the index that reads each, its text index,
    and the participant links it can be read along."""

    model: Any
    sorts: dict[str, paging.Sort]
    sort_indexes: dict[str, str]
    text: search.Index
    links: linked_pages.Links | None = None
    # Whether `q` alone by relevance reads only the best-ranked matches (RELEVANCE_TOP)
    # rather than ranking every match.
    ranks_top: bool = True


def _by(attr: str, kind: str) -> paging.Sort:
    return paging.Sort((paging.Key(attr, kind), paging.Key("id", "uuid")))


EVENTS = Listing(
    Event,
    {
        "recorded": RECORDED,
        "start": _by("start_sort", "date"),
        "title": _by("title", "str"),
        "updated_at": _by("updated_at", "datetime"),
    },
    {
        "recorded": IX_EVENT_CREATED_AT_ID,
        "start": IX_EVENT_START_SORT_ID,
        "title": IX_EVENT_TITLE_ID,
        "updated_at": IX_EVENT_UPDATED_AT_ID,
    },
    search.EVENTS,
    linked_pages.EVENTS,
)
CLAIMS = Listing(
    Claim,
    {
        "recorded": RECORDED,
        "stated": _by("stated_sort", "date"),
        "updated_at": _by("updated_at", "datetime"),
    },
    {
        "recorded": IX_CLAIM_CREATED_AT_ID,
        "stated": IX_CLAIM_STATED_SORT_ID,
        "updated_at": IX_CLAIM_UPDATED_AT_ID,
    },
    search.CLAIMS,
    linked_pages.CLAIMS,
)

# Participants are few beside events: no index hints, no links to walk, every match ranked.
PARTICIPANTS = Listing(
    Participant,
    {"recorded": RECORDED, "name": _by("name", "str"), "updated_at": _by("updated_at", "datetime")},
    {},
    search.PARTICIPANTS,
    ranks_top=False,
)


@dataclass(frozen=True)
class Request:
    """One list request, its filters resolved: everything the planner and executor read."""

    listing: Listing
    where: Where
    # As asked: a sort's name, `-name` for descending, or `relevance` (with q).
    sort: str
    q: str | None
    limit: int
    cursor: str | None
    # The fingerprint of the list and its filters that its cursors are bound to.
    scope: str
    include_total: bool

    @property
    def sort_name(self) -> str:
        """The sort's name without its direction."""
        return self.sort.lstrip("-")

    @property
    def order(self) -> paging.Sort:
        """The sort's keys, in the direction asked for."""
        return paging.Sort(self.listing.sorts[self.sort_name].keys, self.sort.startswith("-"))
