"""Sort keys, list indexes and full-text search (SQLite FTS5, PostgreSQL tsvector + GIN)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 00:49:10.986262
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    _add_sort_keys_and_indexes()
    op.execute("UPDATE event SET start_sort = COALESCE(start_earliest, start_latest, start_sort)")
    op.execute(
        "UPDATE claim SET stated_sort = COALESCE(stated_earliest, stated_latest, stated_sort)"
    )
    if op.get_bind().dialect.name == "sqlite":
        _execute(SQLITE_UP)
    else:
        _execute(POSTGRESQL_UP)


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == "sqlite":
        _execute(SQLITE_DOWN)
    else:
        _execute(POSTGRESQL_DOWN)
    _drop_sort_keys_and_indexes()


def _execute(script: str) -> None:
    for statement in script.split(";;"):
        if statement.strip():
            op.execute(statement)


def _add_sort_keys_and_indexes() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stated_sort", sa.Date(), server_default="0001-01-01", nullable=False)
        )
        batch_op.create_index("ix_claim_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_claim_stated_sort_id", ["stated_sort", "id"], unique=False)
        batch_op.create_index("ix_claim_updated_at_id", ["updated_at", "id"], unique=False)

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("start_sort", sa.Date(), server_default="0001-01-01", nullable=False)
        )
        batch_op.create_index(
            "ix_event_country_start", ["location_country", "start_sort", "id"], unique=False
        )
        batch_op.create_index("ix_event_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_event_start_sort_id", ["start_sort", "id"], unique=False)
        batch_op.create_index("ix_event_title_id", ["title", "id"], unique=False)
        batch_op.create_index(
            "ix_event_type_start", ["event_type", "start_sort", "id"], unique=False
        )
        batch_op.create_index("ix_event_updated_at_id", ["updated_at", "id"], unique=False)
        batch_op.create_index("ix_event_lat_lon", ["location_lat", "location_lon"], unique=False)

    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_participant_participant_event", ["participant_id", "event_id"], unique=False
        )

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index("ix_participant_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_participant_name_id", ["name", "id"], unique=False)
        batch_op.create_index("ix_participant_updated_at_id", ["updated_at", "id"], unique=False)


def _drop_sort_keys_and_indexes() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index("ix_participant_updated_at_id")
        batch_op.drop_index("ix_participant_name_id")
        batch_op.drop_index("ix_participant_created_at_id")

    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.drop_index("ix_event_participant_participant_event")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_lat_lon")
        batch_op.drop_index("ix_event_updated_at_id")
        batch_op.drop_index("ix_event_type_start")
        batch_op.drop_index("ix_event_title_id")
        batch_op.drop_index("ix_event_start_sort_id")
        batch_op.drop_index("ix_event_created_at_id")
        batch_op.drop_index("ix_event_country_start")
        batch_op.drop_column("start_sort")

    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_updated_at_id")
        batch_op.drop_index("ix_claim_stated_sort_id")
        batch_op.drop_index("ix_claim_created_at_id")
        batch_op.drop_column("stated_sort")


# SQLite: one FTS5 table per searchable resource. FTS rowids come from a key table with an
# INTEGER PRIMARY KEY, because the implicit rowid of a table keyed by UUID may change on VACUUM.
# Statements are separated by ";;" since trigger bodies contain ";".
SQLITE_UP = """
CREATE TABLE event_fts_key (key INTEGER PRIMARY KEY, event_id CHAR(32) NOT NULL UNIQUE);;
CREATE VIRTUAL TABLE event_fts USING fts5(title, summary, tokenize = 'porter unicode61');;
CREATE TRIGGER event_fts_insert AFTER INSERT ON event BEGIN
  INSERT INTO event_fts_key (event_id) VALUES (new.id);
  INSERT INTO event_fts (rowid, title, summary)
  VALUES (last_insert_rowid(), new.title, new.summary);
END;;
CREATE TRIGGER event_fts_update AFTER UPDATE OF title, summary ON event BEGIN
  UPDATE event_fts SET title = new.title, summary = new.summary
  WHERE rowid = (SELECT key FROM event_fts_key WHERE event_id = new.id);
