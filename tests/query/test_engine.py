"""The query engine's parts: references resolved once, condition forms, dialect strategies."""

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Date, literal, select
from sqlmodel import Session

from app import query
from app.errors import AppError
from app.models import Participant
from app.query import dialects, event_filters
from app.query import events as event_list
from app.query.where import Kind
from app.schemas.events import EventQuery
from app.services import rows

QUERY_MODULES = Path(query.__file__).parent


def test_the_participants_are_looked_up_once_per_list_in_one_lookup(
    seeded: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[tuple[str, str, list[Any]]] = []
    load = rows.load

    def recorded(session: Session, model: Any, column: str, keys: Any, *rest: Any) -> Any:
        lookups.append((model.__name__, column, list(keys)))
        return load(session, model, column, keys, *rest)

    monkeypatch.setattr(rows, "load", recorded)
    params = {
        "participant": ["vladimir-putin", "benjamin-netanyahu"],
        "participant_match": "all",
        "include_total": True,
    }
    listed, _, total = event_list.list_events(seeded, EventQuery.model_validate(params))
    assert total == len(listed) > 0
    by_slug = [keys for model, column, keys in lookups if column == "slug"]
    assert by_slug == [["vladimir-putin", "benjamin-netanyahu"]]


def test_an_unknown_participant_among_known_ones_is_named_by_its_index(seeded: Session) -> None:
    (putin,) = rows.load(seeded, Participant, "slug", ["vladimir-putin"])
    params = {"participant": [str(putin.id), "vladimir-putin", "nobody-at-all"]}
    with pytest.raises(AppError) as raised:
        event_list.list_events(seeded, EventQuery.model_validate(params))
    assert raised.value.status == 422
    assert raised.value.errors == [
        {
            "loc": ["query", "participant", 2],
            "field": "participant.2",
            "msg": "no participant 'nobody-at-all'",
            "type": "value_error",
        }
    ]


def test_the_text_condition_is_found_by_kind_not_position(seeded: Session) -> None:
    params = {"q": "election", "country": ["IL"], "participant": ["benjamin-netanyahu"]}
    where = event_filters.resolve(seeded, EventQuery.model_validate(params)).where
    kinds = [c.kind for c in where.conditions]
    assert kinds == [Kind.PLAIN, Kind.PARTICIPANT, Kind.TEXT]
    assert [c.kind for c in where.unsearched().conditions] == [Kind.PLAIN, Kind.PARTICIPANT]


def test_a_walk_drops_only_the_walked_participants_condition(seeded: Session) -> None:
    params = {
        "participant": ["vladimir-putin", "benjamin-netanyahu"],
        "participant_match": "all",
        "country": ["RU"],
    }
    found = event_filters.resolve(seeded, EventQuery.model_validate(params))
    rest = found.where.without_participant(found.participant_ids[0])
    assert [c.participants for c in rest.conditions] == [(), (found.participant_ids[1],)]


def test_participant_conditions_are_collected_or_checked(seeded: Session) -> None:
    params = {"participant": ["benjamin-netanyahu"]}
    (linked,) = event_filters.resolve(seeded, EventQuery.model_validate(params)).where.conditions
    assert " IN (SELECT" in str(linked.collected)
    assert str(linked.checked).startswith("EXISTS (SELECT")


@pytest.mark.parametrize(("unit", "expected"), [("month", "2019-09"), ("year", "2019")])
def test_the_period_of_a_date(session: Session, unit: str, expected: str) -> None:
    day = literal(dt.date(2019, 9, 12), Date())
    period = dialects.of(session).period(day, unit)
    assert session.connection().execute(select(period)).scalar_one() == expected


def test_the_strategy_is_the_sessions_engines(session: Session) -> None:
    strategy = dialects.of(session)
    assert strategy.name == session.get_bind().dialect.name
    assert strategy.counts_to_plan is (strategy.name == "sqlite")


def test_no_module_of_the_engine_spells_an_index_name_out() -> None:
    literal_name = re.compile(r"""["']ix_[a-z0-9_]+["']|INDEXED BY ix_""")
    spelled = {p.name: literal_name.findall(p.read_text()) for p in QUERY_MODULES.glob("*.py")}
    assert {name: found for name, found in spelled.items() if found} == {}
