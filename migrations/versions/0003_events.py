"""events: announcements with RSVPs and a waitlist, reminder deliveries, iCal feeds and their review queue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 06:25:16.107836
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_feeds",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("added_by", sa.BigInteger(), autoincrement=False, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_feeds")),
        sa.UniqueConstraint("guild_id", "url", name=op.f("uq_event_feeds_guild_id_url")),
    )
    with op.batch_alter_table("event_feeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_feeds_added_by"), ["added_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_feeds_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_feeds_next_poll_at"), ["next_poll_at"], unique=False
        )

    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("creator_id", sa.BigInteger(), autoincrement=False, nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("discord_event_id", sa.BigInteger(), nullable=True),
        sa.Column("reminder_offsets", sa.String(length=100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('hackathon', 'meetup', 'workshop', 'other')",
            name=op.f("ck_events_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'cancelled')", name=op.f("ck_events_status_known")
        ),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 1", name=op.f("ck_events_capacity_positive")
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at > starts_at", name=op.f("ck_events_ends_after_start")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_creator_id"), ["creator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index("ix_events_guild_start", ["guild_id", "starts_at"], unique=False)

    op.create_table(
        "event_feed_items",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("feed_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("source_url", sa.String(length=500), nullable=False),
        sa.Column("uid", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reviewed_by", sa.BigInteger(), autoincrement=False, nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_event_feed_items_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_feed_items_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["event_feeds.id"],
            name=op.f("fk_event_feed_items_feed_id_event_feeds"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_feed_items")),
        sa.UniqueConstraint(
            "guild_id",
            "source_url",
            "uid",
            name=op.f("uq_event_feed_items_guild_id_source_url_uid"),
        ),
    )
    with op.batch_alter_table("event_feed_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_feed_items_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_feed_items_feed_id"), ["feed_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_feed_items_guild_id"), ["guild_id"], unique=False
        )
        batch_op.create_index(
            "ix_event_feed_items_guild_status", ["guild_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_feed_items_reviewed_by"), ["reviewed_by"], unique=False
        )

    op.create_table(
        "event_reminders",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'skipped', 'failed', 'cancelled')",
            name=op.f("ck_event_reminders_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_reminders_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_reminders")),
        sa.UniqueConstraint(
            "event_id",
            "offset_minutes",
            "due_at",
            name=op.f("uq_event_reminders_event_id_offset_minutes_due_at"),
        ),
    )
    with op.batch_alter_table("event_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_reminders_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_reminders_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index("ix_event_reminders_status_due", ["status", "due_at"], unique=False)

    op.create_table(
        "event_rsvps",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queue_no", sa.Integer(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'waitlist') = (queue_no IS NOT NULL)",
            name=op.f("ck_event_rsvps_waitlist_has_place"),
        ),
        sa.CheckConstraint(
            "status IN ('going', 'waitlist', 'interested', 'not_going')",
            name=op.f("ck_event_rsvps_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_rsvps_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "user_id", name=op.f("pk_event_rsvps")),
        sa.UniqueConstraint("event_id", "queue_no", name=op.f("uq_event_rsvps_event_id_queue_no")),
    )
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_rsvps_guild_id"), ["guild_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_rsvps_guild_id"))

    op.drop_table("event_rsvps")
    with op.batch_alter_table("event_reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_event_reminders_status_due")
        batch_op.drop_index(batch_op.f("ix_event_reminders_guild_id"))
        batch_op.drop_index(batch_op.f("ix_event_reminders_event_id"))

    op.drop_table("event_reminders")
    with op.batch_alter_table("event_feed_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_feed_items_reviewed_by"))
        batch_op.drop_index("ix_event_feed_items_guild_status")
        batch_op.drop_index(batch_op.f("ix_event_feed_items_guild_id"))
        batch_op.drop_index(batch_op.f("ix_event_feed_items_feed_id"))
        batch_op.drop_index(batch_op.f("ix_event_feed_items_event_id"))

    op.drop_table("event_feed_items")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_guild_start")
        batch_op.drop_index(batch_op.f("ix_events_guild_id"))
        batch_op.drop_index(batch_op.f("ix_events_creator_id"))

    op.drop_table("events")
    with op.batch_alter_table("event_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_feeds_next_poll_at"))
        batch_op.drop_index(batch_op.f("ix_event_feeds_guild_id"))
        batch_op.drop_index(batch_op.f("ix_event_feeds_added_by"))

    op.drop_table("event_feeds")
