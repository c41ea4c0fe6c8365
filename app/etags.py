"""Entity tags of records and the matching rules of If-Match / If-None-Match (RFC 9110 13.1)."""

import re
import uuid

_TAG = re.compile(r'(W/)?"([^"]*)"')


def etag(record_id: uuid.UUID, version: int) -> str:
    """The strong ETag of one version of a record, e.g. `"<uuid>.3"`."""
    return f'"{record_id}.{version}"'


def matches(header: str, current: str, *, weak: bool) -> bool:
    """Whether an If-Match (`weak=False`) or If-None-Match (`weak=True`) header names `current`."""
    if header.strip() == "*":
        return True
    # A weak tag never passes the strong comparison that If-Match requires.
    return any(
        f'"{opaque}"' == current and (weak or not is_weak)
        for is_weak, opaque in _TAG.findall(header)
    )
