"""One batch of import lines: references looked up together, new records inserted together."""

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.errors import AppError, Conflict
from app.schemas.imports import (
    ClaimLine,
    EventLine,
    LineProblem,
    LineResult,
    ParticipantLine,
    SourceLine,
)
from app.services import dump, history, import_writes, slugs, snapshots, tombstones
from app.services.import_refs import Key, Resolver, UnknownReference, identity_keys, key_of
from app.services.import_rows import (
    Built,
    Row,
    Stamp,
    build_event,
    build_participant,
    build_source,
    keep_recorded_sha256,
)

SQLITE_CACHE_KIB = 65536
RecordLine = SourceLine | ParticipantLine | EventLine | ClaimLine


def problem_of(exc: AppError) -> LineProblem:
    """A domain error as a line's problem."""
    return LineProblem(title=exc.title, detail=exc.detail, errors=exc.errors)


def _identifiers(model: RecordLine) -> dict[str, str]:
    return getattr(model, "identifiers", {}) or {}


def _label(model: RecordLine) -> str:
    return str(getattr(model, "name", None) or getattr(model, "title", None) or model.text)  # type: ignore[union-attr]


def _refs(model: RecordLine) -> list[Key]:
    """Every reference a line makes, as lookup keys."""
    found: list[tuple[str, str | None]] = []
    if isinstance(model, ParticipantLine):
        for role in model.roles:
            found += [("participant", role.organization_id), ("source", role.source_id)]
    elif isinstance(model, EventLine):
        found.append(("event", model.parent_id))
        found += [("event", r.event_id) for r in model.relations]
        found += [("source", c.source) for c in model.sources]
        found += [("participant", p.participant) for p in model.participants]
    elif isinstance(model, ClaimLine):
        found += [("participant", model.claimant_id), ("event", model.event_id)]
        found += [(s.type, s.id) for s in model.subjects]
        found += [("claim", r.claim_id) for r in model.relations]
        found += [("source", a.source_id) for a in model.appearances]
    return [key_of(kind, ref) for kind, ref in found if ref]


def _own_keys(model: RecordLine) -> list[Key]:
    """The keys a line's own record may already be stored under."""
    keys: list[Key] = [(model.type, "id", str(model.id))] if model.id else []
    if model.slug:
        keys.append((model.type, "slug", model.slug))
    return keys + identity_keys(model.type, _identifiers(model))


class Batch:
    """Runs batches of validated lines on one session (one transaction per batch)."""

    def __init__(self, session: Session, on_conflict: str, actor: uuid.UUID | None) -> None:
        self.session = session
        self.on_conflict = on_conflict
        self.actor = actor

    def run(self, items: list[tuple[int, Any]], now: dt.datetime) -> Iterator[LineResult]:
        """The results of one batch, in line order, once it is written."""
        # SQLite's write lock from the first statement, as for any write (app.db.begin_writes).
        fresh = not self.session.in_transaction()
        options = {"sqlite_begin": "IMMEDIATE"} if fresh else None
        connection = self.session.connection(execution_options=options)
        if connection.dialect.name == "sqlite":
            # A bulk import touches every index of the event table; SQLite's default 2 MB
            # page cache would read their pages back from disk over and over.
            connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        # Savepoints inside the batch's transaction: a failed line undoes only itself.
        work = Session(bind=connection, join_transaction_mode="create_savepoint")
        work.info["actor"] = self.actor
        try:
            yield from _Pass(work, self.on_conflict, Stamp(self.actor, now)).run(items)
        finally:
            work.close()


