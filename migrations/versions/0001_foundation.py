"""foundation: settings, taxonomy, profiles, audit log

Revision ID: 0001
Revises:
Create Date: 2026-11-21 05:37:31.149785
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("actor_id", sa.BigInteger(), autoincrement=False, nullable=True),
        sa.Column("target_user_id", sa.BigInteger(), autoincrement=False, nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_log_target_user_id"), ["target_user_id"], unique=False
        )

    op.create_table(
        "guild_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("streak_goal_minutes", sa.Integer(), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("mentorship_response_hours", sa.Integer(), nullable=False),
        sa.Column("reminder_offsets", sa.String(length=100), nullable=False),
        sa.Column("announcements_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("milestones_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("modlog_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("groups_category_id", sa.BigInteger(), nullable=True),
        sa.Column("mentorship_category_id", sa.BigInteger(), nullable=True),
        sa.Column("mentor_role_id", sa.BigInteger(), nullable=True),
        sa.Column("event_ping_role_id", sa.BigInteger(), nullable=True),
        sa.Column("moderator_role_id", sa.BigInteger(), nullable=True),
        sa.Column("groups_enabled", sa.Boolean(), nullable=False),
        sa.Column("mentorship_enabled", sa.Boolean(), nullable=False),
        sa.Column("streaks_enabled", sa.Boolean(), nullable=False),
        sa.Column("events_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "group_size BETWEEN 2 AND 12", name=op.f("ck_guild_settings_group_size_range")
        ),
        sa.CheckConstraint(
            "mentorship_response_hours BETWEEN 1 AND 336",
            name=op.f("ck_guild_settings_response_hours_range"),
        ),
        sa.CheckConstraint(
            "streak_goal_minutes BETWEEN 5 AND 600",
            name=op.f("ck_guild_settings_streak_goal_range"),
        ),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_settings")),
    )
    op.create_table(
        "interests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interests")),
        sa.UniqueConstraint("guild_id", "tag", name=op.f("uq_interests_guild_id_tag")),
    )
    with op.batch_alter_table("interests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interests_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "member_profiles",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_member_profiles")),
    )
    op.create_table(
        "tracked_voice_channels",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "channel_id", name=op.f("pk_tracked_voice_channels")),
    )
    op.create_table(
        "interest_aliases",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "interest_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("alias", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["interest_id"],
            ["interests.id"],
            name=op.f("fk_interest_aliases_interest_id_interests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interest_aliases")),
        sa.UniqueConstraint("guild_id", "alias", name=op.f("uq_interest_aliases_guild_id_alias")),
    )
    with op.batch_alter_table("interest_aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interest_aliases_guild_id"), ["guild_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_interest_aliases_interest_id"), ["interest_id"], unique=False
        )

    op.create_table(
        "member_interests",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "interest_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["guild_id", "user_id"],
            ["member_profiles.guild_id", "member_profiles.user_id"],
            name=op.f("fk_member_interests_guild_id_member_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interest_id"],
            ["interests.id"],
            name=op.f("fk_member_interests_interest_id_interests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "guild_id", "user_id", "interest_id", name=op.f("pk_member_interests")
        ),
    )
    with op.batch_alter_table("member_interests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_interests_interest_id"), ["interest_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("member_interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_interests_interest_id"))

    op.drop_table("member_interests")
    with op.batch_alter_table("interest_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interest_aliases_interest_id"))
        batch_op.drop_index(batch_op.f("ix_interest_aliases_guild_id"))

    op.drop_table("interest_aliases")
    op.drop_table("tracked_voice_channels")
    op.drop_table("member_profiles")
    with op.batch_alter_table("interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interests_guild_id"))

    op.drop_table("interests")
    op.drop_table("guild_settings")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_target_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_guild_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_created_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_id"))

    op.drop_table("audit_log")
