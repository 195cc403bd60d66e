"""groups: study groups and members, the matchmaking pool, formation proposals, past pairs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 06:37:20.565449
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_pairs",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_a", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_b", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("grouped_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("user_a < user_b", name=op.f("ck_group_pairs_ordered")),
        sa.PrimaryKeyConstraint("guild_id", "user_a", "user_b", name=op.f("pk_group_pairs")),
    )
    op.create_table(
        "group_pool",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_group_pool")),
    )
    op.create_table(
        "group_proposals",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("requested_by", sa.BigInteger(), autoincrement=False, nullable=True),
        sa.Column("target_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_proposals")),
    )
    with op.batch_alter_table("group_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_proposals_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_group_proposals_requested_by"), ["requested_by"], unique=False
        )

    op.create_table(
        "study_groups",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_key", sa.String(length=50), nullable=True),
        sa.Column("topic", sa.String(length=50), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("creator_id", sa.BigInteger(), autoincrement=False, nullable=True),
        sa.Column("formed", sa.Boolean(), nullable=False),
        sa.Column("explanation", sa.String(length=500), nullable=True),
        sa.Column("role_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'open' AND name_key IS NOT NULL AND archived_at IS NULL) OR (status = 'archived' AND name_key IS NULL AND archived_at IS NOT NULL)",
            name=op.f("ck_study_groups_archive_frees_name"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'archived')", name=op.f("ck_study_groups_status_known")
        ),
        sa.CheckConstraint(
            "capacity BETWEEN 2 AND 25", name=op.f("ck_study_groups_capacity_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_groups")),
        sa.UniqueConstraint("guild_id", "name_key", name=op.f("uq_study_groups_guild_id_name_key")),
    )
    with op.batch_alter_table("study_groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_study_groups_creator_id"), ["creator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_study_groups_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "group_members",
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["study_groups.id"],
            name=op.f("fk_group_members_group_id_study_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_members")),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_members_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index("ix_group_members_member", ["guild_id", "user_id"], unique=False)

    op.create_table(
        "group_proposal_seats",
        sa.Column(
            "proposal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["group_proposals.id"],
            name=op.f("fk_group_proposal_seats_proposal_id_group_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "user_id", name=op.f("pk_group_proposal_seats")),
    )
    with op.batch_alter_table("group_proposal_seats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_proposal_seats_guild_id"), ["guild_id"], unique=False
        )

    op.create_table(
        "group_proposal_slots",
        sa.Column(
            "proposal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("topic", sa.String(length=50), nullable=False),
        sa.Column("explanation", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["group_proposals.id"],
            name=op.f("fk_group_proposal_slots_proposal_id_group_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "slot", name=op.f("pk_group_proposal_slots")),
    )
    with op.batch_alter_table("group_proposal_slots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_proposal_slots_guild_id"), ["guild_id"], unique=False
        )

    # ### end Alembic commands ###

    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "group_form_schedule", sa.String(length=10), server_default="off", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("groups_formed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint(
            op.f("ck_guild_settings_group_form_schedule_known"),
            "group_form_schedule IN ('off', 'weekly')",
        )


def downgrade() -> None:
    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_guild_settings_group_form_schedule_known"), type_="check")
        batch_op.drop_column("groups_formed_at")
        batch_op.drop_column("group_form_schedule")

    with op.batch_alter_table("group_proposal_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_proposal_slots_guild_id"))

    op.drop_table("group_proposal_slots")
    with op.batch_alter_table("group_proposal_seats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_proposal_seats_guild_id"))

    op.drop_table("group_proposal_seats")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_group_members_member")
        batch_op.drop_index(batch_op.f("ix_group_members_guild_id"))

    op.drop_table("group_members")
    with op.batch_alter_table("study_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_study_groups_guild_id"))
        batch_op.drop_index(batch_op.f("ix_study_groups_creator_id"))

    op.drop_table("study_groups")
    with op.batch_alter_table("group_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_proposals_requested_by"))
        batch_op.drop_index(batch_op.f("ix_group_proposals_guild_id"))

    op.drop_table("group_proposals")
    op.drop_table("group_pool")
    op.drop_table("group_pairs")
    # ### end Alembic commands ###
