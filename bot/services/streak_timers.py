"""Study timers: ``/study start`` and ``/study stop``, one running timer per member.

A running timer is a database row, so it survives restarts. Stopping logs the time split at
each local midnight. A timer left running for more than 12 hours logs 12 hours and says so:
nobody studies that long without a break, and a forgotten timer should not make a week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain.streak_days import session_minutes, split_by_local_day
from bot.domain.text import clean_text
from bot.errors import Conflict, NotFound
from bot.models import StudySession, StudyTimer
from bot.services._sql import insert_ignore
from bot.services.config import ConfigService
from bot.services.profiles import ProfileService
from bot.services.streak_store import (
    DayCredit,
    MemberContext,
    StreakSummary,
    apply_minutes,
    member_context,
    summarize,
)

TIMER_CAP = timedelta(hours=12)
TOPIC_MAX = 100


@dataclass(frozen=True, slots=True)
class TimerInfo:
    started_at: datetime
    topic: str | None
    elapsed_minutes: int
    over_cap: bool
    """True once the timer has run past 12 h: stopping it will log 12 h only."""


@dataclass(frozen=True, slots=True)
class TimerStop:
    started_at: datetime
    stopped_at: datetime
    topic: str | None
    ran_minutes: int
    """How long the timer ran, before the 12 h cap."""
    minutes: int
    """Minutes logged (after the cap, and after days that were already full)."""
    capped: bool
    days: tuple[DayCredit, ...]
    streak: StreakSummary
    milestone: int | None

    @property
    def clipped(self) -> int:
        """Minutes that did not fit because a day already held 24 h."""
        return sum(d.clipped for d in self.days)


def clean_topic(topic: str | None) -> str | None:
    if topic is None or not topic.strip():
        return None
    return clean_text(topic, field="topic", max_length=TOPIC_MAX)


def timer_info(row: StudyTimer, now: datetime) -> TimerInfo:
    return TimerInfo(
        started_at=row.started_at,
        topic=row.topic,
        elapsed_minutes=session_minutes(row.started_at, now),
        over_cap=now - row.started_at > TIMER_CAP,
    )


async def read_timer(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime
) -> TimerInfo | None:
    row = await session.get(StudyTimer, (guild_id, user_id), populate_existing=True)
    return timer_info(row, now) if row is not None else None


class TimerService:
    def __init__(
        self, db: Database, clock: Clock, config: ConfigService, profiles: ProfileService
    ) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._profiles = profiles

    async def start(self, guild_id: int, user_id: int, topic: str | None = None) -> TimerInfo:
        """Start the member's timer; a second start while one runs is refused."""
        cleaned = clean_topic(topic)
        ctx = await member_context(
            self._config, self._profiles, guild_id, user_id, self._clock.now()
        )
        async with self._db.write() as session:
            inserted = await insert_ignore(
                session,
                StudyTimer.__table__,  # type: ignore[arg-type]
                {
                    "guild_id": guild_id,
                    "user_id": user_id,
                    "started_at": ctx.now,
                    "topic": cleaned,
                },
                ["guild_id", "user_id"],
            )
            row = await session.get(StudyTimer, (guild_id, user_id), populate_existing=True)
            assert row is not None
            if not inserted:
                since = int(row.started_at.timestamp())
                raise Conflict(
                    f"You already have a timer running since <t:{since}:t> (<t:{since}:R>). "
                    "Stop it with `/study stop` before starting a new one."
                )
            return timer_info(row, ctx.now)

    async def running(self, guild_id: int, user_id: int) -> TimerInfo | None:
        async with self._db.read() as session:
            return await read_timer(session, guild_id, user_id, self._clock.now())

    async def stop(self, guild_id: int, user_id: int) -> TimerStop:
        """Stop the timer and log its minutes, split at local midnight, capped at 12 h."""
        ctx = await member_context(
            self._config, self._profiles, guild_id, user_id, self._clock.now()
        )
        async with self._db.write() as session:
            stopped = await self._stop(session, ctx)
        if stopped is None:
            raise NotFound(
                "You have no running timer. Start one with `/study start`, or log time you "
                "already studied with `/study log`."
            )
        return stopped

    async def stop_overdue(self, now: datetime | None = None) -> list[TimerStop]:
        """Stop every timer older than 12 h (all servers), each logging 12 h; for a sweep job.

        The caller tells each member their timer was capped. A server that turned streaks
        off keeps its timers until it turns them back on or the member stops them.
        """
        now = now or self._clock.now()
        async with self._db.read() as session:
            overdue = list(
                await session.execute(
                    select(StudyTimer.guild_id, StudyTimer.user_id).where(
                        StudyTimer.started_at < now - TIMER_CAP
                    )
                )
            )
        stops: list[TimerStop] = []
        for guild_id, user_id in overdue:
            cfg = await self._config.get(guild_id)
            if not cfg.module_enabled("streaks"):
                continue
            ctx = await member_context(self._config, self._profiles, guild_id, user_id, now)
            async with self._db.write() as session:
                stopped = await self._stop(session, ctx)
            if stopped is not None:
                stops.append(stopped)
        return stops

    @staticmethod
    async def _stop(session: AsyncSession, ctx: MemberContext) -> TimerStop | None:
        row = await session.get(
            StudyTimer, (ctx.guild_id, ctx.user_id), with_for_update=True, populate_existing=True
        )
        if row is None:
            return None
        started, topic = row.started_at, row.topic
        # Delete by key and check the count: of two simultaneous stops, one logs.
        result = await session.execute(
            delete(StudyTimer).where(
                StudyTimer.guild_id == ctx.guild_id, StudyTimer.user_id == ctx.user_id
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        end = min(ctx.now, started + TIMER_CAP)
        pieces = split_by_local_day(started, end, ctx.timezone)
        outcome = await apply_minutes(session, ctx, [(p.day, p.minutes) for p in pieces])
        for piece, credit in zip(pieces, outcome.credits, strict=True):
            if credit.credited > 0:
                session.add(
                    StudySession(
                        guild_id=ctx.guild_id,
                        user_id=ctx.user_id,
                        day=piece.day,
                        source="timer",
                        minutes=credit.credited,
                        started_at=piece.start,
                        ended_at=piece.end,
                        timezone=ctx.timezone,
                        topic=topic,
                        created_at=ctx.now,
                    )
                )
        await session.flush()
        return TimerStop(
            started_at=started,
            stopped_at=ctx.now,
            topic=topic,
            ran_minutes=session_minutes(started, ctx.now),
            minutes=outcome.credited,
            capped=ctx.now > started + TIMER_CAP,
            days=outcome.credits,
            streak=summarize(ctx, outcome.snapshot),
            milestone=outcome.milestone,
        )
