"""`python -m seed.synthetic`: deterministic synthetic records in bulk, for benchmarks.

Rows go in with SQLAlchemy Core executemany INSERTs (so database triggers fire), in one
transaction per batch of events. Ids are uuid5 of a kind and a counter, slugs `syn-<kind>-NNNNNN`,
and every value derives from `random.Random(--seed)`: the same arguments give the same rows.
"""

import argparse
import bisect
import datetime as dt
import itertools
import random
import sys
import time
import uuid
import zoneinfo
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy import Connection, Engine, insert, inspect, select

from app.config import get_settings
from app.dates import parse_date, sort_key
from app.db import build_engine
from app.models import metadata
from app.services import event_tally, participant_pairs
from app.services.roles import title_key

NAMESPACE = uuid.UUID("0c6f3a52-8d1e-4b7a-9f25-3e8c1d7b6a90")
TABLES = (
    "participant",
    "participant_identifier",
    "participant_role",
    "source",
    "event",
    "event_status_change",
    "event_participant",
    "event_relation",
    "claim",
    "claim_subject",
    "appearance",
    # Last, so that the slices of the tuple above stay as they were.
    "role_title_key",
)
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1).toordinal(), dt.date(2026, 12, 31).toordinal()
DAYS = [dt.date.fromordinal(o).isoformat() for o in range(FIRST_DAY, LAST_DAY + 1)]
# Records appear to have been entered from 2024 on, one event every 30 seconds.
RECORDED_FROM = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
EVENT_STEP = dt.timedelta(seconds=30)


def _words(text: str, separator: str = " ") -> list[str]:
    return text.split(separator)


PROMINENT = _words("US RU CN UA IL IR SY GB FR DE TR IN PK AF IQ SA KP KR JP PS LB YE EG BR NG")
FIRST_NAMES = _words(
    "Anna Boris Carlos Dalia Elena Farid Grace Hassan Ines Jonas Karim Lena Marco Nadia Omar "
    "Petra Rashid Sofia Tomas Uma Viktor Wen Yusuf Zara Amir Bianca Dmitri Esther Goran Hana "
    "Ivan Julia Kofi Leila Mateo Noor Olga Pavel Rania Sergio Tariq Vera Yael Ali Chen Maria"
)
LAST_NAMES = _words(
    "Abramov Bakr Castillo Dimitrov Erdem Fischer Gallo Haddad Ibrahim Jensen Kaplan Lindqvist "
    "Moreau Nowak Okafor Petrov Quispe Rahman Sato Tanaka Usman Varga Weber Xu Yilmaz Zhou "
    "Alvarez Bauer Cohen Dahl Eriksen Farouk Grant Horvat Ivanova Kovac Levi Mendes Novak Ortiz"
)
TOPICS = _words(
    "regional security|energy cooperation|the ceasefire|border security|the nuclear programme|"
    "humanitarian aid|a prisoner exchange|trade sanctions|air defence|refugee returns|"
    "the peace talks|water rights|arms deliveries|the election results",
    "|",
)
VERBS = _words(
    "supplied weapons to|held talks with|launched strikes against|threatened|signed a deal with|"
    "condemned|backed|sanctioned|warned|accused",
    "|",
)
TITLES = _words(
    "Prime Minister|President|Minister of Defence|Minister of Foreign Affairs|Chief of Staff|"
    "Ambassador|Minister of the Interior|Leader of the Opposition|Spokesperson",
    "|",
)
OUTLETS = "Global Herald|Daily Courier|Evening Dispatch|World Monitor|The Ledger|Press Review"
KINDS = {  # kind: share of the participants that are not states
    "person": 65,
    "organization": 8,
    "government": 7,
    "political_party": 7,
    "military": 4,
    "armed_group": 4,
    "media_outlet": 3,
    "legislature": 1,
    "other": 1,
}
POOLS = {
    "leader": ("person",),
    "state": ("state", "government"),
    "armed": ("military", "armed_group"),
    "party": ("political_party",),
    "org": ("organization", "media_outlet", "legislature", "other"),
}
# type: (weight, participant slots "role:pool,pool ...", CAMEO families, PLOVER type, place slot)
EVENT_TYPES: dict[str, tuple[int, str, str, str | None, int]] = {
    "meeting": (20, "host:leader,state visitor:leader,state attendee:any", "04", "CONSULT", 0),
    "visit": (12, "host:state,leader visitor:leader attendee:leader", "04", "CONSULT", 0),
    "statement": (
        15,
        "organizer:leader,state subject:any mentioned:any",
        "01 02 10 11 12 13",
        None,
        0,
    ),
    "election": (5, "candidate:leader candidate:party candidate:leader", "", None, 0),
    "legislative_action": (5, "organizer:org,state subject:any supporter:party", "05 06", None, 0),
    "military_operation": (
        8,
        "attacker:armed,state target:armed,state supporter:state",
        "15 19",
        "FIGHT",
        1,
    ),
    "strike": (7, "attacker:armed,state target:armed,org", "19 20", "FIGHT", 1),
    "attack": (10, "attacker:armed target:any mentioned:any", "18 19", "ASSAULT", 1),
    "intervention": (
        3,
        "attacker:state,armed supporter:state target:armed",
        "15 17 19",
        "FIGHT",
        2,
    ),
    "agreement": (
        6,
        "attendee:state,leader attendee:state,leader attendee:any",
        "03 05 06 07 08",
        "AGREE",
        0,
    ),
    "invitation": (4, "host:leader visitor:leader", "02 03 04", "CONSULT", 0),
    "other": (5, "subject:any mentioned:any", "09 14 16", None, 0),
}
STATUSES = {
    "occurred": 78,
    "ongoing": 7,
    "scheduled": 5,
    "planned": 4,
    "postponed": 3,
    "cancelled": 3,
}
CERTAINTIES = {"confirmed": 60, "reported": 25, "alleged": 10, "disputed": 5}
PRECISIONS = {"city": 60, "country": 20, "region": 15, "exact": 5}
JITTER = {"exact": 0.02, "city": 0.05, "region": 0.8, "country": 1.5}
RELATIONS = ("follows", "caused_by", "related_to")
LOCATION_FIELDS = ("name", "admin1", "country", "lat", "lon", "precision")
EVENT_TITLES = {
    "meeting": "{a} meets {b}",
    "visit": "{b} visits {a}",
    "statement": "{a} statement on {topic}",
    "election": "Election in {place}: {a} and {b}",
    "legislative_action": "{a} votes on {topic}",
    "military_operation": "{a} operation against {b}",
    "strike": "{a} strikes on {b}",
    "attack": "Attack by {a} on {b}",
    "intervention": "{a} intervention in {place}",
    "agreement": "{a} and {b} agree on {topic}",
    "invitation": "{a} invites {b}",
    "other": "{a}: {topic}",
}
CLAIM_TYPES = {"quote": 35, "report": 25, "paraphrase": 20, "assessment": 10, "allegation": 10}
CLAIM_STATUSES = {"unverified": 55, "supported": 25, "disputed": 12, "refuted": 8}
CLAIM_TEXTS = {
    "quote": "We will not allow {b} to dictate the terms on {topic}, and {a} will act as needed.",
    "paraphrase": "{a} said it would continue to press {b} over {topic} in the coming weeks.",
    "report": "{a} reportedly {verb} {b} over {topic} near {place}.",
    "assessment": "The dispute between {a} and {b} centred on {topic} rather than on {place}.",
    "allegation": "{a} secretly {verb} {b} in breach of its commitments on {topic}.",
}