END;;
CREATE TRIGGER event_fts_delete AFTER DELETE ON event BEGIN
  DELETE FROM event_fts WHERE rowid = (SELECT key FROM event_fts_key WHERE event_id = old.id);
  DELETE FROM event_fts_key WHERE event_id = old.id;
END;;
INSERT INTO event_fts_key (event_id) SELECT id FROM event;;
INSERT INTO event_fts (rowid, title, summary)
  SELECT k.key, e.title, e.summary FROM event e JOIN event_fts_key k ON k.event_id = e.id;;

CREATE TABLE participant_fts_key (
  key INTEGER PRIMARY KEY, participant_id CHAR(32) NOT NULL UNIQUE
);;
CREATE VIRTUAL TABLE participant_fts USING fts5(
  name, aliases, tokenize = 'unicode61 remove_diacritics 2'
);;
CREATE TRIGGER participant_fts_insert AFTER INSERT ON participant BEGIN
  INSERT INTO participant_fts_key (participant_id) VALUES (new.id);
  INSERT INTO participant_fts (rowid, name, aliases)
  VALUES (last_insert_rowid(), new.name, new.aliases);
END;;
CREATE TRIGGER participant_fts_update AFTER UPDATE OF name, aliases ON participant BEGIN
  UPDATE participant_fts SET name = new.name, aliases = new.aliases
  WHERE rowid = (SELECT key FROM participant_fts_key WHERE participant_id = new.id);
END;;
CREATE TRIGGER participant_fts_delete AFTER DELETE ON participant BEGIN
  DELETE FROM participant_fts
  WHERE rowid = (SELECT key FROM participant_fts_key WHERE participant_id = old.id);
  DELETE FROM participant_fts_key WHERE participant_id = old.id;
END;;
INSERT INTO participant_fts_key (participant_id) SELECT id FROM participant;;
INSERT INTO participant_fts (rowid, name, aliases)
  SELECT k.key, p.name, p.aliases
  FROM participant p JOIN participant_fts_key k ON k.participant_id = p.id;;

CREATE TABLE claim_fts_key (key INTEGER PRIMARY KEY, claim_id CHAR(32) NOT NULL UNIQUE);;
CREATE VIRTUAL TABLE claim_fts USING fts5(text, quotes, tokenize = 'porter unicode61');;
CREATE TRIGGER claim_fts_insert AFTER INSERT ON claim BEGIN
  INSERT INTO claim_fts_key (claim_id) VALUES (new.id);
  INSERT INTO claim_fts (rowid, text, quotes) VALUES (last_insert_rowid(), new.text, '');
END;;
CREATE TRIGGER claim_fts_update AFTER UPDATE OF text ON claim BEGIN
  UPDATE claim_fts SET text = new.text
  WHERE rowid = (SELECT key FROM claim_fts_key WHERE claim_id = new.id);
END;;
CREATE TRIGGER claim_fts_delete AFTER DELETE ON claim BEGIN
  DELETE FROM claim_fts WHERE rowid = (SELECT key FROM claim_fts_key WHERE claim_id = old.id);
  DELETE FROM claim_fts_key WHERE claim_id = old.id;
END;;
CREATE TRIGGER claim_fts_quotes_insert AFTER INSERT ON appearance BEGIN
  UPDATE claim_fts SET quotes = (
    SELECT coalesce(group_concat(quote, ' '), '') FROM appearance WHERE claim_id = new.claim_id
  ) WHERE rowid = (SELECT key FROM claim_fts_key WHERE claim_id = new.claim_id);
END;;
CREATE TRIGGER claim_fts_quotes_update AFTER UPDATE OF quote, claim_id ON appearance BEGIN
  UPDATE claim_fts SET quotes = (
    SELECT coalesce(group_concat(quote, ' '), '') FROM appearance WHERE claim_id = old.claim_id
  ) WHERE rowid = (SELECT key FROM claim_fts_key WHERE claim_id = old.claim_id);
  UPDATE claim_fts SET quotes = (
    SELECT coalesce(group_concat(quote, ' '), '') FROM appearance WHERE claim_id = new.claim_id
  ) WHERE rowid = (SELECT key FROM claim_fts_key WHERE claim_id = new.claim_id);
