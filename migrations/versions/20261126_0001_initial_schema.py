"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 00:22:59.355681
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("cameo_code", sa.String(length=4), nullable=True),
        sa.Column("plover_type", sa.String(length=32), nullable=True),
        sa.Column("start_edtf", sa.String(length=64), nullable=True),
        sa.Column("start_precision", sa.String(length=16), nullable=True),
        sa.Column("start_earliest", sa.Date(), nullable=True),
        sa.Column("start_latest", sa.Date(), nullable=True),
        sa.Column("end_edtf", sa.String(length=64), nullable=True),
        sa.Column("end_precision", sa.String(length=16), nullable=True),
        sa.Column("end_earliest", sa.Date(), nullable=True),
        sa.Column("end_latest", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_as_of_edtf", sa.String(length=64), nullable=True),
        sa.Column("status_as_of_precision", sa.String(length=16), nullable=True),
        sa.Column("status_as_of_earliest", sa.Date(), nullable=True),
        sa.Column("status_as_of_latest", sa.Date(), nullable=True),
        sa.Column("certainty", sa.String(length=32), nullable=False),
        sa.Column("location_name", sa.String(length=300), nullable=True),
        sa.Column("location_admin1", sa.String(length=300), nullable=True),
        sa.Column("location_country", sa.String(length=2), nullable=True),
        sa.Column("location_lat", sa.Float(), nullable=True),
        sa.Column("location_lon", sa.Float(), nullable=True),
        sa.Column("location_precision", sa.String(length=32), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["event.id"], name=op.f("fk_event_parent_id_event"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_cameo_code"), ["cameo_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_certainty"), ["certainty"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_end_latest"), ["end_latest"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_event_type"), ["event_type"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_location_country"), ["location_country"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_location_lat"), ["location_lat"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_slug"), ["slug"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_event_start_earliest"), ["start_earliest"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_start_latest"), ["start_latest"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "participant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant")),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_slug"), ["slug"], unique=True)
        batch_op.create_index(batch_op.f("ix_participant_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("author", sa.String(length=300), nullable=True),
        sa.Column("publisher", sa.String(length=300), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("published_edtf", sa.String(length=64), nullable=True),
        sa.Column("published_precision", sa.String(length=16), nullable=True),
        sa.Column("published_earliest", sa.Date(), nullable=True),
        sa.Column("published_latest", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("credits", sa.String(length=1000), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_source_published_earliest"), ["published_earliest"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_source_published_latest"), ["published_latest"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_source_slug"), ["slug"], unique=True)
        batch_op.create_index(batch_op.f("ix_source_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "event_participant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_participant_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_event_participant_participant_id_participant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_participant")),
        sa.UniqueConstraint(
            "event_id",
            "participant_id",
            "role",
            name=op.f("uq_event_participant_event_id_participant_id_role"),
        ),
    )
    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_participant_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_participant_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_participant_role"), ["role"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_participant_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "event_relation",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("related_event_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_relation_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_event_id"],
            ["event.id"],
            name=op.f("fk_event_relation_related_event_id_event"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "event_id", "relation", "related_event_id", name=op.f("pk_event_relation")
        ),
    )
    with op.batch_alter_table("event_relation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_relation_related_event_id"), ["related_event_id"], unique=False
        )

    op.create_table(
        "event_status_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("as_of_edtf", sa.String(length=64), nullable=True),
        sa.Column("as_of_precision", sa.String(length=16), nullable=True),
        sa.Column("as_of_earliest", sa.Date(), nullable=True),
        sa.Column("as_of_latest", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_status_change_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_status_change")),
    )
    with op.batch_alter_table("event_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_status_change_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "participant_identifier",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_participant_identifier_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", "scheme", name=op.f("pk_participant_identifier")),
        sa.UniqueConstraint("scheme", "value", name=op.f("uq_participant_identifier_scheme_value")),
    )
    op.create_table(
        "participant_role",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("start_edtf", sa.String(length=64), nullable=True),
        sa.Column("start_precision", sa.String(length=16), nullable=True),
        sa.Column("start_earliest", sa.Date(), nullable=True),
        sa.Column("start_latest", sa.Date(), nullable=True),
        sa.Column("end_edtf", sa.String(length=64), nullable=True),
        sa.Column("end_precision", sa.String(length=16), nullable=True),
        sa.Column("end_earliest", sa.Date(), nullable=True),
        sa.Column("end_latest", sa.Date(), nullable=True),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["participant.id"],
            name=op.f("fk_participant_role_organization_id_participant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_participant_role_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_participant_role_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_role")),
    )
    with op.batch_alter_table("participant_role", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_role_end_latest"), ["end_latest"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participant_role_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participant_role_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participant_role_source_id"), ["source_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participant_role_start_earliest"), ["start_earliest"], unique=False
        )
        batch_op.create_index(
            "ix_participant_role_title_bounds", ["title", "start_earliest"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participant_role_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "claim",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("claim_type", sa.String(length=32), nullable=False),
        sa.Column("claimant_id", sa.Uuid(), nullable=True),
        sa.Column("claimant_role_id", sa.Uuid(), nullable=True),
        sa.Column("claimant_role", sa.String(length=300), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("stated_edtf", sa.String(length=64), nullable=True),
        sa.Column("stated_precision", sa.String(length=16), nullable=True),
        sa.Column("stated_earliest", sa.Date(), nullable=True),
        sa.Column("stated_latest", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["claimant_id"],
            ["participant.id"],
            name=op.f("fk_claim_claimant_id_participant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["claimant_role_id"],
            ["participant_role.id"],
            name=op.f("fk_claim_claimant_role_id_participant_role"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_claim_event_id_event"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_claim_type"), ["claim_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_claimant_id"), ["claimant_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_claim_claimant_role_id"), ["claimant_role_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_claim_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_slug"), ["slug"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_claim_stated_earliest"), ["stated_earliest"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_claim_stated_latest"), ["stated_latest"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "appearance",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=True),
        sa.Column("char_end", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_appearance_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_appearance_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appearance")),
    )
    with op.batch_alter_table("appearance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appearance_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appearance_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appearance_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "claim_relation",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("related_claim_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_relation_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_relation_related_claim_id_claim"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "claim_id", "relation", "related_claim_id", name=op.f("pk_claim_relation")
        ),
    )
    with op.batch_alter_table("claim_relation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_relation_related_claim_id"), ["related_claim_id"], unique=False
        )

    op.create_table(
        "claim_subject",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_subject_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_claim_subject_event_id_event"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_claim_subject_participant_id_participant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_subject")),
        sa.UniqueConstraint(
            "claim_id",
            "participant_id",
            "event_id",
            name=op.f("uq_claim_subject_claim_id_participant_id_event_id"),
        ),
    )
    with op.batch_alter_table("claim_subject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_subject_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_subject_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_claim_subject_participant_id"), ["participant_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("claim_subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_subject_participant_id"))
        batch_op.drop_index(batch_op.f("ix_claim_subject_event_id"))
        batch_op.drop_index(batch_op.f("ix_claim_subject_claim_id"))

    op.drop_table("claim_subject")
    with op.batch_alter_table("claim_relation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_relation_related_claim_id"))

    op.drop_table("claim_relation")
    with op.batch_alter_table("appearance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appearance_updated_at"))
        batch_op.drop_index(batch_op.f("ix_appearance_source_id"))
        batch_op.drop_index(batch_op.f("ix_appearance_claim_id"))

    op.drop_table("appearance")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_updated_at"))
        batch_op.drop_index(batch_op.f("ix_claim_status"))
        batch_op.drop_index(batch_op.f("ix_claim_stated_latest"))
        batch_op.drop_index(batch_op.f("ix_claim_stated_earliest"))
        batch_op.drop_index(batch_op.f("ix_claim_slug"))
        batch_op.drop_index(batch_op.f("ix_claim_event_id"))
        batch_op.drop_index(batch_op.f("ix_claim_claimant_role_id"))
        batch_op.drop_index(batch_op.f("ix_claim_claimant_id"))
        batch_op.drop_index(batch_op.f("ix_claim_claim_type"))

    op.drop_table("claim")
    with op.batch_alter_table("participant_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_role_updated_at"))
        batch_op.drop_index("ix_participant_role_title_bounds")
        batch_op.drop_index(batch_op.f("ix_participant_role_start_earliest"))
        batch_op.drop_index(batch_op.f("ix_participant_role_source_id"))
        batch_op.drop_index(batch_op.f("ix_participant_role_participant_id"))
        batch_op.drop_index(batch_op.f("ix_participant_role_organization_id"))
        batch_op.drop_index(batch_op.f("ix_participant_role_end_latest"))

    op.drop_table("participant_role")
    op.drop_table("participant_identifier")
    with op.batch_alter_table("event_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_status_change_event_id"))

    op.drop_table("event_status_change")
    with op.batch_alter_table("event_relation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_relation_related_event_id"))

    op.drop_table("event_relation")
    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_participant_updated_at"))
        batch_op.drop_index(batch_op.f("ix_event_participant_role"))
        batch_op.drop_index(batch_op.f("ix_event_participant_participant_id"))
        batch_op.drop_index(batch_op.f("ix_event_participant_event_id"))

    op.drop_table("event_participant")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_updated_at"))
        batch_op.drop_index(batch_op.f("ix_source_slug"))
        batch_op.drop_index(batch_op.f("ix_source_published_latest"))
        batch_op.drop_index(batch_op.f("ix_source_published_earliest"))
        batch_op.drop_index(batch_op.f("ix_source_kind"))

    op.drop_table("source")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_updated_at"))
        batch_op.drop_index(batch_op.f("ix_participant_slug"))
        batch_op.drop_index(batch_op.f("ix_participant_name"))
        batch_op.drop_index(batch_op.f("ix_participant_kind"))
        batch_op.drop_index(batch_op.f("ix_participant_country"))

    op.drop_table("participant")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_updated_at"))
        batch_op.drop_index(batch_op.f("ix_event_status"))
        batch_op.drop_index(batch_op.f("ix_event_start_latest"))
        batch_op.drop_index(batch_op.f("ix_event_start_earliest"))
        batch_op.drop_index(batch_op.f("ix_event_slug"))
        batch_op.drop_index(batch_op.f("ix_event_parent_id"))
        batch_op.drop_index(batch_op.f("ix_event_location_lat"))
        batch_op.drop_index(batch_op.f("ix_event_location_country"))
        batch_op.drop_index(batch_op.f("ix_event_event_type"))
        batch_op.drop_index(batch_op.f("ix_event_end_latest"))
        batch_op.drop_index(batch_op.f("ix_event_certainty"))
        batch_op.drop_index(batch_op.f("ix_event_cameo_code"))

    op.drop_table("event")
