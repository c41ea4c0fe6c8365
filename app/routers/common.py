"""Response helpers and documented error responses shared by the routers."""

from typing import Any

from fastapi import Response

from app.errors import PROBLEM_MEDIA_TYPE
from app.schemas.common import Problem

API_PREFIX = "/api/v1"


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json errors an operation can answer with."""
    descriptions = {
        400: "Malformed request, JSON or cursor.",
        404: "No record with that id or slug.",
        409: "The write conflicts with existing records.",
        422: "A field is invalid; `errors` names each one.",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def created(response: Response, path: str) -> None:
    """Set the 201 response's Location header."""
    response.headers["Location"] = f"{API_PREFIX}{path}"
