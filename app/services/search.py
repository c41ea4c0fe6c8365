"""Full-text search over events, participants and claims, on SQLite FTS5 and PostgreSQL.

Both engines get the same question: every word of `q` (English stop words dropped), stemmed
for events and claims, as typed for participants' names. Ranks are made comparable in
direction (lower is better) so that callers can sort ascending on either engine.
"""

import html
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    Subquery,
    Uuid,
    bindparam,
    column,
    select,
    table,
    text,
)
from sqlmodel import Session

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


def ranked(session: Session, index: Index, q: str, top: int | None = None) -> Subquery:
    """A subquery (id, rank) of the rows matching `q`; lower rank is more relevant.

    With `top`, only the first `top` rows in (rank, id) order, found without reading the key
    of every match.
    """
    words = terms(q)
    if _is_sqlite(session):
        sql = text(_sqlite_ranked(index, top)).bindparams(
            bindparam("match", _fts5_query(words)),
            *([bindparam("top", top)] if top is not None else []),
        )
    else:
        sql = text(
            f"SELECT id, -ts_rank(search, plainto_tsquery('{index.config}', :words)) AS rank "
            f"FROM {index.table} WHERE search @@ plainto_tsquery('{index.config}', :words)"
        ).bindparams(bindparam("words", " ".join(words)))
    return sql.columns(id=_id_type(session), rank=Float()).subquery(f"{index.table}_match")


def matches(
    session: Session, index: Index, q: str, id_column: Any, *, correlated: bool = False
) -> ColumnElement[bool]:
    """A condition: the row whose id is `id_column` matches `q`.

    `correlated` looks the row's key up and checks it among the matching keys, rather than
    collecting the ids of every match first: the better form when rows are read in page order.
    """
    if correlated and _is_sqlite(session):
        keys = table(f"{index.table}_fts_key", column("key"), column(index.key_column))
        key = select(keys.c.key).where(keys.c[index.key_column] == id_column).scalar_subquery()
        found = text(
            f"SELECT rowid FROM {index.table}_fts WHERE {index.table}_fts MATCH :match"
        ).bindparams(bindparam("match", _fts5_query(terms(q))))
        return key.in_(found.columns(column("rowid", Integer())))
    ranks = ranked(session, index, q)
    return id_column.in_(ranks.select().with_only_columns(ranks.c.id))  # type: ignore[no-any-return]


def many(session: Session, index: Index, q: str, enough: int) -> bool:
    """Whether at least `enough` rows match `q`, counted on the text index alone (SQLite)."""
    if not _is_sqlite(session):
        return True
    sql = text(
        f"SELECT count(*) FROM (SELECT rowid FROM {index.table}_fts "
        f"WHERE {index.table}_fts MATCH :match LIMIT :enough)"
    ).bindparams(bindparam("match", _fts5_query(terms(q))), bindparam("enough", enough))
    return int(session.connection().execute(sql).scalar_one()) >= enough


# The engines mark matches with these private-use characters; the passage is HTML-escaped and
# only then are they turned into `<mark>` tags, so the record's own text is never markup.
_START, _STOP = "\ue000", "\ue001"


def _escaped(snippet: str) -> str:
    return html.escape(snippet, quote=True).replace(_START, "<mark>").replace(_STOP, "</mark>")


def snippets(session: Session, index: Index, q: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """A highlighted passage of each of `ids` that matches `q`: HTML-escaped, matches in
    `<mark>`…`</mark>`."""
    if not ids:
        return {}
    words = terms(q)
    if _is_sqlite(session):
        # CROSS JOIN keeps the key table first: FTS5 then finds each of `ids` by rowid instead
        # of walking every match of `q`.
        sql = text(
            f"SELECT k.{index.key_column} AS id, "
            f"snippet({index.table}_fts, -1, :start, :stop, '…', 16) AS snippet "
            f"FROM {index.table}_fts_key k CROSS JOIN {index.table}_fts "
            f"ON {index.table}_fts.rowid = k.key "
            f"WHERE {index.table}_fts MATCH :match AND k.{index.key_column} IN :ids"
        ).bindparams(
            bindparam("match", _fts5_query(words)),
            bindparam("ids", [i.hex for i in ids], expanding=True),
            bindparam("start", _START),
            bindparam("stop", _STOP),
        )
    else:
        options = f"StartSel={_START}, StopSel={_STOP}, MaxWords=24, MinWords=8, MaxFragments=1"
        sql = text(
            f"SELECT id, ts_headline('{index.config}', {index.headline}, "
            f"plainto_tsquery('{index.config}', :words), :options) AS snippet "
            f"FROM {index.table} WHERE id IN :ids"
        ).bindparams(
            bindparam("words", " ".join(words)),
            bindparam("options", options),
            bindparam("ids", ids, expanding=True),
        )
    rows = session.connection().execute(sql).all()
    return {_as_uuid(row.id): _escaped(str(row.snippet)) for row in rows}


def _sqlite_ranked(index: Index, top: int | None) -> str:
    fts, key = f"{index.table}_fts", index.key_column
    if top is None:
        return (
            f"SELECT k.{key} AS id, bm25({fts}) AS rank FROM {fts} JOIN {fts}_key k "
            f"ON k.key = {fts}.rowid WHERE {fts} MATCH :match"
        )
    # bm25 once per match (materialized), then keys only for the rows ranked no worse than
    # the top-th (ties at the cut decide by id), and rows only for the first `top` of those.
    return (
        f"WITH m AS MATERIALIZED (SELECT rowid AS key, bm25({fts}) AS rank FROM {fts} "
        f"WHERE {fts} MATCH :match) "
        f"SELECT k.{key} AS id, m.rank AS rank FROM m JOIN {fts}_key k ON k.key = m.key "
        f"WHERE m.rank <= (SELECT max(rank) FROM (SELECT rank FROM m ORDER BY rank LIMIT :top)) "
        f"ORDER BY m.rank, k.{key} LIMIT :top"
    )


def _fts5_query(words: list[str]) -> str:
    # Each word quoted: FTS5 operators and punctuation in user input are taken literally.
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _id_type(session: Session) -> Any:
    # The FTS5 key tables hold the UUID as SQLite stores it: 32 hex digits.
    return String() if _is_sqlite(session) else Uuid()


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
