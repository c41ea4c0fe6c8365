"""Reads served as JSON bytes: driver rows encoded straight into the API's public records.

The hot GETs skip ORM instances and pydantic models on the way out. Each record is read in a
few statements built once per dialect, and encoded with orjson into the bytes FastAPI would
send for its `*Public` model (tests/read compares both paths on both engines). The ORM stays
for writes and for the rarer reads.

- `columns`: driver values decoded only as far as orjson needs; statements per dialect.
- `layouts`: a public model's fields in JSON order, from columns or column groups.
- `records`: a kind of record: its statement, its row's shape, what fills the rest.
- `lookup`: the one id-or-slug lookup, with the 404, 410 and 308 of absent records.
- `events`, `participants`, `claims`, `sources`: each kind; `pages`: list pages.
"""
