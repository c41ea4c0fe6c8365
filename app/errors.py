"""Domain errors and their rendering as RFC 9457 problem details."""

import json
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from app.budget import is_timeout

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Relative references (RFC 9457 section 3.1.1), documented at GET /problems/{slug}.
PROBLEM_BASE = "/problems/"

log = logging.getLogger("geoevents.errors")


class AppError(Exception):
    """Base of every error a service raises; rendered as problem+json."""

    status = 500
    slug = "internal-error"
    title = "Internal server error"
    # Response headers the problem must carry, e.g. WWW-Authenticate on a 401.
    headers: dict[str, str] | None = None

    def __init__(self, detail: str, *, errors: Sequence[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors is not None else None

    def headers_for(self, path: str) -> dict[str, str] | None:
        """Headers the problem must carry when answering a request for `path`."""
        return self.headers


class BadRequest(AppError):
    """The request is malformed in a way validation cannot describe per field."""

    status = 400
    slug = "bad-request"
    title = "Bad request"


class Unauthorized(AppError):
    """The request needs an API key and sent none, or one that is unknown or revoked."""

    status = 401
    slug = "unauthorized"
    title = "Unauthorized"
    headers = {"WWW-Authenticate": "Bearer"}  # noqa: RUF012


class Forbidden(AppError):
    """The API key is valid but lacks the scope the request needs."""

    status = 403
    slug = "forbidden"
    title = "Forbidden"


class NotFound(AppError):
    """The addressed record does not exist."""

    status = 404
    slug = "not-found"
    title = "Not found"


class NotAcceptable(AppError):
    """No media type the request accepts (`Accept`) is one the list can answer in."""

    status = 406
    slug = "not-acceptable"
    title = "Not acceptable"


class Conflict(AppError):
    """The write would break uniqueness or leave dangling references."""

    status = 409
    slug = "conflict"
    title = "Conflict"


class Gone(AppError):
    """The record was deleted: its id and slug stay taken and its revisions readable."""

    status = 410
    slug = "gone"
    title = "Gone"


class MovedPermanently(AppError):
    """The record was merged into another; `Location` names the survivor."""

    status = 308
    slug = "merged"
    title = "Permanent redirect"

    def __init__(self, detail: str, ref: str, survivor: object) -> None:
        super().__init__(detail)
        self.ref = ref
        self.survivor = str(survivor)

    def headers_for(self, path: str) -> dict[str, str]:
        """`Location`: the request's path with the merged record's reference replaced."""
        parts = [self.survivor if part == self.ref else part for part in path.split("/")]
        return {"Location": "/".join(parts)}


class PreconditionFailed(AppError):
    """An `If-Match` precondition does not hold: the record changed since it was read."""

    status = 412
    slug = "precondition-failed"
    title = "Precondition failed"


class ValidationFailed(AppError):
    """The body or query is well-formed JSON but its values are not acceptable."""

    status = 422
    slug = "validation-error"
    title = "Validation failed"


class UnsupportedMediaType(AppError):
    """The body is not in a media type the operation reads."""

    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class DatabaseUnavailable(AppError):
    """The database cannot be reached."""

    status = 503
    slug = "database-unavailable"
    title = "Database unavailable"
    headers = {"Retry-After": "1"}  # noqa: RUF012
    detail_default = "the database is busy or unreachable; nothing was written, retry shortly"


class OutcomeUnknown(DatabaseUnavailable):
    """The connection was lost while committing: the write may or may not have been stored."""

    slug = "write-outcome-unknown"
    title = "Write outcome unknown"
    keyed_detail = (
        "the connection to the database was lost while committing, so whether this write was "
        "stored is unknown; retry with the same Idempotency-Key: the retry replays the stored "
        "response if it was, and runs the request if it was not"
    )
    unkeyed_detail = (
        "the connection to the database was lost while committing, so whether this write was "
        "stored is unknown; read the record before retrying (or send writes with an "
        "Idempotency-Key, whose retry tells)"
    )


class QueryTimeout(AppError):
    """A statement ran past its time budget (QUERY_TIMEOUT_SECONDS) and was stopped."""

    status = 503
    slug = "query-timeout"
    title = "Query time budget exceeded"
    # A write stopped by its budget usually waited on a lock: it wrote nothing and may be retried.
    headers = {"Retry-After": "1"}  # noqa: RUF012


class NotModified(Exception):
    """Not an error: the client's copy is current, so the answer is a 304 without a body."""

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("not modified")
        self.headers = headers


def field_error(
    loc: Sequence[str | int], message: str, kind: str = "value_error"
) -> dict[str, Any]:
    """One entry of a problem's `errors` list."""
    return {
        "loc": list(loc),
        "field": ".".join(str(p) for p in loc[1:]),
        "msg": message,
        "type": kind,
    }


def invalid(loc: Sequence[str | int], message: str) -> ValidationFailed:
    """A 422 naming one field, e.g. `invalid(("body", "claimant_id"), "no such participant")`."""
    error = field_error(loc, message)
    return ValidationFailed(f"{error['field'] or loc[-1]}: {message}", errors=[error])


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render one problem document."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(
        json.dumps(jsonable_encoder(body)),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [p for p in err.get("loc", ()) if isinstance(p, str | int)]
        message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if err.get("type") == "json_invalid":
            loc, message = ["body"], "request body is not valid JSON"
        errors.append(field_error(loc, message, str(err.get("type", "value_error"))))
    return errors


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return problem_response(
        request,
        exc.status,
        exc.title,
        exc.detail,
        slug=exc.slug,
        errors=exc.errors,
        headers=exc.headers_for(request.url.path),
    )


async def _not_modified(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotModified)
    return Response(status_code=304, headers=exc.headers)


async def _request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    if any(e["type"] == "json_invalid" for e in errors):
        return problem_response(
            request,
            400,
            "Malformed JSON",
            "request body is not valid JSON",
            slug="malformed-json",
            errors=errors,
        )
    fields = ", ".join(sorted({e["field"] or str(e["loc"][-1]) for e in errors if e["loc"]}))
    return problem_response(
        request,
        422,
        ValidationFailed.title,
        f"invalid fields: {fields}",
        slug=ValidationFailed.slug,
        errors=errors,
    )


# Problem types of the errors Starlette and FastAPI raise themselves.
_HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
}
# FastAPI's own detail when the body could not be parsed at all (JSON nested past the
# parser's recursion limit, or an undecodable body).
_UNPARSABLE_BODY = "There was an error parsing the body"


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at this path, for a 405's `Allow`."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "HTTP error"
    headers = dict(exc.headers or {})
    if exc.status_code == 400 and detail == _UNPARSABLE_BODY:
        return problem_response(
            request,
            400,
            "Malformed JSON",
            "request body is not valid JSON, or is nested too deeply to read",
            slug="malformed-json",
        )
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route matches {request.url.path}"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
        headers["Allow"] = ", ".join(allowed_methods(request))
    title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, detail)
    slug = _HTTP_SLUGS.get(exc.status_code, "bad-request" if exc.status_code < 500 else None)
    return problem_response(
        request, exc.status_code, title, detail, slug=slug or AppError.slug, headers=headers
    )


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OperationalError)
    if is_timeout(exc.orig):
        return problem_response(
            request,
            QueryTimeout.status,
            QueryTimeout.title,
            "a query ran past its time budget (QUERY_TIMEOUT_SECONDS) and was stopped; nothing "
            "was written. Ask for less: narrower filters, a smaller limit, fewer expansions, "
            "no include_total",
            slug=QueryTimeout.slug,
            headers=QueryTimeout.headers,
        )
    # A lost connection, or SQLite busy past its timeout: nothing was committed; retry.
    log_unavailable(request, exc)
    return problem_response(
        request,
        DatabaseUnavailable.status,
        DatabaseUnavailable.title,
        DatabaseUnavailable.detail_default,
        slug=DatabaseUnavailable.slug,
        headers={"Retry-After": "1"},
    )


def log_unavailable(request: Request, exc: BaseException) -> None:
    """Log why a 503 was answered: the exception's class and message, and the request id."""
    log.warning(
        "database unavailable: %s: %s (request %s)",
        f"{type(exc).__module__}.{type(exc).__qualname__}",
        str(exc).splitlines()[0] if str(exc) else "",
        request.scope.get("state", {}).get("request_id"),
    )


async def _unhandled(request: Request, exc: Exception) -> Response:
    return problem_response(
        request,
        500,
        AppError.title,
        "the server failed to handle this request",
        slug=AppError.slug,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Render every error the app can raise as problem+json."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(NotModified, _not_modified)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(Exception, _unhandled)
