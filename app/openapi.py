"""The OpenAPI document: examples taken from the seeded article, errors as problem+json."""

import copy
import datetime as dt
import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from app.dates import parse_date
from app.errors import PROBLEM_MEDIA_TYPE
from app.idempotency import declare_header
from app.models import EVENT_MEASURES
from app.openapi_clients import document_for_generators
from app.routers.common import API_PREFIX
from app.schemas.claims import ClaimCreate
from app.schemas.events import EventPublic, LocationPublic, RelationPublic, StatusChangePublic
from app.schemas.participants import ParticipantCreate, ParticipantPublic
from app.schemas.summaries import EventSummary
from seed.loader import claim_body, event_body, read_article, role_body, seed_id

MEETING = "netanyahu-putin-meeting-2019-09-12"


def _seed_examples() -> dict[str, BaseModel | dict[str, Any]]:
    data = read_article()
    source = data["source"]
    meeting = next(e for e in data["events"] if e["slug"] == MEETING)
    claim = next(c for c in data["claims"] if c["event"] == MEETING)
    putin = next(p for p in data["participants"] if p["slug"] == "vladimir-putin")
    role = next(r for r in data["roles"] if r["participant"] == "vladimir-putin")
    host = meeting["participants"][0]
    return {
        "SourceCreate": source,
        "ParticipantCreate": putin,
        "RoleCreate": role_body(role),
        "EventCreate": event_body(meeting),
        "EventParticipantCreate": {"participant_id": host["participant"], "role": host["role"]},
        # Without confidence: posted, the quote is unverified (the article's text is not
        # stored), and only the seed, which checks it against the article, records 1.0.
        "ClaimCreate": _unrated(claim_body(claim, source["slug"])),
        "AppearanceCreate": {k: v for k, v in claim["appearances"][0].items() if k != "confidence"}
        | {"source_id": source["slug"]},
        # PATCH of the September 2019 election, scheduled in the seed, once it was held.
        "EventUpdate": {"status": "occurred", "status_as_of": "2019-09-17"},
        "EventParticipantUpdate": {"role": host["role"]},
        "ClaimUpdate": {"status": "supported"},
        "EventPublic": _event_public(meeting, {e["slug"]: e for e in data["events"]}),
        "ParticipantPublic": _participant_public(putin),
    }


def _unrated(body: ClaimCreate) -> ClaimCreate:
    appearances = [a.model_copy(update={"confidence": None}) for a in body.appearances]
    return body.model_copy(update={"appearances": appearances})


