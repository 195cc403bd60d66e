"""Study streaks: logging minutes by hand, the streak, history, calendar, leaderboard, corrections.

The rules are those of COMMANDS.md "/study and /streak"; the streak arithmetic itself lives
in ``bot.domain.streaks`` and local days in ``bot.domain.streak_days``. Every write goes
through ``streak_store.apply_minutes`` in one transaction with its ledger row (and, for a
correction, its audit entry), so a refused request writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.clock import Clock
from bot.db import Database
from bot.domain.streak_days import (
    check_adjust_day,
    check_adjust_minutes,
    check_log_day,
    check_log_minutes,
    day_capacity,
    local_day,
    minutes_passed,
    parse_day,
    zone,
)
from bot.domain.text import clean_text
from bot.errors import InvalidInput, UserError
from bot.models import StudySession
from bot.services.audit import AuditRecord, write_audit
from bot.services.config import ConfigService
from bot.services.profiles import ProfileService
from bot.services.streak_board import (
    PERIODS,
    BoardEntry,
    minutes_board,
    period_start,
    streak_board,
)
from bot.services.streak_history import (
    Calendar,
    History,
    read_calendar,
    read_history,
)
from bot.services.streak_store import (
    DayCredit,
    DayRoom,
    MemberContext,
    StreakSummary,
    apply_minutes,
    claim_milestone,
    member_context,
    read_snapshot,
    require_enabled,
    summarize,
)
from bot.services.streak_timers import TimerInfo, clean_topic, read_timer
from bot.services.voice import VoiceSessionInfo, read_voice_session

HISTORY_DAYS = (1, 90)
BOARD_LIMIT = 25
REASON_MAX = 200


@dataclass(frozen=True, slots=True)
class LogResult:
    day: DayCredit
    topic: str | None
    streak: StreakSummary
    milestone: int | None
    """A milestone this log reached for the first time ever: announce it."""


@dataclass(frozen=True, slots=True)
class AdjustResult:
    user_id: int
    day: date
    minutes: int
    before: int
    after: int
    goal: int
    reason: str
    audit: AuditRecord
    streak: StreakSummary
    milestone: int | None

    @property
    def counted(self) -> bool:
        return self.after >= self.goal


@dataclass(frozen=True, slots=True)
class StudyStatus:
    streak: StreakSummary
    timer: TimerInfo | None
    voice: VoiceSessionInfo | None


@dataclass(frozen=True, slots=True)
class Leaderboard:
    period: str
    since: date | None
    """First day of the period in the server's timezone; None for all time."""
    by_minutes: tuple[BoardEntry, ...]
    by_streak: tuple[BoardEntry, ...]


def _log_refusal(ctx: MemberContext, today: date) -> Callable[[DayRoom], UserError]:
    def refuse(room: DayRoom) -> UserError:
        left = max(0, room.limit - room.current)
        fits = f"{left} more minutes fit" if left else "no more minutes fit"
        if room.day == today and room.limit < day_capacity(today, ctx.timezone):
            clock = ctx.now.astimezone(zone(ctx.timezone))
            return InvalidInput(
                f"It is {clock:%H:%M} on {today.isoformat()} in your timezone ({ctx.timezone}): "
                f"{room.limit} minutes of today have passed and {room.current} are logged, so "
                f"{fits} today. Log earlier study with `day:{today - timedelta(days=1)}`, or "
                "set your timezone with `/profile set timezone:`."
            )
        return InvalidInput(
            f"{room.day.isoformat()} already has {room.current} minutes logged and a day holds "
            f"at most {room.limit} minutes, so {fits}."
        )

    return refuse


def _adjust_refusal(room: DayRoom) -> UserError:
    if room.delta < 0:
        return InvalidInput(
            f"{room.day.isoformat()} has {room.current} minutes, so at most {room.current} "
            f"can be removed; you asked to remove {-room.delta}."
        )
    return InvalidInput(
        f"{room.day.isoformat()} has {room.current} minutes and a day holds at most "
        f"{room.limit}, so at most {max(0, room.limit - room.current)} can be added."
    )