def syn_id(kind: str, number: int) -> uuid.UUID:
    """The id of the `number`th synthetic record of a kind; the same in every run."""
    return uuid.uuid5(NAMESPACE, f"{kind}/{number}")


def syn_slug(kind: str, number: int) -> str:
    """The slug of the `number`th synthetic record of a kind, e.g. `syn-event-000001`."""
    return f"syn-{kind}-{number:06d}"


@dataclass(frozen=True)
class Options:
    """What to generate."""

    events: int
    participants: int
    claims_per_event: float = 0.5
    seed: int = 42
    batch: int = 5000


@dataclass(slots=True)
class Actor:
    """A generated participant, as much of it as events and claims need."""

    id: uuid.UUID
    name: str
    kind: str
    country: str | None
    role: tuple[uuid.UUID, str, int, int | None] | None = None  # id, label, start, end ordinal


@dataclass(slots=True)
class Draft:
    """A generated event, as much of it as its claims need."""

    id: uuid.UUID
    day: int
    stated: str
    actors: list[int]
    created: dt.datetime


class Picker:
    """Weighted draws from a fixed population with a Zipf-like or explicit weighting."""

    def __init__(self, rng: random.Random, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.rng, self.items = rng, list(items)
        self.cum = list(itertools.accumulate(weights))

    @classmethod
    def zipf(cls, rng: random.Random, items: Sequence[Any], exponent: float) -> "Picker":
        """Rank r (from 0) is drawn with weight 1 / (r + 1) ** exponent."""
        return cls(rng, items, [1 / (rank + 1) ** exponent for rank in range(len(items))])

    @classmethod
    def of(cls, rng: random.Random, table: dict[str, int]) -> "Picker":
        """Keys drawn in proportion to their values."""
        return cls(rng, list(table), list(table.values()))

    def __call__(self) -> Any:
        """One draw."""
        return self.items[bisect.bisect(self.cum, self.rng.random() * self.cum[-1])]


Parsed = tuple[str, str, dt.date | None, dt.date | None]
# One of each shape the generator writes; checked against app.dates.parse_date at start-up.
DATE_SHAPES = ("2019-09-17", "2019-09", "2020", "2019-01/2019-03", "2015/..", "2016-02/2016-05")


class DateCache:
    """EDTF columns of each distinct date string, computed once.

    `app.dates.parse_date` (pyparsing) takes milliseconds a call, minutes for the 16k distinct
    strings of a large run; the plain shapes written here are bounded directly instead, after
    checking that this gives what parse_date gives. Any other string goes to parse_date.
    """

    def __init__(self) -> None:
        self._parsed: dict[str, Parsed] = {}
        for text in DATE_SHAPES:
            value = parse_date(text)
            expected = (value.edtf, value.precision, value.earliest, value.latest)
            if _bounds(text) != expected:
                raise RuntimeError(f"synthetic dates disagree with app.dates on {text}")

    def columns(self, prefix: str, text: str | None) -> dict[str, Any]:
        """The `<prefix>_edtf/_precision/_earliest/_latest` columns of `text` (None: all null)."""
        if text is None:
            return dict.fromkeys(
                f"{prefix}_{s}" for s in ("edtf", "precision", "earliest", "latest")
            )
        found = self._parsed.get(text)
        if found is None:
            found = self._parsed[text] = _bounds(text)
        edtf, precision, earliest, latest = found
        return {
            f"{prefix}_edtf": edtf,
            f"{prefix}_precision": precision,
            f"{prefix}_earliest": earliest,
            f"{prefix}_latest": latest,
        }


def _bounds(text: str) -> Parsed:
    """Precision and bounds of `YYYY[-MM[-DD]]` and intervals of them, as parse_date gives."""
    if "/" in text:
        start, end = (None if part == ".." else _bounds(part) for part in text.split("/"))
        precisions = {part[1] for part in (start, end) if part is not None}
        precision = precisions.pop() if len(precisions) == 1 else "mixed"
        return text, precision, start[2] if start else None, end[3] if end else None
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return text, "day", day, day
    if len(text) == 7:
        first = dt.date.fromisoformat(f"{text}-01")
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return text, "month", first, following - dt.timedelta(days=1)
    if len(text) == 4 and text.isdigit():
        return text, "year", dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
    value = parse_date(text)
    return value.edtf, value.precision, value.earliest, value.latest


def _places() -> dict[str, list[tuple[str, float, float]]]:
    """Cities with coordinates by country, from the time-zone database's zone.tab."""
    candidates = [Path(d) / "zone.tab" for d in zoneinfo.TZPATH]
    with suppress(ModuleNotFoundError):
        candidates.append(Path(str(resources.files("tzdata") / "zoneinfo" / "zone.tab")))
    places: dict[str, list[tuple[str, float, float]]] = {}
    for path in (p for p in candidates if p.is_file()):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            code, coords, zone = line.split("\t")[:3]
            split = max(coords.rfind("+"), coords.rfind("-"))
            lat, lon = _degrees(coords[:split]), _degrees(coords[split:])
            places.setdefault(code, []).append((zone.split("/")[-1].replace("_", " "), lat, lon))
        break
    return places


def _degrees(text: str) -> float:
    digits = text[1:]
    width = 2 if len(digits) in {4, 6} else 3
    value = int(digits[:width]) + int(digits[width : width + 2]) / 60
    return -value if text[0] == "-" else value


def _days(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


class World:
    """The generator: its random state, the participants, the sources and the drawn events."""

    def __init__(self, options: Options) -> None:
        self.options, self.rng = options, random.Random(options.seed)
        self.dates, self.places = DateCache(), _places()
        everything = sorted(pycountry.countries, key=lambda c: str(c.alpha_2))
        rest = [str(c.alpha_2) for c in everything if c.alpha_2 not in PROMINENT]
        self.rng.shuffle(rest)
        self.names = {str(c.alpha_2): str(getattr(c, "common_name", c.name)) for c in everything}
        self.codes = [*PROMINENT, *rest]
        self.country = Picker.zipf(self.rng, self.codes, 1.1)
        self.actors: list[Actor] = []
        self.pools: dict[str, Picker] = {}
        self.source_days: list[int] = []
        self.event_days: list[int] = []
        # Numbers of the link, subject and appearance rows already generated, for their ids.
        self.link_base = self.subject_base = self.appearance_base = 0
        self.pick = {
            name: Picker.of(self.rng, table)
            for name, table in {
                "kind": KINDS,
                "type": {k: v[0] for k, v in EVENT_TYPES.items()},
                "status": STATUSES,
                "certainty": CERTAINTIES,
                "precision": PRECISIONS,
                "claim_type": CLAIM_TYPES,
                "claim_status": CLAIM_STATUSES,
            }.items()
        }

    # Participants -------------------------------------------------------------------------

    def participants(self) -> dict[str, list[dict[str, Any]]]:
        """Every participant with its identifiers and roles; states first, one per country."""
        rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES[:3]}
        states = self.codes[: min(len(self.codes), max(1, self.options.participants // 4))]
        state_of: dict[str, int] = {}
        for number in range(1, self.options.participants + 1):
            kind = "state" if number <= len(states) else str(self.pick["kind"]())
            code = states[number - 1] if kind == "state" else self._actor_country(kind)
            name, aliases = self._actor_name(kind, code)
            if kind == "state":
                state_of[str(code)] = number - 1
            self.actors.append(Actor(syn_id("participant", number), name, kind, code))
            created = RECORDED_FROM - dt.timedelta(days=30) + dt.timedelta(seconds=number)
            rows["participant"].append(
                {
                    "id": self.actors[-1].id,
                    "slug": syn_slug("participant", number),
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    "name": name,
                    "kind": kind,
                    "aliases": aliases,
                    "country": code,
                    "description": f"Synthetic {kind.replace('_', ' ')}"
                    + (f" of {self.names[code]}." if code else "."),
                }
            )
            rows["participant_identifier"].extend(self._identifiers(number, kind, code))
        self._add_roles(rows["participant_role"], state_of, len(states))
        # The keys role_title matches on, as roles.add_role writes them.
        rows["role_title_key"] = [
            {"role_id": role["id"], "key": title_key(role["title"])}
            for role in rows["participant_role"]
        ]
        self._build_pools()
        return rows

    def _actor_country(self, kind: str) -> str | None:
        if kind != "person" and self.rng.random() < 0.1:
            return None
        return str(self.country())

    def _actor_name(self, kind: str, code: str | None) -> tuple[str, list[str]]:
        rng, country = self.rng, self.names[code] if code else "the Region"
        if kind == "person":
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            middle = f" {rng.choice(LAST_NAMES)[0]}." if rng.random() < 0.3 else ""
            return f"{first}{middle} {last}", [last] if rng.random() < 0.5 else []
        if kind == "state":
            official = getattr(pycountry.countries.get(alpha_2=code), "official_name", None)
            return country, [str(official)] if official else []
        word = rng.choice(LAST_NAMES)
        name = {
            "government": f"Government of {country}",
            "political_party": f"{word} {rng.choice(('Party', 'Movement', 'Alliance'))}",
            "military": f"Armed Forces of {country}",
            "armed_group": f"{word} {rng.choice(('Front', 'Brigade', 'Army', 'Battalion'))}",
            "media_outlet": f"{country} {rng.choice(('Times', 'Herald', 'Post', 'Radio'))}",
            "legislature": f"Parliament of {country}",
        }.get(kind, f"{word} {rng.choice(('Institute', 'Union', 'Council', 'Foundation'))}")
        acronym = "".join(w[0] for w in name.split() if w[0].isupper())
        return name, [acronym] if len(acronym) > 1 and rng.random() < 0.5 else []

    def _identifiers(self, number: int, kind: str, code: str | None) -> list[dict[str, Any]]:
        ident = syn_id("participant", number)
        rows = []
        if kind == "state" or self.rng.random() < 0.3:
            # Far above real Wikidata item numbers, so they never collide with real records.
            rows.append({"participant_id": ident, "scheme": "wikidata", "value": f"Q9{number:08d}"})
        if kind == "state":
            rows.append({"participant_id": ident, "scheme": "cameo", "value": f"SYN{code}"})
        return rows

    def _add_roles(self, rows: list[dict[str, Any]], state_of: dict[str, int], states: int) -> None:
        state_pick = Picker.zipf(self.rng, range(states), 1.0)
        for actor in self.actors:
            if actor.kind != "person" or self.rng.random() >= 0.1:
                continue
            org = state_of.get(actor.country or "")
            org = org if org is not None else int(state_pick())
            title = self.rng.choice(TITLES)
            start = self._vague(self.rng.randint(FIRST_DAY, LAST_DAY - 3 * 365))
            end = None
            if self.rng.random() < 0.7:
                end_day = min(LAST_DAY, _days(start[:4] + "-12-31") + self.rng.randint(1, 8 * 365))
                end = self._vague(end_day)
            number = len(rows) + 1
            created = RECORDED_FROM - dt.timedelta(days=20) + dt.timedelta(seconds=number)
            row = {
                "id": syn_id("role", number),
                "created_at": created,
                "updated_at": created,
                "version": 1,
                "participant_id": actor.id,
                "title": title,
                "organization_id": self.actors[org].id,
                **self.dates.columns("start", start),
                **self.dates.columns("end", end),
                "source_id": None,
                # No source is cited: the migration's default, `stated`, would need one.
                "provenance": "background",
            }
            rows.append(row)
            end_ordinal = row["end_latest"].toordinal() if end else None
            label = f"{title}, {self.actors[org].name}"
            actor.role = (row["id"], label, row["start_earliest"].toordinal(), end_ordinal)

    def _vague(self, day: int) -> str:
        """A day as a source might state it: mostly the day, sometimes the month or the year."""
        text, draw = DAYS[day - FIRST_DAY], self.rng.random()
        return text if draw < 0.6 else text[:7] if draw < 0.85 else text[:4]

    def _build_pools(self) -> None:
        order = list(range(len(self.actors)))
        self.rng.shuffle(order)  # activity rank: a few participants are in a large share of events
        every = Picker.zipf(self.rng, order, 1.05)
        self.pools["any"] = every
        for pool, kinds in POOLS.items():
            members = [i for i in order if self.actors[i].kind in kinds]
            self.pools[pool] = Picker.zipf(self.rng, members, 1.05) if members else every

    # Sources ------------------------------------------------------------------------------

    def sources(self) -> list[dict[str, Any]]:
        """News articles (metadata only), numbered in the order they were published."""
        rng, count = self.rng, max(1, self.options.events // 50)
        self.source_days = sorted(self._day() for _ in range(count))
        outlets = OUTLETS.split("|") + [a.name for a in self.actors if a.kind == "media_outlet"]
        rows = []
        for number, day in enumerate(self.source_days, start=1):
            text = DAYS[day - FIRST_DAY]
            slug, publisher = syn_slug("source", number), rng.choice(outlets)
            created = RECORDED_FROM - dt.timedelta(days=10) + dt.timedelta(seconds=number)
            author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            rows.append(
                {
                    "id": syn_id("source", number),
                    "slug": slug,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    "kind": "news_article",
                    "title": f"{self.names[str(self.country())]}: talks on {rng.choice(TOPICS)}",
                    "author": author,
                    "publisher": publisher,
                    "url": f"https://news.example.org/{text[:4]}/{slug}",
                    **self.dates.columns("published", text if rng.random() < 0.9 else text[:7]),
                    "language": rng.choice(("en", "en", "en", "fr", "de", "ru", "ar", "es")),
                    "credits": f"Photo: {author} / {publisher}" if rng.random() < 0.1 else None,
                    "text": None,
                    "sha256": None,
                }
            )
        return rows

    def _day(self) -> int:
        # Skewed towards recent years, as records are.
        return FIRST_DAY + int((LAST_DAY - FIRST_DAY) * self.rng.random() ** 0.8)

    def _source_near(self, day: int) -> int:
        """A source (index) published on or soon after `day`."""
        index = bisect.bisect_left(self.source_days, day) + self.rng.randint(0, 3)
        return min(index, len(self.source_days) - 1)

    # Events -------------------------------------------------------------------------------

    def events(self, first: int, stop: int) -> tuple[dict[str, list[dict[str, Any]]], list[Draft]]:
        """Events `first` to `stop - 1` with their status history, participants and relations."""
        rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES[4:8]}
        drafts = [self._event(number, rows) for number in range(first, stop)]
        self.link_base += len(rows["event_participant"])
        return rows, drafts

    def _event(self, number: int, rows: dict[str, list[dict[str, Any]]]) -> Draft:
        rng, ident = self.rng, syn_id("event", number)
        event_type = str(self.pick["type"]())
        _, slots, families, plover, where = EVENT_TYPES[event_type]
        links = self._links(slots.split())
        parent = number - rng.randint(1, min(number - 1, 2000)) if rng.random() < 0.05 else 0
        start, end = self._event_dates(parent)
        start_columns = self.dates.columns("start", start)
        day = start_columns["start_earliest"].toordinal()
        self.event_days.append(day)
        status = "ongoing" if start.endswith("..") else str(self.pick["status"]())
        as_of = DAYS[self._as_of(status, day) - FIRST_DAY]
        created = RECORDED_FROM + EVENT_STEP * number
        location = self._location(self.actors[links[min(where, len(links) - 1)][0]].country)
        names = [self.actors[a].name for a, _ in links]
        cameo = self._cameo(families.split())
        rows["event"].append(
            {
                "id": ident,
                "slug": syn_slug("event", number),
                "created_at": created,
                "updated_at": created,
                "version": 1,
                "title": self._title(event_type, names, location["location_country"]),
                "summary": f"Involving {', '.join(names)}; on {rng.choice(TOPICS)}."
                if rng.random() < 0.4
                else None,
                "event_type": event_type,
                "cameo_code": cameo,
                "plover_type": plover if cameo and rng.random() < 0.5 else None,
                **start_columns,
                "start_sort": sort_key(
                    start_columns["start_earliest"], start_columns["start_latest"]
                ),
                **self.dates.columns("end", end),
                "status": status,
                **self.dates.columns("status_as_of", as_of),
                "certainty": self.pick["certainty"](),
                **location,
                "parent_id": syn_id("event", parent) if parent else None,
            }
        )
        self._event_children(number, ident, status, as_of, created, links, rows)
        return Draft(ident, day, start, [a for a, _ in links], created)

    def _event_children(
        self,
        number: int,
        ident: uuid.UUID,
        status: str,
        as_of: str,
        created: dt.datetime,
        links: list[tuple[int, str]],
        rows: dict[str, list[dict[str, Any]]],
    ) -> None:
        rows["event_status_change"].append(
            {
                "id": syn_id("status-change", number),
                "event_id": ident,
                "status": status,
                **self.dates.columns("as_of", as_of),
                "recorded_at": created,
            }
        )
        links_so_far = len(rows["event_participant"]) + self.link_base
        for offset, (actor, role) in enumerate(links, start=1):
            rows["event_participant"].append(
                {
                    "id": syn_id("event-participant", links_so_far + offset),
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    "event_id": ident,
                    "participant_id": self.actors[actor].id,
                    "role": role,
                    "note": None,
                }
            )
        if number > 1 and self.rng.random() < 0.02:
            relation = "reschedules" if status == "postponed" else self.rng.choice(RELATIONS)
            other = number - self.rng.randint(1, min(number - 1, 5000))
            rows["event_relation"].append(
                {
                    "event_id": ident,
                    "relation": relation,
                    "related_event_id": syn_id("event", other),
                }
            )

    def _links(self, slots: list[str]) -> list[tuple[int, str]]:
        wanted = self.rng.choices((1, 2, 3, 4), cum_weights=(15, 65, 90, 100))[0]
        links: list[tuple[int, str]] = []
        for slot in (*slots, "mentioned:any")[:wanted]:
            role, pools = slot.split(":")
            actor = int(self.pools[self.rng.choice(pools.split(","))]())
            if all(actor != a for a, _ in links):
                links.append((actor, role))
        return links

    def _event_dates(self, parent: int) -> tuple[str, str | None]:
        rng = self.rng
        if parent:  # a part of a larger event: within days of its start
            return DAYS[
                min(LAST_DAY, self.event_days[parent - 1] + rng.randint(0, 3)) - FIRST_DAY
            ], None
        day, draw = self._day(), rng.random()
        text = DAYS[day - FIRST_DAY]
        if draw < 0.01:
            return f"{text[:7]}/{_add_months(text[:7], rng.randint(1, 5))}", None
        if draw < 0.02:
            return f"{text[:4]}/..", None
        start = text if draw < 0.72 else text[:7] if draw < 0.92 else text[:4]
        if rng.random() >= 0.2:
            return start, None
        if len(start) == 10:
            return start, DAYS[min(LAST_DAY, day + rng.randint(1, 45)) - FIRST_DAY]
        if len(start) == 7:
            return start, _add_months(start, rng.randint(1, 6))
        return start, str(min(2026, int(start) + rng.randint(1, 4)))

    def _as_of(self, status: str, day: int) -> int:
        if status in {"planned", "scheduled"}:
            return max(FIRST_DAY, day - self.rng.randint(1, 90))
        return min(LAST_DAY, day + self.rng.randint(0, 20))

    def _cameo(self, families: list[str]) -> str | None:
        if not families or self.rng.random() >= 0.7:
            return None
        digits = self.rng.choice((0, 1, 1, 1, 2))
        return self.rng.choice(families) + "".join(
            self.rng.choice("0123456789") for _ in range(digits)
        )

    def _location(self, code: str | None) -> dict[str, Any]:
        rng = self.rng
        if rng.random() >= 0.85:
            return dict.fromkeys(f"location_{n}" for n in LOCATION_FIELDS)
        code = code if code and rng.random() < 0.85 else str(self.country())
        places = self.places.get(code)
        if not places:
            return {
                **dict.fromkeys(f"location_{n}" for n in LOCATION_FIELDS),
                "location_country": code,
                "location_precision": "country",
            }
        precision = str(self.pick["precision"]())
        name, lat, lon = rng.choice(places)
        spread = JITTER[precision]
        return {
            "location_name": name if precision in {"city", "exact"} else None,
            "location_admin1": f"{name} region" if precision == "region" else None,
            "location_country": code,
            "location_lat": round(max(-90.0, min(90.0, lat + rng.uniform(-spread, spread))), 5),
            "location_lon": round(max(-180.0, min(180.0, lon + rng.uniform(-spread, spread))), 5),
            "location_precision": precision,
        }

    def _title(self, event_type: str, names: list[str], code: str | None) -> str:
        other = names[1] if len(names) > 1 else self.actors[int(self.pools["any"]())].name
        place = self.names[code] if code else "the region"
        return EVENT_TITLES[event_type].format(
            a=names[0], b=other, place=place, topic=self.rng.choice(TOPICS)
        )

    # Claims -------------------------------------------------------------------------------

    def claims(self, first: int, stop: int, drafts: list[Draft]) -> dict[str, list[dict[str, Any]]]:
        """Claims `first` to `stop - 1`, about the drafted events, with subjects and appearances."""
        rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES[8:11]}
        draft = drafts[0]
        for number in range(first, stop):
            if self.rng.random() >= 0.3:  # otherwise another claim about the same event
                draft = self.rng.choice(drafts)
            self._claim(number, draft, rows)
        self.subject_base += len(rows["claim_subject"])
        self.appearance_base += len(rows["appearance"])
        return rows

    def _claim(self, number: int, draft: Draft, rows: dict[str, list[dict[str, Any]]]) -> None:
        rng, ident = self.rng, syn_id("claim", number)
        claim_type = str(self.pick["claim_type"]())
        claimant = self._claimant(claim_type, draft)
        role_id, role = None, None
        held = self.actors[claimant].role if claimant is not None else None
        if held and held[2] <= draft.day and (held[3] is None or held[3] >= draft.day):
            role_id, role = held[0], held[1]
        elif claimant is not None and rng.random() < 0.3:
            role = "spokesperson"
        names = [self.actors[a].name for a in draft.actors]
        text = CLAIM_TEXTS[claim_type].format(
            a=names[0],
            b=names[1] if len(names) > 1 else self.actors[int(self.pools["any"]())].name,
            topic=rng.choice(TOPICS),
            verb=rng.choice(VERBS),
            place=self.names[str(self.country())],
        )
        created = RECORDED_FROM + EVENT_STEP * (number / self.options.claims_per_event)
        stated = self.dates.columns("stated", draft.stated)
        rows["claim"].append(
            {
                "id": ident,
                "slug": syn_slug("claim", number),
                "created_at": created,
                "updated_at": created,
                "version": 1,
                "text": text,
                "claim_type": claim_type,
                "claimant_id": self.actors[claimant].id if claimant is not None else None,
                "claimant_role_id": role_id,
                "claimant_role": role,
                "event_id": draft.id,
                **stated,
                "stated_sort": sort_key(stated["stated_earliest"], stated["stated_latest"]),
                "status": self.pick["claim_status"](),
            }
        )
        self._claim_children(ident, text, created, draft, rows)

    def _claimant(self, claim_type: str, draft: Draft) -> int | None:
        if claim_type in {"report", "assessment"}:
            return None
        persons = [a for a in draft.actors if self.actors[a].kind == "person"]
        return self.rng.choice(persons) if persons else int(self.pools["leader"]())

    def _claim_children(
        self,
        ident: uuid.UUID,
        text: str,
        created: dt.datetime,
        draft: Draft,
        rows: dict[str, list[dict[str, Any]]],
    ) -> None:
        rng = self.rng
        about = rng.sample(draft.actors, min(rng.randint(1, 3), len(draft.actors)))
        subjects: list[tuple[int | None, uuid.UUID | None]] = [(a, None) for a in about]
        if rng.random() < 0.3 or not subjects:
            subjects.append((None, draft.id))
        base = len(rows["claim_subject"]) + self.subject_base
        for offset, (actor, event_id) in enumerate(subjects, start=1):
            rows["claim_subject"].append(
                {
                    "id": syn_id("claim-subject", base + offset),
                    "claim_id": ident,
                    "participant_id": self.actors[actor].id if actor is not None else None,
                    "event_id": event_id,
                }
            )
        found = [self._source_near(draft.day) for _ in range(1 if rng.random() < 0.7 else 2)]
        base = len(rows["appearance"]) + self.appearance_base
        for offset, source in enumerate(dict.fromkeys(found), start=1):
            rows["appearance"].append(
                {
                    "id": syn_id("appearance", base + offset),
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    "claim_id": ident,
                    "source_id": syn_id("source", source + 1),
                    "quote": self._quote(text),
                    "char_start": None,
                    "char_end": None,
                    "confidence": round(rng.uniform(0.5, 0.95), 2),
                }
            )

    def _quote(self, text: str) -> str:
        """The whole text or a run of at least three of its words: always a substring."""
        words = text.split(" ")
        if len(words) <= 4 or self.rng.random() < 0.3:
            return text
        start = self.rng.randrange(len(words) - 3)
        return " ".join(words[start : start + self.rng.randint(3, len(words) - start)])


def _add_months(month: str, count: int) -> str:
    year, index = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + count, 12)
    return min(f"{year:04d}-{index + 1:02d}", "2026-12")


# Loading ------------------------------------------------------------------------------------


class NotReady(Exception):
    """The database cannot take a synthetic load: not migrated, or already loaded."""


def check_ready(engine: Engine) -> None:
    """Refuse an unmigrated database, and one that already holds synthetic records."""
    where = engine.url.render_as_string(hide_password=True)
    tables = set(inspect(engine).get_table_names())
    if "alembic_version" not in tables or not tables.issuperset(TABLES):
        raise NotReady(
            f"{where} has no schema (no alembic_version table): migrate it first with "
            f"`DATABASE_URL={where} alembic upgrade head`"
        )
    with engine.connect() as conn:
        for table in ("participant", "source", "event", "claim"):
            column = metadata.tables[table].c.slug
            if conn.execute(select(column).where(column == syn_slug(table, 1))).first():
                raise NotReady(
                    f"{where} already holds synthetic records ({syn_slug(table, 1)}); "
                    "load them into a fresh database"
                )


@contextmanager
def bulk_connection(engine: Engine) -> Iterator[Connection]:
    """A connection tuned for a bulk load (SQLite: no fsync, a large cache) while it is open."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _pragmas(conn, "synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY")
        try:
            yield conn
        finally:
            if sqlite:
                _pragmas(conn, "synchronous=NORMAL", "cache_size=-2000", "temp_store=DEFAULT")


def _pragmas(conn: Connection, *settings: str) -> None:
    # On the DBAPI connection, outside any transaction: some pragmas are ignored inside one.
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    for setting in settings:
        cursor.execute(f"PRAGMA {setting}")
    cursor.close()


class Progress:
    """Rows inserted so far, and the rate, reported to stderr."""

    def __init__(self, total_events: int, quiet: bool) -> None:
        self.total, self.quiet, self.started = total_events, quiet, time.perf_counter()
        self.counts: Counter[str] = Counter()

    def insert(self, conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
        """Insert each table's rows (in dependency order) with one executemany."""
        for table in TABLES:
            if rows.get(table):
                conn.execute(insert(metadata.tables[table]), rows[table])
                self.counts[table] += len(rows[table])

    def report(self, label: str = "") -> None:
        """One progress line."""
        if self.quiet:
            return
        total, elapsed = self.counts.total(), time.perf_counter() - self.started
        print(
            f"synthetic: {self.counts['event']:,}/{self.total:,} events, {total:,} rows, "
            f"{elapsed:.1f} s, {total / max(elapsed, 1e-9):,.0f} rows/s{label}",
            file=sys.stderr,
        )


def generate(
    engine: Engine, options: Options, *, quiet: bool = False, progress: Progress | None = None
) -> Counter[str]:
    """Generate and insert everything; return the number of rows inserted per table."""
    check_ready(engine)
    world, progress = World(options), progress or Progress(options.events, quiet)
    with bulk_connection(engine) as conn:
        with conn.begin():
            progress.insert(conn, world.participants())
            progress.insert(conn, {"source": world.sources()})
        progress.report()
        for first in range(1, options.events + 1, options.batch):
            stop = min(first + options.batch, options.events + 1)
            rows, drafts = world.events(first, stop)
            claims = (_claims_before(first, options), _claims_before(stop, options))
            rows |= world.claims(*claims, drafts) if claims[1] > claims[0] else {}
            with conn.begin():
                progress.insert(conn, rows)
            progress.report()
        with conn.begin():
            event_tally.fold(conn)
            participant_pairs.fold(conn)
        analyzed = time.perf_counter()
        with conn.begin():
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("ANALYZE")
            else:
                for table in TABLES:
                    conn.exec_driver_sql(f'ANALYZE "{table}"')
        for vacuum in (event_tally.vacuum, participant_pairs.vacuum):
            vacuum(conn)
            # Ends the transaction the vacuum (in autocommit) began, so the next may set its level.
            conn.rollback()
        progress.report(f" (ANALYZE {time.perf_counter() - analyzed:.1f} s)")
    return progress.counts


def _claims_before(event: int, options: Options) -> int:
    """The number of the first claim of event `event`: claims are spread evenly over events."""
    return int((event - 1) * options.claims_per_event) + 1


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m seed.synthetic",
        description=(
            "Fill a migrated database (`alembic upgrade head`) with deterministic synthetic "
            "participants, sources, events and claims for benchmarks. Refuses a database that "
            "already holds synthetic records (slugs syn-*): there is no append; use a fresh one."
        ),
    )
    parser.add_argument("--events", type=int, required=True, help="events to generate")
    parser.add_argument(
        "--participants", type=int, help="participants (default: events / 20, at least 100)"
    )
    parser.add_argument(
        "--claims-per-event", type=float, default=0.5, help="claims per event (default 0.5)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
    parser.add_argument("--batch", type=int, default=5000, help="events per transaction")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if args.events < 1 or args.batch < 1 or args.claims_per_event < 0:
        parser.error("--events and --batch must be positive, --claims-per-event not negative")
    if args.participants is not None and args.participants < 1:
        parser.error("--participants must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator from the command line; 1 when the database is not ready."""
    args = parse_args(argv)
    options = Options(
        events=args.events,
        participants=args.participants or max(100, args.events // 20),
        claims_per_event=args.claims_per_event,
        seed=args.seed,
        batch=args.batch,
    )
    engine = build_engine(args.database_url or get_settings().database_url)
    try:
        counts = generate(engine, options, quiet=args.quiet)
    except NotReady as exc:
        print(f"synthetic: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print("synthetic: inserted " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
