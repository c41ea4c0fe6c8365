"""The question full-text search asks of events, participants and claims, on either engine.

Both engines get the same question: every word of `q` (English stop words dropped), stemmed
for events and claims, as typed for participants' names. How each engine answers it (FTS5,
tsvector) is its strategy's, in app.query.dialects.
"""

import html
import re
from dataclasses import dataclass

from app.errors import invalid

# PostgreSQL's English stop words (Snowball): dropped on both engines so both see one query.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
    """.split()  # noqa: SIM905 (formatted as a list, it would take a line per word)
)
_WORD = re.compile(r"\w+", re.UNICODE)
_MAX_TERMS = 16


@dataclass(frozen=True)
class Index:
    """Where one resource's text is indexed, per engine."""

    table: str
    key_column: str
    config: str
    headline: str


EVENTS = Index("event", "event_id", "english", "concat_ws(' — ', title, summary)")
PARTICIPANTS = Index("participant", "participant_id", "simple", "name")
CLAIMS = Index("claim", "claim_id", "english", "text")


def check_sort(sort: str, q: str | None) -> None:
    """A 422 naming `sort` when it asks for relevance without a `q` to rank by."""
    if sort == "relevance" and not q:
        raise invalid(("query", "sort"), "relevance needs q")


def terms(q: str) -> list[str]:
    """The searchable words of `q`, or a 422 naming `q` when there are none."""
    words = [w for w in _WORD.findall(q.lower()) if w not in STOP_WORDS]
    if not words:
        raise invalid(("query", "q"), "has no searchable words (only stop words or symbols)")
    return words[:_MAX_TERMS]


# The engines mark matches with these private-use characters; the passage is HTML-escaped and
# only then are they turned into `<mark>` tags, so the record's own text is never markup.
HIGHLIGHT = ("\ue000", "\ue001")


def escaped(snippet: str) -> str:
    """A marked passage HTML-escaped, its marks turned into `<mark>` tags."""
    start, stop = HIGHLIGHT
    return html.escape(snippet, quote=True).replace(start, "<mark>").replace(stop, "</mark>")


def fts5_query(words: list[str]) -> str:
    """`words` as an FTS5 query: each quoted, so operators and punctuation are taken literally."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)
