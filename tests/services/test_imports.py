"""The NDJSON import service: results per line, upserts, failures, dry runs and atomicity."""

import json
import uuid
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.models import (
    Appearance,
    Claim,
    ClaimSubject,
    Event,
    EventParticipant,
    Participant,
    Revision,
    Role,
    Source,
)
from app.schemas.imports import ImportSummary, LineResult
from app.services.imports import ImportOptions, import_records, parse_ndjson

SOURCE = {"type": "source", "slug": "gdelt-source-1", "kind": "news_article"} | {
    "title": "bbc.co.uk",
    "url": "https://www.bbc.co.uk/news/1",
}
CITATION = {"type": "source", "kind": "news_article", "title": "BBC", "citation": "BBC Monitoring"}
USA = {"type": "participant", "slug": "cameo-usa", "name": "UNITED STATES", "kind": "state"} | {
    "country": "USA",
    "identifiers": {"cameo": "USA"},
}
WASHINGTON = {"type": "participant", "slug": "cameo-usa-washington", "name": "WASHINGTON"} | {
    "kind": "other",
    "identifiers": {"cameo": "USA"},
}
RUSSIA = {"type": "participant", "slug": "russia", "name": "Russia", "kind": "state"} | {
    "identifiers": {"wikidata": "Q159", "cameo": "RUS"},
}
EVENT = {
    "type": "event",
    "identifiers": {"gdelt": "864104301"},
    "title": "United States consults Russia",
    "event_type": "meeting",
    "status": "occurred",
    "cameo_code": "042",
    "plover_type": "CONSULT",
    "start": "2019-09-12",
    "location": {"name": "Sochi", "country": "RS" if False else "RU", "lat": 43.6, "lon": 39.7},
    "goldstein": 1.9,
    "quad_class": 1,
    "tone": -2.5,
    "num_mentions": 10,
    "num_sources": 1,
    "num_articles": 10,
    "participants": [
        {"participant": "cameo-usa", "role": "initiator"},
        {"participant": "wikidata:Q159", "role": "recipient"},
    ],
    "sources": [{"source": "gdelt-source-1"}],
}


def lines(*records: dict[str, Any] | str) -> list[str]:
    """NDJSON lines of `records` (strings are sent as they are)."""
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


def run(
    session: Session, text: list[str], summary: ImportSummary | None = None, **options: Any
) -> list[LineResult]:
    """Import `text` through the test's session."""

    def factory() -> AbstractContextManager[Session]:
        return nullcontext(session)

    found = import_records(factory, parse_ndjson(text), ImportOptions(**options), summary)
    return list(found)


def statuses(results: list[LineResult]) -> list[tuple[int, str]]:
    """(line, status) of each result."""
    return [(r.line, r.status) for r in results]


