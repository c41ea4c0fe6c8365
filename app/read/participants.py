"""Participants as JSON bytes: a participant with its external identifiers."""

from typing import Any

from sqlalchemy import Dialect

from app.models import Participant, ParticipantIdentifier
from app.read.columns import Select, cached, markers, of, select
from app.read.layouts import FILLED, META, Layout
from app.read.pages import shaper
from app.read.records import Filler, Kind, Record
from app.services import search

_LAYOUT = Layout(
    *META,
    *("slug", "name", "kind", "aliases", "country", "description"),
    ("identifiers", FILLED),
)


@cached
def _identifiers(dialect: Dialect, count: int) -> Select:
    table = ParticipantIdentifier.__table__  # type: ignore[attr-defined]
    return select(
        dialect,
        of(table, "participant_id", "scheme", "value"),
        f"FROM participant_identifier WHERE participant_id IN ({markers(dialect, count)}) "
        "ORDER BY scheme",
    )


def _fill(by_id: dict[Any, Record], rows: list[list[list[Any]]]) -> None:
    for record in by_id.values():
        record["identifiers"] = {}
    for participant_id, scheme, value in rows[0]:
        by_id[participant_id]["identifiers"][scheme] = value


PARTICIPANTS = Kind(
    Participant, _LAYOUT, (Filler(lambda dialect, n: (_identifiers(dialect, n),), _fill),)
)

# A list page of participants, with their matches under `q`.
PAGE = shaper(PARTICIPANTS, search.PARTICIPANTS)
