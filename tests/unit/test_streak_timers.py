"""TimerService: /study start and /study stop, across midnight, restarts and double clicks."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.streak_timers import TimerStop


async def test_study_stop_logs_the_minutes_the_timer_ran(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    started = await services.timers.start(guild_id, alice, topic="linear algebra")
    assert started.topic == "linear algebra"
    clock.advance(timedelta(minutes=42, seconds=20))
    status = await services.streaks.status(guild_id, alice)
    assert status.timer is not None
    assert status.timer.elapsed_minutes == 42
    stopped = await services.timers.stop(guild_id, alice)
    assert (stopped.minutes, stopped.capped) == (42, False)
    assert stopped.streak.today_minutes == 42
    assert stopped.streak.current == 1
    assert (await services.streaks.status(guild_id, alice)).timer is None


async def test_study_start_twice_is_refused_and_keeps_the_first_timer(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    first = await services.timers.start(guild_id, alice)
    clock.advance(timedelta(minutes=5))
    with pytest.raises(Conflict, match=r"already have a timer running.*`/study stop`"):
        await services.timers.start(guild_id, alice, topic="other")
    running = await services.timers.running(guild_id, alice)
    assert running is not None
    assert (running.started_at, running.topic) == (first.started_at, None)


async def test_study_stop_without_a_timer_is_a_clear_error(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    with pytest.raises(NotFound, match=r"no running timer.*`/study start`"):
        await services.timers.stop(guild_id, user_ids[0])
    assert await services.privacy.export(guild_id, user_ids[0]) == {}


async def test_study_start_with_a_topic_too_long_is_refused(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    with pytest.raises(InvalidInput, match="limit is 100"):
        await services.timers.start(guild_id, user_ids[0], topic="x" * 101)
    assert await services.timers.running(guild_id, user_ids[0]) is None


async def test_a_timer_over_local_midnight_is_split_between_the_two_days(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.profiles.set(guild_id, alice, timezone="America/New_York")
    clock.set(datetime(2026, 1, 6, 4, 20, tzinfo=UTC))  # 23:20 on Jan 5 in New York
    await services.timers.start(guild_id, alice)
    clock.advance(timedelta(minutes=70))  # 00:30 on Jan 6
    stopped = await services.timers.stop(guild_id, alice)
    assert [(d.day, d.credited) for d in stopped.days] == [
        (date(2026, 1, 5), 40),
        (date(2026, 1, 6), 30),
    ]
    assert stopped.streak.current == 2


async def test_a_timer_left_running_over_12_hours_logs_12_hours_and_says_so(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    clock.set(datetime(2026, 1, 5, 6, 0, tzinfo=UTC))
    await services.timers.start(guild_id, alice)
    clock.advance(timedelta(hours=15))
    running = await services.timers.running(guild_id, alice)
    assert running is not None
    assert running.over_cap
    stopped = await services.timers.stop(guild_id, alice)
    assert stopped.capped
    assert (stopped.ran_minutes, stopped.minutes) == (15 * 60, 12 * 60)


async def test_overdue_timers_are_stopped_at_12_hours_by_the_sweep(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice, bob, _ = user_ids
    await services.timers.start(guild_id, alice)
    clock.advance(timedelta(hours=11))
    await services.timers.start(guild_id, bob)
    clock.advance(timedelta(hours=2))
    stopped = await services.timers.stop_overdue()
    mine = [s for s in stopped if s.streak.guild_id == guild_id]
    assert [(s.streak.user_id, s.minutes, s.capped) for s in mine] == [(alice, 720, True)]
    assert await services.timers.running(guild_id, bob) is not None


async def test_two_simultaneous_stops_log_the_time_once(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.timers.start(guild_id, alice)
    clock.advance(timedelta(minutes=50))
    results = await asyncio.gather(
        services.timers.stop(guild_id, alice),
        services.timers.stop(guild_id, alice),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["NotFound", "TimerStop"]
    assert (await services.streaks.summary(guild_id, alice)).today_minutes == 50


async def test_a_running_timer_survives_a_restart(
    database: Database, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    before = Services.build(database, clock)
    await before.timers.start(guild_id, alice, topic="cnn")
    clock.advance(timedelta(minutes=35))
    after = Services.build(database, clock)  # a new process over the same database
    running = await after.timers.running(guild_id, alice)
    assert running is not None
    assert (running.topic, running.elapsed_minutes) == ("cnn", 35)
    stopped = await after.timers.stop(guild_id, alice)
    assert isinstance(stopped, TimerStop)
    assert stopped.streak.today_counted


async def test_a_timer_does_not_push_a_full_day_over_24_hours(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    clock.set(datetime(2026, 1, 5, 22, 30, tzinfo=UTC))
    await services.timers.start(guild_id, alice)
    clock.advance(timedelta(minutes=30))  # 23:00: 1380 minutes of the day have passed
    await services.streaks.log(guild_id, alice, 720)
    await services.streaks.log(guild_id, alice, 650)
    clock.advance(timedelta(minutes=70))  # 00:10 on Jan 6
    stopped = await services.timers.stop(guild_id, alice)
    # 90 minutes fell on Jan 5, where only 70 fit; 10 went to Jan 6.
    assert [(d.day, d.credited) for d in stopped.days] == [
        (date(2026, 1, 5), 70),
        (date(2026, 1, 6), 10),
    ]
    assert stopped.clipped == 20
    history = await services.streaks.history(guild_id, alice, days=2)
    assert [d.minutes for d in history.days] == [10, 1440]
