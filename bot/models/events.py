"""Hackathons and meetups: events, RSVPs, reminder deliveries, iCal feeds and their review queue.

``event_reminders`` is the source of truth for reminders: one row per (event, offset, due
time), claimed with ``UPDATE ... WHERE status = 'pending'`` before anything is posted, so a
restart, a late job or a second process never posts one twice. ``event_rsvps`` keeps the
waitlist order in ``queue_no``; the event row is locked while seats are counted, so
simultaneous clicks never oversubscribe a capacity.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import (
    Base,
    RowId,
    guild_column,
    id_column,
    member_column,
    snowflake_column,
)


class Event(Base):
    """An announced event. ``ends_at`` is NULL when nobody gave an end time."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("kind IN ('hackathon', 'meetup', 'workshop', 'other')", name="kind_known"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        Index("ix_events_guild_start", "guild_id", "starts_at"),
    )

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000))
    location: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    timezone: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    # The moderator who announced it; the event stays when they erase their data.
    creator_id: Mapped[int | None] = member_column(nullable=True, erase="anonymize")
    channel_id: Mapped[int | None] = snowflake_column()
    message_id: Mapped[int | None] = snowflake_column()
    discord_event_id: Mapped[int | None] = snowflake_column()
    # The server's reminder offsets the reminder rows were made from ("1440,60").
    reminder_offsets: Mapped[str] = mapped_column(String(100))
    # Bumped on every change, for iCal's SEQUENCE (calendars replace older versions).
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]


class EventRsvp(Base):
    """A member's answer to an event: going, on the waitlist, interested or not going."""

    __tablename__ = "event_rsvps"
    __table_args__ = (
        CheckConstraint(
            "status IN ('going', 'waitlist', 'interested', 'not_going')", name="status_known"
        ),
        CheckConstraint(
            "(status = 'waitlist') = (queue_no IS NOT NULL)", name="waitlist_has_place"
        ),
        UniqueConstraint("event_id", "queue_no"),
    )

    event_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = member_column(primary_key=True)
    guild_id: Mapped[int] = guild_column()
    status: Mapped[str] = mapped_column(String(16))
    # Place in the waitlist (smaller moves up first); NULL unless waitlisted.
    queue_no: Mapped[int | None]
    responded_at: Mapped[datetime]


class EventReminder(Base):
    """One reminder delivery; pending until claimed (sent), skipped, failed or cancelled."""

    __tablename__ = "event_reminders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sent', 'skipped', 'failed', 'cancelled')", name="status_known"
        ),
        UniqueConstraint("event_id", "offset_minutes", "due_at"),
        Index("ix_event_reminders_status_due", "status", "due_at"),
    )

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    event_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    offset_minutes: Mapped[int]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    claimed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(200))


class EventFeed(Base):
    """An iCal URL polled for new events; its failures are counted and reported."""

    __tablename__ = "event_feeds"
    __table_args__ = (UniqueConstraint("guild_id", "url"),)

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    url: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    next_poll_at: Mapped[datetime] = mapped_column(index=True)
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    added_by: Mapped[int | None] = member_column(nullable=True, erase="anonymize")
    created_at: Mapped[datetime]


class EventFeedItem(Base):
    """An event read from a feed, waiting for review (or reviewed).

    Keyed by (server, feed URL, iCal UID), not by the feed row, so removing and re-adding a
    feed does not bring back items a moderator already approved or rejected.
    """

    __tablename__ = "event_feed_items"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
        UniqueConstraint("guild_id", "source_url", "uid"),
        Index("ix_event_feed_items_guild_status", "guild_id", "status"),
    )

    id: Mapped[int] = id_column()
    guild_id: Mapped[int] = guild_column()
    feed_id: Mapped[int | None] = mapped_column(
        RowId, ForeignKey("event_feeds.id", ondelete="SET NULL"), index=True
    )
    source_url: Mapped[str] = mapped_column(String(500))
    uid: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000))
    location: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    event_id: Mapped[int | None] = mapped_column(
        RowId, ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    reviewed_by: Mapped[int | None] = member_column(nullable=True, erase="anonymize")
    reviewed_at: Mapped[datetime | None]
    imported_at: Mapped[datetime]