class TestImportRecords:
    def test_creates_every_type_with_links_and_citations(self, session: Session) -> None:
        text = lines(SOURCE, CITATION, USA, WASHINGTON, RUSSIA, EVENT)
        results = run(session, text)
        assert statuses(results) == [(n, "created") for n in range(1, 7)]
        event = session.exec(select(Event).where(Event.title == EVENT["title"])).one()
        assert event.slug == "united-states-consults-russia"
        assert (event.goldstein, event.quad_class, event.num_articles) == (1.9, 1, 10)
        links = session.exec(select(EventParticipant).where(EventParticipant.event_id == event.id))
        roles = {(link.participant_id, link.role) for link in links}
        usa, russia = (results[2].id, results[4].id)
        assert roles == {(usa, "initiator"), (russia, "recipient")}
        citation = session.get(Source, results[1].id)
        assert citation is not None
        assert (citation.slug, citation.url) == ("bbc", None)

    def test_reimporting_changes_nothing_and_says_so(self, session: Session) -> None:
        text = lines(SOURCE, USA, WASHINGTON, RUSSIA, EVENT)
        first = run(session, text)
        again = run(session, text)
        assert statuses(again) == [(n, "unchanged") for n in range(1, 6)]
        assert [r.id for r in again] == [r.id for r in first]
        assert len(session.exec(select(Event)).all()) == 1

    def test_a_differing_line_is_skipped_updated_or_an_error(self, session: Session) -> None:
        run(session, lines(SOURCE, USA, WASHINGTON, RUSSIA, EVENT))
        changed = lines(EVENT | {"goldstein": -5.0})
        skipped = run(session, changed)
        assert statuses(skipped) == [(1, "skipped")]
        assert statuses(run(session, changed, on_conflict="error")) == [(1, "error")]
        updated = run(session, changed, on_conflict="update")
        assert statuses(updated) == [(1, "updated")]
        event = session.get(Event, updated[0].id)
        assert event is not None
        assert (event.goldstein, event.version) == (-5.0, 2)
        assert statuses(run(session, changed)) == [(1, "unchanged")]

    def test_bad_lines_are_reported_and_good_ones_imported(self, session: Session) -> None:
        text = lines(
            SOURCE,
            "{not json",
            {"type": "planet", "name": "Mars"},
            EVENT | {"identifiers": {"gdelt": "1"}, "participants": [], "goldstein": 11},
            EVENT
            | {"identifiers": {"gdelt": "2"}, "participants": [], "sources": [{"source": "x"}]},
            CITATION,
        )
        results = run(session, text)
        assert statuses(results) == [
            (1, "created"),
            (2, "error"),
            (3, "error"),
            (4, "error"),
            (5, "error"),
            (6, "created"),
        ]
        problems = [r.problem.detail if r.problem else None for r in results]
        assert problems[1] is not None
        assert problems[1].startswith("not JSON")
        assert problems[3] == "goldstein: Input should be less than or equal to 10"
        assert problems[4] == "sources.0.source: no source 'x'"
        assert results[4].problem is not None
        assert results[4].problem.errors == [
            {
                "loc": ["line", "sources", 0, "source"],
                "field": "sources.0.source",
                "msg": "no source 'x'",
                "type": "value_error",
            }
        ]

    def test_a_nul_anywhere_in_a_line_is_refused_where_it_is(self, session: Session) -> None:
        link = {"participant": "cameo-usa", "role": "initiator", "note": "a\x00b"}
        text = lines(
            SOURCE,
            USA,
            EVENT | {"participants": [link]},
            RUSSIA | {"aliases": ["ok", "\x00"]},
            # A backslash before `u0000`, not a NUL: imported as it is.
            CITATION | {"citation": "\\u0000"},
        )
        results = run(session, text)
        assert [r.status for r in results] == ["created", "created", "error", "error", "created"]
        message = "Value error, must not contain the NUL character (\\u0000)"
        assert [r.problem.errors if r.problem else None for r in results[2:4]] == [
            [{"loc": ["line", name], "field": name, "msg": message, "type": "value_error"}]
            for name in ("participants", "aliases")
        ]
        citation = session.get(Source, results[4].id)
        assert citation is not None
        assert citation.citation == "\\u0000"

    def test_an_ambiguous_classification_code_is_an_error(self, session: Session) -> None:
        event = EVENT | {"participants": [{"participant": "cameo:USA", "role": "initiator"}]}
        results = run(session, lines(SOURCE, USA, WASHINGTON, event))
        assert results[3].status == "error"
        assert results[3].problem is not None
        assert (
            results[3].problem.detail
            == "participants.0.participant: 'cameo:USA' names 2 participants; use an id or slug"
        )

    def test_dry_run_writes_nothing(self, session: Session) -> None:
        summary = ImportSummary()
        results = run(session, lines(SOURCE, USA, WASHINGTON, RUSSIA, EVENT), summary, dry_run=True)
        assert statuses(results) == [(n, "created") for n in range(1, 6)]
        assert session.exec(select(Participant)).all() == []
        assert (summary.created, summary.committed) == (5, False)

    def test_atomic_with_an_error_writes_nothing(self, session: Session) -> None:
        summary = ImportSummary()
        results = run(session, lines(SOURCE, "[]"), summary, atomic=True)
        assert statuses(results) == [(1, "created"), (2, "error")]
        assert session.exec(select(Source)).all() == []
        assert (summary.created, summary.error, summary.committed) == (1, 1, False)

    def test_batches_commit_as_they_go(self, session: Session) -> None:
        text = lines(*({"type": "source", "kind": "report", "title": f"R {n}"} for n in range(5)))
        results = run(session, text, batch_lines=2)
        assert statuses(results) == [(n, "created") for n in range(1, 6)]
        assert len(session.exec(select(Source)).all()) == 5

    def test_kept_ids_and_references_within_a_batch(self, session: Session) -> None:
        parent_id, child_id = uuid.uuid4(), uuid.uuid4()
        parent = {"type": "event", "id": str(parent_id), "slug": "visit"} | {
            "title": "Visit",
            "event_type": "visit",
            "status": "occurred",
        }
        child = parent | {"id": str(child_id), "slug": "talks", "parent_id": str(parent_id)}
        related: dict[str, Any] = child | {"id": None, "slug": "later", "relations": []}
        related["relations"] = [{"relation": "follows", "event_id": "talks"}]
        results = run(session, lines(parent, child, related))
        assert statuses(results) == [(1, "created"), (2, "created"), (3, "created")]
        stored = session.get(Event, child_id)
        assert stored is not None
        assert stored.parent_id == parent_id


@pytest.fixture
def claim_lines() -> list[str]:
    """A source with text and a claim quoting it."""
    text = "Putin met Netanyahu in Sochi. We act, he said."
    return lines(
        {"type": "source", "slug": "article", "kind": "news_article", "title": "A", "text": text},
        RUSSIA,
        {
            "type": "claim",
            "slug": "we-act",
            "text": "We act.",
            "claim_type": "quote",
            "claimant_id": "wikidata:Q159",
            "subjects": [{"type": "participant", "id": "russia"}],
            "appearances": [{"source_id": "article", "quote": "We act"}],
        },
    )


