"""Per-server settings, tracked voice channels, the interest taxonomy and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import (
    Base,
    RowId,
    guild_column,
    id_column,
    member_column,
    snowflake_column,
)


class GuildSettings(Base):
    """One row per server. Nullable ids mean "not configured"."""

    __tablename__ = "guild_settings"
    __table_args__ = (
        CheckConstraint("streak_goal_minutes BETWEEN 5 AND 600", name="streak_goal_range"),
        CheckConstraint("group_size BETWEEN 2 AND 12", name="group_size_range"),
        CheckConstraint("mentorship_response_hours BETWEEN 1 AND 336", name="response_hours_range"),
        CheckConstraint(
            "group_form_schedule IN ('off', 'weekly')", name="group_form_schedule_known"
        ),
    )

    guild_id: Mapped[int] = guild_column(primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    streak_goal_minutes: Mapped[int] = mapped_column(default=30)
    group_size: Mapped[int] = mapped_column(default=4)
    mentorship_response_hours: Mapped[int] = mapped_column(default=48)
    reminder_offsets: Mapped[str] = mapped_column(String(100), default="1440,60")
    # /config groups schedule: groups are formed from the pool every week when "weekly";
    # groups_formed_at is when the schedule last ran (or was turned on), claimed atomically.
    group_form_schedule: Mapped[str] = mapped_column(
        String(10), default="off", server_default="off"
    )
    groups_formed_at: Mapped[datetime | None]

    announcements_channel_id: Mapped[int | None] = snowflake_column()
    milestones_channel_id: Mapped[int | None] = snowflake_column()
    modlog_channel_id: Mapped[int | None] = snowflake_column()
    groups_category_id: Mapped[int | None] = snowflake_column()
    mentorship_category_id: Mapped[int | None] = snowflake_column()
    mentor_role_id: Mapped[int | None] = snowflake_column()
    event_ping_role_id: Mapped[int | None] = snowflake_column()
    moderator_role_id: Mapped[int | None] = snowflake_column()

    groups_enabled: Mapped[bool] = mapped_column(default=True)
    mentorship_enabled: Mapped[bool] = mapped_column(default=True)
    streaks_enabled: Mapped[bool] = mapped_column(default=True)
    events_enabled: Mapped[bool] = mapped_column(default=True)

    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TrackedVoiceChannel(Base):
    """A voice channel whose time counts as study time."""

    __tablename__ = "tracked_voice_channels"

    guild_id: Mapped[int] = guild_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class Interest(Base):
    """A tag of the server's interest taxonomy, e.g. "natural language processing"."""

    __tablename__ = "interests"
    __table_args__ = (UniqueConstraint("guild_id", "tag"),)

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    tag: Mapped[str] = mapped_column(String(50))

    aliases: Mapped[list[InterestAlias]] = relationship(
        back_populates="interest",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="InterestAlias.alias",
    )


class InterestAlias(Base):
    """Another name for an interest ("nlp" for "natural language processing")."""

    __tablename__ = "interest_aliases"
    __table_args__ = (UniqueConstraint("guild_id", "alias"),)

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    interest_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("interests.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(50))

    interest: Mapped[Interest] = relationship(back_populates="aliases")


class AuditEntry(Base):
    """Who changed what, for moderators; kept when the actor erases their data (anonymized)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    actor_id: Mapped[int | None] = member_column(nullable=True, erase="anonymize")
    target_user_id: Mapped[int | None] = member_column(nullable=True, erase="anonymize")
    action: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)
