"""What ``/streak history`` and ``/streak calendar`` show: a member's days, read in one go.

History replays the member's whole record through the streak rule (``evaluate``), because
whether a day was frozen or broke the streak depends on everything before it, and joins the
moderators' corrections of the shown days. The calendar needs no replay: each day counts by
its own stored goal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import streaks as rule
from bot.models import StudyDay, StudySession
from bot.services.streak_store import (
    MemberContext,
    StreakSummary,
    load_days,
    read_snapshot,
    summarize,
)

CALENDAR_DAYS = 365


@dataclass(frozen=True, slots=True)
class Correction:
    minutes: int
    reason: str
    moderator_id: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class HistoryDay:
    day: date
    minutes: int
    goal: int | None
    """The goal that judged the day; None for a day with no study at all."""
    counted: bool
    frozen: bool
    """A missed day that used a freeze instead of breaking the streak."""
    broke: bool
    """A missed day that ended the streak."""
    freeze_earned: bool
    streak: int
    freezes: int
    is_open: bool
    corrections: tuple[Correction, ...]


@dataclass(frozen=True, slots=True)
class History:
    user_id: int
    timezone: str
    days: tuple[HistoryDay, ...]
    """Newest first, ending today."""
    streak: StreakSummary


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    minutes: int
    counted: bool


@dataclass(frozen=True, slots=True)
class Calendar:
    user_id: int
    timezone: str
    goal_minutes: int
    days: tuple[CalendarDay, ...]
    """Oldest first: 365 local days ending today."""

    @property
    def total_minutes(self) -> int:
        return sum(d.minutes for d in self.days)

    @property
    def counted_days(self) -> int:
        return sum(d.counted for d in self.days)


async def read_history(session: AsyncSession, ctx: MemberContext, days: int) -> History:
    totals = await load_days(session, ctx.guild_id, ctx.user_id)
    _, outcomes = rule.evaluate(totals, ctx.today)
    snapshot = await read_snapshot(session, ctx.guild_id, ctx.user_id)
    end = outcomes[-1].day if outcomes else ctx.today
    first = end - timedelta(days=days - 1)
    corrections = await _corrections(session, ctx, first, end)
    by_day = {o.day: o for o in outcomes}
    out: list[HistoryDay] = []
    for offset in range(days):
        day = end - timedelta(days=offset)
        o = by_day.get(day)
        out.append(
            HistoryDay(
                day=day,
                minutes=o.minutes if o else 0,
                goal=o.goal if o else None,
                counted=o.counted if o else False,
                frozen=o.frozen if o else False,
                broke=o.broke if o else False,
                freeze_earned=o.freeze_earned if o else False,
                streak=o.streak if o else 0,
                freezes=o.freezes if o else 0,
                is_open=o.is_open if o else day == end,
                corrections=corrections.get(day, ()),
            )
        )
    return History(ctx.user_id, ctx.timezone, tuple(out), summarize(ctx, snapshot))


async def _corrections(
    session: AsyncSession, ctx: MemberContext, first: date, last: date
) -> dict[date, tuple[Correction, ...]]:
    rows = await session.scalars(
        select(StudySession)
        .where(
            StudySession.guild_id == ctx.guild_id,
            StudySession.user_id == ctx.user_id,
            StudySession.day.between(first, last),
            StudySession.source == "adjustment",
        )
        .order_by(StudySession.created_at, StudySession.id)
    )
    out: dict[date, list[Correction]] = {}
    for r in rows:
        out.setdefault(r.day, []).append(
            Correction(r.minutes, r.reason or "", r.moderator_id, r.created_at)
        )
    return {day: tuple(items) for day, items in out.items()}


async def read_calendar(session: AsyncSession, ctx: MemberContext) -> Calendar:
    first = ctx.today - timedelta(days=CALENDAR_DAYS - 1)
    rows = await session.execute(
        select(StudyDay.day, StudyDay.minutes, StudyDay.goal_minutes).where(
            StudyDay.guild_id == ctx.guild_id,
            StudyDay.user_id == ctx.user_id,
            StudyDay.day.between(first, ctx.today),
        )
    )
    found = {day: (minutes, goal) for day, minutes, goal in rows}
    days = []
    for offset in range(CALENDAR_DAYS):
        day = first + timedelta(days=offset)
        minutes, goal = found.get(day, (0, ctx.goal))
        days.append(CalendarDay(day, minutes, minutes > 0 and minutes >= goal))
    return Calendar(ctx.user_id, ctx.timezone, ctx.goal, tuple(days))
