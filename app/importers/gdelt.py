"""GDELT 2.0 events to import records: sources, participants and events, one row at a time.

Each row becomes one event (identified by `gdelt:<GLOBALEVENTID>`), preceded by the source and
participants it refers to the first time the file names them. A row that cannot be mapped
becomes a `RowProblem` with its line number and a reason: no row is dropped silently.
"""

import datetime as dt
import hashlib
import math
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.importers.gdelt_files import COLUMNS, Row, read_rows
from app.models import MAX_COUNT
from app.reference import cameo, cameo_actors, fips
from app.schemas.common import IDENTIFIER_FORMATS
from app.services.slugs import slugify

_COL = {name: index for index, name in enumerate(COLUMNS)}
_URL = re.compile(r"^https?://\S+$")
_PRECISION = {"1": "country", "2": "region", "3": "city", "4": "city", "5": "region"}
_MAX_TITLE = 500
# Slugs already emitted in this file; past this many the oldest are forgotten and may be sent
# again (the import skips what exists), which keeps memory flat on any file size.
SEEN_LIMIT = 250_000


@dataclass(frozen=True, slots=True)
class GdeltRecord:
    """An import record made from the row at `line`."""

    line: int
    record: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that was not mapped: its line, a stable reason code and what was wrong."""

    line: int
    reason: str
    detail: str


class _Skip(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def read_gdelt(lines: Iterable[str]) -> Iterator[GdeltRecord | RowProblem]:
    """Import records (or row problems) for the lines of a GDELT events file, in order."""
    seen = _Seen()
    for row in read_rows(lines):
        try:
            records = _row_records(row, seen)
        except _Skip as skip:
            yield RowProblem(row.line, skip.reason, skip.detail)
            continue
        for record in records:
            if "slug" in record:
                seen.add(record["slug"])
            yield GdeltRecord(row.line, record)


class _Seen:
    """Slugs already emitted in this file, the oldest forgotten past SEEN_LIMIT."""

    def __init__(self) -> None:
        self.slugs: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, slug: str) -> bool:
        return slug in self.slugs

    def add(self, slug: str) -> None:
        self.slugs[slug] = None
        if len(self.slugs) > SEEN_LIMIT:
            self.slugs.popitem(last=False)


def _row_records(row: Row, seen: _Seen) -> list[dict[str, Any]]:
    # Records of references are made only the first time (a row that fails emits nothing, so
    # what it would have introduced comes with the next row that names it).
    if len(row.fields) != row.expected:
        raise _Skip("columns", f"{len(row.fields)} columns, expected {row.expected}")
    f = row.fields
    event = _event(f)
    records: list[dict[str, Any]] = []
    names: list[str | None] = []
    for number, role in (("1", "initiator"), ("2", "recipient")):
        found = _participant(f, number, seen)
        names.append(found[0] if found else None)
        if found:
            event["participants"].append({"participant": found[1], "role": role})
            records.extend(found[2:])
    reference = f[_COL["SOURCEURL"]].strip()
    if reference:
        slug = source_slug(reference)
        event["sources"].append({"source": slug})
        if slug not in seen:
            records.append(_source(slug, reference))
    event["title"] = _title(names[0], cameo.event_codes()[event["cameo_code"]], names[1])
    records.append({key: value for key, value in event.items() if value is not None})
    return records


def _event(f: list[str]) -> dict[str, Any]:
    event_id = f[_COL["GLOBALEVENTID"]].strip()
    if not event_id.isdigit():
        raise _Skip("event_id", f"GLOBALEVENTID '{event_id}' is not a number")
    code = f[_COL["EventCode"]].strip()
    entry = cameo.event_code(code)
    if entry is None:
        raise _Skip("event_code", f"EventCode '{code}' is not a CAMEO event code")
    return {
        "type": "event",
        "identifiers": {"gdelt": event_id},
        "title": None,
        "event_type": str(entry.event_type),
        "cameo_code": code,
        "plover_type": entry.plover_type,
        "status": "occurred",
        "certainty": "reported",
        "start": _day(f[_COL["SQLDATE"]]),
        "location": _location(f),
        **_measures(f),
        "participants": [],
        "sources": [],
    }


def _title(initiator: str | None, entry: cameo.CameoEvent, recipient: str | None) -> str:
    action = entry.description.removesuffix(", not specified below")
    title = f"{initiator}: {action}" if initiator else action
    if recipient:
        title = f"{title} — {recipient}"
    return title[:_MAX_TITLE]


def _day(text: str) -> str:
    text = text.strip()
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError(text)
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        raise _Skip("date", f"SQLDATE '{text}' is not a date as YYYYMMDD") from None


def _number(f: list[str], column: str, kind: type[int] | type[float]) -> Any:
    text = f[_COL[column]].strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise _Skip("number", f"{column} '{text}' is not a number") from None
    if not math.isfinite(value) or (kind is int and not 0 <= value <= MAX_COUNT):
        raise _Skip("number", f"{column} '{text}' is out of range")
    return value


def _measures(f: list[str]) -> dict[str, Any]:
    goldstein = _number(f, "GoldsteinScale", float)
    if goldstein is not None and not -10 <= goldstein <= 10:
        raise _Skip("goldstein", f"GoldsteinScale {goldstein} is outside -10..10")
    quad = _number(f, "QuadClass", int)
    if quad is not None and quad not in (1, 2, 3, 4):
        raise _Skip("quad_class", f"QuadClass {quad} is not 1, 2, 3 or 4")
    return {
        "goldstein": goldstein,
        "quad_class": quad,
        "tone": _number(f, "AvgTone", float),
        "num_mentions": _number(f, "NumMentions", int),
        "num_sources": _number(f, "NumSources", int),
        "num_articles": _number(f, "NumArticles", int),
    }


def _location(f: list[str]) -> dict[str, Any] | None:
    geo_type = f[_COL["ActionGeo_Type"]].strip()
    if geo_type in ("", "0"):
        return None
    name = f[_COL["ActionGeo_FullName"]].strip()
    code = f[_COL["ActionGeo_CountryCode"]].strip()
    try:
        country = fips.iso_country(code) if code else None
    except fips.UnknownFipsCode as exc:
        raise _Skip("country", f"ActionGeo_CountryCode: {exc}") from None
    lat, lon = _number(f, "ActionGeo_Lat", float), _number(f, "ActionGeo_Long", float)
    if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
        raise _Skip("coordinates", f"ActionGeo_Lat/Long {lat}, {lon} are not on Earth")
    location = {
        "name": name or None,
        "admin1": _admin1(geo_type, name),
        "country": country,
        "lat": lat,
        "lon": lon,
        "precision": _PRECISION.get(geo_type),
    }
    return {key: value for key, value in location.items() if value is not None} or None


def _admin1(geo_type: str, name: str) -> str | None:
    # FullName is "City, Admin1, Country" for cities and "Admin1, Country" for subdivisions.
    parts = [part.strip() for part in name.split(",")]
    if geo_type in ("3", "4") and len(parts) >= 3:
        return parts[-2] or None
    if geo_type in ("2", "5") and len(parts) >= 2:
        return parts[0] or None
    return None


def _participant(f: list[str], number: str, seen: _Seen) -> tuple[Any, ...] | None:
    """(name, slug) of an actor, and its record the first time the file names it."""
    prefix = f"Actor{number}"
    code = f[_COL[f"{prefix}Code"]].strip()
    name = f[_COL[f"{prefix}Name"]].strip() or code
    if not name:
        return None
    slug = participant_slug(name, code)
    if slug in seen:
        return name, slug
    country_code = f[_COL[f"{prefix}CountryCode"]].strip()
    try:
        country = cameo_actors.actor_country(country_code) if country_code else None
    except cameo_actors.UnknownCameoCode as exc:
        raise _Skip("actor_country", f"{prefix}CountryCode: {exc}") from None
    if code and not IDENTIFIER_FORMATS["cameo"][0].match(code):
        raise _Skip("actor_code", f"{prefix}Code '{code}' is not a CAMEO actor code")
    types = [f[_COL[f"{prefix}Type{n}Code"]].strip() for n in "123"]
    group = f[_COL[f"{prefix}KnownGroupCode"]].strip()
    record: dict[str, Any] = {
        "type": "participant",
        "slug": slug,
        "name": name,
        "kind": str(cameo_actors.participant_kind(types, country_code, code, group)),
    }
    if country:
        record["country"] = country
    if code:
        record["identifiers"] = {"cameo": code}
    return name, slug, record


@lru_cache(maxsize=65536)
def participant_slug(name: str, code: str) -> str:
    """A stable slug for an actor: its name and code made readable, and a hash of both."""
    words = slugify(name)[:70].strip("-")
    digest = hashlib.sha256(f"{name}\t{code}".encode()).hexdigest()[:8]
    return "-".join(part for part in ("gdelt", words, code.lower(), digest) if part)


@lru_cache(maxsize=65536)
def source_slug(reference: str) -> str:
    """The slug of the source behind a SOURCEURL value (a URL or a citation)."""
    return "gdelt-source-" + hashlib.sha256(reference.encode()).hexdigest()[:12]


def _source(slug: str, reference: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "source",
        "slug": slug,
        "kind": "news_article",
        "title": reference[:_MAX_TITLE],
    }
    # A "URL" with spaces or without a scheme ("BBC Monitoring") is a citation, not a link.
    if _URL.match(reference) and len(reference) <= 2000:
        record["url"] = reference
    else:
        record["citation"] = reference
    return record
