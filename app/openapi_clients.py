"""The OpenAPI document as code generators read it: headers, rate limits, access, parameters."""

import copy
import json
import re
import sys
from typing import Any

from app.errors import PROBLEM_MEDIA_TYPE
from app.idempotency import REPLAYED_HEADER
from app.ratelimit import EXEMPT_PATHS
from app.routers.common import API_PREFIX

_HEADERS = "#/components/headers/"
_SCHEMAS = "#/components/schemas/"
# Pydantic names a parametrised generic `Page[EventPublic]` as `Page_EventPublic_`.
_GENERIC = re.compile(r"^[A-Za-z]+_[A-Za-z_]+_$")
_INTEGER = {"type": "integer", "minimum": 0}
_STRING = {"type": "string"}
# Every response header the API sends, once, referred to by the operations that send it.
RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "The record's version as a strong entity tag: send it back in "
        "`If-Match` to write only that version, or in `If-None-Match` to get a 304 if unchanged.",
        "schema": _STRING,
    },
    "Last-Modified": {
        "description": "When the record last changed, as an HTTP-date.",
        "schema": _STRING,
    },
    "Location": {"description": "The path of the record created.", "schema": _STRING},
    "Link": {
        "description": 'The next page, as `<url>; rel="next"`; absent on the last page.',
        "schema": _STRING,
    },
    "X-Request-ID": {
        "description": "The request's id: the `X-Request-ID` sent, if it is 1-128 of "
        "`A-Za-z0-9._:-`, else a new one. Quote it when reporting a problem.",
        "schema": _STRING,
    },
    "RateLimit-Limit": {
        "description": "Requests a minute this caller may make: per API key "
        "(RATE_LIMIT_PER_MINUTE), or per address without one (ANONYMOUS_RATE_LIMIT_PER_MINUTE). "
        "Absent when that limit is off.",
        "schema": _INTEGER,
    },
    "RateLimit-Remaining": {
        "description": "Requests this caller may still make now.",
        "schema": _INTEGER,
    },
    "RateLimit-Reset": {
        "description": "Seconds until this caller's allowance is whole again.",
        "schema": _INTEGER,
    },
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": _INTEGER},
    REPLAYED_HEADER: {
        "description": "`true` when this is the stored response to an earlier request with the "
        "same `Idempotency-Key`; absent on a first response.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "WWW-Authenticate": {
        "description": "`Bearer`: the scheme the API key is expected in.",
        "schema": _STRING,
    },
}
PUBLIC_READS = """## API keys
**Reads are public**: every GET outside `/keys` works without a key (no padlock on them).
"""
KEYED_READS = """## API keys
**Every request needs a key** on this server (REQUIRE_KEY_FOR_READS): reads the read scope.
"""
ACCESS = """Writes (POST, PATCH, DELETE) need a key with the **write** scope, and `/keys` the
**admin** scope. Send it as `Authorization: Bearer ge_...` (the **Authorize** button here).

* **Getting a key**: ask the operator. An admin issues keys with `POST /api/v1/keys`
  (`{"name": "my app", "scopes": ["write"]}`) or `python -m app.keys create`; the key is
  shown once, in that response. The first admin key comes from GEOEVENTS_ADMIN_KEY at startup.
* **Scopes**: `read` < `write` < `admin`; each includes the ones before it.
* **Limits**: each key may make RATE_LIMIT_PER_MINUTE requests a minute (600 by default),
  each address without a key ANONYMOUS_RATE_LIMIT_PER_MINUTE (120). Every response says where
  the caller stands (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`); past the
  limit the answer is a 429 with `Retry-After`. An app that reloads often (development with
  hot reload) should send a key.
* **Browsers**: the origins in CORS_ORIGINS may call the API; the headers above, `ETag`,
  `Link` and `Location` are exposed to them.
"""
_RATE_LIMIT = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
_VALIDATORS = ("ETag", "Last-Modified")
# Statuses the idempotency middleware never stores, or never sees (the body limit is outside).
_NEVER_REPLAYED = frozenset({"401", "403", "413", "429", "503"})
_TOO_MANY = {
    "description": "Too many requests from this API key or address; wait `Retry-After` seconds. "
    "Reads without a key share the address's allowance: send a key for a larger one.",
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
_IN_PROGRESS = {
    "description": "A request with this `Idempotency-Key` is still in progress; retry after "
    "`Retry-After`.",
    "content": copy.deepcopy(_TOO_MANY["content"]),
}
_READ_401 = "An unknown or revoked API key was sent (reads need none); see `WWW-Authenticate`."


def document_for_generators(schema: dict[str, Any], *, public_reads: bool) -> None:
    """Headers, 429s and access on every operation; optional parameters without `null`."""
    schema.setdefault("components", {})["headers"] = copy.deepcopy(RESPONSE_HEADERS)
    info = schema.setdefault("info", {})
    intro = PUBLIC_READS if public_reads else KEYED_READS
    info["description"] = f"{info.get('description', '').rstrip()}\n\n{intro}{ACCESS}"
    name_generic_schemas(schema)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if public_reads and method == "get":
                _public_read(path, operation)
            if path not in EXEMPT_PATHS:
                operation["responses"].setdefault("429", copy.deepcopy(_TOO_MANY))
            if method == "post" and path.startswith(API_PREFIX):
                operation["responses"].setdefault("409", copy.deepcopy(_IN_PROGRESS))
            for status, response in operation["responses"].items():
                for name in response_headers(path, method, operation, status):
                    response.setdefault("headers", {})[name] = {"$ref": f"{_HEADERS}{name}"}
            for parameter in operation.get("parameters", []):
                if not parameter.get("required"):
                    parameter["schema"] = _without_null(parameter["schema"])


def name_generic_schemas(schema: dict[str, Any]) -> None:
    """Name each generic model's schema by its title: `EventPage`, not `Page_EventPublic_`."""
    components = schema.get("components", {}).get("schemas", {})
    renamed = {
        name: body["title"]
        for name, body in components.items()
        if _GENERIC.match(name) and body.get("title", name) not in components
    }
    for old, new in renamed.items():
        components[new] = components.pop(old)
    _rename_refs(schema, {f"{_SCHEMAS}{old}": f"{_SCHEMAS}{new}" for old, new in renamed.items()})


def _rename_refs(node: Any, refs: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and value in refs:
                node[key] = refs[value]
            else:
                _rename_refs(value, refs)
    elif isinstance(node, list):
        for value in node:
            _rename_refs(value, refs)


def response_headers(path: str, method: str, operation: dict[str, Any], status: str) -> list[str]:
    """The headers the API sends on `status` of this operation."""
    names = ["X-Request-ID"]
    if path not in EXEMPT_PATHS:
        names.extend(_RATE_LIMIT)
    if status in {"429", "503"} or (status == "409" and method == "post"):
        names.append("Retry-After")  # a 409 of a POST may be an Idempotency-Key in progress
    if status == "401":
        names.append("WWW-Authenticate")
    api = path.startswith(API_PREFIX)
    if api and method == "post" and status not in _NEVER_REPLAYED:
        names.append(REPLAYED_HEADER)
    if status == "201":
        names.append("Location")
        # Keys are no versioned records: their 201 carries no validators.
        if not path.startswith(f"{API_PREFIX}/keys"):
            names.extend(_VALIDATORS)
    conditional = {p["name"].lower() for p in operation.get("parameters", [])}
    if status in {"200", "304"} and method == "get" and "if-none-match" in conditional:
        names.extend(_VALIDATORS)
    if status == "200" and method == "patch":
        names.extend(_VALIDATORS)
    if status == "200" and _is_page(operation):
        names.append("Link")
    return names


def _is_page(operation: dict[str, Any]) -> bool:
    ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
    return str(ok.get("schema", {}).get("$ref", "")).endswith("Page")


def _public_read(path: str, operation: dict[str, Any]) -> None:
    """A read that needs no key: no padlock, no 403; a 401 only for a bad key sent."""
    if not path.startswith(API_PREFIX) or path.startswith(f"{API_PREFIX}/keys"):
        return
    operation.pop("security", None)
    operation["responses"].pop("403", None)
    if "401" in operation["responses"]:
        operation["responses"]["401"]["description"] = _READ_401


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional parameter's schema without its `null` branch: omit it rather than send null."""
    branches = schema.get("anyOf")
    if not branches or {"type": "null"} not in branches:
        return schema
    kept = [b for b in branches if b != {"type": "null"}]
    rest = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
    return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}


def dump(path: str) -> None:
    """Write the OpenAPI document of the default configuration to `path`, as a server would
    serve it with public reads; no database or network is touched."""
    # Imported here: the app imports this module while it is being built.
    from app.config import Settings
    from app.main import create_app

    document = create_app(Settings(require_key_for_reads=False)).openapi()
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")


if __name__ == "__main__":
    dump(sys.argv[1])
