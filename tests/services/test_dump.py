"""The dump in import format: importing it into an empty database and dumping again is the same."""

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.models import Claim, Participant, Role, RoleTitleKey, Source
from app.services.dump import dump_records
from app.services.imports import ImportOptions, import_records, parse_ndjson
from seed.loader import load_article


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Session]:
    """A session on the (empty) test database whose work is undone afterwards."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def real_data_lines() -> list[str]:
    """Records with what the seed lacks: identifiers, measures, citations, shared codes."""
    parent = str(uuid.uuid4())
    records = [
        {"type": "source", "slug": "wire", "kind": "report", "title": "W", "citation": "AFP wire"},
        {"type": "participant", "slug": "usa", "name": "USA", "kind": "state"}
        | {"identifiers": {"cameo": "USA"}},
        {"type": "participant", "slug": "dc", "name": "WASHINGTON", "kind": "other"}
        | {"identifiers": {"cameo": "USA"}},
        {"type": "event", "id": parent, "slug": "zz-summit", "title": "Summit"}
        | {"event_type": "meeting", "status": "occurred", "start": "2019-09"},
        {"type": "event", "slug": "aa-part", "title": "Part", "event_type": "meeting"}
        | {"status": "occurred", "parent_id": parent, "goldstein": 1.5, "quad_class": 1}
        | {"identifiers": {"gdelt": "864104301"}, "tone": -0.1234567, "location": {"country": "XK"}}
        | {"sources": [{"source": "wire", "locator": "p. 2"}]}
        | {"participants": [{"participant": "usa", "role": "initiator"}]},
        # Relates to an event after it by slug: the dump puts it after that event.
        {
            "type": "event",
            "slug": "mm-a",
            "title": "A",
            "event_type": "other",
            "status": "occurred",
        },
        {"type": "event", "slug": "mm-b", "title": "B", "event_type": "other", "status": "occurred"}
        | {"relations": [{"relation": "related_to", "event_id": "mm-a"}]},
        # The wire has no text: the quote stays unverified, with the confidence it was given.
        {"type": "claim", "slug": "wire-says", "text": "Talks went well", "claim_type": "report"}
        | {"appearances": [{"source_id": "wire", "quote": "Talks went well", "confidence": 0.4}]},
    ]
    return [json.dumps(r) for r in records]


def dump(session: Session) -> bytes:
    """The whole database as NDJSON."""
    return b"".join(dump_records(session))


def load(session: Session, text: bytes) -> list[str]:
    """Import `text`; the statuses of its lines."""

    def factory() -> AbstractContextManager[Session]:
        return nullcontext(session)

    records = parse_ndjson(text.splitlines())
    # The dump carries recorded hashes, which only a restore may bring back.
    return [r.status for r in import_records(factory, records, ImportOptions(restore=True))]


def _title_keys(session: Session) -> list[tuple[str, str]]:
    """Each role's title keys, by participant slug and key."""
    stmt = (
        select(Participant.slug, RoleTitleKey.key)
        .join(Role, col(Role.participant_id) == Participant.id)
        .join(RoleTitleKey, col(RoleTitleKey.role_id) == Role.id)
    )
    return sorted(session.exec(stmt).all())


def test_dump_imports_into_an_empty_database_and_dumps_the_same(engine: Engine) -> None:
    with rolled_back(engine) as session:
        load_article(session)
        assert set(load(session, "\n".join(real_data_lines()).encode())) == {"created"}
        first = dump(session)
        assert set(load(session, first)) == {"unchanged"}
        title_keys = _title_keys(session)
        assert title_keys
    with rolled_back(engine) as session:
        statuses = load(session, first)
        assert set(statuses) == {"created"}
        second = dump(session)
        # Roles are found by title or alias through their keys, which the import writes too.
        assert _title_keys(session) == title_keys
    assert second == first
    kinds = [json.loads(line)["type"] for line in first.splitlines()]
    assert kinds == sorted(kinds, key=["source", "participant", "event", "claim"].index)
    assert (kinds.count("source"), kinds.count("participant")) == (8, 17)
    assert (kinds.count("event"), kinds.count("claim")) == (16, 12)


def test_the_dump_carries_recorded_hashes_verification_and_provenance(engine: Engine) -> None:
    with rolled_back(engine) as session:
        load_article(session)
        load(session, "\n".join(real_data_lines()).encode())
        lines = [json.loads(line) for line in dump(session).splitlines()]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_type.setdefault(line["type"], []).append(line)
    recorded = [s for s in by_type["source"] if "sha256" in s]
    wire = next(s for s in by_type["source"] if s["slug"] == "wire")
    assert [("text" in s, len(s["sha256"])) for s in recorded] == [(False, 64)]
    shown = {c["slug"]: c.get("appearances", []) for c in by_type["claim"]}
    assert shown.pop("wire-says") == [
        {"source_id": wire["id"], "quote": "Talks went well"}
        | {"confidence": 0.4, "verification": "unverified"}
    ]
    verified = [a for found in shown.values() for a in found]
    assert {(a["verification"], a["verified_sha256"]) for a in verified} == {
        ("verified", recorded[0]["sha256"])
    }
    roles = [r for p in by_type["participant"] for r in p.get("roles", [])]
    assert Counter(r["provenance"] for r in roles) == {"stated": 6, "background": 2}
    assert sum(bool(r.get("aliases")) for r in roles) == 3
    assert Counter(e["provenance"] for e in by_type["event"]) == {"stated": 15, "assessment": 1}
    links = [k for e in by_type["event"] for k in e.get("participants", [])]
    assert Counter(k["provenance"] for k in links) == {
        "stated": 19,
        "assessment": 5,
        "background": 5,
    }
    assessed = [k for k in links if k["provenance"] == "assessment"]
    assert all(k["provenance_basis"] for k in assessed)


def test_without_restore_recorded_hashes_are_refused_and_not_written(engine: Engine) -> None:
    with rolled_back(engine) as session:
        load_article(session)
        first = dump(session)
    with rolled_back(engine) as session:
        records = parse_ndjson(first.splitlines())
        results = list(import_records(lambda: nullcontext(session), records, ImportOptions()))
        refused = [r for r in results if r.status == "error"]
        assert {(r.type, r.problem.title) for r in refused if r.problem} == {
            ("source", "Validation failed"),
            ("claim", "Validation failed"),
        }
        assert len(refused) == 1 + 11
        assert refused[0].problem
        assert refused[0].problem.errors
        assert refused[0].problem.errors[0]["loc"] == ["line", "sha256"]
        assert "only a restore may send" in refused[0].problem.detail
        assert session.exec(select(func.count()).select_from(Claim)).one() == 0
        assert session.exec(select(func.count()).select_from(Source)).one() == 6
