"""The ceiling for geoevents' stack: bare Starlette, the database driver called directly.

Same routes and about the same JSON bodies as geoevents for the benchmark cases, with no
framework, validation, ORM or thread hop: what one uvicorn worker can do at best.
Run: BENCH_DATABASE_URL=sqlite:///bench/data/sqlite-100000.db uvicorn bench.ceiling:app
(or postgresql+psycopg://postgres@127.0.0.1:5432/geoevents_bench_100000).
"""

import base64
import datetime as dt
import json
import os
import sqlite3
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Row = dict[str, Any]

EVENT_COLUMNS = (
    "id, created_at, updated_at, version, created_by, updated_by, slug, title, summary, "
    "event_type, cameo_code, plover_type, start_edtf, start_precision, start_earliest, "
    "start_latest, end_edtf, end_precision, end_earliest, end_latest, status, "
    "status_as_of_edtf, status_as_of_precision, certainty, location_name, location_admin1, "
    "location_country, location_lat, location_lon, location_precision, parent_id, start_sort"
)
CLAIM_COLUMNS = (
    "c.id, c.created_at, c.updated_at, c.version, c.created_by, c.updated_by, c.slug, c.text, "
    "c.claim_type, c.claimant_id, c.claimant_role, c.event_id, c.stated_edtf, "
    "c.stated_precision, c.stated_earliest, c.stated_latest, c.status"
)
SORTS = {
    "recorded": ("created_at", False),
    "-recorded": ("created_at", True),
    "start": ("start_sort", False),
    "-start": ("start_sort", True),
}


class Database:
    """One connection, used from the event loop's thread only (no thread hop)."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        self._conn: Any = None
        self.url = url

    def connection(self) -> Any:
        """The connection, opened on first use."""
        if self._conn is None:
            if self.sqlite:
                conn = sqlite3.connect(
                    self.url.split("///", 1)[1], isolation_level=None, check_same_thread=False
                )
                conn.row_factory = _dict_row
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                self._conn = conn
            else:
                import psycopg
                from psycopg.rows import dict_row

                dsn = self.url.replace("postgresql+psycopg://", "postgresql://")
                self._conn = psycopg.connect(dsn, autocommit=True, row_factory=dict_row)
        return self._conn

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        """All rows of `sql` (written with `?` placeholders) as dicts."""
        return list(self.execute(sql, params).fetchall())

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """Run `sql` (written with `?` placeholders); its cursor. INSERTs fetch nothing."""
        if not self.sqlite:
            sql = sql.replace("?", "%s")
        return self.connection().execute(sql, params)

    def key(self, value: str) -> str:
        """A UUID as the engine stores it (SQLite: 32 hex digits)."""
        return value.replace("-", "") if self.sqlite else value

    def period(self, column: str) -> str:
        """SQL giving `column`'s year-month as text."""
        if self.sqlite:
            return f"strftime('%Y-%m', {column})"
        return f"to_char({column}, 'YYYY-MM')"


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Row:
    return {d[0]: v for d, v in zip(cursor.description, row, strict=True)}


DB = Database(os.environ.get("BENCH_DATABASE_URL", "sqlite:///bench/data/sqlite-100000.db"))


def _default(value: Any) -> str:
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    raise TypeError(type(value).__name__)


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, default=_default, separators=(",", ":"))
    return Response(body, status_code=status, media_type="application/json")


def _in(ids: list[Any]) -> str:
    return ",".join("?" * len(ids))


