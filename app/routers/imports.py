"""Route of /import: bulk NDJSON import, answered line by line as it goes."""

import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from app.auth import require_scope
from app.db import get_session
from app.errors import UnsupportedMediaType
from app.importers.gdelt_files import GdeltFormatError, check_file, text_lines
from app.models import ApiKey
from app.routers.common import problem_responses
from app.schemas.imports import ImportQuery, ImportSummary, LineResult
from app.schemas.keys import KeyScope
from app.services.gdelt_import import GdeltTally, gdelt_records
from app.services.imports import ImportOptions, ImportRecord, import_records, parse_ndjson

router = APIRouter(prefix="/import", tags=["import"])

NDJSON = "application/x-ndjson"
_READS = (NDJSON, "application/jsonl", "application/ndjson")
_GDELT_READS = (
    "text/tab-separated-values",
    "text/csv",
    "text/plain",
    "application/zip",
    "application/octet-stream",
)
# A body beyond this goes to a temporary file, so that memory stays flat however long it is.
_SPOOL_BYTES = 8 * 1024 * 1024
WriteKey = Annotated[ApiKey, Depends(require_scope(KeyScope.write))]
_BODY = {
    "required": True,
    "content": {
        NDJSON: {
            "schema": {"type": "string", "description": "One JSON record a line."},
            "example": '{"type": "source", "slug": "wire", "kind": "report", "title": "Wire"}\n',
        },
        "text/tab-separated-values": {
            "schema": {
                "type": "string",
                "description": "With `format=gdelt`: a GDELT 2.0 events export (also text/csv "
                "for the header variant, application/zip zipped).",
            }
        },
    },
}
_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "model": LineResult,
        "description": 'One result a line (`LineResult`), then `{"summary": ImportSummary}`.',
        "content": {NDJSON: {"schema": {"$ref": "#/components/schemas/LineResult"}}},
    }
}


@router.post(
    "",
    response_class=StreamingResponse,
    responses=_ANSWER | problem_responses(400, 409, 413, 415, 422),
    openapi_extra={"requestBody": _BODY},
    operation_id="import_records",
    summary="Import records in bulk (NDJSON)",
)
async def import_ndjson(
    request: Request, key: WriteKey, query: Annotated[ImportQuery, Query()]
) -> StreamingResponse:
    """Import one record a line: `{"type": "source"|"participant"|"event"|"claim", ...}` with
    the fields of that resource's create body, an optional `id`, and references by id, slug
    or `scheme:value` identifier.

    A line naming a stored record (by `id`, `slug` or an identity identifier) is `unchanged`
    when identical, else skipped, updated or an error as `on_conflict` says. The answer streams
    one result a line as batches are done, then a summary; a bad line never stops the good
    ones unless `atomic`. The whole request costs one rate-limit token.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if query.format == "gdelt" and media_type not in _GDELT_READS:
        raise UnsupportedMediaType(f"send a GDELT file as one of {', '.join(_GDELT_READS)}")
    if query.format == "ndjson" and media_type not in _READS:
        raise UnsupportedMediaType(f"send the records as {NDJSON}, one JSON object a line")
    body = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
    async for chunk in request.stream():
        body.write(chunk)
    body.seek(0)
    options = ImportOptions.of(query, actor=key.id)
    if query.format == "gdelt":
        return _gdelt_answer(request, body, options)
    return StreamingResponse(_answer(request, body, options), media_type=NDJSON)


def _gdelt_answer(request: Request, body: IO[bytes], options: ImportOptions) -> StreamingResponse:
    """A GDELT file's rows through the import; its summary adds the rows' outcomes."""
    try:
        check_file(body)
    except (GdeltFormatError, zipfile.BadZipFile) as exc:
        body.close()
        raise GdeltFormatError(str(exc)) from None
    tally = GdeltTally()
    records = gdelt_records(text_lines(body), tally)
    answer = _answer(request, body, options, records, tally)
    return StreamingResponse(answer, media_type=NDJSON)


def _answer(
    request: Request,
    body: IO[bytes],
    options: ImportOptions,
    records: Iterable[ImportRecord] | None = None,
    tally: GdeltTally | None = None,
) -> Iterator[bytes]:
    provider = request.app.dependency_overrides.get(get_session, get_session)

    def sessions() -> AbstractContextManager[Session]:
        # The request's own session has closed by the time the answer streams.
        return contextmanager(provider)()

    summary = ImportSummary()
    try:
        found = parse_ndjson(body) if records is None else records
        for result in import_records(sessions, found, options, summary):
            if tally is not None:
                tally.count(result)
            yield _line(result)
        last: dict[str, Any] = {"summary": summary.model_dump()}
        if tally is not None:
            last["gdelt"] = tally.report()
        yield json.dumps(last).encode() + b"\n"
    finally:
        body.close()


def _line(result: LineResult) -> bytes:
    data: dict[str, Any] = result.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, ensure_ascii=False).encode() + b"\n"