class TestImportClaims:
    def test_created_then_unchanged(self, session: Session, claim_lines: list[str]) -> None:
        assert statuses(run(session, claim_lines)) == [
            (1, "created"),
            (2, "created"),
            (3, "created"),
        ]
        again = run(session, claim_lines)
        assert statuses(again) == [(1, "unchanged"), (2, "unchanged"), (3, "unchanged")]

    def test_a_quote_not_in_the_text_is_an_error(
        self, session: Session, claim_lines: list[str]
    ) -> None:
        bad = json.loads(claim_lines[2])
        bad["appearances"][0]["quote"] = "Never said"
        results = run(session, [*claim_lines[:2], json.dumps(bad)])
        assert statuses(results) == [(1, "created"), (2, "created"), (3, "error")]


class TestImportParticipantsAndUpdates:
    def test_roles_refer_to_organisations_and_an_update_replaces_them(
        self, session: Session
    ) -> None:
        likud = {"type": "participant", "slug": "likud", "name": "Likud", "kind": "political_party"}
        person = {"type": "participant", "slug": "bibi", "name": "Benjamin Netanyahu"} | {
            "kind": "person",
            "identifiers": {"wikidata": "Q43723"},
            "roles": [{"title": "Chairman", "organization_id": "likud", "start": "1993"}],
        }
        results = run(session, lines(likud, person))
        assert statuses(results) == [(1, "created"), (2, "created")]
        roles = session.exec(select(Role).where(Role.participant_id == results[1].id)).all()
        assert [(r.title, r.organization_id, r.start_edtf) for r in roles] == [
            ("Chairman", results[0].id, "1993")
        ]
        # Named by its Wikidata id only, the line replaces the record whole.
        renamed = {"type": "participant", "name": "Binyamin Netanyahu", "kind": "person"} | {
            "identifiers": {"wikidata": "Q43723"}
        }
        assert statuses(run(session, lines(renamed), on_conflict="update")) == [(1, "updated")]
        stored = session.get(Participant, results[1].id)
        assert stored is not None
        assert (stored.slug, stored.name, stored.version) == ("bibi", "Binyamin Netanyahu", 2)
        assert session.exec(select(Role).where(Role.participant_id == stored.id)).all() == []

    def test_dry_run_lines_refer_to_earlier_batches(self, session: Session) -> None:
        results = run(
            session, lines(SOURCE, EVENT | {"participants": []}), batch_lines=1, dry_run=True
        )
        assert statuses(results) == [(1, "created"), (2, "created")]
        assert session.exec(select(Source)).all() == []

    def test_a_line_whose_id_and_slug_name_different_records_is_an_error(
        self, session: Session
    ) -> None:
        run(session, lines(SOURCE))
        other = SOURCE | {"id": str(uuid.uuid4())}
        results = run(session, lines(other))
        assert results[0].status == "error"
        assert results[0].problem is not None
        assert results[0].problem.detail.endswith(f"not to {other['id']}")


class TestImportClaimUpdates:
    def test_an_update_replaces_text_subjects_and_appearances(
        self, session: Session, claim_lines: list[str]
    ) -> None:
        created = run(session, claim_lines)
        changed = json.loads(claim_lines[2]) | {"text": "We act, he said.", "subjects": []}
        changed["appearances"] = [{"source_id": "article", "quote": "We act, he said."}]
        results = run(session, [json.dumps(changed)], on_conflict="update")
        assert statuses(results) == [(1, "updated")]
        claim = session.get(Claim, created[2].id)
        assert claim is not None
        assert (claim.text, claim.version) == ("We act, he said.", 2)
        shown = session.exec(select(Appearance).where(Appearance.claim_id == claim.id)).all()
        assert [(a.quote, a.char_start, a.char_end) for a in shown] == [
            ("We act, he said.", 30, 46)
        ]
        assert (
            session.exec(select(ClaimSubject).where(ClaimSubject.claim_id == claim.id)).all() == []
        )
        assert statuses(run(session, [json.dumps(changed)])) == [(1, "unchanged")]


def versions(session: Session, record_id: uuid.UUID) -> list[tuple[int, str]]:
    """A record's revisions as (version, operation)."""
    found = session.exec(
        select(Revision).where(Revision.record_id == record_id).order_by(col(Revision.version))
    )
    return [(r.version, r.operation) for r in found]


class TestImportHistory:
    def test_a_claim_update_is_one_revision(self, session: Session, claim_lines: list[str]) -> None:
        created = run(session, claim_lines)
        assert all(versions(session, r.id) == [(1, "create")] for r in created if r.id)
        changed = json.loads(claim_lines[2]) | {"text": "We act, he said.", "subjects": []}
        changed["appearances"] = [{"source_id": "article", "quote": "We act, he said."}]
        run(session, [json.dumps(changed)], on_conflict="update")
        assert created[2].id is not None
        assert versions(session, created[2].id) == [(1, "create"), (2, "update")]

    def test_a_dry_run_leaves_no_revision(self, session: Session) -> None:
        before = len(session.exec(select(Revision)).all())
        run(session, lines(SOURCE), dry_run=True)
        assert len(session.exec(select(Revision)).all()) == before