def _event_extras(events: list[Row]) -> None:
    """Attach status history and relations, one query each for the whole page."""
    ids = [e["id"] for e in events]
    if not ids:
        return
    history: dict[Any, list[Row]] = {i: [] for i in ids}
    relations: dict[Any, list[Row]] = {i: [] for i in ids}
    for row in DB.rows(
        "SELECT event_id, status, as_of_edtf, as_of_precision, as_of_earliest, as_of_latest, "
        f"recorded_at FROM event_status_change WHERE event_id IN ({_in(ids)}) "
        "ORDER BY recorded_at",
        tuple(ids),
    ):
        history[row.pop("event_id")].append(row)
    for row in DB.rows(
        "SELECT event_id, relation, related_event_id FROM event_relation "
        f"WHERE event_id IN ({_in(ids)})",
        tuple(ids),
    ):
        relations[row.pop("event_id")].append(row)
    for event in events:
        event["status_history"] = history[event["id"]]
        event["relations"] = relations[event["id"]]


async def read_event(request: Request) -> Response:
    """One event with its status history, relations and participants."""
    key = DB.key(request.path_params["event_id"])
    found = DB.rows(f"SELECT {EVENT_COLUMNS} FROM event WHERE id = ?", (key,))
    if not found:
        return _json({"detail": "not found"}, 404)
    event = found[0]
    _event_extras([event])
    event["participants"] = DB.rows(
        "SELECT ep.id, ep.created_at, ep.updated_at, ep.version, ep.role, ep.note, "
        "ep.participant_id, p.slug AS participant_slug, p.name AS participant_name, "
        "p.kind AS participant_kind, p.country AS participant_country "
        "FROM event_participant ep JOIN participant p ON p.id = ep.participant_id "
        "WHERE ep.event_id = ? ORDER BY ep.created_at, ep.id",
        (key,),
    )
    return _json(event)


def _encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=_default).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[Any]:
    values: list[Any] = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return values


async def list_events(request: Request) -> Response:
    """A keyset page of events matching country, start range and participant."""
    params = request.query_params
    where: list[str] = []
    args: list[Any] = []
    if country := params.get("country"):
        where.append("location_country = ?")
        args.append(country)
    if after := params.get("start_after"):
        where += ["start_edtf IS NOT NULL", "start_earliest >= ?"]
        args.append(after)
    if before := params.get("start_before"):
        where.append("start_latest <= ?")
        args.append(before)
    if participant := params.get("participant"):
        where.append("id IN (SELECT event_id FROM event_participant WHERE participant_id = ?)")
        args.append(DB.key(participant))
    column, descending = SORTS[params.get("sort", "recorded")]
    if cursor := params.get("cursor"):
        value, last_id = _decode_cursor(cursor)
        beyond = "<" if descending else ">"
        where.append(f"({column} {beyond} ? OR ({column} = ? AND id {beyond} ?))")
        args += [value, value, DB.key(last_id)]
    limit = int(params.get("limit", "50"))
    direction = "DESC" if descending else "ASC"
    sql = (
        f"SELECT {EVENT_COLUMNS} FROM event {'WHERE ' + ' AND '.join(where) if where else ''} "
        f"ORDER BY {column} {direction}, id {direction} LIMIT {limit + 1}"
    )
    rows = DB.rows(sql, tuple(args))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode_cursor([rows[-1][column], rows[-1]["id"]])
    _event_extras(rows)
    return _json({"items": rows, "next_cursor": next_cursor})


