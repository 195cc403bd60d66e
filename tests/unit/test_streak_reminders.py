"""ReminderService: /streak remind, and the one sweep that finds who to DM, as the clock moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.container import Services
from bot.errors import InvalidInput
from bot.services.streak_reminders import DueReminder

MOD = 111


async def due_here(services: Services, guild_id: int) -> list[DueReminder]:
    return await services.reminders.due_reminders(guild_ids=[guild_id])


async def test_a_reminder_arrives_at_the_local_time_once_a_day(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.profiles.set(guild_id, alice, timezone="Europe/Berlin")
    setting = await services.reminders.set(guild_id, alice, "20:00")
    assert setting.enabled
    assert setting.next_at == datetime(2026, 1, 5, 19, 0, tzinfo=UTC)  # 20:00 in Berlin
    clock.set(datetime(2026, 1, 5, 18, 59, tzinfo=UTC))
    assert await due_here(services, guild_id) == []
    clock.set(datetime(2026, 1, 5, 19, 0, tzinfo=UTC))
    [due] = await due_here(services, guild_id)
    assert (due.user_id, due.time, due.minutes_to_goal) == (alice, "20:00", 30)
    clock.advance(timedelta(minutes=1))
    assert await due_here(services, guild_id) == []  # already sent today
    clock.set(datetime(2026, 1, 6, 19, 0, tzinfo=UTC))
    assert [d.user_id for d in await due_here(services, guild_id)] == [alice]


async def test_no_reminder_when_the_goal_is_already_met(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice, bob, _ = user_ids
    await services.reminders.set(guild_id, alice, "18:00")
    await services.reminders.set(guild_id, bob, "18:00")
    await services.streaks.log(guild_id, alice, 30)
    await services.streaks.log(guild_id, bob, 10)
    clock.set(datetime(2026, 1, 5, 18, 5, tzinfo=UTC))
    [due] = await due_here(services, guild_id)
    assert (due.user_id, due.today_minutes, due.minutes_to_goal) == (bob, 10, 20)


async def test_a_reminder_set_for_a_time_already_past_starts_tomorrow(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    setting = await services.reminders.set(guild_id, user_ids[0], "09:00")  # it is 12:00
    assert setting.next_at == datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
    assert await due_here(services, guild_id) == []


async def test_a_reminder_turned_off_never_arrives(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    await services.reminders.set(guild_id, user_ids[0], "13:00")
    off = await services.reminders.set(guild_id, user_ids[0], "off")
    assert not off.enabled
    clock.set(datetime(2026, 1, 5, 13, 30, tzinfo=UTC))
    assert await due_here(services, guild_id) == []


@pytest.mark.parametrize("typed", ["25:00", "12:60", "7pm", "", "-1:00"])
async def test_remind_with_a_time_out_of_range_is_refused_and_nothing_written(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], typed: str
) -> None:
    with pytest.raises(InvalidInput, match="HH:MM between 00:00 and 23:59"):
        await services.reminders.set(guild_id, user_ids[0], typed)
    assert not (await services.reminders.get(guild_id, user_ids[0])).enabled


async def test_three_failed_dms_in_a_row_turn_the_reminder_off(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.reminders.set(guild_id, alice, "12:30")
    for day in range(4):
        clock.set(datetime(2026, 1, 5, 12, 30, tzinfo=UTC) + timedelta(days=day))
        due = await due_here(services, guild_id)
        if day == 3:
            assert due == []  # off after the third failure
            break
        assert [d.user_id for d in due] == [alice]
        failure = await services.reminders.mark_reminder_failed(guild_id, alice)
        assert failure.turned_off == (day == 2)
    setting = await services.reminders.get(guild_id, alice)
    assert not setting.enabled
    assert setting.turned_off_after_failures
    assert setting.time == "12:30"


async def test_a_delivered_dm_resets_the_failure_count(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.reminders.set(guild_id, alice, "12:30")
    await services.reminders.mark_reminder_failed(guild_id, alice)
    await services.reminders.mark_reminder_failed(guild_id, alice)
    await services.reminders.mark_reminder_sent(guild_id, alice)
    assert not (await services.reminders.mark_reminder_failed(guild_id, alice)).turned_off


async def test_a_reminder_follows_the_member_to_a_new_timezone_the_same_day(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.profiles.set(guild_id, alice, timezone="America/New_York")
    await services.reminders.set(guild_id, alice, "18:00")  # 23:00 UTC in New York
    await services.profiles.set(guild_id, alice, timezone="Europe/Berlin")
    clock.set(datetime(2026, 1, 5, 17, 1, tzinfo=UTC))  # 18:01 in Berlin
    [due] = await due_here(services, guild_id)
    assert due.timezone == "Europe/Berlin"


async def test_a_reminder_missed_while_the_bot_was_down_is_sent_later_that_day_only(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.reminders.set(guild_id, alice, "14:00")
    clock.set(datetime(2026, 1, 5, 16, 30, tzinfo=UTC))  # down from 13:50 to 16:30
    assert [d.user_id for d in await due_here(services, guild_id)] == [alice]
    await services.reminders.set(guild_id, user_ids[1], "14:00")  # set late: from tomorrow
    clock.set(datetime(2026, 1, 7, 10, 0, tzinfo=UTC))  # down for all of Jan 6
    assert await due_here(services, guild_id) == []  # not yet 14:00 today, nothing stale
    clock.set(datetime(2026, 1, 7, 14, 0, tzinfo=UTC))
    assert {d.user_id for d in await due_here(services, guild_id)} == {alice, user_ids[1]}


async def test_a_reminder_at_a_time_skipped_by_dst_arrives_when_the_clock_passes_it(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice = user_ids[0]
    await services.profiles.set(guild_id, alice, timezone="Europe/Berlin")
    clock.set(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    await services.reminders.set(guild_id, alice, "02:30")
    clock.set(datetime(2026, 3, 29, 1, 29, tzinfo=UTC))  # 03:29 CEST, after the jump
    assert await due_here(services, guild_id) == []
    clock.set(datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
    assert [d.user_id for d in await due_here(services, guild_id)] == [alice]


async def test_two_sweeps_at_once_send_each_reminder_once(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    import asyncio

    for uid in user_ids:
        await services.reminders.set(guild_id, uid, "15:00")
    clock.set(datetime(2026, 1, 5, 15, 0, tzinfo=UTC))
    first, second = await asyncio.gather(due_here(services, guild_id), due_here(services, guild_id))
    assert sorted(d.user_id for d in first + second) == sorted(user_ids)


async def test_no_reminders_while_the_streaks_module_is_off(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    await services.reminders.set(guild_id, user_ids[0], "15:00")
    await services.config.set_module(guild_id, MOD, "streaks", False)
    clock.set(datetime(2026, 1, 5, 15, 0, tzinfo=UTC))
    assert await due_here(services, guild_id) == []
