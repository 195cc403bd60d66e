"""StreakService: /study log, /streak show, history, calendar and moderator corrections."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database
from bot.errors import InvalidInput, ModuleDisabled, UserError
from bot.services.streaks import LogResult

MOD = 111
STREAK_TABLES = {
    "study_sessions",
    "study_days",
    "study_period_totals",
    "streak_states",
    "study_timers",
    "voice_sessions",
    "streak_reminders",
    "streak_milestones",
}


async def streak_data(services: Services, guild_id: int, user_id: int) -> dict[str, object]:
    """Everything the streak feature stores about a member (via the privacy export)."""
    exported = await services.privacy.export(guild_id, user_id)
    return {table: rows for table, rows in exported.items() if table in STREAK_TABLES}


async def log_days(
    services: Services,
    clock: FrozenClock,
    guild_id: int,
    user_id: int,
    days: int,
    minutes: int = 30,
) -> list[LogResult]:
    """Log ``minutes`` on each of ``days`` days ending today, one day at a time."""
    end = clock.now()
    results = []
    for back in range(days - 1, -1, -1):
        clock.set(end - timedelta(days=back))
        results.append(await services.streaks.log(guild_id, user_id, minutes))
    clock.set(end)
    return results


async def test_study_log_of_the_goal_makes_today_count(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    result = await services.streaks.log(guild_id, alice, 30, topic="transformers")
    assert result.day.day == date(2026, 1, 5)
    assert result.day.total == 30
    assert result.day.counted
    assert result.streak.current == 1
    assert result.streak.today_counted
    assert result.topic == "transformers"


async def test_study_log_below_the_goal_does_not_count_yet(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    result = await services.streaks.log(guild_id, user_ids[0], 20)
    assert not result.day.counted
    assert result.streak.current == 0
    assert result.streak.minutes_to_goal == 10
    again = await services.streaks.log(guild_id, user_ids[0], 10)
    assert again.streak.current == 1


async def test_study_log_for_yesterday_extends_the_streak(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    await services.streaks.log(guild_id, alice, 45, day="2026-01-04")
    shown = await services.streaks.summary(guild_id, alice)
    assert shown.current == 1  # yesterday counts; today is still open
    assert shown.today_minutes == 0
    await services.streaks.log(guild_id, alice, 30)
    assert (await services.streaks.summary(guild_id, alice)).current == 2


async def test_study_log_uses_the_members_local_day(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.profiles.set(guild_id, alice, timezone="Asia/Tokyo")
    clock.set(datetime(2026, 1, 5, 20, 0, tzinfo=UTC))  # 05:00 on Jan 6 in Tokyo
    result = await services.streaks.log(guild_id, alice, 30)
    assert result.day.day == date(2026, 1, 6)
    with pytest.raises(InvalidInput, match="too long ago"):
        await services.streaks.log(guild_id, alice, 30, day="2026-01-04")


async def test_study_log_without_a_profile_uses_the_server_timezone(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    await services.config.set_timezone(guild_id, MOD, "America/New_York")
    clock.set(datetime(2026, 1, 6, 3, 0, tzinfo=UTC))  # 22:00 on Jan 5 in New York
    result = await services.streaks.log(guild_id, user_ids[0], 30)
    assert result.day.day == date(2026, 1, 5)
    assert result.streak.timezone == "America/New_York"


@pytest.mark.parametrize("minutes", [0, -30, 721])
async def test_study_log_with_bad_minutes_is_refused_and_nothing_written(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], minutes: int
) -> None:
    with pytest.raises(InvalidInput, match="between 1 and 720"):
        await services.streaks.log(guild_id, user_ids[0], minutes)
    assert await services.privacy.export(guild_id, user_ids[0]) == {}


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-01-03", "too long ago"),
        ("2025-12-25", "too long ago"),
        ("2026-01-06", "in the future"),
        ("2026-02-30", "not a date"),
        ("05/01/2026", "not a date"),
        ("last week", "not a date"),
    ],
)
async def test_study_log_for_a_day_other_than_today_or_yesterday_is_refused(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], day: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await services.streaks.log(guild_id, user_ids[0], 30, day=day)
    assert await services.privacy.export(guild_id, user_ids[0]) == {}


async def test_study_log_never_lets_a_day_pass_24_hours(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    await services.streaks.log(guild_id, alice, 720, day="yesterday")
    await services.streaks.log(guild_id, alice, 700, day="yesterday")
    with pytest.raises(InvalidInput, match=r"1420 minutes logged.*so 20 more minutes fit"):
        await services.streaks.log(guild_id, alice, 21, day="yesterday")
    await services.streaks.log(guild_id, alice, 20, day="yesterday")
    with pytest.raises(InvalidInput, match="no more minutes fit"):
        await services.streaks.log(guild_id, alice, 1, day="yesterday")
    history = await services.streaks.history(guild_id, alice, days=2)
    assert history.days[1].minutes == 1440


async def test_study_log_for_today_cannot_exceed_the_time_since_local_midnight(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.profiles.set(guild_id, alice, timezone="Europe/Berlin")
    clock.set(datetime(2026, 1, 5, 23, 30, tzinfo=UTC))  # 00:30 on Jan 6 in Berlin
    with pytest.raises(InvalidInput, match=r"It is 00:30 on 2026-01-06.*day:2026-01-05"):
        await services.streaks.log(guild_id, alice, 31)
    assert await streak_data(services, guild_id, alice) == {}
    assert (await services.streaks.log(guild_id, alice, 30)).day.total == 30


async def test_simultaneous_logs_never_push_a_day_over_24_hours(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    results = await asyncio.gather(
        *(services.streaks.log(guild_id, alice, 500, day="yesterday") for _ in range(4)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, LogResult) for r in results) == 2
    assert all(isinstance(r, LogResult | InvalidInput) for r in results)
    history = await services.streaks.history(guild_id, alice, days=2)
    assert history.days[1].minutes == 1000


async def test_a_missed_day_uses_a_freeze_instead_of_breaking_the_streak(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await log_days(services, clock, guild_id, alice, 7)
    assert (await services.streaks.summary(guild_id, alice)).freezes == 1
    clock.advance(timedelta(days=2))  # Jan 6 missed, Jan 7 is today
    await services.streaks.log(guild_id, alice, 30)
    shown = await services.streaks.summary(guild_id, alice)
    assert (shown.current, shown.freezes, shown.longest) == (8, 0, 8)
    history = await services.streaks.history(guild_id, alice, days=3)
    assert [d.frozen for d in history.days] == [False, True, False]


async def test_a_missed_day_without_a_freeze_breaks_the_streak(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await log_days(services, clock, guild_id, alice, 3)
    clock.advance(timedelta(days=2))
    assert (await services.streaks.summary(guild_id, alice)).current == 0
    await services.streaks.log(guild_id, alice, 30)
    shown = await services.streaks.summary(guild_id, alice)
    assert (shown.current, shown.longest) == (1, 3)
    history = await services.streaks.history(guild_id, alice, days=3)
    assert history.days[1].broke


async def test_a_goal_change_applies_from_the_next_day_and_never_rewrites_history(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.streaks.log(guild_id, alice, 30, day="yesterday")
    await services.streaks.log(guild_id, alice, 30)
    await services.config.set_streak_goal(guild_id, MOD, 60)
    shown = await services.streaks.summary(guild_id, alice)
    assert (shown.current, shown.goal_minutes) == (2, 30)  # today started under 30
    clock.advance(timedelta(days=1))
    tomorrow = await services.streaks.log(guild_id, alice, 30)
    assert tomorrow.streak.goal_minutes == 60
    assert not tomorrow.day.counted
    assert tomorrow.streak.current == 2
    history = await services.streaks.history(guild_id, alice, days=3)
    assert [(d.goal, d.counted) for d in history.days] == [(60, False), (30, True), (30, True)]


async def test_the_seventh_day_reports_the_milestone_once(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    results = await log_days(services, clock, guild_id, alice, 7)
    assert [r.milestone for r in results] == [None] * 6 + [7]
    # Taking the day away and giving it back does not announce it again.
    await services.streaks.adjust(guild_id, MOD, alice, "2026-01-05", -30, "test")
    again = await services.streaks.log(guild_id, alice, 30)
    assert again.streak.current == 7
    assert again.milestone is None
    assert not await services.streaks.claim_milestone(guild_id, alice, 7)
    assert await services.streaks.claim_milestone(guild_id, alice, 30)
    assert not await services.streaks.claim_milestone(guild_id, alice, 30)


async def test_a_milestone_is_not_announced_again_after_a_restart(
    database: Database, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    before = Services.build(database, clock)
    results = await log_days(before, clock, guild_id, alice, 7)
    assert results[-1].milestone == 7
    after = Services.build(database, clock)  # the bot restarted
    await after.streaks.adjust(guild_id, MOD, alice, "2026-01-05", -30, "re-log")
    assert (await after.streaks.log(guild_id, alice, 30)).milestone is None
    assert not await after.streaks.claim_milestone(guild_id, alice, 7)


async def test_streak_commands_say_so_when_the_module_is_off(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    await services.config.set_module(guild_id, MOD, "streaks", False)
    for call in (
        services.streaks.log(guild_id, user_ids[0], 30),
        services.streaks.summary(guild_id, user_ids[0]),
        services.streaks.leaderboard(guild_id),
        services.timers.start(guild_id, user_ids[0]),
        services.reminders.set(guild_id, user_ids[0], "20:00"),
    ):
        with pytest.raises(ModuleDisabled, match=r"turned off.*`/config module"):
            await call
    assert await services.privacy.export(guild_id, user_ids[0]) == {}


async def test_streak_adjust_corrects_an_old_day_audited_and_in_history(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    await services.streaks.log(guild_id, alice, 30, day="yesterday")
    result = await services.streaks.adjust(
        guild_id, MOD, alice, "2026-01-03", 45, "Forgot to log the reading group"
    )
    assert (result.before, result.after, result.counted) == (0, 45, True)
    assert result.streak.current == 2  # Jan 3 and 4 count; Jan 5 is open
    [entry] = await services.audit.recent(guild_id)
    assert entry.action == "streak.adjust"
    assert (entry.actor_id, entry.target_user_id) == (MOD, alice)
    assert "reading group" in entry.summary
    history = await services.streaks.history(guild_id, alice, days=3)
    [correction] = history.days[2].corrections
    assert (correction.minutes, correction.moderator_id) == (45, MOD)
    assert correction.reason == "Forgot to log the reading group"


async def test_streak_adjust_of_an_old_day_repairs_a_broken_streak(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await log_days(services, clock, guild_id, alice, 10)
    await services.streaks.adjust(guild_id, MOD, alice, "2026-01-01", -30, "logged twice")
    await services.streaks.adjust(guild_id, MOD, alice, "2025-12-31", -30, "logged twice")
    broken = await services.streaks.summary(guild_id, alice)
    assert broken.current == 4  # 7 days, then two removed and no freeze yet: restarted
    await services.streaks.adjust(guild_id, MOD, alice, "2026-01-01", 30, "it was right")
    await services.streaks.adjust(guild_id, MOD, alice, "2025-12-31", 30, "it was right")
    assert (await services.streaks.summary(guild_id, alice)).current == 10


@pytest.mark.parametrize(
    ("day", "minutes", "reason", "message"),
    [
        ("2026-01-04", 30, "   ", "`reason` can't be empty"),
        ("2026-01-04", 0, "typo", "not 0"),
        ("2026-01-04", 721, "typo", "between -720 and 720"),
        ("2026-01-06", 30, "typo", "in the future"),
        ("2024-01-04", 30, "typo", "more than 365 days ago"),
        ("someday", 30, "typo", "not a date"),
        ("2026-01-04", -31, "typo", "at most 30 can be removed"),
        ("2026-01-04", 30, "x" * 201, "limit is 200"),
    ],
)
async def test_streak_adjust_with_bad_input_is_refused_and_nothing_written(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    day: str,
    minutes: int,
    reason: str,
    message: str,
) -> None:
    alice = user_ids[0]
    await services.streaks.log(guild_id, alice, 30, day="2026-01-04")
    before = await streak_data(services, guild_id, alice)
    with pytest.raises(InvalidInput, match=message):
        await services.streaks.adjust(guild_id, MOD, alice, day, minutes, reason)
    assert await streak_data(services, guild_id, alice) == before
    assert await services.audit.recent(guild_id) == []


async def test_streak_adjust_cannot_fill_a_day_past_24_hours(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    await services.streaks.adjust(guild_id, MOD, alice, "2026-01-01", 720, "hackathon")
    await services.streaks.adjust(guild_id, MOD, alice, "2026-01-01", 700, "hackathon")
    with pytest.raises(InvalidInput, match="at most 20 can be added"):
        await services.streaks.adjust(guild_id, MOD, alice, "2026-01-01", 21, "hackathon")


@pytest.mark.parametrize("days", [0, 91, -1])
async def test_streak_history_outside_1_to_90_days_is_refused(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], days: int
) -> None:
    with pytest.raises(InvalidInput, match="1 to 90 days"):
        await services.streaks.history(guild_id, user_ids[0], days=days)


async def test_streak_history_lists_the_days_newest_first_including_empty_ones(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    await services.streaks.log(guild_id, alice, 40, day="yesterday")
    history = await services.streaks.history(guild_id, alice)
    assert len(history.days) == 14
    assert history.days[0].day == date(2026, 1, 5)
    assert history.days[0].is_open
    assert (history.days[1].minutes, history.days[1].counted) == (40, True)
    assert all(d.minutes == 0 and d.goal is None for d in history.days[2:])


async def test_streak_calendar_covers_the_last_365_local_days_with_goal_days_marked(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice = user_ids[0]
    await services.streaks.log(guild_id, alice, 10)
    await services.streaks.log(guild_id, alice, 30, day="yesterday")
    await services.streaks.adjust(guild_id, MOD, alice, "2025-01-06", 90, "old records")
    await services.streaks.adjust(guild_id, MOD, alice, "2025-01-05", 90, "too old for the map")
    calendar = await services.streaks.calendar(guild_id, alice)
    assert len(calendar.days) == 365
    assert (calendar.days[0].day, calendar.days[-1].day) == (date(2025, 1, 6), date(2026, 1, 5))
    assert (calendar.days[0].minutes, calendar.days[0].counted) == (90, True)
    assert (calendar.days[-2].minutes, calendar.days[-2].counted) == (30, True)
    assert (calendar.days[-1].minutes, calendar.days[-1].counted) == (10, False)
    assert (calendar.total_minutes, calendar.counted_days) == (130, 2)


async def test_a_member_sees_nothing_of_another_server(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    from tests.conftest import new_guild_id

    alice = user_ids[0]
    other = new_guild_id()
    await services.streaks.log(other, alice, 120)
    assert (await services.streaks.summary(guild_id, alice)).today_minutes == 0
    assert (await services.streaks.leaderboard(guild_id)).by_minutes == ()


async def test_errors_are_user_errors_with_sentences(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    with pytest.raises(UserError) as caught:
        await services.streaks.log(guild_id, user_ids[0], 0)
    assert caught.value.message.endswith(".")
