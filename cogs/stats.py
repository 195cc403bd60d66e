"""/stats: a moderator's overview of the server — study, streaks, mentorship, groups, events."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot.services.stats import GuildStats
from cogs.common import COLOUR, moderator_only, respond

if TYPE_CHECKING:
    from bot.app import CohortBot


class StatsCog(commands.Cog):
    def __init__(self, bot: CohortBot) -> None:
        self.bot = bot

    @app_commands.command(name="stats", description="Moderators: how the server is studying")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @moderator_only()
    async def stats(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        overview = await self.bot.services.stats.overview(interaction.guild_id)
        await respond(interaction, embed=render_stats(overview))


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def render_stats(s: GuildStats) -> discord.Embed:
    embed = discord.Embed(title="How this server is doing", colour=COLOUR)
    embed.add_field(
        name="Studying",
        value=(
            f"{_n(s.studying_today, 'member')} today · {s.studying_week} in the last 7 days\n"
            f"{s.minutes_week:,} minutes in the last 7 days (goal: {s.goal_minutes} min a day)"
        ),
        inline=False,
    )
    with_streak = sum(n for _, n in s.streaks)
    buckets = " · ".join(f"{label}: {n}" for label, n in s.streaks)
    embed.add_field(
        name="Current streaks",
        value=f"{_n(with_streak, 'member')} on a streak\n{buckets}",
        inline=False,
    )
    answered = s.feedback_helped + s.feedback_not_helped
    helped = f"{s.feedback_helped} of {answered} said it helped" if answered else "no answers yet"
    embed.add_field(
        name="Mentorship",
        value=(
            f"{_n(s.mentors, 'mentor')} ({s.mentors_available} available) · "
            f"{_n(s.mentorships_active, 'active mentorship')} · {s.mentorships_ended} ended\n"
            f"{_n(s.requests_waiting, 'request')} waiting · "
            f"{_n(s.offers_pending, 'offer')} unanswered\n"
            f"Feedback: {helped}"
        ),
        inline=False,
    )
    embed.add_field(
        name="Study groups",
        value=(
            f"{_n(s.groups_open, 'open group')} with {_n(s.members_in_groups, 'member')} · "
            f"{s.pool_size} waiting in the matchmaking pool"
        ),
        inline=False,
    )
    upcoming = "\n".join(f"{e.title} — {format_dt(e.starts_at, 'R')}" for e in s.next_events)
    embed.add_field(
        name="Events",
        value=f"{s.events_upcoming} upcoming" + (f"\n{upcoming}" if upcoming else ""),
        inline=False,
    )
    return embed
