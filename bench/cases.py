"""The benchmark's cases: the same question asked of geoevents, the ceiling and Datasette."""

import json
import urllib.parse
from collections.abc import Callable

from bench.datasets import Dataset, Samples
from bench.wrk import Load

ADMIN_KEY = "bench-admin-key-0123456789abcdef"
TITLES = {
    "get": "GET event by id",
    "list": "filtered list, first page",
    "search": "claim search",
    "cursor": "cursor page 100",
    "stats": "stats by month",
    "post": "POST event",
}
POST_BODY = (
    '{"slug":"bench-%s-%d","title":"Bench summit %d on energy cooperation",'
    '"summary":"Leaders met to discuss energy cooperation and regional security.",'
    '"event_type":"meeting","status":"occurred","start":"2020-05-01",'
    '"location":{"name":"Sochi","country":"RU"}}'
)
_SEARCH_SQL = (
    "select c.* from claim c where c.id in (select k.claim_id from claim_fts "
    "join claim_fts_key k on k.key = claim_fts.rowid where claim_fts match :q) "
    "order by c.created_at, c.id limit 51"
)
_STATS_SQL = (
    "select * from (select strftime('%Y-%m', start_earliest) as key, count(*) as count "
    "from event where location_country = :c "
    "and strftime('%Y-%m', start_earliest) = strftime('%Y-%m', start_latest) group by key) "
    "union all select 'dated', count(*) from event where location_country = :c "
    "and start_edtf is not null "
    "union all select 'undated', count(*) from event where location_country = :c "
    "and start_edtf is null"
)

Fetch = Callable[[str, Load], tuple[int, bytes]]


def _query(params: dict[str, str]) -> str:
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def _fts_word(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _api_paths(samples: Samples) -> dict[str, list[str]]:
    """geoevents' paths; the ceiling serves the same ones."""
    return {
        "get": [f"/api/v1/events/{i}?expand=participants" for i in samples.event_ids],
        "list": [f"/api/v1/events?{_query(f)}" for f in samples.filters],
        "search": [f"/api/v1/claims?{_query({'q': w})}" for w in samples.words],
        "stats": [
            f"/api/v1/events/stats?{_query({'group_by': 'month', 'country': c})}"
            for c in samples.countries
        ],
    }


def _datasette_paths(dataset: Dataset, samples: Samples) -> dict[str, list[str]]:
    db = dataset.label
    lists = []
    for f in samples.filters:
        participant = f["participant"].replace("-", "")
        params = {
            "location_country": f["country"],
            "start_earliest__gte": f["start_after"],
            "start_latest__lte": f["start_before"],
            "_where": f"id in (select event_id from event_participant "
            f"where participant_id = '{participant}')",
            "_sort": "created_at",
            "_size": "50",
            "_shape": "objects",
        }
        lists.append(f"/{db}/event.json?{_query(params)}")
    return {
        "get": [f"/{db}/event/{i.replace('-', '')}.json?_shape=objects" for i in samples.event_ids],
        "list": lists,
        "search": [
            f"/{db}.json?{_query({'sql': _SEARCH_SQL, 'q': _fts_word(w), '_shape': 'objects'})}"
            for w in samples.words
        ],
        "stats": [
            f"/{db}.json?{_query({'sql': _STATS_SQL, 'c': c, '_shape': 'objects'})}"
            for c in samples.countries
        ],
    }


def build_cases(dataset: Dataset, samples: Samples, names: list[str]) -> dict[str, dict[str, Load]]:
    """case key -> server -> what wrk sends; the cursor case is filled in by `cursor_page`."""
    api = _api_paths(samples)
    peer = _datasette_paths(dataset, samples) if "datasette" in names else {}
    cases: dict[str, dict[str, Load]] = {key: {} for key in TITLES}
    for key in ("get", "list", "search", "stats"):
        for name in names:
            paths = peer.get(key) if name == "datasette" else api[key]
            if paths:
                cases[key][name] = Load(paths)
    headers = (("Content-Type", "application/json"), ("Authorization", f"Bearer {ADMIN_KEY}"))
    for name in ("geoevents", "ceiling"):
        cases["post"][name] = Load(["/api/v1/events"], "POST", POST_BODY, headers)
    # POST last: the rows it adds are removed after the data set's cases.
    return {key: cases[key] for key in ("get", "list", "search", "cursor", "stats", "post")}


def cursor_page(name: str, dataset: Dataset, fetch: Fetch, pages: int) -> str | None:
    """The path of page `pages` of a walk by start date, newest first, following cursors."""
    if name == "datasette":
        base = f"/{dataset.label}/event.json?_sort_desc=start_sort&_size=50&_shape=objects"
        token_field, parameter = "next", "_next"
    else:
        base, token_field, parameter = (
            "/api/v1/events?sort=-start&limit=50",
            "next_cursor",
            "cursor",
        )
    path = base
    for page in range(1, pages):
        status, body = fetch(name, Load([path]))
        token = json.loads(body).get(token_field) if status == 200 else None
        if not token:
            print(f"[cursor] {name}: page {page} gave HTTP {status}, no next: {body[:300]!r}")
            return None
        path = f"{base}&{_query({parameter: str(token)})}"
    return path
