"""Every index a SQLite hint names is a constant of app.models and exists at head."""

import re
from pathlib import Path

from sqlalchemy import Index, text
from sqlmodel import Session

from app import models
from app.query import lists
from app.services import linked_pages

SERVICES = Path(models.__file__).parent / "services"
HINTED = {name: value for name, value in vars(models).items() if name.startswith("IX_")}


def model_indexes() -> dict[str, Index]:
    """Index name -> its definition, over every table of the metadata."""
    return {str(i.name): i for table in models.metadata.tables.values() for i in table.indexes}


def test_every_constant_names_an_index_of_the_models() -> None:
    assert len(HINTED) == 12
    indexes = model_indexes()
    assert {value: value in indexes for value in HINTED.values()} == dict.fromkeys(
        HINTED.values(), True
    )
    assert all(name == value.upper() for name, value in HINTED.items())


def test_hint_sites_name_indexes_by_constant() -> None:
    named = [
        *lists.EVENTS.sort_indexes.values(),
        *lists.CLAIMS.sort_indexes.values(),
        *linked_pages.EVENTS.indexes.values(),
        *linked_pages.CLAIMS.indexes.values(),
    ]
    assert set(named) <= set(HINTED.values())
    # No hint spells an index name out: each goes through a constant.
    literal = re.compile(r"""["']ix_[a-z0-9_]+["']|INDEXED BY ix_""")
    spelled = {p.name: literal.findall(p.read_text()) for p in SERVICES.glob("*.py")}
    assert {name: found for name, found in spelled.items() if found} == {}


# Each engine's catalogue of indexes: name and table.
_STORED_INDEXES = {
    "sqlite": "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'",
    "postgresql": "SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema()",
}


def test_every_hinted_index_exists_at_head(session: Session) -> None:
    # The hints are SQLite's (INDEXED BY), but the indexes they name serve both engines.
    connection = session.connection()
    rows = connection.execute(text(_STORED_INDEXES[connection.dialect.name]))
    stored = {str(row[0]): str(row[1]) for row in rows}
    indexes = model_indexes()
    wanted = {value: str(indexes[value].table.name) for value in HINTED.values()}  # type: ignore[union-attr]
    assert {name: stored.get(name) for name in wanted} == wanted
