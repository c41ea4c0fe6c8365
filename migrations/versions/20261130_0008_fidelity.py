"""Fidelity: provenance of roles, events and links; verified appearances; role title keys

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 14:00:00.000000
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain ADD/DROP COLUMN, never a batch: a batch recreates event_participant on SQLite and
# would drop its triggers (revision 0004).
_CITED = ("participant_role", "event", "event_participant")


def upgrade() -> None:
    """Apply this revision."""
    for table in _CITED:
        op.add_column(
            table,
            sa.Column("provenance", sa.String(16), nullable=False, server_default="stated"),
        )
        op.add_column(table, sa.Column("provenance_basis", sa.String(1000), nullable=True))
    # A role that cites no source is background knowledge, not a stated fact.
    op.execute("UPDATE participant_role SET provenance = 'background' WHERE source_id IS NULL")
    op.add_column(
        "participant_role", sa.Column("aliases", sa.JSON(), nullable=False, server_default="[]")
    )
    op.create_table(
        "role_title_key",
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["participant_role.id"],
            name="fk_role_title_key_role_id_participant_role",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", "key", name="pk_role_title_key"),
    )
    op.create_index("ix_role_title_key_key", "role_title_key", ["key"])
    _fill_title_keys()
    op.add_column(
        "appearance",
        sa.Column("verification", sa.String(16), nullable=False, server_default="unverified"),
    )
    op.add_column("appearance", sa.Column("verified_sha256", sa.String(64), nullable=True))
    # Quotes on a source with stored text were checked against it when they were written.
    op.execute(
        "UPDATE appearance SET verification = 'verified', verified_sha256 = "
        "(SELECT source.sha256 FROM source WHERE source.id = appearance.source_id) "
        "WHERE source_id IN (SELECT id FROM source WHERE text IS NOT NULL)"
    )
    op.create_index(
        "ix_event_status_change_event_as_of", "event_status_change", ["event_id", "as_of_latest"]
    )


def _fill_title_keys() -> None:
    # The same key as app.services.roles.title_key, written out: a migration stays as it was.
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, title FROM participant_role")).all()
    values = [
        {"role_id": row_id, "key": re.sub(r"\s+", " ", title).strip().casefold()}
        for row_id, title in rows
    ]
    if values:
        # The ids go back as the driver read them (untyped), in either engine's own form.
        insert = sa.text("INSERT INTO role_title_key (role_id, key) VALUES (:role_id, :key)")
        bind.execute(insert, values)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_event_status_change_event_as_of", table_name="event_status_change")
    op.drop_column("appearance", "verified_sha256")
    op.drop_column("appearance", "verification")
    op.drop_index("ix_role_title_key_key", table_name="role_title_key")
    op.drop_table("role_title_key")
    op.drop_column("participant_role", "aliases")
    for table in _CITED:
        op.drop_column(table, "provenance_basis")
        op.drop_column(table, "provenance")
