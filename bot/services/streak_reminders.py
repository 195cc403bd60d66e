"""Daily study reminders: ``/streak remind HH:MM`` in the member's local time, or ``off``.

One sweep (run every minute) finds everyone due, not one job per member. A reminder is due
when the member's local time has passed their HH:MM today, today's goal is not met yet, and
none was sent today. ``next_due_at`` (UTC, indexed) keeps the sweep to the few rows that can
be due; a row whose member changed timezone since is re-read too, so a move never delays a
reminder by a day.

``due_reminders`` *claims* what it returns (marks today as sent in the same transaction), so
two sweeps or a restart never DM anyone twice; the caller then reports each DM with
``mark_reminder_sent`` or ``mark_reminder_failed``. After 3 failed DMs in a row (closed
DMs, left the server) the reminder turns itself off and the member sees why in ``get``.
A reminder missed while the bot was down is still sent later the same local day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain import streaks as rule
from bot.domain.streak_days import (
    format_time_of_day,
    local_day,
    occurrence,
    parse_time_of_day,
)
from bot.models import GuildSettings, MemberProfile, StreakReminder, StreakStateRow, StudyDay
from bot.services.config import ConfigService
from bot.services.profiles import ProfileService
from bot.services.streak_store import member_context, snapshot_from_row

MAX_FAILURES = 3


@dataclass(frozen=True, slots=True)
class ReminderSetting:
    enabled: bool
    time: str | None
    """Local ``HH:MM``; kept after the bot turned the reminder off, None if never set."""
    timezone: str
    next_at: datetime | None
    turned_off_after_failures: bool


@dataclass(frozen=True, slots=True)
class DueReminder:
    guild_id: int
    user_id: int
    local_day: date
    time: str
    timezone: str
    today_minutes: int
    goal_minutes: int
    current_streak: int

    @property
    def minutes_to_goal(self) -> int:
        return max(0, self.goal_minutes - self.today_minutes)


@dataclass(frozen=True, slots=True)
class ReminderFailure:
    failures: int
    turned_off: bool


def next_due(now: datetime, minute_of_day: int, tz: str, last_sent: date | None) -> datetime:
    """The next firing: today's time if it is still ahead and unsent, else tomorrow's."""
    today = local_day(now, tz)
    at = occurrence(today, minute_of_day, tz)
    if at > now and last_sent != today:
        return at
    return occurrence(today + timedelta(days=1), minute_of_day, tz)


def _setting(row: StreakReminder | None, tz: str) -> ReminderSetting:
    if row is None:
        return ReminderSetting(False, None, tz, None, False)
    return ReminderSetting(
        enabled=row.next_due_at is not None,
        time=format_time_of_day(row.minute_of_day),
        timezone=tz,
        next_at=row.next_due_at,
        turned_off_after_failures=row.off_reason == "failures",
    )


class ReminderService:
    def __init__(
        self, db: Database, clock: Clock, config: ConfigService, profiles: ProfileService
    ) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._profiles = profiles

    async def set(self, guild_id: int, user_id: int, time: str) -> ReminderSetting:
        """``/streak remind``: ``HH:MM`` in the member's timezone, or ``off``."""
        minute = parse_time_of_day(time)
        ctx = await member_context(
            self._config, self._profiles, guild_id, user_id, self._clock.now()
        )
        async with self._db.write() as session:
            row = await session.get(
                StreakReminder, (guild_id, user_id), with_for_update=True, populate_existing=True
            )
            if minute is None:
                if row is not None:
                    row.next_due_at, row.off_reason, row.updated_at = None, "member", ctx.now
                return _setting(row, ctx.timezone)
            if row is None:
                row = StreakReminder(guild_id=guild_id, user_id=user_id, last_sent_day=None)
                session.add(row)
            row.minute_of_day = minute
            row.timezone = ctx.timezone
            row.next_due_at = next_due(ctx.now, minute, ctx.timezone, row.last_sent_day)
            row.failures, row.off_reason, row.updated_at = 0, None, ctx.now
            await session.flush()
            return _setting(row, ctx.timezone)

    async def get(self, guild_id: int, user_id: int) -> ReminderSetting:
        tz = await self._profiles.effective_timezone(guild_id, user_id)
        async with self._db.read() as session:
            row = await session.get(StreakReminder, (guild_id, user_id), populate_existing=True)
            return _setting(row, tz)

    async def due_reminders(
        self, now: datetime | None = None, *, guild_ids: Iterable[int] | None = None
    ) -> list[DueReminder]:
        """Claim and return every reminder to DM now (see the module docstring)."""
        now = now or self._clock.now()
        effective_tz = func.coalesce(MemberProfile.timezone, GuildSettings.timezone)
        stmt = (
            select(StreakReminder, effective_tz, GuildSettings.streak_goal_minutes)
            .join(GuildSettings, GuildSettings.guild_id == StreakReminder.guild_id)
            .outerjoin(
                MemberProfile,
                and_(
                    MemberProfile.guild_id == StreakReminder.guild_id,
                    MemberProfile.user_id == StreakReminder.user_id,
                ),
            )
            .where(
                StreakReminder.next_due_at.is_not(None),
                GuildSettings.streaks_enabled.is_(True),
                or_(StreakReminder.next_due_at <= now, StreakReminder.timezone != effective_tz),
            )
            # One order for every sweeper, so two of them never wait on each other's rows.
            .order_by(StreakReminder.guild_id, StreakReminder.user_id)
        )
        if guild_ids is not None:
            stmt = stmt.where(StreakReminder.guild_id.in_(list(guild_ids)))
        due: list[DueReminder] = []
        async with self._db.write() as session:
            candidates = [(row, tz, goal) for row, tz, goal in await session.execute(stmt)]
            progress = await self._progress(session, now, candidates)
            for row, tz, server_goal in candidates:
                today = local_day(now, tz)
                minutes, day_goal, streak = progress.get((row.guild_id, row.user_id), (0, None, 0))
                goal = day_goal or server_goal
                at = occurrence(today, row.minute_of_day, tz)
                sent_today = row.last_sent_day == today
                if now < at and not sent_today:
                    # Not yet (the member moved to a zone where it is earlier): wait for it.
                    is_due, follow = False, at
                else:
                    is_due = not sent_today and minutes < goal
                    follow = occurrence(today + timedelta(days=1), row.minute_of_day, tz)
                claimed = await session.execute(
                    update(StreakReminder)
                    .where(
                        StreakReminder.guild_id == row.guild_id,
                        StreakReminder.user_id == row.user_id,
                        StreakReminder.next_due_at == row.next_due_at,
                    )
                    .values(
                        next_due_at=follow,
                        timezone=tz,
                        last_sent_day=today if is_due else row.last_sent_day,
                    )
                )
                if is_due and claimed.rowcount == 1:  # type: ignore[attr-defined]
                    due.append(
                        DueReminder(
                            guild_id=row.guild_id,
                            user_id=row.user_id,
                            local_day=today,
                            time=format_time_of_day(row.minute_of_day),
                            timezone=tz,
                            today_minutes=minutes,
                            goal_minutes=goal,
                            current_streak=streak,
                        )
                    )
        return due

    @staticmethod
    async def _progress(
        session: AsyncSession,
        now: datetime,
        candidates: list[tuple[StreakReminder, str, int]],
    ) -> dict[tuple[int, int], tuple[int, int | None, int]]:
        """(guild, member) -> (minutes today, the goal stored on today if any, current streak)."""
        wanted: dict[int, dict[int, date]] = {}
        for row, tz, _ in candidates:
            wanted.setdefault(row.guild_id, {})[row.user_id] = local_day(now, tz)
        out: dict[tuple[int, int], tuple[int, int | None, int]] = {}
        for guild_id, users in wanted.items():
            ids = list(users)
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = await session.execute(
                    select(
                        StudyDay.user_id, StudyDay.day, StudyDay.minutes, StudyDay.goal_minutes
                    ).where(
                        StudyDay.guild_id == guild_id,
                        StudyDay.user_id.in_(chunk),
                        StudyDay.day.in_({users[u] for u in chunk}),
                    )
                )
                today_rows = {uid: (m, g) for uid, day, m, g in rows if users[uid] == day}
                states = await session.scalars(
                    select(StreakStateRow).where(
                        StreakStateRow.guild_id == guild_id, StreakStateRow.user_id.in_(chunk)
                    )
                )
                streaks = {
                    s.user_id: rule.project(snapshot_from_row(s), users[s.user_id]).run
                    for s in states
                }
                for uid in chunk:
                    minutes, goal = today_rows.get(uid, (0, None))
                    out[(guild_id, uid)] = (minutes, goal, streaks.get(uid, 0))
        return out

    async def mark_reminder_sent(self, guild_id: int, user_id: int) -> None:
        """The DM went out: the failure count starts over."""
        async with self._db.write() as session:
            await session.execute(
                update(StreakReminder)
                .where(StreakReminder.guild_id == guild_id, StreakReminder.user_id == user_id)
                .values(failures=0)
            )

    async def mark_reminder_failed(self, guild_id: int, user_id: int) -> ReminderFailure:
        """The DM failed; after 3 failures in a row the reminder turns off."""
        now = self._clock.now()
        async with self._db.write() as session:
            row = await session.get(
                StreakReminder, (guild_id, user_id), with_for_update=True, populate_existing=True
            )
            if row is None:
                return ReminderFailure(0, False)
            row.failures += 1
            row.updated_at = now
            turned_off = row.failures >= MAX_FAILURES and row.next_due_at is not None
            if turned_off:
                row.next_due_at, row.off_reason = None, "failures"
            return ReminderFailure(row.failures, turned_off)
