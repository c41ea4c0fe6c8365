"""The explorer: a static page at `/` that browses the public API, its assets at `/explorer`."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
ASSETS_PATH = "/explorer"
# The page builds its DOM from record text with textContent only and loads nothing from
# elsewhere; this policy makes that a guarantee. Any API origin may be read (`?api=`).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' http: https:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate (the ETag makes that a 304): a new release is picked up at once.
    "Cache-Control": "no-cache",
}


class ExplorerAssets(StaticFiles):
    """The page's scripts, styles and basemap, revalidated on every load."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the file with the page's headers."""

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.lower().encode(), v.encode()) for k, v in PAGE_HEADERS.items()]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def install_explorer(app: FastAPI) -> None:
    """Serve the explorer page at `/` and its assets under `/explorer`."""
    app.mount(ASSETS_PATH, ExplorerAssets(directory=STATIC_DIR / "explorer"), name="explorer")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def explorer_page() -> FileResponse:
        """The explorer page."""
        return FileResponse(STATIC_DIR / "index.html", headers=PAGE_HEADERS)
