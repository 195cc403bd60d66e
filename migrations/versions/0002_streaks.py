"""streaks: study sessions, day and period totals, streak snapshots, timers, voice, reminders, milestones

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 05:55:46.467613
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "streak_milestones",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("milestone", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "milestone IN (7, 30, 100, 365)", name=op.f("ck_streak_milestones_milestone_known")
        ),
        sa.PrimaryKeyConstraint(
            "guild_id", "user_id", "milestone", name=op.f("pk_streak_milestones")
        ),
    )
    op.create_table(
        "streak_reminders",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("minute_of_day", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sent_day", sa.Date(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("off_reason", sa.String(length=16), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(next_due_at IS NOT NULL AND off_reason IS NULL) OR (next_due_at IS NULL AND off_reason IN ('member', 'failures'))",
            name=op.f("ck_streak_reminders_on_or_off_with_reason"),
        ),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_streak_reminders_failures_not_negative")),
        sa.CheckConstraint(
            "minute_of_day BETWEEN 0 AND 1439", name=op.f("ck_streak_reminders_minute_of_day_range")
        ),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_streak_reminders")),
    )
    with op.batch_alter_table("streak_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_streak_reminders_next_due_at"), ["next_due_at"], unique=False
        )

    op.create_table(
        "streak_states",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("base_run", sa.Integer(), nullable=False),
        sa.Column("base_longest", sa.Integer(), nullable=False),
        sa.Column("base_freezes", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("last_minutes", sa.Integer(), nullable=True),
        sa.Column("last_goal", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(last_day IS NULL AND last_minutes IS NULL AND last_goal IS NULL) OR (last_day IS NOT NULL AND last_minutes BETWEEN 0 AND 1440 AND last_goal BETWEEN 5 AND 600)",
            name=op.f("ck_streak_states_last_day_complete"),
        ),
        sa.CheckConstraint(
            "base_freezes BETWEEN 0 AND 2", name=op.f("ck_streak_states_freezes_range")
        ),
        sa.CheckConstraint(
            "base_run >= 0 AND base_longest >= base_run",
            name=op.f("ck_streak_states_runs_consistent"),
        ),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_streak_states")),
    )
    with op.batch_alter_table("streak_states", schema=None) as batch_op:
        batch_op.create_index(
            "ix_streak_states_board", ["guild_id", "base_run", "user_id"], unique=False
        )

    op.create_table(
        "study_days",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("goal_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("goal_minutes BETWEEN 5 AND 600", name=op.f("ck_study_days_goal_range")),
        sa.CheckConstraint(
            "minutes BETWEEN 0 AND 1440", name=op.f("ck_study_days_minutes_fit_a_day")
        ),
        sa.PrimaryKeyConstraint("guild_id", "user_id", "day", name=op.f("pk_study_days")),
    )
    with op.batch_alter_table("study_days", schema=None) as batch_op:
        batch_op.create_index("ix_study_days_guild_day", ["guild_id", "day"], unique=False)

    op.create_table(
        "study_period_totals",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('week', 'month', 'all')", name=op.f("ck_study_period_totals_kind_known")
        ),
        sa.CheckConstraint(
            "minutes >= 0", name=op.f("ck_study_period_totals_minutes_not_negative")
        ),
        sa.PrimaryKeyConstraint(
            "guild_id", "user_id", "kind", "period_start", name=op.f("pk_study_period_totals")
        ),
    )
    with op.batch_alter_table("study_period_totals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_study_period_totals_board",
            ["guild_id", "kind", "period_start", "minutes"],
            unique=False,
        )

    op.create_table(
        "study_sessions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.Column("moderator_id", sa.BigInteger(), autoincrement=False, nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(source = 'adjustment' AND minutes BETWEEN -720 AND 720 AND minutes <> 0 AND reason IS NOT NULL) OR (source <> 'adjustment' AND minutes BETWEEN 1 AND 1440 AND reason IS NULL AND moderator_id IS NULL)",
            name=op.f("ck_study_sessions_minutes_by_source"),
        ),
        sa.CheckConstraint(
            "source IN ('manual', 'timer', 'voice', 'adjustment')",
            name=op.f("ck_study_sessions_source_known"),
        ),
        sa.CheckConstraint(
            "source NOT IN ('timer', 'voice') OR (started_at IS NOT NULL AND ended_at IS NOT NULL)",
            name=op.f("ck_study_sessions_timed_sources_have_times"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_sessions")),
    )
    with op.batch_alter_table("study_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_sessions_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(
            "ix_study_sessions_member_day", ["guild_id", "user_id", "day"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_study_sessions_moderator_id"), ["moderator_id"], unique=False
        )

    op.create_table(
        "study_timers",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_study_timers")),
    )
    with op.batch_alter_table("study_timers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_study_timers_started_at"), ["started_at"], unique=False
        )

    op.create_table(
        "voice_sessions",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credited_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checkpoint_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("piece_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["piece_id"],
            ["study_sessions.id"],
            name=op.f("fk_voice_sessions_piece_id_study_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_voice_sessions")),
    )
    with op.batch_alter_table("voice_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voice_sessions_checkpoint_at"), ["checkpoint_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("voice_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_sessions_checkpoint_at"))

    op.drop_table("voice_sessions")
    with op.batch_alter_table("study_timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_study_timers_started_at"))

    op.drop_table("study_timers")
    with op.batch_alter_table("study_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_study_sessions_moderator_id"))
        batch_op.drop_index("ix_study_sessions_member_day")
        batch_op.drop_index(batch_op.f("ix_study_sessions_guild_id"))

    op.drop_table("study_sessions")
    with op.batch_alter_table("study_period_totals", schema=None) as batch_op:
        batch_op.drop_index("ix_study_period_totals_board")

    op.drop_table("study_period_totals")
    with op.batch_alter_table("study_days", schema=None) as batch_op:
        batch_op.drop_index("ix_study_days_guild_day")

    op.drop_table("study_days")
    with op.batch_alter_table("streak_states", schema=None) as batch_op:
        batch_op.drop_index("ix_streak_states_board")

    op.drop_table("streak_states")
    with op.batch_alter_table("streak_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_streak_reminders_next_due_at"))

    op.drop_table("streak_reminders")
    op.drop_table("streak_milestones")