class StreakService:
    def __init__(
        self, db: Database, clock: Clock, config: ConfigService, profiles: ProfileService
    ) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._profiles = profiles

    async def _context(self, guild_id: int, user_id: int) -> MemberContext:
        return await member_context(
            self._config, self._profiles, guild_id, user_id, self._clock.now()
        )

    async def log(
        self,
        guild_id: int,
        user_id: int,
        minutes: int,
        *,
        topic: str | None = None,
        day: str | None = None,
    ) -> LogResult:
        """``/study log``: minutes 1..720 for today or yesterday (local), never past 24 h."""
        check_log_minutes(minutes)
        cleaned = clean_topic(topic)
        ctx = await self._context(guild_id, user_id)
        today = ctx.today
        target = today if day is None else parse_day(day, today)
        check_log_day(target, today)
        # Nobody has studied more of today than has passed since local midnight.
        limits = {today: minutes_passed(ctx.now, ctx.timezone)} if target == today else None
        async with self._db.write() as session:
            outcome = await apply_minutes(
                session,
                ctx,
                [(target, minutes)],
                refuse=_log_refusal(ctx, today),
                limits=limits,
            )
            session.add(
                StudySession(
                    guild_id=guild_id,
                    user_id=user_id,
                    day=target,
                    source="manual",
                    minutes=minutes,
                    timezone=ctx.timezone,
                    topic=cleaned,
                    created_at=ctx.now,
                )
            )
        return LogResult(
            outcome.credits[0], cleaned, summarize(ctx, outcome.snapshot), outcome.milestone
        )

    async def adjust(
        self,
        guild_id: int,
        moderator_id: int,
        user_id: int,
        day: str,
        minutes: int,
        reason: str,
    ) -> AdjustResult:
        """``/streak adjust``: a moderator's correction, audited, shown in the member's history."""
        check_adjust_minutes(minutes)
        why = clean_text(reason, field="reason", max_length=REASON_MAX)
        ctx = await self._context(guild_id, user_id)
        target = parse_day(day, ctx.today)
        check_adjust_day(target, ctx.today)
        async with self._db.write() as session:
            outcome = await apply_minutes(session, ctx, [(target, minutes)], refuse=_adjust_refusal)
            credit = outcome.credits[0]
            session.add(
                StudySession(
                    guild_id=guild_id,
                    user_id=user_id,
                    day=target,
                    source="adjustment",
                    minutes=minutes,
                    timezone=ctx.timezone,
                    moderator_id=moderator_id,
                    reason=why,
                    created_at=ctx.now,
                )
            )
            before = credit.total - minutes
            audit = await write_audit(
                session,
                guild_id=guild_id,
                actor_id=moderator_id,
                target_user_id=user_id,
                action="streak.adjust",
                summary=(
                    f"<@{user_id}>'s {target.isoformat()}: {before} → {credit.total} minutes "
                    f"({minutes:+d}). Reason: {why}"
                ),
                now=ctx.now,
                details={
                    "day": target.isoformat(),
                    "minutes": minutes,
                    "before": before,
                    "after": credit.total,
                    "reason": why,
                },
            )
        return AdjustResult(
            user_id=user_id,
            day=target,
            minutes=minutes,
            before=before,
            after=credit.total,
            goal=credit.goal,
            reason=why,
            audit=audit,
            streak=summarize(ctx, outcome.snapshot),
            milestone=outcome.milestone,
        )

    async def summary(self, guild_id: int, user_id: int) -> StreakSummary:
        """``/streak show``: current and longest streak, freezes, today's progress."""
        ctx = await self._context(guild_id, user_id)
        async with self._db.read() as session:
            return summarize(ctx, await read_snapshot(session, guild_id, user_id))

    async def status(self, guild_id: int, user_id: int) -> StudyStatus:
        """``/study status``: today against the goal, the running timer and voice session."""
        ctx = await self._context(guild_id, user_id)
        async with self._db.read() as session:
            return StudyStatus(
                streak=summarize(ctx, await read_snapshot(session, guild_id, user_id)),
                timer=await read_timer(session, guild_id, user_id, ctx.now),
                voice=await read_voice_session(session, guild_id, user_id, ctx.now),
            )

    async def history(self, guild_id: int, user_id: int, days: int = 14) -> History:
        """``/streak history``: the last ``days`` local days, newest first."""
        low, high = HISTORY_DAYS
        if not low <= days <= high:
            raise InvalidInput(f"History covers {low} to {high} days; you asked for {days}.")
        ctx = await self._context(guild_id, user_id)
        async with self._db.read() as session:
            return await read_history(session, ctx, days)

    async def calendar(self, guild_id: int, user_id: int) -> Calendar:
        """``/streak calendar``: minutes of each of the last 365 local days, goal days marked."""
        ctx = await self._context(guild_id, user_id)
        async with self._db.read() as session:
            return await read_calendar(session, ctx)

    async def leaderboard(
        self, guild_id: int, period: str = "week", limit: int = 10
    ) -> Leaderboard:
        """``/streak leaderboard``: top members by minutes in the period and by current streak."""
        if period not in PERIODS:
            raise InvalidInput(f"Choose a period of {', '.join(PERIODS)}; got {period[:20]!r}.")
        if not 1 <= limit <= BOARD_LIMIT:
            raise InvalidInput(f"A leaderboard shows 1 to {BOARD_LIMIT} members.")
        cfg = await self._config.get(guild_id)
        require_enabled(cfg)
        now = self._clock.now()
        start = period_start(period, local_day(now, cfg.timezone))
        async with self._db.read() as session:
            by_minutes = await minutes_board(session, guild_id, period, start, limit)
            by_streak = await streak_board(session, guild_id, cfg.timezone, now, limit)
        return Leaderboard(period, None if period == "all" else start, by_minutes, by_streak)

    async def claim_milestone(self, guild_id: int, user_id: int, milestone: int) -> bool:
        """Mark a milestone announced; True only the first time for this member and server.

        Logs, timers, voice and corrections already claim the milestones they reach and
        return them; this is for any other path that announces one.
        """
        async with self._db.write() as session:
            return await claim_milestone(session, guild_id, user_id, milestone, self._clock.now())
