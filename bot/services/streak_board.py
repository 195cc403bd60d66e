"""Leaderboard queries: top members by minutes and by current streak, without full scans.

*Minutes* come from ``study_period_totals``, kept up to date with every change: this week
(from Monday), this calendar month, or all time, taken in the server's timezone. Each member's
minutes are filed under the week and month of their own local day. A board is one index range
read (guild, kind, period, minutes descending), whatever the history's length.

*Streaks* come from ``streak_states``, one snapshot per member. A current streak is never
more than the snapshot's ``base_run + 1``, so members are read in ``base_run`` order, in
batches, each projected to their own today with the one streak rule, and reading stops once
the top N are beaten by nobody left. Members whose last study is too old to still hold a
streak (more days ago than any member could bridge with freezes) are never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import streaks as rule
from bot.domain.streak_days import local_day
from bot.models import MemberProfile, StreakStateRow, StudyPeriodTotal
from bot.services.streak_store import ALL_TIME, period_keys

PERIODS = ("week", "month", "all")


@dataclass(frozen=True, slots=True)
class BoardEntry:
    rank: int
    user_id: int
    value: int
    """Minutes on the minutes board; days on the streak board."""


def period_start(period: str, today: date) -> date:
    if period == "all":
        return ALL_TIME
    return dict(period_keys(today))[period]


def _ranked(rows: list[tuple[int, int]]) -> tuple[BoardEntry, ...]:
    """Competition ranking (1, 2, 2, 4): equal values share a rank."""
    out: list[BoardEntry] = []
    for position, (user_id, value) in enumerate(rows, start=1):
        rank = out[-1].rank if out and out[-1].value == value else position
        out.append(BoardEntry(rank, user_id, value))
    return tuple(out)


async def minutes_board(
    session: AsyncSession, guild_id: int, period: str, start: date, limit: int
) -> tuple[BoardEntry, ...]:
    rows = await session.execute(
        select(StudyPeriodTotal.user_id, StudyPeriodTotal.minutes)
        .where(
            StudyPeriodTotal.guild_id == guild_id,
            StudyPeriodTotal.kind == period,
            StudyPeriodTotal.period_start == start,
            StudyPeriodTotal.minutes > 0,
        )
        .order_by(StudyPeriodTotal.minutes.desc(), StudyPeriodTotal.user_id)
        .limit(limit)
    )
    return _ranked([(uid, minutes) for uid, minutes in rows])


async def streak_board(
    session: AsyncSession, guild_id: int, default_tz: str, now: datetime, limit: int
) -> tuple[BoardEntry, ...]:
    # The earliest "today" anywhere is the UTC date minus one day; a streak survives at most
    # MAX_FREEZES + 1 days after the last recorded day (one open today plus frozen days).
    cutoff = now.date() - timedelta(days=rule.MAX_FREEZES + 3)
    today_in: dict[str, date] = {}
    found: list[tuple[int, int, int]] = []  # (-current, user_id, current)
    after: tuple[int, int] | None = None
    size = max(4 * limit, 32)
    s = StreakStateRow
    while True:
        # Read in index order (guild, base_run, user_id), highest first; the final ranking
        # is sorted in Python, so the scan's own tie order does not matter.
        stmt = (
            select(
                s.user_id,
                s.base_run,
                s.base_longest,
                s.base_freezes,
                s.last_day,
                s.last_minutes,
                s.last_goal,
                MemberProfile.timezone,
            )
            .outerjoin(
                MemberProfile,
                and_(MemberProfile.guild_id == s.guild_id, MemberProfile.user_id == s.user_id),
            )
            .where(s.guild_id == guild_id, s.last_day >= cutoff)
            .order_by(s.base_run.desc(), s.user_id.desc())
            .limit(size)
        )
        if after is not None:
            stmt = stmt.where(tuple_(s.base_run, s.user_id) < after)
        batch = (await session.execute(stmt)).all()
        for uid, run, longest, freezes, last_day, last_minutes, last_goal, tz in batch:
            zone = tz or default_tz
            if zone not in today_in:
                today_in[zone] = local_day(now, zone)
            snapshot = rule.StreakSnapshot(
                rule.StreakState(run, longest, freezes),
                last_day,
                rule.DayTotal(last_minutes, last_goal),
            )
            current = rule.project(snapshot, today_in[zone]).run
            if current > 0:
                found.append((-current, uid, current))
        if len(batch) < size:
            break
        found.sort()
        del found[limit:]
        last_run, last_uid = batch[-1][1], batch[-1][0]
        # Everyone not read yet has a streak of at most last_run + 1; stop when the N-th
        # place already beats that (ties keep reading: user id order breaks them).
        if len(found) == limit and found[-1][2] > last_run + 1:
            break
        after = (last_run, last_uid)
        size = min(size * 4, 4096)
    found.sort()
    return _ranked([(uid, current) for _, uid, current in found[:limit]])
