"""Indexes for a participant's claims in date order and for counts of events by date

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


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_event_country_bounds", table_name="event")
    op.create_index("ix_event_start_earliest", "event", ["start_earliest"])
    op.drop_index("ix_event_start_bounds", table_name="event")
    op.create_index("ix_claim_claimant_id", "claim", ["claimant_id"])
    op.drop_index("ix_claim_claimant_stated", table_name="claim")
