"""Mentorship: mentors, requests, offers with Accept/Decline, pairs, and feedback on ended pairs.

The constraints carry the rules, so a bug or a race cannot store a bad state:

- ``mentorship_requests``: one *open* request per mentee (partial unique index).
- ``mentor_offers``: one offer per (request, mentor), so a request never goes to the same
  mentor twice; at most one *pending* offer per request (partial unique index).
- ``mentorships``: one *active* pair per (mentor, mentee), and one pair per offer, so two
  Accept clicks at once create one mentorship. Capacity is checked in the transaction that
  inserts the pair, with the mentor's row locked.

Every member column is a ``member_column``: privacy export and erase cover all of it. Erasing
a member deletes their mentor record, their requests and offers, and the pairs they are in
(with the feedback on those pairs): a pair names both people, and keeping half of it would
still describe the erased member to their partner.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, RowId, guild_column, id_column, member_column, snowflake_column

REQUEST_STATES = ("open", "matched", "cancelled")
OFFER_STATES = ("pending", "accepted", "declined", "expired", "withdrawn")
PAIR_STATES = ("active", "ended")


class Mentor(Base):
    """A member who opted in to mentor; the row is also the lock for their capacity."""

    __tablename__ = "mentors"
    __table_args__ = (CheckConstraint("capacity BETWEEN 1 AND 10", name="capacity_range"),)

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    capacity: Mapped[int]
    bio: Mapped[str | None] = mapped_column(String(300))
    available: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MentorInterest(Base):
    """A topic a mentor mentors; vanishes with the mentor or with the interest."""

    __tablename__ = "mentor_interests"
    __table_args__ = (
        ForeignKeyConstraint(
            ["guild_id", "user_id"], ["mentors.guild_id", "mentors.user_id"], ondelete="CASCADE"
        ),
    )

    guild_id: Mapped[int] = guild_column(primary_key=True)
    user_id: Mapped[int] = member_column(primary_key=True)
    interest_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("interests.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class MentorshipRequest(Base):
    """A mentee asking for a mentor. ``interests`` are canonical tags as of the request."""

    __tablename__ = "mentorship_requests"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'matched', 'cancelled')", name="state_known"),
        CheckConstraint(
            "(state = 'open') = (closed_at IS NULL)", name="closed_exactly_when_not_open"
        ),
        Index(
            "uq_mentorship_requests_one_open",
            "guild_id",
            "mentee_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    mentee_id: Mapped[int] = member_column()
    interests: Mapped[list[str]] = mapped_column(JSON)
    goal: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class MentorOffer(Base):
    """A request offered to one mentor, waiting for Accept or Decline until ``expires_at``."""

    __tablename__ = "mentor_offers"
    __table_args__ = (
        UniqueConstraint("request_id", "mentor_id"),
        CheckConstraint(
            "state IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')",
            name="state_known",
        ),
        CheckConstraint(
            "(state = 'pending') = (answered_at IS NULL)", name="answered_exactly_when_not_pending"
        ),
        Index(
            "uq_mentor_offers_one_pending",
            "request_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
        Index("ix_mentor_offers_state_expires", "state", "expires_at"),
    )

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    request_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("mentorship_requests.id", ondelete="CASCADE")
    )
    mentor_id: Mapped[int] = member_column()
    mentee_id: Mapped[int] = member_column()
    score: Mapped[float]
    explanation: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    # Where the offer was posted (a DM or the log channel), so it can be retired when it moves on.
    message_channel_id: Mapped[int | None] = snowflake_column()
    message_id: Mapped[int | None] = snowflake_column()


class Mentorship(Base):
    """An accepted pair; ``channel_id`` is their private channel once the bot created it."""

    __tablename__ = "mentorships"
    __table_args__ = (
        UniqueConstraint("offer_id"),
        CheckConstraint("state IN ('active', 'ended')", name="state_known"),
        CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        CheckConstraint("(state = 'active') = (ended_at IS NULL)", name="ended_exactly_when_ended"),
        Index(
            "uq_mentorships_one_active_pair",
            "guild_id",
            "mentor_id",
            "mentee_id",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
    )

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    mentor_id: Mapped[int] = member_column()
    mentee_id: Mapped[int] = member_column()
    offer_id: Mapped[int | None] = mapped_column(
        RowId, ForeignKey("mentor_offers.id", ondelete="SET NULL")
    )
    interests: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="active")
    channel_id: Mapped[int | None] = snowflake_column()
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))


class MentorshipFeedback(Base):
    """Whether an ended mentorship helped, one answer per partner (for moderators' /stats)."""

    __tablename__ = "mentorship_feedback"

    guild_id: Mapped[int] = guild_column()
    mentorship_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("mentorships.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = member_column(primary_key=True)
    helped: Mapped[bool]
    answered_at: Mapped[datetime]
