"""Opaque page cursors, signed with HMAC-SHA256 so that only the server's own are read."""

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from typing import Any

from app.errors import BadRequest

MALFORMED = "cursor is malformed; pass next_cursor back unchanged"
# The largest position an offset cursor may hold: beyond any list, within every integer type.
MAX_OFFSET = 2**31 - 1
# Bytes of the HMAC-SHA256 a cursor carries: 128 bits cannot be forged by trying.
SIGNATURE_BYTES = 16


class _CursorKey:
    """The key cursors are signed with."""

    # Until startup installs the shared one (and in a command-line run), one random to the
    # process: its cursors are refused by others, never accepted unsigned.
    value = secrets.token_bytes(32)


def use_cursor_secret(secret: str) -> None:
    """Sign and check cursors with `secret` (CURSOR_SECRET, or the one stored at startup)."""
    _CursorKey.value = secret.encode()


def _signature(payload: bytes) -> bytes:
    return hmac.new(_CursorKey.value, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(values: Sequence[Any], scope: str) -> str:
    """An opaque cursor holding `values` under `scope`, signed: `<payload>.<HMAC>`."""
    raw = json.dumps({"k": list(values), "s": scope}, separators=(",", ":")).encode()
    return f"{_b64(raw)}.{_b64(_signature(raw))}"


def decode(cursor: str, scope: str) -> list[Any]:
    """The values of a cursor made by `encode` under the same scope, or a 400.

    Only a cursor whose signature holds is read at all, so an edited one is refused before
    any of its values reach a query.
    """
    payload, _, signature = cursor.rpartition(".")
    try:
        raw, sent = _unb64(payload), _unb64(signature)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest(MALFORMED) from exc
    if not hmac.compare_digest(sent, _signature(raw)):
        raise BadRequest(MALFORMED)
    try:
        data = json.loads(raw)
        values, cursor_scope = data["k"], data["s"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequest(MALFORMED) from exc
    if cursor_scope != scope:
        raise BadRequest("cursor belongs to another list or other filters; start again without it")
    if not isinstance(values, list):
        raise BadRequest(MALFORMED)
    return values
