"""StatsService: the moderator's overview counts what happened in this server only."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.container import Services
from tests.conftest import new_guild_id


async def test_stats_count_studying_members_and_streak_lengths(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice, bob, carol = user_ids
    for _ in range(8):  # alice: an 8-day streak ending today
        await services.streaks.log(guild_id, alice, 30)
        clock.advance(timedelta(days=1))
    clock.advance(timedelta(days=-1))
    await services.streaks.log(guild_id, bob, 40)  # bob: 1 day
    await services.streaks.log(guild_id, carol, 10)  # carol: studied, no streak
    await services.streaks.log(new_guild_id(), carol, 300)  # another server: not counted

    stats = await services.stats.overview(guild_id)

    assert stats.studying_today == 3
    assert stats.studying_week == 3
    assert stats.minutes_week == 30 * 7 + 40 + 10
    assert dict(stats.streaks) == {"1–6 days": 1, "7–29 days": 1, "30–99 days": 0, "100+ days": 0}


async def test_stats_of_a_quiet_server_are_zeros(services: Services, guild_id: int) -> None:
    stats = await services.stats.overview(guild_id)
    assert stats.studying_week == 0
    assert stats.mentors == stats.groups_open == stats.events_upcoming == 0
    assert all(n == 0 for _, n in stats.streaks)
    assert stats.next_events == ()


async def test_stats_count_mentors_requests_and_the_pool(
    services: Services, guild_id: int, user_ids: tuple[int, int, int]
) -> None:
    alice, bob, carol = user_ids
    await services.mentors.optin(guild_id, bob, "nlp, python", 2, None)
    await services.profiles.set(guild_id, alice, interests="nlp", timezone="Europe/Berlin")
    await services.mentorship.request(guild_id, alice, "nlp", None)
    await services.profiles.set(guild_id, carol, interests="python", timezone="Asia/Tokyo")
    await services.formation.enter_pool(guild_id, carol)

    stats = await services.stats.overview(guild_id)

    assert (stats.mentors, stats.mentors_available) == (1, 1)
    assert stats.offers_pending == 1
    assert stats.pool_size == 1
