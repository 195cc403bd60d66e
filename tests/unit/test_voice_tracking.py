"""VoiceTrackingService: time in tracked voice channels, checkpoints, and restarts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database
from bot.domain.streak_voice import VoiceMember, counting_members

MOD = 111
ROOM = 9001  # a tracked study room
LOUNGE = 9002  # not tracked


@pytest.fixture
async def tracked(services: Services, guild_id: int) -> int:
    await services.config.set_voice_tracked(guild_id, MOD, ROOM, True)
    return ROOM


async def today_minutes(services: Services, guild_id: int, user_id: int) -> int:
    return (await services.streaks.summary(guild_id, user_id)).today_minutes


async def test_time_in_a_tracked_channel_counts_when_the_member_leaves(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
    tracked: int,
) -> None:
    alice = user_ids[0]
    joined = await services.voice.voice_joined(guild_id, alice, tracked)
    assert (joined.action, joined.counting) == ("started", True)
    clock.advance(timedelta(minutes=45))
    left = await services.voice.voice_left(guild_id, alice)
    assert (left.action, left.minutes) == ("stopped", 45)
    shown = await services.streaks.summary(guild_id, alice)
    assert (shown.today_minutes, shown.current) == (45, 1)


async def test_untracked_channels_and_bots_do_not_count(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
    tracked: int,
) -> None:
    alice, bot_user, _ = user_ids
    assert (await services.voice.voice_joined(guild_id, alice, LOUNGE)).action == "ignored"
    assert (
        await services.voice.voice_joined(guild_id, bot_user, tracked, is_bot=True)
    ).action == "ignored"
    clock.advance(timedelta(hours=1))
    await services.voice.checkpoint_all()
    assert await today_minutes(services, guild_id, alice) == 0
    assert await services.voice.open_session(guild_id, bot_user) is None


def test_deafened_alone_does_not_count_but_deafened_with_company_does() -> None:
    alone = counting_members(
        [VoiceMember(1, deafened=True), VoiceMember(2, is_bot=True)], tracked=True
    )
    assert alone == frozenset()
    together = counting_members([VoiceMember(1, deafened=True), 2], tracked=True)
    assert together == {1, 2}
    assert counting_members([1, 2], tracked=False) == frozenset()


async def test_deafening_alone_pauses_the_session_and_undeafening_resumes_it(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
    tracked: int,
) -> None:
    alice = user_ids[0]
    await services.voice.voice_joined(guild_id, alice, tracked, alone=True)
    clock.advance(timedelta(minutes=20))
    paused = await services.voice.voice_joined(guild_id, alice, tracked, deafened=True, alone=True)
    assert (paused.action, paused.minutes) == ("stopped", 20)
    clock.advance(timedelta(hours=2))  # walked away with Discord open
    resumed = await services.voice.voice_joined(guild_id, alice, tracked, alone=True)
    assert resumed.action == "started"
    clock.advance(timedelta(minutes=15))
    await services.voice.voice_left(guild_id, alice)
    assert await today_minutes(services, guild_id, alice) == 35


async def test_someone_leaving_makes_a_deafened_member_alone_and_stops_their_time(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
    tracked: int,
) -> None:
    alice, bob, _ = user_ids
    both = [VoiceMember(alice, deafened=True), VoiceMember(bob)]
    changes = await services.voice.sync_channel(guild_id, tracked, both)
    assert {c.user_id: c.action for c in changes} == {alice: "started", bob: "started"}
    clock.advance(timedelta(minutes=30))
    await services.voice.voice_left(guild_id, bob)
    changes = await services.voice.sync_channel(
        guild_id, tracked, [VoiceMember(alice, deafened=True)]
    )
    assert {c.user_id: (c.action, c.minutes) for c in changes} == {alice: ("stopped", 30)}


async def test_checkpoints_credit_voice_time_while_the_member_stays(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
    tracked: int,
) -> None:
    alice = user_ids[0]
    await services.voice.voice_joined(guild_id, alice, tracked)
    for _ in range(7):
        clock.advance(timedelta(minutes=5, seconds=10))
        await services.voice.checkpoint_all(guild_ids=[guild_id])
    assert await today_minutes(services, guild_id, alice) == 36  # 36 min 10 s, whole minutes
    clock.advance(timedelta(seconds=30))
    await services.voice.voice_left(guild_id, alice)
    assert await today_minutes(services, guild_id, alice) == 37  # 36 min 40 s, rounded
    exported = await services.privacy.export(guild_id, alice)
    [ledger] = exported["study_sessions"]  # one row per local day, extended by checkpoints
    assert (ledger["source"], ledger["minutes"]) == ("voice", 37)


async def test_a_voice_session_over_local_midnight_counts_on_both_days(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
    tracked: int,
) -> None:
    alice = user_ids[0]
    await services.profiles.set(guild_id, alice, timezone="Asia/Kathmandu")
    clock.set(datetime(2026, 1, 5, 17, 30, tzinfo=UTC))  # 23:15 in Kathmandu
    await services.voice.voice_joined(guild_id, alice, tracked)
    clock.advance(timedelta(minutes=40))
    await services.voice.checkpoint_all(guild_ids=[guild_id])
    clock.advance(timedelta(minutes=20))
    await services.voice.voice_left(guild_id, alice)
    history = await services.streaks.history(guild_id, alice, days=2)
    assert [(d.day, d.minutes) for d in history.days] == [
        (date(2026, 1, 6), 15),
        (date(2026, 1, 5), 45),
    ]


async def test_a_channel_no_longer_tracked_stops_counting_at_the_next_checkpoint(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
    tracked: int,
) -> None:
    alice = user_ids[0]
    await services.voice.voice_joined(guild_id, alice, tracked)
    clock.advance(timedelta(minutes=25))
    await services.config.set_voice_tracked(guild_id, MOD, tracked, False)
    report = await services.voice.checkpoint_all(guild_ids=[guild_id])
    assert report.closed == ((guild_id, alice),)
    clock.advance(timedelta(hours=1))
    await services.voice.checkpoint_all(guild_ids=[guild_id])
    assert await today_minutes(services, guild_id, alice) == 25


async def test_after_a_restart_open_sessions_are_kept_or_closed_at_the_last_checkpoint(
    database: Database,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
) -> None:
    alice, bob, carol = user_ids
    before = Services.build(database, clock)
    await before.config.set_voice_tracked(guild_id, MOD, ROOM, True)
    await before.voice.voice_joined(guild_id, alice, ROOM)
    await before.voice.voice_joined(guild_id, bob, ROOM)
    clock.advance(timedelta(minutes=20))
    await before.voice.checkpoint_all(guild_ids=[guild_id])
    clock.advance(timedelta(minutes=4))  # the bot crashes here; 4 minutes were not checkpointed
    clock.advance(timedelta(minutes=6))  # and is back 6 minutes later
    after = Services.build(database, clock)
    assert await after.voice.open_session(guild_id, alice) is not None
    report = await after.voice.reconcile(guild_id, {ROOM: [alice, carol]})
    assert (report.kept, report.closed, report.started) == ((alice,), (bob,), (carol,))
    # bob left at some point after the checkpoint: his time ends there.
    assert await today_minutes(after, guild_id, bob) == 20
    # alice was there before and after a short outage: the whole time counts.
    assert await today_minutes(after, guild_id, alice) == 30
    assert await after.voice.open_session(guild_id, carol) is not None


async def test_after_a_long_outage_time_the_bot_did_not_watch_does_not_count(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
    tracked: int,
) -> None:
    alice = user_ids[0]
    await services.voice.voice_joined(guild_id, alice, tracked)
    clock.advance(timedelta(minutes=10))
    await services.voice.checkpoint_all(guild_ids=[guild_id])
    clock.advance(timedelta(hours=3))
    report = await services.voice.reconcile(guild_id, {tracked: [alice]})
    assert (report.closed, report.started) == ((alice,), (alice,))
    clock.advance(timedelta(minutes=15))
    await services.voice.voice_left(guild_id, alice)
    assert await today_minutes(services, guild_id, alice) == 25


async def test_voice_time_reaching_the_goal_can_bring_a_milestone(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
    tracked: int,
) -> None:
    alice = user_ids[0]
    for _ in range(6):
        await services.streaks.log(guild_id, alice, 30)
        clock.advance(timedelta(days=1))
    await services.voice.voice_joined(guild_id, alice, tracked)
    clock.advance(timedelta(minutes=31))
    report = await services.voice.checkpoint_all(guild_ids=[guild_id])
    assert [(m.user_id, m.milestone) for m in report.milestones] == [(alice, 7)]
    clock.advance(timedelta(minutes=10))
    assert (await services.voice.voice_left(guild_id, alice)).milestone is None


async def test_voice_does_not_count_while_the_streaks_module_is_off(
    services: Services,
    guild_id: int,
    user_ids: tuple[int, int, int],
    clock: FrozenClock,
    tracked: int,
) -> None:
    await services.config.set_module(guild_id, MOD, "streaks", False)
    assert (await services.voice.voice_joined(guild_id, user_ids[0], tracked)).counting is False
    report = await services.voice.reconcile(guild_id, {tracked: [user_ids[0]]})
    assert report.started == ()