def install_openapi(app: FastAPI, *, public_reads: bool = True) -> None:
    """Build the document once, on first request, with the seed's examples in it."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            components = schema.get("components", {}).get("schemas", {})
            for name, example in _seed_examples().items():
                body = (
                    example.model_dump(mode="json", exclude_defaults=True)
                    if isinstance(example, BaseModel)
                    else example
                )
                if name in components:
                    components[name]["examples"] = [body]
            document_problems(schema)
            document_field_selection(schema)
            declare_header(schema, API_PREFIX)
            document_for_generators(schema, public_reads=public_reads)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# What a seeded record would look like once loaded; the timestamps are illustrative.
RECORDED = dt.datetime(2019, 9, 12, 18, 0, tzinfo=dt.UTC)


def _meta(resource: str, slug: str) -> dict[str, Any]:
    return {
        "id": seed_id(resource, slug),
        "created_at": RECORDED,
        "updated_at": RECORDED,
        "version": 1,
        # Seeded without an API key; extra keys are ignored should the model lack these.
        "created_by": None,
        "updated_by": None,
    }


def _event_summary(item: dict[str, Any]) -> EventSummary:
    start = item.get("start")
    return EventSummary(
        id=seed_id("events", item["slug"]),
        slug=item["slug"],
        title=item["title"],
        event_type=item["event_type"],
        start=parse_date(start) if start else None,
    )


def _event_public(item: dict[str, Any], events: dict[str, dict[str, Any]]) -> EventPublic:
    body = event_body(item)
    dates = {
        name: parse_date(text) if (text := getattr(body, name)) else None
        for name in ("start", "end", "status_as_of")
    }
    relations = [
        RelationPublic(
            relation=r.relation,
            event_id=seed_id("events", r.event_id),
            event=_event_summary(events[r.event_id]),
        )
        for r in body.relations
    ]
    return EventPublic(
        **_meta("events", item["slug"]),
        **body.model_dump(include=_EVENT_SCALARS),
        identifiers=body.identifiers,
        citations=[],
        **dates,
        status_history=[
            StatusChangePublic(
                status=body.status, as_of=dates["status_as_of"], recorded_at=RECORDED
            )
        ],
        location=LocationPublic(**body.location.model_dump()) if body.location else None,
        parent_id=seed_id("events", item["parent"]) if item["parent"] else None,
        parent=_event_summary(events[item["parent"]]) if item["parent"] else None,
        relations=sorted(relations, key=lambda r: (r.relation, str(r.event_id))),
    )


_EVENT_SCALARS = {
    "slug",
    "title",
    "summary",
    "event_type",
    "cameo_code",
    "plover_type",
    "status",
    "certainty",
    *EVENT_MEASURES,
    "provenance",
    "provenance_basis",
}


def _participant_public(item: dict[str, Any]) -> ParticipantPublic:
    body = ParticipantCreate(**item)
    return ParticipantPublic(**_meta("participants", item["slug"]), **body.model_dump())


_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_PROBLEM_REF = "#/components/schemas/Problem"
_PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _PROBLEM_REF}}}


def document_problems(schema: dict[str, Any]) -> None:
    """Serve every documented error as problem+json with the Problem schema.

    FastAPI documents its automatic 422 as `HTTPValidationError` in application/json, and a
    response declared with `model=Problem` in application/json too; this API sends neither.
    """
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.get("responses", {})
            for status, response in responses.items():
                if status[0] in "45" and _is_problem(response):
                    response["content"] = copy.deepcopy(_PROBLEM_CONTENT)
                    if response.get("description") == "Validation Error":
                        response["description"] = _ERRORS["422"]
            if path.startswith(API_PREFIX):
                responses.setdefault("503", _problem("503"))
            if "requestBody" in operation:
                responses.setdefault("413", _problem("413"))
    components = schema.get("components", {}).get("schemas", {})
    # HTTPValidationError first: once it is gone, nothing refers to ValidationError.
    for name in _VALIDATION_SCHEMAS:
        dropped = components.pop(name, None)
        if dropped is not None and f"#/components/schemas/{name}" in json.dumps(schema):
            components[name] = dropped


def document_field_selection(schema: dict[str, Any]) -> None:
    """Document each list's items as full records, and name their partial form for `fields`.

    A page's items stay the full record, so that a client that never sends `fields` gets
    exact types; `<Item>Fields` (every property optional but `id`) is what `fields` returns.
    """
    components = schema.get("components", {}).get("schemas", {})
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            parameters = operation.get("parameters", []) if isinstance(operation, dict) else []
            selection = next(
                (p for p in parameters if p["in"] == "query" and p["name"] == "fields"), None
            )
            if selection is None:
                continue
            ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
            name = components[ok["$ref"].rsplit("/", 1)[1]]["properties"]["items"]["items"]
            name = name["$ref"].rsplit("/", 1)[1]
            properties = components[name]["properties"]
            components[f"{name}Fields"] = {
                "type": "object",
                "title": f"{name}Fields",
                "description": f"{name} with only the fields named in `fields`, and `id`.",
                "properties": copy.deepcopy(properties),
                "required": ["id"] if "id" in properties else [],
            }
            selection["description"] = (
                f"{selection['description']} Each item then has only those fields "
                f"(`{name}Fields`); the fields are: {', '.join(f'`{k}`' for k in properties)}."
            )


_SCHEMAS = "#/components/schemas/"
_ERRORS = {
    "413": "The body is larger than the server accepts; nothing was written.",
    "422": "A field is invalid; `errors` names each one.",
    "503": "The database is busy or unreachable (`/problems/database-unavailable`: nothing "
    "was written), or the connection was lost during the commit "
    "(`/problems/write-outcome-unknown`: retry with the same Idempotency-Key to learn which). "
    "Retry after `Retry-After`.",
}


def _problem(status: str) -> dict[str, Any]:
    return {"description": _ERRORS[status], "content": copy.deepcopy(_PROBLEM_CONTENT)}


def _is_problem(response: dict[str, Any]) -> bool:
    refs = {media.get("schema", {}).get("$ref") for media in response.get("content", {}).values()}
    return bool(refs & {_PROBLEM_REF, *(f"#/components/schemas/{n}" for n in _VALIDATION_SCHEMAS)})
