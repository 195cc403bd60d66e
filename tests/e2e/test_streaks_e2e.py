"""/study and /streak as members and moderators use them, through the emulator."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from bot.app import CohortBot
from bot.clock import FrozenClock
from bot.emulator import DiscordEmulator, InvalidOptions
from cogs.study import StudyCog
from tests.e2e.conftest import Server


def study_cog(bot: CohortBot) -> StudyCog:
    cog = bot.get_cog("StudyCog")
    assert isinstance(cog, StudyCog)
    return cog


async def test_logging_time_counts_the_day_and_starts_a_streak(server: Server) -> None:
    first = await server.alice.run("/study log", minutes=20, topic="linear algebra")
    assert first.ephemeral
    assert "Logged 20 min of linear algebra" in first.text
    assert "20 min ·" in first.text
    second = await server.alice.run("/study log", minutes=15)
    assert "35 min ✅" in second.text
    assert "Streak: 1 day" in second.text
    shown = await server.alice.run("/streak show")
    assert "Current streak: 1 day" in shown.text
    assert "Today: 35/30 min ✅ the day counts" in shown.text


async def test_bad_study_logs_are_refused_and_write_nothing(server: Server) -> None:
    cases = [
        ({"minutes": 0}, "1"),
        ({"minutes": -5}, "1"),
        ({"minutes": 30, "day": "2026-02-20"}, "yesterday"),
        ({"minutes": 30, "day": "2026-03-09"}, "yesterday"),
        ({"minutes": 30, "day": "someday"}, "YYYY-MM-DD"),
        ({"minutes": 600}, "09:00"),  # only 9 h of today have passed in UTC
    ]
    for options, needle in cases:
        reply = await server.alice.run("/study log", strict=False, **options)
        assert reply.ephemeral
        assert needle in reply.text, (options, reply.text)
    assert "0/30 min" in (await server.alice.run("/study status")).text


async def test_discord_itself_refuses_minutes_out_of_range(server: Server) -> None:
    with pytest.raises(InvalidOptions):
        await server.alice.run("/study log", minutes=721)


async def test_yesterday_can_be_logged_in_the_members_timezone(server: Server) -> None:
    await server.alice.run("/profile set", timezone="Pacific/Honolulu")
    # 09:00 UTC on 2 March is 23:00 on 1 March in Honolulu: "yesterday" there is 28 February.
    reply = await server.alice.run("/study log", minutes=45, day="2026-02-28")
    assert "Sat 28 Feb" in reply.text


async def test_timer_start_stop_and_status(server: Server, e2e_clock: FrozenClock) -> None:
    started = await server.alice.run("/study start", topic="transformers")
    assert "Timer started on transformers" in started.text
    again = await server.alice.run("/study start")
    assert again.ephemeral
    assert "already" in again.text
    e2e_clock.advance(timedelta(minutes=40))
    status = await server.alice.run("/study status")
    assert "running since" in status.text
    assert "(40 min)" in status.text
    stopped = await server.alice.run("/study stop")
    assert "logged 40 min" in stopped.text
    nothing = await server.alice.run("/study stop")
    assert nothing.ephemeral
    assert "/study start" in nothing.text


async def test_a_timer_crossing_midnight_is_split_between_days(
    server: Server, e2e_clock: FrozenClock
) -> None:
    e2e_clock.advance(timedelta(hours=14, minutes=30))  # 23:30 UTC
    await server.alice.run("/study start")
    e2e_clock.advance(timedelta(minutes=50))
    stopped = await server.alice.run("/study stop")
    assert "Mon 02 Mar: +30 min" in stopped.text
    assert "Tue 03 Mar: +20 min" in stopped.text


async def test_a_timer_left_running_is_capped_and_the_member_told(
    server: Server, cohort: CohortBot, e2e_clock: FrozenClock
) -> None:
    await server.bob.run("/study start")
    e2e_clock.advance(timedelta(hours=13))
    await study_cog(cohort).stop_overdue_timers()
    dm = await server.bob.wait_for_dm(lambda m: "ran past 12 hours" in m.text)
    assert "only 12 h were logged" in dm.text


async def test_voice_time_in_a_tracked_channel_counts(
    server: Server, cohort: CohortBot, e2e_clock: FrozenClock, emulator: DiscordEmulator
) -> None:
    await server.mod.run("/config voice", channel=server.study_hall, tracked=True)
    server.alice.join_voice(server.study_hall)
    server.bob.join_voice(server.study_hall)
    await emulator.settle()
    await study_cog(cohort).voice_settled()
    e2e_clock.advance(timedelta(minutes=35))
    await study_cog(cohort).checkpoint_voice()
    status = await server.alice.run("/study status")
    assert "in <#" in status.text
    assert "35/30 min ✅" in status.text
    server.alice.join_voice(None)
    await emulator.settle()
    await study_cog(cohort).voice_settled()
    assert "Current streak: 1 day" in (await server.alice.run("/streak show")).text


async def test_voice_time_in_an_untracked_channel_does_not_count(
    server: Server, cohort: CohortBot, e2e_clock: FrozenClock, emulator: DiscordEmulator
) -> None:
    server.alice.join_voice(server.study_hall)
    await emulator.settle()
    await study_cog(cohort).voice_settled()
    e2e_clock.advance(timedelta(minutes=60))
    await study_cog(cohort).checkpoint_voice()
    server.alice.join_voice(None)
    await emulator.settle()
    await study_cog(cohort).voice_settled()
    assert "0/30 min" in (await server.alice.run("/study status")).text


async def test_a_week_of_study_is_a_milestone_announced_once(
    server: Server, e2e_clock: FrozenClock, emulator: DiscordEmulator
) -> None:
    await server.mod.run("/config channel", purpose="milestones", channel=server.announcements)
    for _ in range(7):
        await server.alice.run("/study log", minutes=30)
        e2e_clock.advance(timedelta(days=1))
    post = await server.announcements.wait_for_message(lambda m: "7-day" in m.text)
    assert f"<@{server.alice.id}>" in post.content
    assert post.pings.users == [server.alice.id]
    await server.alice.run("/study log", minutes=30)
    await emulator.settle()
    assert len([m for m in server.announcements.messages if "7-day" in m.text]) == 1
    shown = await server.alice.run("/streak show")
    assert "Current streak: 8 days" in shown.text
    assert "1 of 2" in shown.text  # a freeze earned on the 7th day


async def test_history_shows_counted_days_freezes_and_corrections(
    server: Server, e2e_clock: FrozenClock
) -> None:
    for _ in range(3):
        await server.alice.run("/study log", minutes=30)
        e2e_clock.advance(timedelta(days=1))
    fixed = await server.mod.run(
        "/streak adjust", member=server.alice, day="2026-03-03", minutes=-20, reason="double logged"
    )
    assert "by -20 min (30 → 10 min; the day does not count)" in fixed.text
    history = await server.alice.run("/streak history", days=5)
    assert "✏️ -20 min" in history.text
    assert "double logged" in history.text
    assert "✅ counted" in history.text


async def test_members_cannot_adjust_records(server: Server) -> None:
    reply = await server.alice.run(
        "/streak adjust",
        member=server.alice,
        day="2026-03-01",
        minutes=300,
        reason="trust me",
        enforce_permissions=False,
    )
    assert "Only moderators can do this" in reply.text
    assert "0/30 min" in (await server.alice.run("/study status")).text


async def test_adjustments_need_a_valid_day_and_land_in_the_mod_log(server: Server) -> None:
    await server.mod.run("/config channel", purpose="mod-log", channel=server.mod_log)
    bad = await server.mod.run(
        "/streak adjust", member=server.bob, day="2026-13-01", minutes=30, reason="x"
    )
    assert "YYYY-MM-DD" in bad.text
    future = await server.mod.run(
        "/streak adjust", member=server.bob, day="2026-03-05", minutes=30, reason="x"
    )
    assert "future" in future.text
    ok = await server.mod.run(
        "/streak adjust", member=server.bob, day="2026-03-01", minutes=30, reason="was offline"
    )
    assert "the day counts" in ok.text
    post = await server.mod_log.wait_for_message(lambda m: "was offline" in m.text)
    assert post.pings.nobody


async def test_leaderboard_ranks_minutes_and_streaks(server: Server) -> None:
    await server.alice.run("/study log", minutes=90)
    await server.bob.run("/study log", minutes=40)
    board = await server.carol.run("/streak leaderboard")
    assert "this week" in board.text
    minutes = board.text.split("Minutes studied:")[1]
    assert minutes.index(str(server.alice.id)) < minutes.index(str(server.bob.id))
    assert board.message is not None
    assert board.message.pings.nobody
    monthly = await server.carol.run("/streak leaderboard", period="month")
    assert "this month" in monthly.text


async def test_calendar_is_a_png_heatmap(server: Server) -> None:
    await server.alice.run("/study log", minutes=45)
    reply = await server.alice.run("/streak calendar")
    final = await reply.wait_final()
    [file] = final.files
    assert file.filename.endswith(".png")
    image = Image.open(io.BytesIO(file.content))
    assert image.width > image.height > 100
    assert "alice: 1 day at goal in the last year" in final.text


async def test_reminders_arrive_once_at_the_members_local_time(
    server: Server, cohort: CohortBot, e2e_clock: FrozenClock
) -> None:
    await server.alice.run("/profile set", timezone="Asia/Tokyo")  # 09:00 UTC is 18:00 in Tokyo
    reply = await server.alice.run("/streak remind", time="19:30")
    assert "19:30 (Asia/Tokyo)" in reply.text
    cog = study_cog(cohort)
    await cog.send_due_reminders()
    assert not [m for m in server.alice.dms if "Study reminder" in m.text]
    e2e_clock.advance(timedelta(hours=1, minutes=31))
    await cog.send_due_reminders()
    await cog.send_due_reminders()
    dm = await server.alice.wait_for_dm(lambda m: "Study reminder" in m.text)
    assert "0 of 30 minutes" in dm.text
    assert len([m for m in server.alice.dms if "Study reminder" in m.text]) == 1


async def test_no_reminder_once_the_goal_is_met(
    server: Server, cohort: CohortBot, e2e_clock: FrozenClock
) -> None:
    await server.bob.run("/streak remind", time="10:00")
    await server.bob.run("/study log", minutes=30)
    e2e_clock.advance(timedelta(hours=2))
    await study_cog(cohort).send_due_reminders()
    assert not [m for m in server.bob.dms if "Study reminder" in m.text]


async def test_reminders_to_closed_dms_turn_off_after_three_tries(
    server: Server, cohort: CohortBot, e2e_clock: FrozenClock
) -> None:
    await server.carol.run("/streak remind", time="10:00")
    for _ in range(3):
        e2e_clock.advance(timedelta(hours=2))
        await study_cog(cohort).send_due_reminders()
        e2e_clock.advance(timedelta(hours=22))
    status = await server.carol.run("/streak remind", time="off")
    assert "off" in status.text


async def test_bad_reminder_times_are_refused(server: Server) -> None:
    for bad in ("25:00", "7pm", "12:60"):
        reply = await server.alice.run("/streak remind", time=bad)
        assert reply.ephemeral
        assert "HH:MM" in reply.text, reply.text


async def test_streak_commands_say_so_when_the_module_is_off(server: Server) -> None:
    await server.mod.run("/config module", module="streaks", enabled=False)
    reply = await server.alice.run("/study log", minutes=30)
    assert "Study streaks are turned off in this server" in reply.text
    assert "`/config module module:streaks enabled:True`" in reply.text
    help_text = (await server.alice.run("/help")).text
    assert "/study log" not in help_text
