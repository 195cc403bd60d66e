"""mentorship: mentors, requests, offers, mentorships and feedback

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 06:47:59.632448
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentors",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("bio", sa.String(length=300), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity BETWEEN 1 AND 10", name=op.f("ck_mentors_capacity_range")),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_mentors")),
    )
    op.create_table(
        "mentorship_requests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("mentee_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("goal", sa.String(length=300), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'open') = (closed_at IS NULL)",
            name=op.f("ck_mentorship_requests_closed_exactly_when_not_open"),
        ),
        sa.CheckConstraint(
            "state IN ('open', 'matched', 'cancelled')",
            name=op.f("ck_mentorship_requests_state_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorship_requests")),
    )
    with op.batch_alter_table("mentorship_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentorship_requests_guild_id"), ["guild_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mentorship_requests_mentee_id"), ["mentee_id"], unique=False
        )
        batch_op.create_index(
            "uq_mentorship_requests_one_open",
            ["guild_id", "mentee_id"],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )

    op.create_table(
        "mentor_interests",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "interest_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["guild_id", "user_id"],
            ["mentors.guild_id", "mentors.user_id"],
            name=op.f("fk_mentor_interests_guild_id_mentors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interest_id"],
            ["interests.id"],
            name=op.f("fk_mentor_interests_interest_id_interests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "guild_id", "user_id", "interest_id", name=op.f("pk_mentor_interests")
        ),
    )
    with op.batch_alter_table("mentor_interests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentor_interests_interest_id"), ["interest_id"], unique=False
        )

    op.create_table(
        "mentor_offers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("mentor_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("mentee_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("explanation", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "(state = 'pending') = (answered_at IS NULL)",
            name=op.f("ck_mentor_offers_answered_exactly_when_not_pending"),
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')",
            name=op.f("ck_mentor_offers_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["mentorship_requests.id"],
            name=op.f("fk_mentor_offers_request_id_mentorship_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_offers")),
        sa.UniqueConstraint(
            "request_id", "mentor_id", name=op.f("uq_mentor_offers_request_id_mentor_id")
        ),
    )
    with op.batch_alter_table("mentor_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentor_offers_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mentor_offers_mentee_id"), ["mentee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mentor_offers_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(
            "ix_mentor_offers_state_expires", ["state", "expires_at"], unique=False
        )
        batch_op.create_index(
            "uq_mentor_offers_one_pending",
            ["request_id"],
            unique=True,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )

    op.create_table(
        "mentorships",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("mentor_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("mentee_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("offer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "(state = 'active') = (ended_at IS NULL)",
            name=op.f("ck_mentorships_ended_exactly_when_ended"),
        ),
        sa.CheckConstraint("state IN ('active', 'ended')", name=op.f("ck_mentorships_state_known")),
        sa.CheckConstraint("mentor_id <> mentee_id", name=op.f("ck_mentorships_not_self")),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["mentor_offers.id"],
            name=op.f("fk_mentorships_offer_id_mentor_offers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorships")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_mentorships_offer_id")),
    )
    with op.batch_alter_table("mentorships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentorships_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mentorships_mentee_id"), ["mentee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mentorships_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(
            "uq_mentorships_one_active_pair",
            ["guild_id", "mentor_id", "mentee_id"],
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )

    op.create_table(
        "mentorship_feedback",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "mentorship_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("helped", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentorship_id"],
            ["mentorships.id"],
            name=op.f("fk_mentorship_feedback_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mentorship_id", "user_id", name=op.f("pk_mentorship_feedback")),
    )
    with op.batch_alter_table("mentorship_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentorship_feedback_guild_id"), ["guild_id"], unique=False
        )

    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table("mentorship_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentorship_feedback_guild_id"))

    op.drop_table("mentorship_feedback")
    with op.batch_alter_table("mentorships", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_mentorships_one_active_pair",
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_mentorships_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_mentorships_mentee_id"))
        batch_op.drop_index(batch_op.f("ix_mentorships_guild_id"))

    op.drop_table("mentorships")
    with op.batch_alter_table("mentor_offers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_mentor_offers_one_pending",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.drop_index("ix_mentor_offers_state_expires")
        batch_op.drop_index(batch_op.f("ix_mentor_offers_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_mentor_offers_mentee_id"))
        batch_op.drop_index(batch_op.f("ix_mentor_offers_guild_id"))

    op.drop_table("mentor_offers")
    with op.batch_alter_table("mentor_interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_interests_interest_id"))

    op.drop_table("mentor_interests")
    with op.batch_alter_table("mentorship_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_mentorship_requests_one_open",
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_mentorship_requests_mentee_id"))
        batch_op.drop_index(batch_op.f("ix_mentorship_requests_guild_id"))

    op.drop_table("mentorship_requests")
    op.drop_table("mentors")
    # ### end Alembic commands ###
