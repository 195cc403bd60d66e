"""/streak: streaks, leaderboards, the day-by-day ledger, the heatmap, reminders, corrections."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from cogs.common import moderator_only, post_modlog, respond
from cogs.heatmap import render_calendar
from cogs.streak_render import days, history_embed, leaderboard_embed, summary_embed

if TYPE_CHECKING:
    from bot.app import CohortBot
    from cogs.study import StudyCog


class StreakCog(commands.Cog):
    streak = app_commands.Group(name="streak", description="Daily study streaks", guild_only=True)

    def __init__(self, bot: CohortBot) -> None:
        self.bot = bot
        self.s = bot.services

    @streak.command(name="show", description="Current and longest streak, freezes, today")
    @app_commands.describe(member="Whose streak (default: yours)")
    async def streak_show(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        assert interaction.guild_id is not None
        target = member or interaction.user
        summary = await self.s.streaks.summary(interaction.guild_id, target.id)
        await respond(interaction, embed=summary_embed(summary, target.display_name))

    @streak.command(name="leaderboard", description="Top members by minutes and by streak")
    @app_commands.describe(period="week (default), month or all time")
    async def streak_leaderboard(
        self,
        interaction: discord.Interaction,
        period: Literal["week", "month", "all"] = "week",
    ) -> None:
        assert interaction.guild_id is not None
        board = await self.s.streaks.leaderboard(interaction.guild_id, period)
        await respond(interaction, embed=leaderboard_embed(board))

    @streak.command(
        name="history", description="Day by day: minutes, counted, freezes, corrections"
    )
    @app_commands.describe(member="Whose history (default: yours)", days="How many days (1–90)")
    async def streak_history(
        self,
        interaction: discord.Interaction,
        member: discord.Member | None = None,
        days: app_commands.Range[int, 1, 90] = 14,
    ) -> None:
        assert interaction.guild_id is not None
        target = member or interaction.user
        history = await self.s.streaks.history(interaction.guild_id, target.id, days)
        await respond(interaction, embed=history_embed(history, target.display_name))

    @streak.command(name="calendar", description="A heatmap of the last year of study")
    @app_commands.describe(member="Whose calendar (default: yours)")
    async def streak_calendar(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        assert interaction.guild_id is not None
        target = member or interaction.user
        await interaction.response.defer(ephemeral=True, thinking=True)
        calendar = await self.s.streaks.calendar(interaction.guild_id, target.id)
        # Drawing takes a few tens of milliseconds: keep it off the event loop.
        png = await asyncio.to_thread(render_calendar, calendar, target.display_name)
        file = discord.File(fp=io.BytesIO(png), filename=f"study-calendar-{target.id}.png")
        await respond(
            interaction,
            f"{target.display_name}: {days(calendar.counted_days)} at goal in the last year.",
            file=file,
        )

    @streak.command(name="remind", description="A DM at a local time on days you miss the goal")
    @app_commands.describe(time="HH:MM in your timezone, or off")
    async def streak_remind(
        self, interaction: discord.Interaction, time: app_commands.Range[str, 1, 5]
    ) -> None:
        assert interaction.guild_id is not None
        setting = await self.s.reminders.set(interaction.guild_id, interaction.user.id, time)
        if not setting.enabled:
            await respond(interaction, "Study reminders are off.")
            return
        next_at = f" The next one is {format_dt(setting.next_at, 'R')}." if setting.next_at else ""
        await respond(
            interaction,
            f"⏰ I'll DM you at {setting.time} ({setting.timezone}) on days you haven't reached "
            f"the goal yet.{next_at} Make sure your DMs from this server are open.",
        )

    @streak.command(name="adjust", description="Moderators: correct a member's study record")
    @app_commands.describe(
        member="Whose record",
        day="YYYY-MM-DD, the member's local day",
        minutes="Minutes to add (negative to remove), -720..720",
        reason="Why (shown in the member's history and the audit log)",
    )
    @moderator_only()
    async def streak_adjust(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        day: app_commands.Range[str, 1, 10],
        minutes: app_commands.Range[int, -720, 720],
        reason: app_commands.Range[str, 1, 200],
    ) -> None:
        assert interaction.guild is not None
        result = await self.s.streaks.adjust(
            interaction.guild.id, interaction.user.id, member.id, day, minutes, reason
        )
        verdict = "counts" if result.counted else "does not count"
        summary = (
            f"Adjusted {member.mention}'s {result.day:%Y-%m-%d} by {result.minutes:+d} min "
            f"({result.before} → {result.after} min; the day {verdict}). Reason: {result.reason}"
        )
        warning = await post_modlog(self.bot, interaction.guild, interaction.user, summary)
        await respond(interaction, summary + (f"\n⚠️ {warning}" if warning else ""))
        study: StudyCog | None = self.bot.get_cog("StudyCog")  # type: ignore[assignment]
        if study is not None:
            await study.announce_milestone(interaction.guild.id, member.id, result.milestone)
