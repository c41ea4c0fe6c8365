"""Headers on every response, in one `send` wrapper: the request id and the security headers."""

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.routers.common import API_PREFIX

REQUEST_ID_HEADER = b"x-request-id"
# A client's id is kept only if it cannot smuggle anything into logs or headers.
_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")
# Admin answers, whoever asks: what they hold (keys, their audit) must not sit in a cache.
PRIVATE_PREFIXES = (f"{API_PREFIX}/keys",)
# The names each kind of answer sets, replacing any the app set: the request id last.
_PUBLIC_NAMES = frozenset({NOSNIFF[0], REQUEST_ID_HEADER})
_PRIVATE_NAMES = _PUBLIC_NAMES | {NO_STORE[0]}


def request_id_of(scope: Scope) -> bytes:
    """The client's `X-Request-ID` when sane, otherwise a new uuid4 hex."""
    for key, value in scope["headers"]:
        if key == REQUEST_ID_HEADER:
            if _SANE_REQUEST_ID.fullmatch(value):
                return bytes(value)
            break
    return uuid.uuid4().hex.encode()


def _private(scope: Scope) -> bool:
    """Whether the answer is for a key holder (the request sent one) or from an admin route."""
    if any(name == b"authorization" for name, _ in scope["headers"]):
        return True
    return str(scope["path"]).startswith(PRIVATE_PREFIXES)


class ResponseHeadersMiddleware:
    """Every response gets `X-Content-Type-Options: nosniff`, `Cache-Control: no-store` when
    private, then `X-Request-ID`; the request gets its `state.request_id`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Set the headers on the response start, replacing any the app set."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id.decode()
        private = _private(scope)
        names = _PRIVATE_NAMES if private else _PUBLIC_NAMES
        # The order two nested wrappers gave (security headers inside the request id): kept,
        # so that no response changes.
        added = [NOSNIFF, NO_STORE] if private else [NOSNIFF]
        added.append((REQUEST_ID_HEADER, request_id))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", []) if h[0].lower() not in names]
                message = {**message, "headers": kept + added}
            await send(message)

        await self.app(scope, receive, send_with_headers)
