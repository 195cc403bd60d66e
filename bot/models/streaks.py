"""Study streaks: sessions, per-day totals, running timers, voice sessions, reminders, milestones.

``study_sessions`` is the ledger of every minute (what, when, from where, corrected by whom);
the other tables are materialised from it in the same transaction so reads stay cheap:
``study_days`` (one row per member and local day, with the goal that judges the day),
``study_period_totals`` (week, month and all-time sums for the leaderboard) and
``streak_states`` (each member's streak snapshot, see ``bot.domain.streaks``). The
``streak_states`` row doubles as the member's write lock: every change to a member's minutes
locks it first, so concurrent logs are applied one after the other.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import (
    Base,
    RowId,
    guild_column,
    id_column,
    member_column,
    snowflake_column,
)

SOURCES = ("manual", "timer", "voice", "adjustment")
PERIOD_KINDS = ("week", "month", "all")


class StudySession(Base):
    """Minutes credited to one local day: a manual log, a timer or voice piece, a correction.

    A timer or voice session that crosses local midnight is stored as one row per day.
    Corrections carry the moderator (kept anonymized if they erase their data) and a reason.
    """

    __tablename__ = "study_sessions"
    __table_args__ = (
        CheckConstraint(
            "source IN ('manual', 'timer', 'voice', 'adjustment')", name="source_known"
        ),
        CheckConstraint(
            "(source = 'adjustment' AND minutes BETWEEN -720 AND 720 AND minutes <> 0"
            " AND reason IS NOT NULL)"
            " OR (source <> 'adjustment' AND minutes BETWEEN 1 AND 1440"
            " AND reason IS NULL AND moderator_id IS NULL)",
            name="minutes_by_source",
        ),
        CheckConstraint(
            "source NOT IN ('timer', 'voice') OR (started_at IS NOT NULL AND ended_at IS NOT NULL)",
            name="timed_sources_have_times",
        ),
        Index("ix_study_sessions_member_day", "guild_id", "user_id", "day"),
    )

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    # (guild_id, user_id, day) below serves every per-member query, erasure included.
    user_id: Mapped[int] = member_column(index=False)
    day: Mapped[date]
    source: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    timezone: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str | None] = mapped_column(String(100))
    moderator_id: Mapped[int | None] = member_column(nullable=True, erase="anonymize")
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class StudyDay(Base):
    """A member's total on one local day, and the goal in force when the day was first used."""

    __tablename__ = "study_days"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 0 AND 1440", name="minutes_fit_a_day"),
        CheckConstraint("goal_minutes BETWEEN 5 AND 600", name="goal_range"),
        Index("ix_study_days_guild_day", "guild_id", "day"),
    )

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    minutes: Mapped[int]
    goal_minutes: Mapped[int]
    updated_at: Mapped[datetime]


class StudyPeriodTotal(Base):
    """Minutes per member per week (from Monday), month and all time, for leaderboards.

    ``period_start`` is the Monday, the 1st, or 0001-01-01 for all time, of the member's
    local days.
    """

    __tablename__ = "study_period_totals"
    __table_args__ = (
        CheckConstraint("kind IN ('week', 'month', 'all')", name="kind_known"),
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
        Index("ix_study_period_totals_board", "guild_id", "kind", "period_start", "minutes"),
    )

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(primary_key=True)
    minutes: Mapped[int]


class StreakStateRow(Base):
    """A member's streak snapshot (``bot.domain.streaks.StreakSnapshot``), one row each."""

    __tablename__ = "streak_states"
    __table_args__ = (
        CheckConstraint("base_run >= 0 AND base_longest >= base_run", name="runs_consistent"),
        CheckConstraint("base_freezes BETWEEN 0 AND 2", name="freezes_range"),
        CheckConstraint(
            "(last_day IS NULL AND last_minutes IS NULL AND last_goal IS NULL)"
            " OR (last_day IS NOT NULL AND last_minutes BETWEEN 0 AND 1440"
            " AND last_goal BETWEEN 5 AND 600)",
            name="last_day_complete",
        ),
        Index("ix_streak_states_board", "guild_id", "base_run", "user_id"),
    )

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    base_run: Mapped[int] = mapped_column(default=0)
    base_longest: Mapped[int] = mapped_column(default=0)
    base_freezes: Mapped[int] = mapped_column(default=0)
    last_day: Mapped[date | None]
    last_minutes: Mapped[int | None]
    last_goal: Mapped[int | None]
    updated_at: Mapped[datetime]


class StudyTimer(Base):
    """A running ``/study start`` timer; the primary key allows one per member."""

    __tablename__ = "study_timers"

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    topic: Mapped[str | None] = mapped_column(String(100))


class VoiceSession(Base):
    """An open voice session (one per member); closed time lives in ``study_sessions``.

    ``credited_until`` is how far the time is already in the totals (whole minutes from the
    start), ``checkpoint_at`` the last moment the bot saw the member present, and ``piece_id``
    the ``study_sessions`` row being extended for the current local day.
    """

    __tablename__ = "voice_sessions"

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    channel_id: Mapped[int] = snowflake_column(nullable=False)
    started_at: Mapped[datetime]
    credited_until: Mapped[datetime]
    checkpoint_at: Mapped[datetime] = mapped_column(index=True)
    piece_id: Mapped[int | None] = mapped_column(
        RowId, ForeignKey("study_sessions.id", ondelete="SET NULL")
    )


class StreakReminder(Base):
    """A member's daily reminder at a local time; ``next_due_at`` is NULL exactly when off."""

    __tablename__ = "streak_reminders"
    __table_args__ = (
        CheckConstraint("minute_of_day BETWEEN 0 AND 1439", name="minute_of_day_range"),
        CheckConstraint("failures >= 0", name="failures_not_negative"),
        CheckConstraint(
            "(next_due_at IS NOT NULL AND off_reason IS NULL)"
            " OR (next_due_at IS NULL AND off_reason IN ('member', 'failures'))",
            name="on_or_off_with_reason",
        ),
    )

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    minute_of_day: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64))
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    last_sent_day: Mapped[date | None]
    failures: Mapped[int] = mapped_column(default=0)
    off_reason: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime]


class StreakMilestone(Base):
    """A milestone a member reached; the key makes each one announced once, ever."""

    __tablename__ = "streak_milestones"
    __table_args__ = (CheckConstraint("milestone IN (7, 30, 100, 365)", name="milestone_known"),)

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    milestone: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    reached_at: Mapped[datetime]
