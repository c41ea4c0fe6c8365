"""The API plus a slow endpoint, for shutdown tests: `python -m app.serve --app` this."""

import asyncio

from app.main import create_app

app = create_app()


@app.get("/slow", include_in_schema=False)
async def slow(seconds: float = 2.0) -> dict[str, float]:
    """Answer after `seconds`: a request still in flight when SIGTERM arrives."""
    await asyncio.sleep(seconds)
    return {"slept": seconds}
