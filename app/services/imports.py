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

from app.schemas.imports import (
    LINE_MODELS,
    ImportQuery,
    ImportSummary,
    LineProblem,
    LineResult,
)
from app.services.import_batch import Batch

BATCH_LINES = 1000


@dataclass
class ParsedLine:
    """A line read as a JSON object, with its line number (from 1)."""

    line: int
    data: dict[str, Any]


@dataclass
class LineFailure:
    """A line a reader could not turn into a record, and why."""

    line: int
    detail: str
    title: str = "Invalid line"


ImportRecord = ParsedLine | LineFailure


@dataclass
class ImportOptions:
    """How to import: the query options, the writing key and the batch size."""

    on_conflict: str = "skip"
    dry_run: bool = False
    atomic: bool = False
    actor: uuid.UUID | None = None
    batch_lines: int = BATCH_LINES

    @classmethod
    def of(cls, query: ImportQuery, actor: uuid.UUID | None = None) -> "ImportOptions":
        """Options from the endpoint's query."""
        return cls(query.on_conflict, query.dry_run, query.atomic, actor)


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
        yield ParsedLine(number, data)


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
                for result in batch.run(_validated(chunk), dt.datetime.now(dt.UTC)):
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


def _validated(chunk: list[ImportRecord]) -> list[tuple[int, Any]]:
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
            found.append((record.line, model.model_validate(record.data)))
        except ValidationError as exc:
            found.append((record.line, invalid_line(record.line, exc, kind)))
    return found


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
