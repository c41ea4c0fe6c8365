"""Bulk import of NDJSON records: validated, resolved and written a batch at a time.

`import_records` is the one entry point: the HTTP endpoint, the command line and the GDELT
importer hand it records (parsed lines, or problems a reader found in a line) and get one
result per line back, as each batch is done. Memory holds one batch.
"""

import datetime as dt
import itertools
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from app.errors import field_error
from app.schemas.common import NUL_FREE
from app.schemas.imports import (
    LINE_MODELS,
    ClaimLine,
    ImportQuery,
    ImportSummary,
    LineProblem,
    LineResult,
    SourceLine,
)
from app.services import event_tally, participant_pairs
from app.services.import_batch import Batch

BATCH_LINES = 1000
UNTRUSTED_HASH = (
    "a recorded hash vouches for a text the server cannot check, so only a restore may send "
    "one: the `geoevents import` command or an admin key; a write key may not (send `text` "
    "to have the sha256 computed and quotes verified)"
)


@dataclass
class ParsedLine:
    """A line read as a JSON object, with its line number (from 1).

    `nul_free`: its reader found no NUL in the line's text (raw or escaped), so no value of it
    holds one and validation need not look in each.
    """

    line: int
    data: dict[str, Any]
    nul_free: bool = False


@dataclass
class LineFailure:
    """A line a reader could not turn into a record, and why."""

    line: int
    detail: str
    title: str = "Invalid line"


ImportRecord = ParsedLine | LineFailure


@dataclass
class ImportOptions:
    """How to import: the query options, the writing key, the batch size and the trust.

    `restore`: the caller may restore recorded hashes (a source's `sha256`, an appearance's
    `verified_sha256`), which vouch for texts the server cannot check: the command line
    (database access) and admin keys. A write key cannot vouch for a hash.
    """

    on_conflict: str = "skip"
    dry_run: bool = False
    atomic: bool = False
    actor: uuid.UUID | None = None
    batch_lines: int = BATCH_LINES
    restore: bool = False

    @classmethod
    def of(
        cls, query: ImportQuery, actor: uuid.UUID | None = None, *, restore: bool = False
    ) -> "ImportOptions":
        """Options from the endpoint's query."""
        return cls(query.on_conflict, query.dry_run, query.atomic, actor, restore=restore)


