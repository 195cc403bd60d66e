"""Study groups: the groups and their members, the matchmaking pool, formation proposals, and
the pairs who were grouped together before.

Constraints carry the rules: one membership row per (group, member); a group's name is unique
in its server case-insensitively while the group is open (``name_key`` is the casefolded name
and is cleared on archive, so an archived group frees its name: NULLs never collide); capacity
and status are checked by the database too. Capacity itself is enforced by the service in the
transaction that inserts the member, with the group row locked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, RowId, guild_column, id_column, member_column, snowflake_column

GROUP_STATUSES = ("open", "archived")


class StudyGroup(Base):
    """A group is real in Discord: ``role_id`` and ``channel_id`` exist while it is open."""

    __tablename__ = "study_groups"
    __table_args__ = (
        UniqueConstraint("guild_id", "name_key"),
        CheckConstraint("capacity BETWEEN 2 AND 25", name="capacity_range"),
        CheckConstraint("status IN ('open', 'archived')", name="status_known"),
        CheckConstraint(
            "(status = 'open' AND name_key IS NOT NULL AND archived_at IS NULL)"
            " OR (status = 'archived' AND name_key IS NULL AND archived_at IS NOT NULL)",
            name="archive_frees_name",
        ),
    )

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    name: Mapped[str] = mapped_column(String(50))
    name_key: Mapped[str | None] = mapped_column(String(50))
    topic: Mapped[str] = mapped_column(String(50))
    capacity: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="open")
    # Kept (anonymized) when the creator erases their data: the group belongs to its members.
    creator_id: Mapped[int | None] = member_column(nullable=True, erase="anonymize")
    formed: Mapped[bool] = mapped_column(default=False)  # made by /group form, not /group create
    explanation: Mapped[str | None] = mapped_column(String(500))
    role_id: Mapped[int | None] = snowflake_column()
    channel_id: Mapped[int | None] = snowflake_column()
    created_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]


class GroupMember(Base):
    """A member of a group; the primary key makes joining twice impossible."""

    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("study_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = member_column(primary_key=True)
    guild_id: Mapped[int] = guild_column()
    joined_at: Mapped[datetime]

    __table_args__ = (Index("ix_group_members_member", "guild_id", "user_id"),)


class GroupPoolEntry(Base):
    """A member waiting in the matchmaking pool (`/group find`) for the next formation."""

    __tablename__ = "group_pool"

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    entered_at: Mapped[datetime]


class GroupPair(Base):
    """Two members who were grouped together by formation; ``user_a < user_b``."""

    __tablename__ = "group_pairs"
    __table_args__ = (CheckConstraint("user_a < user_b", name="ordered"),)

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_a: Mapped[int] = member_column(primary_key=True)
    user_b: Mapped[int] = member_column(primary_key=True)
    grouped_at: Mapped[datetime]


class GroupProposal(Base):
    """A formation shown to a moderator; its button creates it once (``used_at``)."""

    __tablename__ = "group_proposals"

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    requested_by: Mapped[int | None] = member_column(nullable=True, erase="anonymize")
    target_size: Mapped[int]
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class GroupProposalSlot(Base):
    """One proposed group: its topic and why it fits (no member ids: those are seats)."""

    __tablename__ = "group_proposal_slots"

    proposal_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("group_proposals.id", ondelete="CASCADE"), primary_key=True
    )
    slot: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    guild_id: Mapped[int] = guild_column()
    topic: Mapped[str] = mapped_column(String(50))
    explanation: Mapped[str] = mapped_column(String(500))


class GroupProposalSeat(Base):
    """A member's place in a proposed group."""

    __tablename__ = "group_proposal_seats"

    proposal_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("group_proposals.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = member_column(primary_key=True)
    guild_id: Mapped[int] = guild_column()
    slot: Mapped[int]
