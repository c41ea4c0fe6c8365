"""Indexes: a participant's claims in date order, its links with their roles, counts by date

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 06:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LINK_INDEXES = {
    "ix_event_participant_participant_created": ["participant_id", "event_created_at", "event_id"],
    "ix_event_participant_participant_start": ["participant_id", "event_start_sort", "event_id"],
}


def upgrade() -> None:
    """Apply this revision."""
    # A participant's timeline reads the claims it made in date order; the new index serves
    # the claimant filter (and the foreign key) as the single-column one did.
    op.create_index("ix_claim_claimant_stated", "claim", ["claimant_id", "stated_sort", "id"])
    op.drop_index("ix_claim_claimant_id", table_name="claim")
    # Counts by month or year read the stored bounds of the matches from an index, grouped
    # already: for all events, and for one country. The first replaces the index on
    # start_earliest alone, which it serves as well.
    op.create_index("ix_event_start_bounds", "event", ["start_earliest", "start_latest"])
    op.drop_index("ix_event_start_earliest", table_name="event")
    op.create_index(
        "ix_event_country_bounds", "event", ["location_country", "start_earliest", "start_latest"]
    )
    # A participant's links read in order carry their role, so that a walk filtered by role,
    # and a network's read of the links, need not visit the table.
    for name, columns in _LINK_INDEXES.items():
        op.drop_index(name, table_name="event_participant")
        op.create_index(name, "event_participant", [*columns, "role"])
    _analyze(["ix_claim_claimant_stated", "ix_event_start_bounds", "ix_event_country_bounds"])


def _analyze(indexes: list[str]) -> None:
    # SQLite plans by the statistics ANALYZE left (seed.synthetic leaves them): without any
    # for a new index, a large database could plan around it.
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        for name in [*indexes, *_LINK_INDEXES]:
            op.execute(f"ANALYZE {name}")


def downgrade() -> None:
    """Revert this revision."""
    for name, columns in _LINK_INDEXES.items():
        op.drop_index(name, table_name="event_participant")
        op.create_index(name, "event_participant", columns)
    op.drop_index("ix_event_country_bounds", table_name="event")
    op.create_index("ix_event_start_earliest", "event", ["start_earliest"])
    op.drop_index("ix_event_start_bounds", table_name="event")
    op.create_index("ix_claim_claimant_id", "claim", ["claimant_id"])
    op.drop_index("ix_claim_claimant_stated", table_name="claim")
