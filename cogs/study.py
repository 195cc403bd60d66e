"""/study: log study time by timer, by hand or in tracked voice channels; plus the sweeps.

The sweeps (voice checkpoints, reminder DMs, over-long timers) are periodic jobs registered
when the cog loads; each asks the database what is due, so a restart loses nothing and the
claims in the services keep every DM and announcement to exactly one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot.domain.streak_voice import VoiceMember
from bot.services.streak_reminders import DueReminder
from bot.services.streak_timers import TimerStop
from cogs.common import COLOUR, configured_channel, respond, send_dm
from cogs.streak_render import credit_lines, streak_line, today_line

if TYPE_CHECKING:
    from bot.app import CohortBot

log = logging.getLogger(__name__)

VoiceChannelLike = discord.VoiceChannel | discord.StageChannel

CHECKPOINT_SECONDS = 60  # well inside the promised 5 minutes of voice time at risk
REMINDER_SECONDS = 60
OVERDUE_SECONDS = 300


class StudyCog(commands.Cog):
    study = app_commands.Group(name="study", description="Log your study time", guild_only=True)

    def __init__(self, bot: CohortBot) -> None:
        self.bot = bot
        self.s = bot.services
        self._voice_updates: asyncio.Queue[VoiceChannelLike] = asyncio.Queue()
        self._voice_worker: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self._voice_worker = asyncio.create_task(self._apply_voice_updates(), name="voice-updates")
        self.bot.scheduler.every("streaks:voice", self.checkpoint_voice, seconds=CHECKPOINT_SECONDS)
        self.bot.scheduler.every(
            "streaks:reminders", self.send_due_reminders, seconds=REMINDER_SECONDS
        )
        self.bot.scheduler.every(
            "streaks:timers", self.stop_overdue_timers, seconds=OVERDUE_SECONDS
        )

    async def cog_unload(self) -> None:
        if self._voice_worker is not None:
            self._voice_worker.cancel()
        for job in ("streaks:voice", "streaks:reminders", "streaks:timers"):
            self.bot.scheduler.cancel(job)

    # -- commands -------------------------------------------------------------

    @study.command(name="start", description="Start a study timer")
    @app_commands.describe(topic="What you are studying (optional)")
    async def study_start(
        self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        assert interaction.guild_id is not None
        timer = await self.s.timers.start(interaction.guild_id, interaction.user.id, topic)
        about = f" on {timer.topic}" if timer.topic else ""
        await respond(
            interaction,
            f"⏱️ Timer started{about} {format_dt(timer.started_at, 'R')}. "
            "Stop it with `/study stop`; it keeps running if I restart.",
        )

    @study.command(name="stop", description="Stop your timer and log the minutes")
    async def study_stop(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        stop = await self.s.timers.stop(interaction.guild_id, interaction.user.id)
        await respond(interaction, timer_stop_text(stop))
        await self.announce_milestone(interaction.guild_id, interaction.user.id, stop.milestone)

    @study.command(name="log", description="Log study time by hand")
    @app_commands.describe(
        minutes="Minutes studied (1–720)",
        topic="What you studied (optional)",
        day="YYYY-MM-DD: today or yesterday (default today)",
    )
    async def study_log(
        self,
        interaction: discord.Interaction,
        minutes: app_commands.Range[int, 1, 720],
        topic: app_commands.Range[str, 1, 100] | None = None,
        day: app_commands.Range[str, 1, 10] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        result = await self.s.streaks.log(
            interaction.guild_id, interaction.user.id, minutes, topic=topic, day=day
        )
        about = f" of {result.topic}" if result.topic else ""
        lines = [f"Logged {result.day.credited} min{about}.", *credit_lines([result.day])]
        lines.append(streak_line(result.streak))
        await respond(interaction, "\n".join(lines))
        await self.announce_milestone(interaction.guild_id, interaction.user.id, result.milestone)

    @study.command(name="status", description="Today's minutes, your timer and your streak")
    async def study_status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        status = await self.s.streaks.status(interaction.guild_id, interaction.user.id)
        embed = discord.Embed(title="Your study today", colour=COLOUR)
        embed.description = today_line(status.streak) + "\n" + streak_line(status.streak)
        if status.timer is not None:
            since = format_dt(status.timer.started_at, "R")
            timer = f"running since {since} ({status.timer.elapsed_minutes} min)"
            if status.timer.over_cap:
                timer += " — past 12 h, only 12 h will be logged"
            embed.add_field(name="Timer", value=timer, inline=False)
        if status.voice is not None:
            embed.add_field(
                name="Voice",
                value=f"in <#{status.voice.channel_id}> since "
                f"{format_dt(status.voice.started_at, 'R')}",
                inline=False,
            )
        await respond(interaction, embed=embed)

    # -- voice ----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        # One worker applies voice changes in the order they happened: listeners run as
        # separate tasks, and a quick join-then-leave applied backwards would leave a
        # session open.
        for channel in {c for c in (before.channel, after.channel) if c is not None}:
            self._voice_updates.put_nowait(channel)

    async def _apply_voice_updates(self) -> None:
        while True:
            channel = await self._voice_updates.get()
            try:
                # Read who is there when applying, so a burst of updates ends in the truth.
                changes = await self.s.voice.sync_channel(
                    channel.guild.id, channel.id, [_voice_member(m) for m in channel.members]
                )
                for change in changes:
                    await self.announce_milestone(change.guild_id, change.user_id, change.milestone)
            except Exception:
                log.exception("voice update for channel %s failed", channel.id)
            finally:
                self._voice_updates.task_done()

    async def voice_settled(self) -> None:
        """Wait until every voice change received so far has been applied."""
        # discord.py runs listeners as tasks, created in gateway order; each enqueues in
        # its first step, so one pass of the event loop puts every received update in line.
        await asyncio.sleep(0)
        await self._voice_updates.join()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """After a start or a reconnect, match open voice sessions to who is in voice now."""
        for guild in self.bot.guilds:
            present = {
                channel.id: [_voice_member(m) for m in channel.members]
                for channel in guild.voice_channels
                if channel.members
            }
            report = await self.s.voice.reconcile(guild.id, present)
            for reached in report.milestones:
                await self.announce_milestone(reached.guild_id, reached.user_id, reached.milestone)

    # -- sweeps ---------------------------------------------------------------

    def _my_guilds(self) -> list[int]:
        return [g.id for g in self.bot.guilds]

    async def checkpoint_voice(self) -> None:
        report = await self.s.voice.checkpoint_all(guild_ids=self._my_guilds())
        for reached in report.milestones:
            await self.announce_milestone(reached.guild_id, reached.user_id, reached.milestone)

    async def send_due_reminders(self) -> None:
        for due in await self.s.reminders.due_reminders(guild_ids=self._my_guilds()):
            if await self._dm(due.user_id, reminder_text(due, self._guild_name(due.guild_id))):
                await self.s.reminders.mark_reminder_sent(due.guild_id, due.user_id)
            else:
                failure = await self.s.reminders.mark_reminder_failed(due.guild_id, due.user_id)
                if failure.turned_off:
                    log.info(
                        "reminder of %s in %s turned off after %d failed DMs",
                        due.user_id,
                        due.guild_id,
                        failure.failures,
                    )

    async def stop_overdue_timers(self) -> None:
        for stop in await self.s.timers.stop_overdue():
            whose = stop.streak  # the summary says whose timer it was
            text = "Your study timer ran past 12 hours, so I stopped it.\n" + timer_stop_text(stop)
            await self._dm(whose.user_id, text)
            await self.announce_milestone(whose.guild_id, whose.user_id, stop.milestone)

    async def _dm(self, user_id: int, text: str) -> bool:
        """DM a member; False when their DMs are closed or Discord refuses (logged, not raised)."""
        return await send_dm(self.bot, user_id, text) is not None

    def _guild_name(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild else "your server"

    async def announce_milestone(self, guild_id: int, user_id: int, milestone: int | None) -> None:
        """Celebrate a milestone (already claimed once by the service) in the milestones channel."""
        if milestone is None:
            return
        channel = await configured_channel(self.bot, guild_id, "milestones")
        if channel is None:
            return
        try:
            await channel.send(
                f"🎉 <@{user_id}> just reached a **{milestone}-day** study streak! 🔥",
                allowed_mentions=discord.AllowedMentions(users=[discord.Object(user_id)]),
            )
        except discord.HTTPException:
            log.warning("could not announce a milestone in guild %s", guild_id, exc_info=True)


def _voice_member(member: discord.Member) -> VoiceMember:
    state = member.voice
    deafened = bool(state and (state.self_deaf or state.deaf))
    return VoiceMember(member.id, is_bot=member.bot, deafened=deafened)


def timer_stop_text(stop: TimerStop) -> str:
    lines = [f"⏹️ Timer stopped after {stop.ran_minutes} min; logged {stop.minutes} min."]
    if stop.capped:
        lines.append("A timer counts at most 12 h, so only 12 h were logged.")
    lines += credit_lines(stop.days)
    lines.append(streak_line(stop.streak))
    return "\n".join(lines)


def reminder_text(due: DueReminder, guild_name: str) -> str:
    streak = f" Your streak is at {due.current_streak} days." if due.current_streak else ""
    return (
        f"⏰ Study reminder from {guild_name}: {due.today_minutes} of {due.goal_minutes} minutes "
        f"today, {due.minutes_to_goal} to go.{streak} Log time with `/study log` or start a "
        "timer with `/study start`. (Turn this off with `/streak remind time:off`.)"
    )
