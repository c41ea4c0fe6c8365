"""The benchmark's data sets: made once with `seed.synthetic`, reused, and sampled for requests."""

import collections
import hashlib
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from app.services.search import STOP_WORDS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/")
SEED = 42


@dataclass(frozen=True)
class Dataset:
    """One engine holding one size of synthetic data."""

    engine: str
    size: int

    @property
    def label(self) -> str:
        """Short name, e.g. sqlite-100000."""
        return f"{self.engine}-{self.size}"

    @property
    def path(self) -> Path:
        """The SQLite file (SQLite only)."""
        return DATA / f"{self.label}.db"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the data set."""
        if self.engine == "sqlite":
            return f"sqlite:///{self.path}"
        return f"{POSTGRES_SERVER}geoevents_bench_{self.size}"

    @property
    def generator_args(self) -> str:
        """The arguments the data set is made with."""
        return f"--events {self.size} --seed {SEED}"

    @property
    def marker(self) -> str:
        """Written when the data set is complete: the arguments and the generator's version."""
        source = (ROOT / "seed" / "synthetic.py").read_bytes()
        return f"{self.generator_args} generator={hashlib.sha256(source).hexdigest()[:12]}"


def _marker(dataset: Dataset) -> str | None:
    if dataset.engine == "sqlite" and not dataset.path.exists():
        return None
    try:
        engine = create_engine(dataset.url)
        with engine.connect() as conn:
            value = conn.execute(text("SELECT args FROM bench_dataset")).scalar()
        engine.dispose()
    except Exception:  # a missing database or table alike means "make it"
        return None
    return None if value is None else str(value)


def _recreate(dataset: Dataset) -> None:
    if dataset.engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{dataset.path}{suffix}").unlink(missing_ok=True)
        return
    server = create_engine(f"{POSTGRES_SERVER}postgres", isolation_level="AUTOCOMMIT")
    name = dataset.url.rsplit("/", 1)[1]
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()


def ensure(dataset: Dataset) -> None:
    """Make the data set unless a complete one with the same arguments exists."""
    if _marker(dataset) == dataset.marker:
        print(f"[data] {dataset.label}: reusing", flush=True)
        # Data made before a newer migration gets its columns and indexes.
        _migrate(dataset)
        return
    DATA.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    _recreate(dataset)
    _migrate(dataset)
    env = {**os.environ, "DATABASE_URL": dataset.url}
    command = [sys.executable, "-m", "seed.synthetic", *dataset.generator_args.split()]
    subprocess.run([*command, "--database-url", dataset.url], cwd=ROOT, env=env, check=True)
    engine = create_engine(dataset.url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_dataset (args TEXT NOT NULL)"))
        conn.execute(text("INSERT INTO bench_dataset VALUES (:a)"), {"a": dataset.marker})
    engine.dispose()
    settle(dataset)
    print(f"[data] {dataset.label}: made in {time.monotonic() - started:.0f} s", flush=True)


def _migrate(dataset: Dataset) -> None:
    env = {**os.environ, "DATABASE_URL": dataset.url}
    alembic = str(Path(sys.executable).parent / "alembic")
    subprocess.run([alembic, "upgrade", "head"], cwd=ROOT, env=env, check=True)


def settle(dataset: Dataset) -> None:
    """Remove rows the benchmark's POSTs added; fold the WAL so readers see one file; on
    PostgreSQL, vacuum and analyze every table, as autovacuum leaves a settled database (the
    visibility map lets both servers' index-only scans skip the table)."""
    if dataset.engine == "sqlite":
        db = sqlite3.connect(dataset.path, isolation_level=None)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("DELETE FROM event WHERE slug LIKE 'bench-%'")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        return
    engine = create_engine(dataset.url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM event WHERE slug LIKE 'bench-%'"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


@dataclass
class Samples:
    """Rows and filters drawn once per data set, the same for every server."""

    event_ids: list[str]
    filters: list[dict[str, str]]
    words: list[str]
    countries: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def _uuid(value: Any) -> str:
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def draw(dataset: Dataset, events: int = 1000, filters: int = 20, words: int = 20) -> Samples:
    """Event ids, list filters and search words picked from the data set itself."""
    rng = random.Random(7)
    engine = create_engine(dataset.url)
    with engine.connect() as conn:
        counts = {
            name: int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
            for name in ("event", "participant", "event_participant", "claim", "appearance")
        }
        numbers = rng.sample(range(1, counts["event"] + 1), min(events, counts["event"]))
        slugs = [f"syn-event-{n:06d}" for n in numbers]
        found: dict[str, Any] = dict(
            conn.execute(
                text("SELECT slug, id FROM event WHERE slug IN (" + _params(slugs) + ")"),
                {f"p{i}": s for i, s in enumerate(slugs)},
            ).all()
        )
        ids = [_uuid(found[s]) for s in slugs if s in found]
        # Participants across the whole range of activity, from the busiest (a state in a
        # fifth of all events) down to one in 20 events: not only the worst case.
        active = list(
            conn.execute(
                text(
                    "SELECT participant_id FROM event_participant GROUP BY participant_id "
                    "HAVING count(*) >= 20 ORDER BY count(*) DESC, participant_id"
                )
            ).scalars()
        )
        step = max(1, len(active) // filters)
        chosen = []
        for participant in active[::step][:filters]:
            country = conn.execute(
                text(
                    "SELECT e.location_country FROM event e JOIN event_participant ep "
                    "ON ep.event_id = e.id WHERE ep.participant_id = :p "
                    "AND e.location_country IS NOT NULL GROUP BY e.location_country "
                    "ORDER BY count(*) DESC, e.location_country LIMIT 1"
                ),
                {"p": participant},
            ).scalar()
            if country:
                chosen.append(
                    {
                        "country": str(country),
                        "start_after": "2015-01-01",
                        "start_before": "2019-12-31",
                        "participant": _uuid(participant),
                    }
                )
        countries = list(
            conn.execute(
                text(
                    "SELECT location_country FROM event WHERE location_country IS NOT NULL "
                    "GROUP BY location_country ORDER BY count(*) DESC LIMIT 10"
                )
            ).scalars()
        )
        texts = conn.execute(text("SELECT text FROM claim ORDER BY slug LIMIT 3000")).scalars()
        frequency = collections.Counter(
            w
            for t in texts
            for w in set(re.findall(r"[a-z]{6,}", str(t).lower()))
            if w not in STOP_WORDS
        )
    engine.dispose()
    # Skip the very commonest words: a search for a word in every claim says little.
    picked = [w for w, _ in frequency.most_common(words + 3)[3:]]
    return Samples(ids, chosen, picked, [str(c) for c in countries], counts)


def _params(values: list[str]) -> str:
    return ",".join(f":p{i}" for i in range(len(values)))
