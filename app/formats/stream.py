"""A list answered in an export format: every match, page after keyset page, streamed."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from app.db import get_session
from app.errors import invalid
from app.formats.negotiate import choose
from app.formats.registry import ExportContext, Kind, offered
from app.routers.common import API_PREFIX, problem_responses
from app.schemas.common import RequestModel

Q = TypeVar("Q", bound=RequestModel)
Q_contra = TypeVar("Q_contra", bound=RequestModel, contravariant=True)


class Fetch(Protocol[Q_contra]):
    """A list's service function: one page as (records, next cursor, ...)."""

    def __call__(self, session: Session, query: Q_contra) -> tuple[Any, ...]: ...


# Records read per query while exporting; the memory an export holds is about one page.
PAGE_SIZE = 500
# Bytes gathered before a piece is sent: fewer, larger writes than one per record.
CHUNK_BYTES = 64 * 1024


def export(request: Request, session: Session, kind: Kind, query: Q, fetch: Fetch[Q]) -> Any:
    """The list in the format asked for, streamed; None when the answer is the JSON page.

    The first page is read here, on the request's session, so that a bad filter or cursor is
    still a problem document; the rest are read while streaming, on a session of their own.
    Typed `Any` (a Response) so that the handler keeps its page model for JSON.
    """
    writer = choose(kind, getattr(query, "format", None), request.headers.get("accept"))
    if writer is None:
        return None
    _check(query)
    page = _page_query(query, getattr(query, "cursor", None))
    records, next_cursor = fetch(session, query=page)[:2]
    api_url = str(request.base_url).rstrip("/") + API_PREFIX
    context = ExportContext(kind=kind, api_url=api_url, sessions=_sessions(request))
    walked = _rest(request, records, next_cursor, query, fetch)
    body = _chunks(writer.renders[kind](walked, context))
    filename = f"{request.url.path.rstrip('/').rsplit('/', 1)[-1]}.{writer.extension}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Vary": "Accept"}
    return StreamingResponse(body, media_type=writer.content_type, headers=headers)


def _check(query: RequestModel) -> None:
    if getattr(query, "fields", None) is not None:
        raise invalid(
            ("query", "fields"), "selects fields of JSON pages; exports write whole records"
        )
    if getattr(query, "sort", None) == "relevance":
        # Relevance pages by position; an export walks keyset pages only.
        raise invalid(("query", "sort"), "relevance cannot be exported; choose another order")


def _page_query(query: Q, cursor: str | None) -> Q:
    update: dict[str, Any] = {"cursor": cursor, "limit": PAGE_SIZE}
    if "include_total" in type(query).model_fields:
        update["include_total"] = False
    return query.model_copy(update=update)


def walk(session: Session, query: Q, fetch: Fetch[Q], cursor: str | None = None) -> Iterator[Any]:
    """Every record `fetch` finds for `query` from `cursor` on, one keyset page per read.

    Each page's read transaction ends before its records are handed on, so that a slow
    consumer holds no connection or snapshot. For a whole-list dump outside a request too.
    """
    while True:
        records, cursor = fetch(session, query=_page_query(query, cursor))[:2]
        session.rollback()
        yield from records
        if cursor is None:
            return


def _sessions(request: Request) -> Callable[[], AbstractContextManager[Session]]:
    # The app's session provider (or a test's override), as for the request itself.
    provider = request.app.dependency_overrides.get(get_session, get_session)
    return lambda: contextmanager(provider)()


def _rest(
    request: Request, first: list[Any], cursor: str | None, query: Q, fetch: Fetch[Q]
) -> Iterator[Any]:
    """The records of the first page, then those of the following pages, on a new session."""
    yield from first
    if cursor is None:
        return
    # The app's session provider (or a test's override), as for the request itself.
    provider = request.app.dependency_overrides.get(get_session, get_session)
    with contextmanager(provider)() as session:
        yield from walk(session, query, fetch, cursor)


def _chunks(pieces: Iterable[str]) -> Iterator[bytes]:
    gathered: list[str] = []
    size = 0
    for piece in pieces:
        gathered.append(piece)
        size += len(piece)
        if size >= CHUNK_BYTES:
            yield "".join(gathered).encode()
            gathered, size = [], 0
    if gathered:
        yield "".join(gathered).encode()


def responses(kind: Kind) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries of a list of `kind`: its export media types, and the 406."""
    content: dict[str, Any] = {}
    for writer in offered(kind):
        content[writer.media_type] = {
            "schema": {"type": "string", "description": writer.description},
        }
    described = "The page as JSON, or with `format=` or `Accept`, every match in one of the " + (
        "export formats: " + ", ".join(f"`{w.name}` ({w.media_type})" for w in offered(kind))
    )
    return {200: {"description": described, "content": content}, **problem_responses(406)}