END;;
CREATE TRIGGER claim_fts_quotes_delete AFTER DELETE ON appearance BEGIN
  UPDATE claim_fts SET quotes = (
    SELECT coalesce(group_concat(quote, ' '), '') FROM appearance WHERE claim_id = old.claim_id
  ) WHERE rowid = (SELECT key FROM claim_fts_key WHERE claim_id = old.claim_id);
END;;
INSERT INTO claim_fts_key (claim_id) SELECT id FROM claim;;
INSERT INTO claim_fts (rowid, text, quotes)
  SELECT k.key, c.text,
    (SELECT coalesce(group_concat(a.quote, ' '), '') FROM appearance a WHERE a.claim_id = c.id)
  FROM claim c JOIN claim_fts_key k ON k.claim_id = c.id
"""

SQLITE_DOWN = """
DROP TRIGGER claim_fts_quotes_delete;;
DROP TRIGGER claim_fts_quotes_update;;
DROP TRIGGER claim_fts_quotes_insert;;
DROP TRIGGER claim_fts_delete;;
DROP TRIGGER claim_fts_update;;
DROP TRIGGER claim_fts_insert;;
DROP TABLE claim_fts;;
DROP TABLE claim_fts_key;;
DROP TRIGGER participant_fts_delete;;
DROP TRIGGER participant_fts_update;;
DROP TRIGGER participant_fts_insert;;
DROP TABLE participant_fts;;
DROP TABLE participant_fts_key;;
DROP TRIGGER event_fts_delete;;
DROP TRIGGER event_fts_update;;
DROP TRIGGER event_fts_insert;;
DROP TABLE event_fts;;
DROP TABLE event_fts_key
"""

# PostgreSQL: a weighted tsvector per row (generated where it depends on the row alone),
# indexed with GIN. A claim's vector also covers the quotes of its appearances.
POSTGRESQL_UP = """
ALTER TABLE event ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english', coalesce(title, '')), 'A')
  || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
) STORED;;
CREATE INDEX ix_event_search ON event USING gin (search);;
ALTER TABLE participant ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple', coalesce(name, '')), 'A')
  || setweight(to_tsvector('simple', coalesce(aliases::text, '')), 'B')
) STORED;;
CREATE INDEX ix_participant_search ON participant USING gin (search);;
ALTER TABLE claim ADD COLUMN search tsvector;;
CREATE INDEX ix_claim_search ON claim USING gin (search);;
CREATE FUNCTION claim_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search := setweight(to_tsvector('english', coalesce(NEW.text, '')), 'A')
    || setweight(to_tsvector('english', coalesce(
      (SELECT string_agg(quote, ' ') FROM appearance WHERE claim_id = NEW.id), '')), 'B');
  RETURN NEW;
END $$;;
CREATE TRIGGER claim_search_vector BEFORE INSERT OR UPDATE OF text ON claim
  FOR EACH ROW EXECUTE FUNCTION claim_search_vector();;
CREATE FUNCTION appearance_claim_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE claim SET text = text WHERE id = OLD.claim_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE claim SET text = text WHERE id = NEW.claim_id;
  END IF;
  RETURN NULL;
END $$;;
CREATE TRIGGER appearance_claim_search AFTER INSERT OR DELETE OR UPDATE OF quote, claim_id
  ON appearance FOR EACH ROW EXECUTE FUNCTION appearance_claim_search();;
UPDATE claim SET text = text
"""

POSTGRESQL_DOWN = """
DROP TRIGGER appearance_claim_search ON appearance;;
DROP FUNCTION appearance_claim_search();;
DROP TRIGGER claim_search_vector ON claim;;
DROP FUNCTION claim_search_vector();;
DROP INDEX ix_claim_search;;
ALTER TABLE claim DROP COLUMN search;;
DROP INDEX ix_participant_search;;
ALTER TABLE participant DROP COLUMN search;;
DROP INDEX ix_event_search;;
ALTER TABLE event DROP COLUMN search
"""
