"""Participants, claims and sources read as bytes are byte for byte the pydantic path's."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.models import Claim, Participant, Source
from app.read.claims import CLAIMS
from app.read.participants import PARTICIPANTS
from app.read.records import Kind, encode
from app.read.sources import SOURCES
from app.schemas.claims import ClaimPublic
from app.schemas.participants import ParticipantPublic
from app.schemas.sources import SourcePublic
from app.services import claims, participants, sources
from tests.read.reference import reference


@dataclass(frozen=True)
class Case:
    """A kind of record: its byte reader, its table, its model and the pydantic path."""

    kind: Kind
    table: Any
    model: Any
    service: Callable[[Session, str], Any]


CASES = {
    "participant": Case(
        PARTICIPANTS, Participant, ParticipantPublic, participants.read_participant
    ),
    "claim": Case(CLAIMS, Claim, ClaimPublic, claims.read_claim),
    "source": Case(SOURCES, Source, SourcePublic, sources.read_source),
}


def _refs(session: Session, table: Any) -> list[tuple[Any, str]]:
    return list(session.exec(select(table.id, table.slug).order_by(col(table.slug))))


@pytest.mark.parametrize("name", sorted(CASES))
class TestSeededRecords:
    def test_by_slug_and_by_id(self, seeded: Session, name: str) -> None:
        case = CASES[name]
        refs = _refs(seeded, case.table)
        assert len(refs) > 1
        for ident, slug in refs:
            expected = reference(case.model, case.service(seeded, slug))
            assert encode(case.kind.read(seeded, slug)) == expected
            assert encode(case.kind.read(seeded, str(ident))) == expected

    def test_items_of_a_page_keep_its_order(self, seeded: Session, name: str) -> None:
        case = CASES[name]
        refs = _refs(seeded, case.table)[::-1]
        expected = [reference(case.model, case.service(seeded, slug)) for _, slug in refs]
        assert case.kind.items(seeded, [ident for ident, _ in refs]) == expected
