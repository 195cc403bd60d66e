"""The one write path for study minutes, shared by logs, timers, voice and corrections.

Every change to a member's minutes goes through :func:`apply_minutes` inside the caller's
write transaction. It locks the member's ``streak_states`` row first (so two logs of one
member are applied one after the other, on SQLite and PostgreSQL alike), updates the day
totals, the week/month/all-time totals and the streak snapshot together, and claims a
milestone the change reached. Nothing here opens its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import streaks as rule
from bot.domain.streak_days import day_capacity, local_day
from bot.errors import UserError
from bot.models import (
    MemberProfile,
    StreakMilestone,
    StreakStateRow,
    StudyDay,
    StudyPeriodTotal,
)
from bot.services._sql import insert_ignore
from bot.services.config import ConfigService, GuildConfig
from bot.services.profiles import ProfileService

ALL_TIME = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class MemberContext:
    """Who is studying, where their day is, and the server's current goal."""

    guild_id: int
    user_id: int
    timezone: str
    goal: int
    now: datetime

    @property
    def today(self) -> date:
        return local_day(self.now, self.timezone)


@dataclass(frozen=True, slots=True)
class DayCredit:
    """What a change did to one local day."""

    day: date
    requested: int
    credited: int
    total: int
    goal: int

    @property
    def counted(self) -> bool:
        return self.total >= self.goal

    @property
    def clipped(self) -> int:
        """Minutes that did not fit into the day (it would have passed 24 h)."""
        return self.requested - self.credited


@dataclass(frozen=True, slots=True)
class DayRoom:
    """Handed to a refusal callback when a strict change does not fit a day."""

    day: date
    current: int
    limit: int
    delta: int


@dataclass(frozen=True, slots=True)
class CreditOutcome:
    credits: tuple[DayCredit, ...]
    before: rule.StreakState
    after: rule.StreakState
    snapshot: rule.StreakSnapshot
    milestone: int | None

    @property
    def credited(self) -> int:
        return sum(c.credited for c in self.credits)


@dataclass(frozen=True, slots=True)
class StreakSummary:
    """A member's streak as ``/streak show`` and ``/study status`` present it."""

    guild_id: int
    user_id: int
    timezone: str
    today: date
    today_minutes: int
    goal_minutes: int
    current: int
    longest: int
    freezes: int
    days_to_next_freeze: int | None
    next_milestone: int | None

    @property
    def today_counted(self) -> bool:
        return self.today_minutes >= self.goal_minutes

    @property
    def minutes_to_goal(self) -> int:
        return max(0, self.goal_minutes - self.today_minutes)


def summarize(ctx: MemberContext, snapshot: rule.StreakSnapshot) -> StreakSummary:
    """The summary of a snapshot as of the member's today (the one streak rule)."""
    state = rule.project(snapshot, ctx.today)
    today = max(ctx.today, snapshot.last_day or ctx.today)
    last = snapshot.last if snapshot.last_day == today else None
    return StreakSummary(
        guild_id=ctx.guild_id,
        user_id=ctx.user_id,
        timezone=ctx.timezone,
        today=today,
        today_minutes=last.minutes if last else 0,
        goal_minutes=last.goal if last else ctx.goal,
        current=state.run,
        longest=state.longest,
        freezes=state.freezes,
        days_to_next_freeze=state.days_to_next_freeze,
        next_milestone=rule.next_milestone(state.run),
    )


async def read_snapshot(session: AsyncSession, guild_id: int, user_id: int) -> rule.StreakSnapshot:
    return snapshot_from_row(
        await session.get(StreakStateRow, (guild_id, user_id), populate_existing=True)
    )


def require_enabled(config: GuildConfig) -> None:
    config.require_module("streaks")


async def member_context(
    config: ConfigService,
    profiles: ProfileService,
    guild_id: int,
    user_id: int,
    now: datetime,
    *,
    check_enabled: bool = True,
) -> MemberContext:
    cfg = await config.get(guild_id)
    if check_enabled:
        require_enabled(cfg)
    tz = await profiles.effective_timezone(guild_id, user_id)
    return MemberContext(guild_id, user_id, tz, cfg.streak_goal_minutes, now)


async def member_zones(
    session: AsyncSession, guild_id: int, user_ids: Iterable[int], default: str
) -> dict[int, str]:
    """Each member's timezone (profile, else the server default), in one query."""
    ids = list(set(user_ids))
    zones = dict.fromkeys(ids, default)
    for start in range(0, len(ids), 500):
        rows = await session.execute(
            select(MemberProfile.user_id, MemberProfile.timezone).where(
                MemberProfile.guild_id == guild_id,
                MemberProfile.user_id.in_(ids[start : start + 500]),
                MemberProfile.timezone.is_not(None),
            )
        )
        zones.update({uid: tz for uid, tz in rows})
    return zones


def period_keys(day: date) -> tuple[tuple[str, date], ...]:
    """The leaderboard periods a local day belongs to: its week (from Monday), month, all."""
    return (
        ("week", day - timedelta(days=day.weekday())),
        ("month", day.replace(day=1)),
        ("all", ALL_TIME),
    )


def snapshot_from_row(row: StreakStateRow | None) -> rule.StreakSnapshot:
    if row is None or row.last_day is None:
        return rule.EMPTY_SNAPSHOT
    assert row.last_minutes is not None
    assert row.last_goal is not None
    return rule.StreakSnapshot(
        rule.StreakState(row.base_run, row.base_longest, row.base_freezes),
        row.last_day,
        rule.DayTotal(row.last_minutes, row.last_goal),
    )