async def search_claims(request: Request) -> Response:
    """The first page of claims whose text or quotes match `q`, with their appearances."""
    q = request.query_params.get("q", "")
    if DB.sqlite:
        words = " ".join('"' + w.replace('"', '""') + '"' for w in q.split())
        match = (
            "SELECT k.claim_id FROM claim_fts JOIN claim_fts_key k ON k.key = claim_fts.rowid "
            "WHERE claim_fts MATCH ?"
        )
    else:
        words = q
        match = "SELECT id FROM claim WHERE search @@ plainto_tsquery('english', ?)"
    limit = int(request.query_params.get("limit", "50"))
    rows = DB.rows(
        f"SELECT {CLAIM_COLUMNS} FROM claim c WHERE c.id IN ({match}) "
        f"ORDER BY c.created_at, c.id LIMIT {limit + 1}",
        (words,),
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode_cursor([rows[-1]["created_at"], rows[-1]["id"]])
    ids = [r["id"] for r in rows]
    appearances: dict[Any, list[Row]] = {i: [] for i in ids}
    subjects: dict[Any, list[Row]] = {i: [] for i in ids}
    if ids:
        for row in DB.rows(
            "SELECT claim_id, id, source_id, quote, char_start, char_end, confidence, "
            f"created_at, updated_at, version FROM appearance WHERE claim_id IN ({_in(ids)})",
            tuple(ids),
        ):
            appearances[row.pop("claim_id")].append(row)
        for row in DB.rows(
            "SELECT claim_id, participant_id, event_id FROM claim_subject "
            f"WHERE claim_id IN ({_in(ids)})",
            tuple(ids),
        ):
            subjects[row.pop("claim_id")].append(row)
    for row in rows:
        row["appearances"] = appearances[row["id"]]
        row["subjects"] = subjects[row["id"]]
    return _json({"items": rows, "next_cursor": next_cursor})


async def create_event(request: Request) -> Response:
    """Insert one event and its first status; 201 with the stored row."""
    data = await request.json()
    stamp = dt.datetime.now(dt.UTC)
    now: Any = stamp.replace(tzinfo=None).isoformat(sep=" ") if DB.sqlite else stamp
    new_id = uuid.uuid4()
    key = new_id.hex if DB.sqlite else str(new_id)
    start = data.get("start")
    location = data.get("location") or {}
    DB.execute(
        "INSERT INTO event (id, created_at, updated_at, version, slug, title, summary, "
        "event_type, status, certainty, start_edtf, start_precision, start_earliest, "
        "start_latest, start_sort, location_name, location_country) "
        "VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            key,
            now,
            now,
            data["slug"],
            data["title"],
            data.get("summary"),
            data["event_type"],
            data["status"],
            data.get("certainty", "confirmed"),
            start,
            "day" if start else None,
            start,
            start,
            start or "0001-01-01",
            location.get("name"),
            location.get("country"),
        ),
    )
    DB.execute(
        "INSERT INTO event_status_change (id, event_id, status, recorded_at) VALUES (?, ?, ?, ?)",
        (uuid.uuid4().hex if DB.sqlite else str(uuid.uuid4()), key, data["status"], now),
    )
    event = DB.rows(f"SELECT {EVENT_COLUMNS} FROM event WHERE id = ?", (key,))[0]
    _event_extras([event])
    return _json(event, 201)


async def event_stats(request: Request) -> Response:
    """Events of a country counted by month where the start certainly falls in it."""
    country = request.query_params.get("country")
    where, args = ("location_country = ?", (country,)) if country else ("1 = 1", ())
    earliest, latest = DB.period("start_earliest"), DB.period("start_latest")
    rows = DB.rows(
        f"SELECT {earliest} AS key, count(*) AS count FROM event "
        f"WHERE {where} AND {earliest} = {latest} GROUP BY {earliest} ORDER BY {earliest}",
        args,
    )
    dated = DB.rows(
        f"SELECT count(*) AS n FROM event WHERE {where} AND start_edtf IS NOT NULL", args
    )[0]["n"]
    undated = DB.rows(f"SELECT count(*) AS n FROM event WHERE {where} AND start_edtf IS NULL", args)
    counted = sum(r["count"] for r in rows)
    return _json(
        {
            "group_by": "month",
            "buckets": rows,
            "imprecise": dated - counted,
            "undated": undated[0]["n"],
        }
    )


async def health(request: Request) -> Response:
    """Liveness."""
    return _json({"status": "ok"})


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/api/v1/events/stats", event_stats),
        Route("/api/v1/events/{event_id}", read_event),
        Route("/api/v1/events", list_events),
        Route("/api/v1/events", create_event, methods=["POST"]),
        Route("/api/v1/claims", search_claims),
    ]
)
