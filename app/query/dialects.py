"""What differs between SQLite and PostgreSQL when reading lists: one strategy object each.

Full-text matching, ranking and highlighting (SQLite's FTS5 tables beside each text table,
PostgreSQL's `search` tsvector columns), the period a date falls in (for counts by month or
year), index hints, and whether the planner counts matches to choose a plan. `of(session)`
gives the session's. Both engines get the same question from app.services.search: the words
of `q`, with ranks made comparable in direction (lower is more relevant).
"""

import uuid
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
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlmodel import Session

from app.services.search import HIGHLIGHT, Index, escaped, fts5_query, terms

# The length of a period's text in an ISO date (YYYY-MM-DD), and its PostgreSQL format.
_PERIOD_LENGTHS = {"month": 7, "year": 4}
_PERIOD_FORMATS = {"month": "YYYY-MM", "year": "YYYY"}


class Dialect:
    """The engine-specific parts of reading a list; PostgreSQL's by default."""

    name = "postgresql"
    # SQLite's planner does not weigh LIMIT: the list planner counts matches (up to
    # paging.DENSE) to choose for it. PostgreSQL weighs LIMIT itself and is left to choose.
    counts_to_plan = False

    def hinted(self, stmt: Any, model: Any, index: str) -> Any:
        """`stmt` made to read `model` along `index` (SQLite's INDEXED BY; else unchanged)."""
        return stmt

    def unindexed(self, column_: Any) -> Any:
        """`column_` in an ORDER BY that must not choose its index (SQLite's `+column`)."""
        return column_

    def period(self, column_: Any, unit: str) -> ColumnElement[str]:
        """The month (`YYYY-MM`) or year (`YYYY`) of the date in `column_`, as text."""
        return func.to_char(column_, _PERIOD_FORMATS[unit])

    def ranked(self, index: Index, q: str, top: int | None = None) -> Subquery:
        """A subquery (id, rank) of the rows matching `q`; lower rank is more relevant.

        With `top`, only the first `top` rows in (rank, id) order, found without reading the
        key of every match (SQLite; PostgreSQL ranks every match and lets the join limit).
        """
        sql = text(
            f"SELECT id, -ts_rank(search, plainto_tsquery('{index.config}', :words)) AS rank "
            f"FROM {index.table} WHERE search @@ plainto_tsquery('{index.config}', :words)"
        ).bindparams(bindparam("words", " ".join(terms(q))))
        return sql.columns(id=Uuid(), rank=Float()).subquery(f"{index.table}_match")

    def matches(
        self, index: Index, q: str, id_column: Any, *, correlated: bool = False
    ) -> ColumnElement[bool]:
        """A condition: the row whose id is `id_column` matches `q`.

        `correlated` looks the row's key up and checks it among the matching keys, rather
        than collecting the ids of every match first: the better form when rows are read in
        page order (SQLite; PostgreSQL's planner chooses itself).
        """
        ranks = self.ranked(index, q)
        return id_column.in_(ranks.select().with_only_columns(ranks.c.id))  # type: ignore[no-any-return]

    def many(self, session: Session, index: Index, q: str, enough: int) -> bool:
        """Whether at least `enough` rows match `q` (counted on SQLite; assumed here)."""
        return True

    def snippets(
        self, session: Session, index: Index, q: str, ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        """A highlighted passage of each of `ids` that matches `q`: HTML-escaped, matches in
        `<mark>`…`</mark>`."""
        if not ids:
            return {}
        start, stop = HIGHLIGHT
        options = f"StartSel={start}, StopSel={stop}, MaxWords=24, MinWords=8, MaxFragments=1"
        sql = text(
            f"SELECT id, ts_headline('{index.config}', {index.headline}, "
            f"plainto_tsquery('{index.config}', :words), :options) AS snippet "
            f"FROM {index.table} WHERE id IN :ids"
        ).bindparams(
            bindparam("words", " ".join(terms(q))),
            bindparam("options", options),
            bindparam("ids", ids, expanding=True),
        )
        return _marked(session, sql)


class SQLite(Dialect):
    """SQLite: FTS5 tables keyed by `<table>_fts_key`, INDEXED BY hints, ISO-text dates."""

    name = "sqlite"
    counts_to_plan = True

    def hinted(self, stmt: Any, model: Any, index: str) -> Any:
        """`stmt` made to read `model` along `index` (SQLite's INDEXED BY; else unchanged)."""
        return stmt.with_hint(model, f"INDEXED BY {index}", "sqlite")

    def unindexed(self, column_: Any) -> Any:
        """`column_` in an ORDER BY that must not choose its index (SQLite's `+column`)."""
        return literal_column(f"+{column_.table.name}.{column_.name}")

    def period(self, column_: Any, unit: str) -> ColumnElement[str]:
        """The month (`YYYY-MM`) or year (`YYYY`) of the date in `column_`, as text."""
        # A date is held as its ISO text: its first characters are the period, read faster
        # than strftime() computes it.
        return func.substr(column_, 1, _PERIOD_LENGTHS[unit])

    def ranked(self, index: Index, q: str, top: int | None = None) -> Subquery:
        """A subquery (id, rank) of the rows matching `q`; lower rank is more relevant."""
        sql = text(_ranked_sql(index, top)).bindparams(
            bindparam("match", fts5_query(terms(q))),
            *([bindparam("top", top)] if top is not None else []),
        )
        # The FTS5 key tables hold the UUID as SQLite stores it: 32 hex digits.
        return sql.columns(id=String(), rank=Float()).subquery(f"{index.table}_match")

    def matches(
        self, index: Index, q: str, id_column: Any, *, correlated: bool = False
    ) -> ColumnElement[bool]:
        """A condition: the row whose id is `id_column` matches `q`."""
        if not correlated:
            return super().matches(index, q, id_column)
        keys = table(f"{index.table}_fts_key", column("key"), column(index.key_column))
        key = select(keys.c.key).where(keys.c[index.key_column] == id_column).scalar_subquery()
        found = text(
            f"SELECT rowid FROM {index.table}_fts WHERE {index.table}_fts MATCH :match"
        ).bindparams(bindparam("match", fts5_query(terms(q))))
        return key.in_(found.columns(column("rowid", Integer())))

    def many(self, session: Session, index: Index, q: str, enough: int) -> bool:
        """Whether at least `enough` rows match `q`, counted on the text index alone."""
        sql = text(
            f"SELECT count(*) FROM (SELECT rowid FROM {index.table}_fts "
            f"WHERE {index.table}_fts MATCH :match LIMIT :enough)"
        ).bindparams(bindparam("match", fts5_query(terms(q))), bindparam("enough", enough))
        return int(session.connection().execute(sql).scalar_one()) >= enough

    def snippets(
        self, session: Session, index: Index, q: str, ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        """A highlighted passage of each of `ids` that matches `q`."""
        if not ids:
            return {}
        start, stop = HIGHLIGHT
        # CROSS JOIN keeps the key table first: FTS5 then finds each of `ids` by rowid
        # instead of walking every match of `q`.
        sql = text(
            f"SELECT k.{index.key_column} AS id, "
            f"snippet({index.table}_fts, -1, :start, :stop, '…', 16) AS snippet "
            f"FROM {index.table}_fts_key k CROSS JOIN {index.table}_fts "
            f"ON {index.table}_fts.rowid = k.key "
            f"WHERE {index.table}_fts MATCH :match AND k.{index.key_column} IN :ids"
        ).bindparams(
            bindparam("match", fts5_query(terms(q))),
            bindparam("ids", [i.hex for i in ids], expanding=True),
            bindparam("start", start),
            bindparam("stop", stop),
        )
        return _marked(session, sql)


SQLITE, POSTGRESQL = SQLite(), Dialect()


def of(session: Session) -> Dialect:
    """The strategy of the engine `session` reads from."""
    return SQLITE if session.get_bind().dialect.name == "sqlite" else POSTGRESQL


def _ranked_sql(index: Index, top: int | None) -> str:
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


def _marked(session: Session, sql: Any) -> dict[uuid.UUID, str]:
    found = session.connection().execute(sql).all()
    return {_as_uuid(row.id): escaped(str(row.snippet)) for row in found}


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
