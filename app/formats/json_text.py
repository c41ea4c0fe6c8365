"""JSON written piece by piece, for the writers that stream one JSON document."""

import json
from collections.abc import Iterable, Iterator
from typing import Any


def dumps(value: Any) -> str:
    """Compact JSON, UTF-8 text left as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_sequence(head: str, items: Iterable[Any], tail: str) -> Iterator[str]:
    """`head`, the JSON of each item separated by commas, then `tail`: one streamed document."""
    yield head
    separator = ""
    for item in items:
        yield separator + dumps(item)
        separator = ",\n"
    yield tail
