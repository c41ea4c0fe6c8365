"""Sources as JSON bytes: one row each."""

from app.models import Source
from app.read.layouts import META, DateBounds, Layout
from app.read.pages import shaper
from app.read.records import Kind

LAYOUT = Layout(
    *META,
    *("slug", "kind", "title", "author", "publisher", "url", "citation"),
    ("published", DateBounds("published")),
    *("language", "credits", "text", "sha256"),
)
SOURCES = Kind(Source, LAYOUT)
# A list page of sources.
PAGE = shaper(SOURCES)
