"""Conditional requests: ETag and Last-Modified on every record, If-None-Match and If-Match."""

import datetime as dt
from email.utils import format_datetime
from typing import Annotated, Any, TypeVar

from fastapi import Header, Response
from sqlmodel import Session

from app.errors import NotModified
from app.etags import etag, matches
from app.read.records import Kind, encode
from app.schemas.common import RecordMeta

R = TypeVar("R", bound=RecordMeta)

IfMatch = Annotated[
    str | None,
    Header(
        description="Write only if the record's current ETag is one of these (or `*`); "
        "otherwise 412 and nothing changes. Send the ETag you read to avoid lost updates.",
        examples=['"0b6b4a0e-3c8e-4f43-9d3e-6f1d5c1f2a7b.3"'],
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(
        description="Answer 304 without a body if the record's current ETag is one of these "
        "(or `*`).",
        examples=['"0b6b4a0e-3c8e-4f43-9d3e-6f1d5c1f2a7b.3"'],
    ),
]


def http_date(moment: dt.datetime) -> str:
    """An RFC 9110 HTTP-date, e.g. `Thu, 12 Sep 2019 10:00:00 GMT`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_datetime(moment.astimezone(dt.UTC).replace(microsecond=0), usegmt=True)


def validators(record: RecordMeta) -> dict[str, str]:
    """The ETag and Last-Modified headers of a record as returned."""
    return {
        "ETag": etag(record.id, record.version),
        "Last-Modified": http_date(record.updated_at),
    }


def tagged(response: Response, record: R) -> R:
    """`record`, with its validators set on the response."""
    response.headers.update(validators(record))
    return record


def tagged_unless_current(response: Response, record: R, if_none_match: str | None) -> R:
    """`record` with its validators, or a 304 if the client's copy (If-None-Match) is current."""
    headers = validators(record)
    if if_none_match is not None and matches(if_none_match, headers["ETag"], weak=True):
        raise NotModified(headers)
    response.headers.update(headers)
    return record


def tagged_bytes(record: dict[str, Any], if_none_match: str | None) -> Response:
    """A record's JSON (read as bytes) with its ETag and Last-Modified, or a 304 if the
    client's copy is current (If-None-Match): what `tagged_unless_current` answers for a model."""
    tag = etag(record["id"], record["version"])
    modified = http_date(record["updated_at"])
    if if_none_match is not None and matches(if_none_match, tag, weak=True):
        raise NotModified({"ETag": tag, "Last-Modified": modified})
    response = Response(content=encode(record), media_type="application/json")
    # After Content-Length and Content-Type, where FastAPI puts a handler's own headers.
    response.raw_headers.extend([(b"etag", tag.encode()), (b"last-modified", modified.encode())])
    return response


def read_tagged(kind: Kind, session: Session, ref: str, if_none_match: str | None) -> Response:
    """The record `ref` names, read as bytes, with its validators or a 304; see `tagged_bytes`."""
    return tagged_bytes(kind.read(session, ref), if_none_match)