async def load_days(
    session: AsyncSession, guild_id: int, user_id: int
) -> dict[date, rule.DayTotal]:
    rows = await session.execute(
        select(StudyDay.day, StudyDay.minutes, StudyDay.goal_minutes).where(
            StudyDay.guild_id == guild_id, StudyDay.user_id == user_id
        )
    )
    return {day: rule.DayTotal(minutes, goal) for day, minutes, goal in rows}


async def lock_member(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime
) -> StreakStateRow:
    """Create the member's state row if needed and lock it for the rest of the transaction."""
    await insert_ignore(
        session,
        StreakStateRow.__table__,  # type: ignore[arg-type]
        {
            "guild_id": guild_id,
            "user_id": user_id,
            "base_run": 0,
            "base_longest": 0,
            "base_freezes": 0,
            "updated_at": now,
        },
        ["guild_id", "user_id"],
    )
    row = await session.get(
        StreakStateRow, (guild_id, user_id), with_for_update=True, populate_existing=True
    )
    assert row is not None
    return row


async def apply_minutes(
    session: AsyncSession,
    ctx: MemberContext,
    changes: Sequence[tuple[date, int]],
    *,
    refuse: Callable[[DayRoom], UserError] | None = None,
    limits: dict[date, int] | None = None,
) -> CreditOutcome:
    """Add ``minutes`` (negative to remove) to each ``(day, minutes)`` of one member.

    A day never goes below 0 or above its capacity (or ``limits[day]`` when given). With
    ``refuse`` a change that does not fit raises the error it builds, and the caller's
    transaction writes nothing; without it the change is clipped to fit (timers, voice).
    """
    state_row = await lock_member(session, ctx.guild_id, ctx.user_id, ctx.now)
    snapshot = snapshot_from_row(state_row)
    before = rule.project(snapshot, ctx.today)
    rebuild = False
    credits: list[DayCredit] = []
    for day, delta in changes:
        row = await session.get(
            StudyDay, (ctx.guild_id, ctx.user_id, day), with_for_update=True, populate_existing=True
        )
        current = row.minutes if row is not None else 0
        limit = (limits or {}).get(day, day_capacity(day, ctx.timezone))
        # Adding never takes minutes away (a day can hold more than a new zone's shorter
        # day allows); removing never goes below zero.
        credited = max(0, min(delta, limit - current)) if delta >= 0 else max(delta, -current)
        if credited != delta and refuse is not None:
            raise refuse(DayRoom(day, current, limit, delta))
        if row is None:
            row = StudyDay(
                guild_id=ctx.guild_id,
                user_id=ctx.user_id,
                day=day,
                minutes=current + credited,
                goal_minutes=ctx.goal,
                updated_at=ctx.now,
            )
            session.add(row)
        else:
            row.minutes = current + credited
            row.updated_at = ctx.now
        if credited:
            await _add_to_periods(session, ctx, day, credited)
        total = rule.DayTotal(row.minutes, row.goal_minutes)
        if not rebuild and rule.can_record(snapshot, day):
            snapshot = rule.record(snapshot, day, total)
        else:
            rebuild = True
        credits.append(DayCredit(day, delta, credited, row.minutes, row.goal_minutes))
    await session.flush()
    if rebuild:
        # An earlier day changed: replay the member's history (a few hundred rows at most).
        snapshot = rule.snapshot_of(await load_days(session, ctx.guild_id, ctx.user_id))
    _store_snapshot(state_row, snapshot, ctx.now)
    after = rule.project(snapshot, ctx.today)
    milestone = rule.milestone_reached(before.run, after.run)
    if milestone is not None and not await claim_milestone(
        session, ctx.guild_id, ctx.user_id, milestone, ctx.now
    ):
        milestone = None
    await session.flush()
    return CreditOutcome(tuple(credits), before, after, snapshot, milestone)


def _store_snapshot(row: StreakStateRow, snapshot: rule.StreakSnapshot, now: datetime) -> None:
    row.base_run = snapshot.base.run
    row.base_longest = snapshot.base.longest
    row.base_freezes = snapshot.base.freezes
    row.last_day = snapshot.last_day
    row.last_minutes = snapshot.last.minutes if snapshot.last else None
    row.last_goal = snapshot.last.goal if snapshot.last else None
    row.updated_at = now


async def _add_to_periods(session: AsyncSession, ctx: MemberContext, day: date, delta: int) -> None:
    keys = period_keys(day)
    base = {"guild_id": ctx.guild_id, "user_id": ctx.user_id, "minutes": 0}
    await insert_ignore(
        session,
        StudyPeriodTotal.__table__,  # type: ignore[arg-type]
        [{**base, "kind": kind, "period_start": start} for kind, start in keys],
        ["guild_id", "user_id", "kind", "period_start"],
    )
    await session.execute(
        update(StudyPeriodTotal)
        .where(
            StudyPeriodTotal.guild_id == ctx.guild_id,
            StudyPeriodTotal.user_id == ctx.user_id,
            or_(
                *(
                    and_(StudyPeriodTotal.kind == kind, StudyPeriodTotal.period_start == start)
                    for kind, start in keys
                )
            ),
        )
        .values(minutes=StudyPeriodTotal.minutes + delta)
    )


async def claim_milestone(
    session: AsyncSession, guild_id: int, user_id: int, milestone: int, now: datetime
) -> bool:
    """Record that the member reached ``milestone``; True only the first time, ever."""
    if milestone not in rule.MILESTONES:
        return False
    inserted = await insert_ignore(
        session,
        StreakMilestone.__table__,  # type: ignore[arg-type]
        {"guild_id": guild_id, "user_id": user_id, "milestone": milestone, "reached_at": now},
        ["guild_id", "user_id", "milestone"],
    )
    return inserted == 1
