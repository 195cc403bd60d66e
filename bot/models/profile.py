"""Member profiles: what a member is learning, their timezone and level."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, RowId, guild_column, member_column


class MemberProfile(Base):
    __tablename__ = "member_profiles"

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime]


class MemberInterest(Base):
    """One interest of a member's profile; vanishes with the profile or the interest."""

    __tablename__ = "member_interests"
    __table_args__ = (
        ForeignKeyConstraint(
            ["guild_id", "user_id"],
            ["member_profiles.guild_id", "member_profiles.user_id"],
            ondelete="CASCADE",
        ),
    )

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    interest_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("interests.id", ondelete="CASCADE"), primary_key=True, index=True
    )
