"""/profile: what a member is learning, their timezone and their level."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.services.profiles import Profile, ProfileService
from bot.services.taxonomy import TaxonomyService
from cogs.common import COLOUR, respond
from cogs.config import timezone_autocomplete

if TYPE_CHECKING:
    from bot.app import CohortBot


class ProfileCog(commands.Cog):
    profile = app_commands.Group(
        name="profile", description="Your learning profile", guild_only=True
    )

    def __init__(
        self, bot: CohortBot, profiles: ProfileService, taxonomy: TaxonomyService, clock: Clock
    ) -> None:
        self.bot = bot
        self.profiles = profiles
        self.taxonomy = taxonomy
        self.clock = clock

    @profile.command(name="set", description="Set what you are learning, your timezone and level")
    @app_commands.describe(
        interests="Comma-separated, e.g. nlp, python (or none to clear)",
        timezone="Your IANA timezone, e.g. Europe/Berlin",
        level="How far along you are",
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def profile_set(
        self,
        interaction: discord.Interaction,
        interests: app_commands.Range[str, 1, 400] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        level: Literal["beginner", "intermediate", "advanced"] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        saved = await self.profiles.set(
            interaction.guild_id,
            interaction.user.id,
            interests=interests,
            timezone=timezone,
            level=level,
        )
        await respond(
            interaction, "Saved your profile.", embed=self.render(saved, interaction.user)
        )

    @profile_set.autocomplete("interests")
    async def _interests_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        names = await self.taxonomy.autocomplete(interaction.guild_id, current)
        return [app_commands.Choice(name=n, value=n) for n in names]

    @profile.command(name="show", description="A profile card")
    @app_commands.describe(member="Whose profile (default: yours)")
    async def profile_show(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        assert interaction.guild_id is not None
        target = member or interaction.user
        profile = await self.profiles.get(interaction.guild_id, target.id)
        if profile.is_empty:
            if target.id == interaction.user.id:
                text = "You haven't set a profile yet. Try `/profile set interests:nlp, python`."
            else:
                text = f"{target.display_name} hasn't set a profile yet."
            await respond(interaction, text)
            return
        await respond(interaction, embed=self.render(profile, target))

    def render(self, profile: Profile, user: discord.abc.User) -> discord.Embed:
        embed = discord.Embed(title=f"{user.display_name}'s profile", colour=COLOUR)
        embed.set_thumbnail(url=user.display_avatar.url)
        embed.add_field(
            name="Interests", value=", ".join(profile.interests) or "not set", inline=False
        )
        if profile.timezone:
            local = self.clock.now().astimezone(ZoneInfo(profile.timezone))
            tz_text = f"{profile.timezone} (now {_clock_face(local)})"
        else:
            tz_text = "not set (the server's default is used)"
        embed.add_field(name="Timezone", value=tz_text, inline=True)
        embed.add_field(name="Level", value=profile.level or "not set", inline=True)
        return embed


def _clock_face(moment: datetime) -> str:
    return moment.strftime("%H:%M, %a")
