"""/stats: one read-only picture of a server for its moderators.

Each figure is a count over the area's own tables, scoped by guild. Current streaks come
from the per-member snapshots through the one streak rule, each member judged on their own
local day, so the distribution agrees with /streak show and the leaderboard.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain import streaks as rule
from bot.domain.streak_days import local_day
from bot.models import (
    Event,
    GroupMember,
    GroupPoolEntry,
    Mentor,
    MentorOffer,
    Mentorship,
    MentorshipFeedback,
    MentorshipRequest,
    StreakStateRow,
    StudyDay,
    StudyGroup,
)
from bot.services.config import ConfigService
from bot.services.streak_store import member_zones, snapshot_from_row

# Streak lengths a moderator reads at a glance; the upper ones line up with the milestones.
STREAK_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1–6 days", 1, 6),
    ("7–29 days", 7, 29),
    ("30–99 days", 30, 99),
    ("100+ days", 100, None),
)


@dataclass(frozen=True, slots=True)
class UpcomingEvent:
    id: int
    title: str
    starts_at: datetime


@dataclass(frozen=True, slots=True)
class GuildStats:
    studying_today: int
    studying_week: int
    minutes_week: int
    goal_minutes: int
    streaks: tuple[tuple[str, int], ...]
    """(bucket label, members) for members with a current streak."""
    mentors: int
    mentors_available: int
    mentorships_active: int
    mentorships_ended: int
    requests_waiting: int
    offers_pending: int
    feedback_helped: int
    feedback_not_helped: int
    groups_open: int
    members_in_groups: int
    pool_size: int
    events_upcoming: int
    next_events: tuple[UpcomingEvent, ...]


class StatsService:
    def __init__(self, db: Database, clock: Clock, config: ConfigService) -> None:
        self._db = db
        self._clock = clock
        self._config = config

    async def overview(self, guild_id: int) -> GuildStats:
        cfg = await self._config.get(guild_id)
        now = self._clock.now()
        server_today = local_day(now, cfg.timezone)
        week_ago = server_today - timedelta(days=6)
        async with self._db.read() as session:
            studying_today, studying_week, minutes_week = await self._study(
                session, guild_id, server_today, week_ago
            )
            streaks = await self._streaks(session, guild_id, cfg.timezone, now)
            mentors = await _count(session, Mentor, guild_id)
            available = await _count(session, Mentor, guild_id, Mentor.available.is_(True))
            active = await _count(session, Mentorship, guild_id, Mentorship.state == "active")
            ended = await _count(session, Mentorship, guild_id, Mentorship.state == "ended")
            waiting = await _count(
                session, MentorshipRequest, guild_id, MentorshipRequest.state == "open"
            )
            pending = await _count(session, MentorOffer, guild_id, MentorOffer.state == "pending")
            helped = await _count(
                session, MentorshipFeedback, guild_id, MentorshipFeedback.helped.is_(True)
            )
            not_helped = await _count(
                session, MentorshipFeedback, guild_id, MentorshipFeedback.helped.is_(False)
            )
            groups_open = await _count(session, StudyGroup, guild_id, StudyGroup.status == "open")
            in_groups = await session.scalar(
                select(func.count(func.distinct(GroupMember.user_id)))
                .join(StudyGroup, StudyGroup.id == GroupMember.group_id)
                .where(GroupMember.guild_id == guild_id, StudyGroup.status == "open")
            )
            pool = await _count(session, GroupPoolEntry, guild_id)
            upcoming = (
                Event.guild_id == guild_id,
                Event.status == "scheduled",
                Event.starts_at > now,
            )
            events_upcoming = await session.scalar(select(func.count()).where(*upcoming))
            next_rows = await session.execute(
                select(Event.id, Event.title, Event.starts_at)
                .where(*upcoming)
                .order_by(Event.starts_at)
                .limit(3)
            )
            next_events = tuple(UpcomingEvent(i, t, s) for i, t, s in next_rows)
        return GuildStats(
            studying_today=studying_today,
            studying_week=studying_week,
            minutes_week=minutes_week,
            goal_minutes=cfg.streak_goal_minutes,
            streaks=streaks,
            mentors=mentors,
            mentors_available=available,
            mentorships_active=active,
            mentorships_ended=ended,
            requests_waiting=waiting,
            offers_pending=pending,
            feedback_helped=helped,
            feedback_not_helped=not_helped,
            groups_open=groups_open,
            members_in_groups=int(in_groups or 0),
            pool_size=pool,
            events_upcoming=int(events_upcoming or 0),
            next_events=next_events,
        )

    @staticmethod
    async def _study(
        session: AsyncSession, guild_id: int, today: date, week_ago: date
    ) -> tuple[int, int, int]:
        """Members who studied today and in the last 7 days (server calendar), and their minutes."""
        base = (StudyDay.guild_id == guild_id, StudyDay.minutes > 0)
        today_count = await session.scalar(select(func.count()).where(*base, StudyDay.day == today))
        week = await session.execute(
            select(
                func.count(func.distinct(StudyDay.user_id)),
                func.coalesce(func.sum(StudyDay.minutes), 0),
            ).where(*base, StudyDay.day >= week_ago)
        )
        members, minutes = week.one()
        return int(today_count or 0), int(members or 0), int(minutes or 0)

    @staticmethod
    async def _streaks(
        session: AsyncSession, guild_id: int, default_tz: str, now: datetime
    ) -> tuple[tuple[str, int], ...]:
        rows = list(
            await session.scalars(select(StreakStateRow).where(StreakStateRow.guild_id == guild_id))
        )
        zones = await member_zones(session, guild_id, (r.user_id for r in rows), default_tz)
        runs: Counter[str] = Counter()
        for row in rows:
            current = rule.project(snapshot_from_row(row), local_day(now, zones[row.user_id])).run
            for label, low, high in STREAK_BUCKETS:
                if current >= low and (high is None or current <= high):
                    runs[label] += 1
        return tuple((label, runs[label]) for label, _, _ in STREAK_BUCKETS)


async def _count(session: AsyncSession, model: type, guild_id: int, *where: object) -> int:
    value = await session.scalar(
        select(func.count()).select_from(model).where(model.guild_id == guild_id, *where)  # type: ignore[attr-defined]
    )
    return int(value or 0)
