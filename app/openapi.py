"""The OpenAPI document, with request examples taken from the seeded article."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from seed.loader import claim_body, event_body, read_article, role_body

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
        "RoleCreate": role_body(role, source["slug"]),
        "EventCreate": event_body(meeting),
        "EventParticipantCreate": {"participant_id": host["participant"], "role": host["role"]},
        "ClaimCreate": claim_body(claim, source["slug"]),
        "AppearanceCreate": claim["appearances"][0] | {"source_id": source["slug"]},
    }


def install_openapi(app: FastAPI) -> None:
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
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
