"""key audit trail, bootstrap keys, server secrets, short key prefixes

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-30 14:30:00.000000

Downgrade drops the audit trail and the server secrets (cursors signed with a generated
secret stop working), and cannot give back the characters the prefixes no longer show.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The name 0002's startup code gave the key it made from GEOEVENTS_ADMIN_KEY.
BOOTSTRAP_NAME = "bootstrap admin"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("bootstrap", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "key_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_key.id"], name=op.f("fk_key_event_key_id_api_key")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_event")),
    )
    with op.batch_alter_table("key_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_event_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_key_event_key_id"), ["key_id"], unique=False)
    op.create_table(
        "server_secret",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_secret")),
    )
    _backfill()


def _backfill() -> None:
    """Mark the existing bootstrap key, shorten prefixes, and audit what is already known."""
    op.execute(
        sa.text(
            "UPDATE api_key SET bootstrap = true WHERE name = :name AND created_by IS NULL"
        ).bindparams(name=BOOTSTRAP_NAME)
    )
    # Generated keys show `ge_` and 4 characters, any other key its first 4.
    generated = "prefix LIKE 'ge\\_%' ESCAPE '\\'"
    op.execute(f"UPDATE api_key SET prefix = substr(prefix, 1, 7) WHERE {generated}")
    op.execute(f"UPDATE api_key SET prefix = substr(prefix, 1, 4) WHERE NOT ({generated})")
    keys = sa.table(
        "api_key",
        sa.column("id", sa.Uuid()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("created_by", sa.Uuid()),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
        sa.column("bootstrap", sa.Boolean()),
    )
    found = op.get_bind().execute(sa.select(keys)).all()
    events = [
        _event(
            row.id,
            "created",
            row.created_by,
            "startup" if row.bootstrap else "unknown",
            row.created_at,
        )
        for row in found
    ] + [
        _event(row.id, "revoked", None, "unknown", row.revoked_at)
        for row in found
        if row.revoked_at
    ]
    if events:
        op.bulk_insert(
            sa.table(
                "key_event",
                sa.column("id", sa.Uuid()),
                sa.column("key_id", sa.Uuid()),
                sa.column("action", sa.String()),
                sa.column("actor_id", sa.Uuid()),
                sa.column("via", sa.String()),
                sa.column("created_at", sa.DateTime(timezone=True)),
            ),
            events,
        )


def _event(key_id: object, action: str, actor: object, via: str, at: object) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "key_id": key_id,
        "action": action,
        "actor_id": actor,
        "via": via,
        "created_at": at,
    }


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("server_secret")
    with op.batch_alter_table("key_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_event_key_id"))
        batch_op.drop_index(batch_op.f("ix_key_event_created_at"))
    op.drop_table("key_event")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("bootstrap")
