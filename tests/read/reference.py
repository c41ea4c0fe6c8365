"""The bytes the pydantic path gives: what FastAPI sends for a service's public model."""

from typing import Any

from pydantic import TypeAdapter


def reference(model: Any, value: Any) -> bytes:
    """`value` serialised as FastAPI serialises a handler's return value of type `model`."""
    return TypeAdapter(model).dump_json(value, by_alias=True)
