"""Security headers on every response: no MIME sniffing, and nothing private kept in caches."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.routers.common import API_PREFIX

NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")
# Admin answers, whoever asks: what they hold (keys, their audit) must not sit in a cache.
PRIVATE_PREFIXES = (f"{API_PREFIX}/keys",)


def _private(scope: Scope) -> bool:
    """Whether the answer is for a key holder (the request sent one) or from an admin route."""
    if any(name == b"authorization" for name, _ in scope["headers"]):
        return True
    return str(scope["path"]).startswith(PRIVATE_PREFIXES)


class SecurityHeadersMiddleware:
    """`X-Content-Type-Options: nosniff` everywhere; `Cache-Control: no-store` when private."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Set the headers on the response start, replacing any the app set."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = [NOSNIFF, NO_STORE] if _private(scope) else [NOSNIFF]
        names = {name for name, _ in added}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", []) if h[0].lower() not in names]
                message = {**message, "headers": kept + added}
            await send(message)

        await self.app(scope, receive, send_with_headers)