def parse_ndjson(lines: Iterable[bytes | str]) -> Iterator[ImportRecord]:
    """Each non-blank line as a parsed object or as the reason it is not one."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError as exc:
            yield LineFailure(number, f"not JSON: {exc}")
            continue
        if not isinstance(data, dict):
            yield LineFailure(number, "not a JSON object")
            continue
        yield ParsedLine(number, data, nul_free=not _holds_nul(raw))


def _holds_nul(raw: bytes | str) -> bool:
    """Whether a JSON text may hold a NUL: raw, or as the escape `\\u0000`."""
    if isinstance(raw, bytes):
        return b"\\u0000" in raw or b"\x00" in raw
    return "\\u0000" in raw or "\x00" in raw


def import_records(
    session_factory: Callable[[], AbstractContextManager[Session]],
    records: Iterable[ImportRecord],
    options: ImportOptions,
    summary: ImportSummary | None = None,
) -> Iterator[LineResult]:
    """Import `records`, yielding one result per record in order; `summary` is filled in.

    Each batch is committed when done, unless `atomic` (one transaction, committed only
    without error lines) or `dry_run` (one transaction, rolled back).
    """
    summary = summary if summary is not None else ImportSummary()
    with session_factory() as session:
        batch = Batch(session, options.on_conflict, options.actor)
        try:
            for chunk in _chunks(records, options.batch_lines):
                items = _validated(chunk, restore=options.restore)
                for result in batch.run(items, dt.datetime.now(dt.UTC)):
                    summary.count(result)
                    yield result
                # A dry run keeps its batches until the end, so that a line may refer to a
                # record an earlier batch would have written.
                if not options.atomic and not options.dry_run:
                    _end(session, keep=True)
        except BaseException:
            session.rollback()
            raise
        keep = not options.dry_run and not (options.atomic and summary.error)
        _end(session, keep=keep)
        # On PostgreSQL, the events and links written left deltas to the counts: folded here
        # rather than by the next stats or network read.
        if keep:
            participant_pairs.fold_and_commit(session)
            event_tally.fold_and_commit(session)
        summary.committed = keep if options.atomic else not options.dry_run


def _end(session: Session, *, keep: bool) -> None:
    if keep:
        session.commit()
    else:
        session.rollback()


def _chunks(records: Iterable[ImportRecord], size: int) -> Iterator[list[ImportRecord]]:
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _validated(chunk: list[ImportRecord], *, restore: bool) -> list[tuple[int, Any]]:
    """Each record as (line, validated line model) or (line, LineResult of its error)."""
    found: list[tuple[int, Any]] = []
    for record in chunk:
        if isinstance(record, LineFailure):
            problem = LineProblem(title=record.title, detail=record.detail)
            found.append(
                (record.line, LineResult(line=record.line, status="error", problem=problem))
            )
            continue
        kind = record.data.get("type")
        model = LINE_MODELS.get(kind) if isinstance(kind, str) else None
        if model is None:
            known = ", ".join(LINE_MODELS)
            found.append((record.line, _bad_type(record.line, f"`type` must be one of {known}")))
            continue
        try:
            context = NUL_FREE if record.nul_free else None
            line = model.model_validate(record.data, context=context)
        except ValidationError as exc:
            found.append((record.line, invalid_line(record.line, exc, kind)))
            continue
        vouched = [] if restore else _vouched(line)
        found.append((record.line, _untrusted(record.line, kind, vouched) if vouched else line))
    return found


def _vouched(line: Any) -> list[tuple[str | int, ...]]:
    """Where a line sends a hash only a restore may vouch for."""
    if isinstance(line, SourceLine):
        return [("sha256",)] if line.sha256 is not None else []
    if isinstance(line, ClaimLine):
        return [
            ("appearances", index, "verified_sha256")
            for index, shown in enumerate(line.appearances)
            if shown.verified_sha256 is not None
        ]
    return []


def _untrusted(line: int, kind: Any, places: list[tuple[str | int, ...]]) -> LineResult:
    """The result of a line sending hashes its caller may not restore."""
    errors = [field_error(("line", *loc), UNTRUSTED_HASH) for loc in places]
    detail = "; ".join(f"{e['field']}: {UNTRUSTED_HASH}" for e in errors)
    problem = LineProblem(title="Validation failed", detail=detail, errors=errors)
    return LineResult(line=line, status="error", type=kind, problem=problem)


def _bad_type(line: int, message: str) -> LineResult:
    error = {"loc": ["line", "type"], "field": "type", "msg": message, "type": "value_error"}
    detail = f"type: {message}"
    problem = LineProblem(title="Validation failed", detail=detail, errors=[error])
    return LineResult(line=line, status="error", problem=problem)


def invalid_line(line: int, exc: ValidationError, kind: Any) -> LineResult:
    """The result of a line that is not a valid record."""
    errors = [
        {
            "loc": ["line", *error["loc"]],
            "field": ".".join(str(p) for p in error["loc"]),
            "msg": error["msg"],
            "type": error["type"],
        }
        for error in exc.errors(include_url=False)
    ]
    detail = "; ".join(f"{e['field'] or 'line'}: {e['msg']}" for e in errors)
    known = kind if kind in ("source", "participant", "event", "claim") else None
    return LineResult(
        line=line,
        status="error",
        type=known,
        problem=LineProblem(title="Validation failed", detail=detail, errors=errors),
    )


__all__ = ["ImportOptions", "ImportRecord", "import_records", "parse_ndjson"]
