"""History: revisions of every record, tombstones of deleted ones, the change clock

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("resource", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=True),
        sa.Column("operation", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
        sa.UniqueConstraint(
            "resource", "record_id", "version", name=op.f("uq_revision_resource_record_id_version")
        ),
    )
    op.create_index(op.f("ix_revision_seq"), "revision", ["seq"], unique=True)
    op.create_index(op.f("ix_revision_record_id"), "revision", ["record_id"])
    op.create_index("ix_revision_resource_seq", "revision", ["resource", "seq"])
    op.create_table(
        "change_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_clock")),
    )
    op.execute("INSERT INTO change_clock (id, last) VALUES (1, 0)")
    op.create_table(
        "tombstone",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("resource", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_by", sa.Uuid(), nullable=True),
        sa.Column("purged", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_tombstone")),
    )
    op.create_index(op.f("ix_tombstone_slug"), "tombstone", ["slug"], unique=True)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_tombstone_slug"), table_name="tombstone")
    op.drop_table("tombstone")
    op.drop_table("change_clock")
    op.drop_index("ix_revision_resource_seq", table_name="revision")
    op.drop_index(op.f("ix_revision_record_id"), table_name="revision")
    op.drop_index(op.f("ix_revision_seq"), table_name="revision")
    op.drop_table("revision")
