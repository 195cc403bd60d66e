"""The leaderboard, privacy of streak data, and the stored totals agreeing with the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.container import Services
from bot.domain import streaks as rule
from bot.errors import InvalidInput
from bot.models import StudyDay, StudyPeriodTotal, StudySession
from bot.services.streak_store import load_days, read_snapshot
from tests.conftest import new_guild_id

MOD = 111


async def test_leaderboard_ranks_this_weeks_minutes_and_current_streaks(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice, bob, carol = user_ids
    await services.streaks.log(guild_id, alice, 30, day="yesterday")  # Sunday: last week
    await services.streaks.log(guild_id, alice, 40)
    await services.streaks.log(guild_id, bob, 90)
    await services.streaks.log(guild_id, carol, 40)
    board = await services.streaks.leaderboard(guild_id)
    assert board.period == "week"
    assert board.since == date(2026, 1, 5)  # Monday
    assert [(e.rank, e.user_id, e.value) for e in board.by_minutes] == [
        (1, bob, 90),
        (2, min(alice, carol), 40),
        (2, max(alice, carol), 40),
    ]
    assert [(e.rank, e.user_id, e.value) for e in board.by_streak] == [
        (1, alice, 2),
        (2, bob, 1),
        (2, carol, 1),
    ]


async def test_leaderboard_month_and_all_time_cover_their_periods(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice, bob, _ = user_ids
    await services.streaks.adjust(guild_id, MOD, alice, "2025-12-20", 300, "import")
    await services.streaks.log(guild_id, bob, 60)
    month = await services.streaks.leaderboard(guild_id, "month")
    assert month.since == date(2026, 1, 1)
    assert [(e.user_id, e.value) for e in month.by_minutes] == [(bob, 60)]
    everything = await services.streaks.leaderboard(guild_id, "all")
    assert everything.since is None
    assert [(e.user_id, e.value) for e in everything.by_minutes] == [(alice, 300), (bob, 60)]


async def test_leaderboard_shows_only_the_top_n_and_forgets_broken_streaks(
    services: Services, guild_id: int, clock: FrozenClock
) -> None:
    members = list(range(1000, 1030))
    for day in range(3):
        for i, uid in enumerate(members):
            if i % 3 or day == 2:  # every third member studies only today
                await services.streaks.log(guild_id, uid, 30 + i)
        clock.advance(timedelta(days=1))
    clock.advance(timedelta(days=-1))
    board = await services.streaks.leaderboard(guild_id, limit=5)
    assert len(board.by_minutes) == 5
    assert [e.value for e in board.by_streak] == [3] * 5
    clock.advance(timedelta(days=2))  # everyone missed yesterday; nobody holds a freeze
    assert (await services.streaks.leaderboard(guild_id)).by_streak == ()


async def test_members_with_equal_streaks_share_a_rank_in_a_stable_order(
    services: Services, guild_id: int
) -> None:
    members = list(range(3000, 3040))  # more than the first read batch
    for uid in members:
        await services.streaks.log(guild_id, uid, 30, day="yesterday")
        await services.streaks.log(guild_id, uid, 30)
    board = await services.streaks.leaderboard(guild_id, limit=3)
    assert [(e.rank, e.user_id, e.value) for e in board.by_streak] == [
        (1, 3000, 2),
        (1, 3001, 2),
        (1, 3002, 2),
    ]


@pytest.mark.parametrize(("period", "limit"), [("year", 10), ("week", 0), ("week", 26)])
async def test_leaderboard_with_a_bad_period_or_size_is_refused(
    services: Services, guild_id: int, period: str, limit: int
) -> None:
    with pytest.raises(InvalidInput):
        await services.streaks.leaderboard(guild_id, period, limit)


async def test_streak_board_agrees_with_each_members_own_streak(
    services: Services, guild_id: int, clock: FrozenClock
) -> None:
    zones = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu", "Europe/Berlin", "UTC"]
    members = list(range(2000, 2045))  # more than one read batch for small boards
    for i, uid in enumerate(members):
        await services.profiles.set(guild_id, uid, timezone=zones[i % len(zones)])
    start = clock.now()
    for day in range(12):
        clock.set(start + timedelta(days=day))
        for i, uid in enumerate(members):
            if (day * 7 + i * 3) % (i % 5 + 2):  # varied, gappy habits
                await services.streaks.log(guild_id, uid, 30)
    clock.advance(timedelta(hours=13))  # a new day in some zones, not in others
    expected = sorted(
        [(-(await services.streaks.summary(guild_id, uid)).current, uid) for uid in members]
    )
    ranked = [(u, -c) for c, u in expected if c]
    for limit in (1, 3, 25):
        board = await services.streaks.leaderboard(guild_id, limit=limit)
        assert [(e.user_id, e.value) for e in board.by_streak] == ranked[:limit]


async def test_privacy_export_and_erase_cover_all_streak_data(
    services: Services, guild_id: int, user_ids: tuple[int, int, int], clock: FrozenClock
) -> None:
    alice, bob, _ = user_ids
    room = 777
    await services.config.set_voice_tracked(guild_id, MOD, room, True)
    await services.streaks.log(guild_id, alice, 30, topic="rl")
    await services.streaks.adjust(guild_id, bob, alice, "2026-01-04", 20, "bob fixes alice")
    await services.streaks.adjust(guild_id, alice, bob, "2026-01-04", 20, "alice fixes bob")
    await services.timers.start(guild_id, alice)
    await services.voice.voice_joined(guild_id, alice, room)
    await services.reminders.set(guild_id, alice, "21:00")
    await services.streaks.claim_milestone(guild_id, alice, 7)
    exported = await services.privacy.export(guild_id, alice)
    assert {
        "study_sessions",
        "study_days",
        "study_period_totals",
        "streak_states",
        "study_timers",
        "voice_sessions",
        "streak_reminders",
        "streak_milestones",
    } <= set(exported)
    assert {r["source"] for r in exported["study_sessions"]} == {"manual", "adjustment"}

    report = await services.privacy.erase(guild_id, alice)

    assert report.anonymized["study_sessions.moderator_id"] == 1  # bob's correction stays
    assert await services.privacy.export(guild_id, alice) == {}
    assert (await services.streaks.summary(guild_id, alice)).longest == 0
    assert await services.timers.running(guild_id, alice) is None
    bob_history = await services.streaks.history(guild_id, bob, days=2)
    [kept] = bob_history.days[1].corrections
    assert (kept.minutes, kept.moderator_id) == (20, None)
    assert [
        e.user_id for e in (await services.streaks.leaderboard(guild_id, "all")).by_minutes
    ] == [bob]


changes = st.lists(
    st.tuples(
        st.sampled_from(["log", "yesterday", "adjust", "timer"]),
        st.integers(-720, 720),
        st.integers(0, 30 * 60),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=changes,
    tz=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]),
    start=st.sampled_from(
        [datetime(2026, 3, 28, 20, 0, tzinfo=UTC), datetime(2026, 10, 24, 22, 0, tzinfo=UTC)]
    ),
)
async def test_stored_totals_always_agree_with_the_ledger(
    services: Services,
    clock: FrozenClock,
    steps: list[tuple[str, int, int]],
    tz: str,
    start: datetime,
) -> None:
    """Whatever members and moderators do across DST nights, every stored total adds up."""
    guild_id, alice = new_guild_id(), 42
    await services.profiles.set(guild_id, alice, timezone=tz)
    clock.set(start)
    for kind, minutes, wait in steps:
        clock.advance(timedelta(minutes=wait))
        try:
            if kind == "log":
                await services.streaks.log(guild_id, alice, minutes)
            elif kind == "yesterday":
                await services.streaks.log(guild_id, alice, minutes, day="yesterday")
            elif kind == "adjust":
                await services.streaks.adjust(guild_id, MOD, alice, "yesterday", minutes, "fix")
            elif await services.timers.running(guild_id, alice):
                await services.timers.stop(guild_id, alice)
            else:
                await services.timers.start(guild_id, alice)
        except InvalidInput:
            pass
    async with services.db.read() as session:
        days = await load_days(session, guild_id, alice)
        ledger = dict(
            (
                await session.execute(
                    select(StudySession.day, func.sum(StudySession.minutes))
                    .where(StudySession.guild_id == guild_id)
                    .group_by(StudySession.day)
                )
            ).all()
        )
        periods = dict(
            (
                await session.execute(
                    select(StudyPeriodTotal.kind, func.sum(StudyPeriodTotal.minutes))
                    .where(StudyPeriodTotal.guild_id == guild_id)
                    .group_by(StudyPeriodTotal.kind)
                )
            ).all()
        )
        snapshot = await read_snapshot(session, guild_id, alice)
        day_rows = await session.scalar(
            select(func.count()).select_from(StudyDay).where(StudyDay.guild_id == guild_id)
        )
    total = sum(t.minutes for t in days.values())
    assert all(0 <= t.minutes <= 1440 for t in days.values())
    assert {d: t.minutes for d, t in days.items() if t.minutes} == {
        d: m for d, m in ledger.items() if m
    }
    assert periods.get("all", 0) == periods.get("week", 0) == periods.get("month", 0) == total
    assert snapshot == rule.snapshot_of(days)
    assert day_rows == len(days)
