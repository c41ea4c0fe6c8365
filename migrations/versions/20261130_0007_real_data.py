"""Real data: event identifiers, measures and cited sources; shared classification codes

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-30 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (column, type, indexed)
_MEASURES: tuple[tuple[str, type[sa.Float] | type[sa.Integer], bool], ...] = (
    ("goldstein", sa.Float, True),
    ("quad_class", sa.Integer, True),
    ("tone", sa.Float, False),
    ("num_mentions", sa.Integer, True),
    ("num_sources", sa.Integer, False),
    ("num_articles", sa.Integer, False),
    ("fatalities", sa.Integer, True),
)
# As app.models.CLASSIFICATION_SCHEMES when this revision was written.
_IDENTITY_ONLY = "scheme NOT IN ('cameo')"


def upgrade() -> None:
    """Apply this revision."""
    for name, kind, indexed in _MEASURES:
        op.add_column("event", sa.Column(name, kind(), nullable=True))
        if indexed:
            op.create_index(f"ix_event_{name}", "event", [name, "id"])
    op.add_column("source", sa.Column("citation", sa.String(length=1000), nullable=True))
    op.create_table(
        "event_identifier",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_identifier_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "scheme", name=op.f("pk_event_identifier")),
        sa.UniqueConstraint("scheme", "value", name=op.f("uq_event_identifier_scheme_value")),
    )
    op.create_table(
        "event_source",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("locator", sa.String(length=500), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_source_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_event_source_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("event_id", "source_id", name=op.f("pk_event_source")),
    )
    op.create_index("ix_event_source_source_id", "event_source", ["source_id"])
    # A CAMEO actor code is shared by many participants; identities (wikidata, ...) stay unique.
    with op.batch_alter_table("participant_identifier") as batch_op:
        batch_op.drop_constraint("uq_participant_identifier_scheme_value", type_="unique")
    op.create_index(
        "ix_participant_identifier_scheme_value", "participant_identifier", ["scheme", "value"]
    )
    op.create_index(
        "uq_participant_identifier_identity",
        "participant_identifier",
        ["scheme", "value"],
        unique=True,
        sqlite_where=sa.text(_IDENTITY_ONLY),
        postgresql_where=sa.text(_IDENTITY_ONLY),
    )


def downgrade() -> None:
    """Revert this revision; fails while participants share a classification code."""
    op.drop_index("uq_participant_identifier_identity", table_name="participant_identifier")
    op.drop_index("ix_participant_identifier_scheme_value", table_name="participant_identifier")
    with op.batch_alter_table("participant_identifier") as batch_op:
        batch_op.create_unique_constraint(
            "uq_participant_identifier_scheme_value", ["scheme", "value"]
        )
    op.drop_index("ix_event_source_source_id", table_name="event_source")
    op.drop_table("event_source")
    op.drop_table("event_identifier")
    op.drop_column("source", "citation")
    for name, _kind, indexed in reversed(_MEASURES):
        if indexed:
            op.drop_index(f"ix_event_{name}", table_name="event")
        op.drop_column("event", name)
