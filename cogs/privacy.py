"""/privacy: a member exports or erases everything the bot holds about them in this server."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.privacy import PrivacyService
from cogs.common import respond
from cogs.views.privacy import EraseButton, KeepButton

if TYPE_CHECKING:
    from bot.app import CohortBot


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(
        name="privacy", description="Your data in this server", guild_only=True
    )

    def __init__(self, bot: CohortBot, privacy: PrivacyService) -> None:
        self.bot = bot
        self.service = privacy

    @privacy.command(name="export", description="All the bot holds about you here, as a JSON file")
    async def privacy_export(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        data = await self.service.export(interaction.guild_id, interaction.user.id)
        document = {
            "guild_id": str(interaction.guild_id),
            "user_id": str(interaction.user.id),
            "exported_at": self.bot.services.clock.now().isoformat(),
            "tables": data,
        }
        raw = json.dumps(document, indent=2, ensure_ascii=False).encode()
        count = sum(len(rows) for rows in data.values())
        text = (
            f"Here is everything I hold about you in this server ({count} records)."
            if count
            else "I hold nothing about you in this server; the file shows it."
        )
        file = discord.File(io.BytesIO(raw), filename=f"cohort-data-{interaction.user.id}.json")
        await respond(interaction, text, file=file)

    @privacy.command(name="delete", description="Erase everything about you in this server")
    async def privacy_delete(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(EraseButton(interaction.user.id))
        view.add_item(KeepButton(interaction.user.id))
        await respond(
            interaction,
            "This erases your profile and everything else I hold about you in this server. "
            "Moderators' audit entries keep the change but no longer name you. "
            "It can't be undone.",
            view=view,
        )
