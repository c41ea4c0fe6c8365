"""Response helpers and documented error responses shared by the routers."""

from collections.abc import Callable
from typing import Annotated, Any, TypeVar, get_args

import orjson
from fastapi import Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel

from app.errors import PROBLEM_MEDIA_TYPE, invalid
from app.read import pages
from app.read.records import Record
from app.schemas.common import Page, Problem, ShapeQuery, no_nul

API_PREFIX = "/api/v1"
T = TypeVar("T")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json errors (and the 304) an operation can answer with."""
    descriptions = {
        304: "Not modified: `If-None-Match` names the current ETag; no body.",
        400: "Malformed request, JSON or cursor.",
        401: "No API key, or an unknown or revoked one; see `WWW-Authenticate`.",
        403: "The API key lacks the scope this operation needs.",
        404: "No record with that id or slug.",
        406: "No type in `Accept` is offered; the detail lists those that are.",
        409: "The write conflicts with existing records.",
        410: "The record was deleted; the detail says when and by which key.",
        412: "`If-Match` does not name the current ETag; nothing was changed.",
        413: "The body is larger than the server accepts.",
        415: "The body's Content-Type is not one this operation reads.",
        422: "A field is invalid; `errors` names each one.",
    }
    return {
        status: {"description": descriptions[status]}
        if status == 304
        else {
            "model": Problem,
            "description": descriptions[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def created(response: Response, path: str) -> None:
    """Set the 201 response's Location header."""
    response.headers["Location"] = f"{API_PREFIX}{path}"


def _ref(what: str, example: str) -> Any:
    return Path(description=f"The {what}'s UUID or slug.", examples=[example])


# A NUL (`%00`) is refused before it reaches the database, which may not hold one.
EventRef = Annotated[
    str, _ref("event", "netanyahu-putin-meeting-2019-09-12"), AfterValidator(no_nul)
]
ParticipantRef = Annotated[str, _ref("participant", "vladimir-putin"), AfterValidator(no_nul)]
ClaimRef = Annotated[str, _ref("claim", "putin-accepted-rivlin-invitation"), AfterValidator(no_nul)]
SourceRef = Annotated[
    str,
    _ref("source", "breen-portnoy-netanyahu-putin-sochi-2019-09-12"),
    AfterValidator(no_nul),
]


def paged(request: Request, response: Response, page: Page[Any], fields: set[str] | None) -> Any:
    """A list response: a `Link: rel="next"` header, and only the fields asked for.

    A field name the items lack is a 422, rather than an item reduced silently to its id.
    """
    if fields is not None:
        _check_fields(get_args(type(page).model_fields["items"].annotation)[0], fields)
    headers = _link(request, page.next_cursor)
    if fields is None:
        response.headers.update(headers)
        return page
    body = page.model_dump(mode="json")
    body["items"] = [{k: v for k, v in item.items() if k in fields} for item in body["items"]]
    # A Response is sent as is: the partial items bypass the full model.
    return JSONResponse(body, headers=headers)


def _check_fields(item_model: type[BaseModel], fields: set[str]) -> None:
    # `id` is added to every selection; an item without one (a timeline entry) just lacks it.
    if unknown := fields - item_model.model_fields.keys() - {"id"}:
        raise invalid(("query", "fields"), "unknown fields: " + ", ".join(sorted(unknown)))


def _link(request: Request, next_cursor: str | None) -> dict[str, str]:
    if next_cursor is None:
        return {}
    following = request.url.include_query_params(cursor=next_cursor)
    return {"Link": f'<{following}>; rel="next"'}


def paged_records(
    request: Request,
    item_model: type[BaseModel],
    found: tuple[list[Record], str | None, int | None],
    fields: set[str] | None,
) -> Any:
    """`paged` for a page of records read as bytes (`app.read`): the same body and headers.

    Typed `Any` (a Response), as `paged` is, so that the handler keeps its page model for the
    OpenAPI document.
    """
    if fields is not None:
        _check_fields(item_model, fields)
    headers = _link(request, found[1])
    content = pages.body(*found)
    if fields is None:
        response = Response(content, media_type="application/json")
        # After Content-Length and Content-Type, where FastAPI puts a handler's own headers.
        response.raw_headers.extend((k.lower().encode(), v.encode()) for k, v in headers.items())
        return response
    # Through the JSON values, so that the partial items are written as `paged` writes them.
    body = orjson.loads(content)
    body["items"] = [{k: v for k, v in item.items() if k in fields} for item in body["items"]]
    return JSONResponse(body, headers=headers)


def listed(
    request: Request,
    response: Response,
    page_type: type[Page[T]],
    found: tuple[list[T], str | None, int | None],
    query: ShapeQuery,
) -> Page[T]:
    """A list response made of a service's page, next cursor and total; see `paged`."""
    items, next_cursor, total = found
    page = page_type(items=items, next_cursor=next_cursor, total=total)
    # `paged` may answer with the partial items as they are, which this annotation hides.
    shaped: Page[T] = paged(request, response, page, query.field_set())
    return shaped


def listed_from(
    request: Request,
    response: Response,
    page_type: type[Page[T]],
    service: Callable[..., tuple[list[T], str | None, int | None]],
    *args: Any,
) -> Page[T]:
    """`listed` over what `service(*args)` finds; the query is the last argument."""
    return listed(request, response, page_type, service(*args), args[-1])
