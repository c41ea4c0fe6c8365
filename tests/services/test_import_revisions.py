"""Revisions of imported records: built from the rows the import wrote, exactly as read back."""

import json
import uuid
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.models import Revision
from app.schemas.imports import LineResult
from app.services import history, snapshots
from app.services.imports import ImportOptions, import_records, parse_ndjson

ACTOR = uuid.UUID("6f0c7a52-4c0e-4d57-9a8f-2f3f0d3c1b11")
EXISTING: list[dict[str, Any]] = [
    {"type": "source", "slug": "wire-1", "kind": "news_article", "title": "Wire"},
    {"type": "participant", "slug": "usa", "name": "UNITED STATES", "kind": "state"}
    | {"country": "US", "identifiers": {"cameo": "USA"}},
    {"type": "participant", "slug": "russia", "name": "Russia", "kind": "state"}
    | {"identifiers": {"wikidata": "Q159"}},
    {"type": "event", "slug": "talks", "title": "Talks", "event_type": "meeting"}
    | {"status": "occurred", "start": "2019-09-12", "identifiers": {"gdelt": "1"}},
]
CREATED: list[dict[str, Any]] = [
    {"type": "source", "slug": "tass-1", "kind": "news_article", "title": "TASS"}
    | {"published": "2019-09", "language": "ru", "text": "Lavrov met Pompeo in Sochi."},
    {"type": "participant", "slug": "lavrov", "name": "Sergey Lavrov", "kind": "person"}
    | {"aliases": ["Lavrov"], "country": "RU", "identifiers": {"wikidata": "Q80"}}
    | {
        "roles": [
            {"title": "Foreign Minister", "aliases": ["FM", "Minister"]}
            | {"organization_id": "russia", "source_id": "tass-1", "start": "2004-03-09"},
            {"title": "Ambassador", "start": "1994", "end": "2004", "provenance": "background"},
        ]
    },
    {"type": "event", "slug": "sochi", "title": "Lavrov meets Pompeo", "event_type": "meeting"}
    | {"summary": "In Sochi.", "cameo_code": "042", "plover_type": "CONSULT"}
    | {"start": "2019-05-14", "end": "2019-05-15", "status": "occurred"}
    | {"status_as_of": "2019-05-16", "certainty": "confirmed", "identifiers": {"gdelt": "2"}}
    | {"location": {"name": "Sochi", "admin1": "Krasnodar", "country": "RU"}}
    | {"goldstein": 1.9, "quad_class": 1, "tone": -2.5, "num_mentions": 10, "fatalities": 0}
    | {
        "participants": [
            {"participant": "lavrov", "role": "host", "note": "as minister"},
            {"participant": "cameo:USA", "role": "visitor"},
        ],
        "sources": [{"source": "tass-1", "locator": "para 2"}, {"source": "wire-1"}],
        "relations": [{"relation": "follows", "event_id": "talks"}],
    },
    {"type": "event", "slug": "sochi-follow-up", "title": "Follow-up", "event_type": "statement"}
    | {
        "status": "planned",
        "start": "2019-05",
        "parent_id": "sochi",
        "location": {"lat": 43.6, "lon": 39.7},
    }
    | {"relations": [{"relation": "caused_by", "event_id": "sochi"}]},
    {"type": "event", "title": "Untitled meeting", "event_type": "other", "status": "ongoing"},
]
CHANGED: list[dict[str, Any]] = [
    EXISTING[0],
    EXISTING[1] | {"name": "USA", "aliases": ["United States"]},
    EXISTING[3]
    | {"title": "Talks in Geneva", "participants": [{"participant": "russia", "role": "host"}]},
]


def run(session: Session, records: list[dict[str, Any]], **options: Any) -> list[LineResult]:
    """Import `records` through the test's session."""

    def factory() -> AbstractContextManager[Session]:
        return nullcontext(session)

    text = [json.dumps(r) for r in records]
    return list(import_records(factory, parse_ndjson(text), ImportOptions(**options)))


def stored(value: Any) -> Any:
    """A value as a JSON column stores it."""
    return json.loads(json.dumps(value))


def revisions_after(session: Session, seq: int) -> dict[snapshots.Key, list[Revision]]:
    """Each record's revisions after `seq`, in commit order."""
    stmt = select(Revision).where(col(Revision.seq) > seq).order_by(col(Revision.seq))
    found: dict[snapshots.Key, list[Revision]] = {}
    for revision in session.exec(stmt):
        found.setdefault((revision.resource, revision.record_id), []).append(revision)
    return found


@pytest.fixture
def read_back(monkeypatch: pytest.MonkeyPatch) -> list[snapshots.Key]:
    """The records whose revision read them back (instead of taking the writer's rows)."""
    found: list[snapshots.Key] = []
    reading = snapshots.snapshot

    def spy(session: Session, resource: str, record_id: uuid.UUID) -> Any:
        found.append((resource, record_id))
        return reading(session, resource, record_id)

    monkeypatch.setattr(history, "snapshot", spy)
    return found


class TestImportRevisions:
    @pytest.mark.parametrize("batch_lines", [1000, 2])
    def test_revisions_are_the_records_as_read_back(
        self, session: Session, read_back: list[snapshots.Key], batch_lines: int
    ) -> None:
        run(session, EXISTING)
        seq = max(r.seq for r in session.exec(select(Revision)))
        read_back.clear()

        results = run(
            session,
            [*CREATED, *CHANGED],
            on_conflict="update",
            actor=ACTOR,
            batch_lines=batch_lines,
        )

        statuses = [r.status for r in results]
        assert statuses == ["created"] * 5 + ["unchanged", "updated", "updated"]
        created = {(str(r.type), r.id) for r in results[:5] if r.id is not None}
        assert len(created) == 5
        assert not created & set(read_back)
        written = revisions_after(session, seq)
        for key in created:
            first = written[key][0]
            assert (first.operation, first.version, first.key_id) == ("create", 1, ACTOR)
        for key, found in written.items():
            # The latest revision of each record holds the record as it is now.
            latest, current = found[-1], snapshots.snapshot(session, *key)
            assert latest.snapshot is not None
            assert current is not None
            assert latest.snapshot == stored(current)
            # The same JSON, columns in the same order.
            assert json.dumps(latest.snapshot["fields"]) == json.dumps(stored(current)["fields"])
            assert latest.version == current["fields"]["version"]
            assert latest.key_id == ACTOR
            if latest.operation == "create":
                assert latest.changes == stored(snapshots.diff(None, current))