class _Pass:
    """One batch's walk over its lines."""

    def __init__(self, work: Session, on_conflict: str, stamp: Stamp) -> None:
        self.work = work
        self.on_conflict = on_conflict
        self.stamp = stamp
        self.resolver = Resolver(work)
        self.results: list[LineResult] = []
        self.pending: list[tuple[int, Built]] = []
        self.stored: dict[uuid.UUID, dict[str, Any]] = {}
        self.buried: tuple[set[uuid.UUID], set[str]] = (set(), set())
        # Each valid line's own keys, by the line's model (read by prefetch, preload and match).
        self.own: dict[int, list[Key]] = {}

    def run(self, items: list[tuple[int, Any]]) -> list[LineResult]:
        valid = [m for _, m in items if not isinstance(m, LineResult)]
        self.own = {id(m): _own_keys(m) for m in valid}
        bases = [
            (m.type, "slug", slugs.slugify(_label(m)))
            for m in valid
            if not m.slug and m.type != "claim"
        ]
        self.resolver.prefetch([k for m in valid for k in (*self.own[id(m)], *_refs(m))] + bases)
        # Core inserts pass by the hook that keeps deleted records' ids and slugs unused.
        self.buried = tombstones.buried(
            self.work,
            {m.id for m in valid if m.id is not None},
            {m.slug for m in valid if m.slug} | {key[2] for key in bases},
        )
        self._preload(valid)
        for line, model in items:
            if isinstance(model, LineResult):
                self.results.append(model)
                continue
            self.results.append(self._line(line, model))
        self._flush()
        self.work.commit()
        return self.results

    def _preload(self, valid: list[RecordLine]) -> None:
        wanted: dict[str, list[uuid.UUID]] = {}
        for model in valid:
            try:
                found = self._match(model)
            except (AppError, UnknownReference):
                continue
            if found is not None:
                wanted.setdefault(model.type, []).append(found)
        for kind, ids in wanted.items():
            for record in dump.load_records(self.work, kind, ids):  # type: ignore[arg-type]
                self.stored[uuid.UUID(record["id"])] = record

    def _match(self, model: RecordLine) -> uuid.UUID | None:
        found = {self.resolver.match(key) for key in self.own[id(model)]} - {None}
        if len(found) > 1:
            raise Conflict("the line's id, slug and identifiers name different records")
        if model.id is not None and found and model.id not in found:
            raise Conflict(f"its slug or identifier belongs to {found.pop()}, not to {model.id}")
        return found.pop() if found else None

    def _line(self, line: int, model: RecordLine) -> LineResult:
        try:
            match = self._match(model)
            if isinstance(model, ClaimLine):
                return self._claim(line, model, match)
            if match is None:
                return self._create(line, model)
            return self._existing(line, model, match)
        except AppError as exc:
            self.work.rollback()
            return LineResult(line=line, status="error", type=model.type, problem=problem_of(exc))
        except UnknownReference as exc:
            self.work.rollback()
            problem = LineProblem(title="Conflict", detail=str(exc))
            return LineResult(line=line, status="error", type=model.type, problem=problem)

    def _build(self, model: RecordLine, record_id: uuid.UUID, slug: str) -> Built:
        if isinstance(model, SourceLine):
            return build_source(model, record_id, slug, self.stamp)
        if isinstance(model, ParticipantLine):
            return build_participant(model, record_id, slug, self.resolver, self.stamp)
        assert isinstance(model, EventLine)
        return build_event(model, record_id, slug, self.resolver, self.stamp)

    def _create(self, line: int, model: RecordLine) -> LineResult:
        record_id = model.id or uuid.uuid4()
        slug = model.slug or self._new_slug(model, record_id)
        if record_id in self.buried[0] or slug in self.buried[1]:
            tombstones.ensure_unburied(self.work, record_id, slug)
        built = self._build(model, record_id, slug)
        self.resolver.remember(model.type, record_id, slug, _identifiers(model))
        self.pending.append((len(self.results), built))
        return LineResult(line=line, status="created", type=model.type, id=record_id)

    def _new_slug(self, model: RecordLine, record_id: uuid.UUID) -> str:
        base = slugs.slugify(_label(model))
        taken = self.resolver.slug_taken(model.type, base) or base in self.buried[1]
        if taken or slugs.readable_as_uuid(base):
            return slugs.suffixed(base, record_id)
        return base

    def _stored(self, kind: str, record_id: uuid.UUID) -> dict[str, Any]:
        if record_id not in self.stored:
            # Written by an earlier line of this batch.
            self._flush()
            self.stored[record_id] = dump.load_records(self.work, kind, [record_id])[0]  # type: ignore[arg-type]
        return self.stored[record_id]

    def _existing(self, line: int, model: RecordLine, record_id: uuid.UUID) -> LineResult:
        stored = self._stored(model.type, record_id)
        built = self._build(model, record_id, model.slug or stored["slug"])
        if isinstance(model, SourceLine):
            keep_recorded_sha256(built, model, stored)
        if built.record == stored:
            return LineResult(line=line, status="unchanged", type=model.type, id=record_id)
        if self.on_conflict != "update":
            return self._differs(line, model.type, record_id)
        if built.slug != stored["slug"] and built.slug in self.buried[1]:
            # A Core update passes by the hook that refuses it to the HTTP update.
            tombstones.ensure_unburied(self.work, uuid.uuid4(), built.slug)
        self._flush()
        import_writes.update_record(self.work, built, stored)
        # Core writes: the history hooks see nothing of them unless told (version bumped).
        history.mark(self.work, model.type, record_id, "update")
        self.work.commit()
        self.stored[record_id] = built.record
        self.resolver.remember(model.type, record_id, built.slug, _identifiers(model))
        return LineResult(line=line, status="updated", type=model.type, id=record_id)

    def _differs(self, line: int, kind: Any, record_id: uuid.UUID) -> LineResult:
        detail = (
            f"the stored {kind} {record_id} differs from the line (on_conflict={self.on_conflict})"
        )
        status = "skipped" if self.on_conflict == "skip" else "error"
        problem = LineProblem(title="Conflict", detail=detail)
        return LineResult(line=line, status=status, type=kind, id=record_id, problem=problem)

    def _claim(self, line: int, model: ClaimLine, match: uuid.UUID | None) -> LineResult:
        body = import_writes.claim_body(model, self.resolver)
        record_id = match or model.id or uuid.uuid4()
        if match is not None:
            stored = self._stored("claim", match)
            expected = import_writes.expected_claim(body, match, model.slug or stored["slug"])
            if import_writes.same_claim(body, expected, stored):
                return LineResult(line=line, status="unchanged", type="claim", id=match)
            if self.on_conflict != "update":
                return self._differs(line, "claim", match)
        self._flush()
        slug = import_writes.write_claim(self.work, body, record_id, exists=match is not None)
        self.stored.pop(record_id, None)
        self.resolver.remember("claim", record_id, slug, {})
        status = "updated" if match is not None else "created"
        return LineResult(line=line, status=status, type="claim", id=record_id)

    def _flush(self) -> None:
        """Insert the new records waiting, together; one by one if that fails."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        try:
            import_writes.insert_all(self.work, [built for _, built in pending])
            self._created([built for _, built in pending])
            self.work.commit()
            return
        except DBAPIError:
            self.work.rollback()
        for position, built in pending:
            try:
                import_writes.insert_all(self.work, [built])
                self._created([built])
                self.work.commit()
            except DBAPIError as exc:
                self.work.rollback()
                detail = f"{built.kind} '{built.slug}' could not be stored: {exc.orig}"
                problem = LineProblem(title="Conflict", detail=detail)
                self.results[position] = self.results[position].model_copy(
                    update={"status": "error", "id": None, "problem": problem}
                )

    def _created(self, built: list[Built]) -> None:
        # Core inserts: each new record's revision (version 1) is written at this commit, from
        # the rows just inserted. Relations among them are the only rows of one pointing at
        # another (a record inserted before could not point at these).
        incoming: dict[uuid.UUID, list[Row]] = {}
        for record in built:
            for relation in record.rows.get("event_relation", ()):
                incoming.setdefault(relation["related_event_id"], []).append(relation)
        for record in built:
            pointing = {snapshots.incoming_name("event_relation"): incoming.get(record.id, [])}
            current = snapshots.from_rows(record.kind, record.rows | pointing)
            history.mark_created(self.work, record.kind, record.id, current)
