"""CohortBot: the discord.py client. It wires services into cogs and renders every error."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.container import Services
from bot.scheduling import Scheduler
from cogs.errors import render_error

log = logging.getLogger(__name__)

# Cohort reads voice *states* (who is in a channel), never audio: the codec warnings are noise.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

INTENTS = discord.Intents.default()
INTENTS.members = True  # member lists for matching, /profile show, and role changes
INTENTS.voice_states = True  # tracked voice channels count as study time


class CohortTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        await render_error(interaction, error, f"/{command}")


class CohortBot(commands.Bot):
    def __init__(
        self,
        services: Services,
        *,
        scheduler: Scheduler | None = None,
        dev_guild_id: int | None = None,
        **options: Any,
    ) -> None:
        options.setdefault("intents", INTENTS)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            tree_cls=CohortTree,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.services = services
        self.scheduler = scheduler or Scheduler()
        self.dev_guild_id = dev_guild_id

    async def setup_hook(self) -> None:
        from cogs import build_cogs, dynamic_items

        for cog in build_cogs(self):
            await self.add_cog(cog)
        self.add_dynamic_items(*dynamic_items())
        self.scheduler.start()
        await self.sync_commands()

    async def sync_commands(self) -> None:
        if self.dev_guild_id:
            guild = discord.Object(self.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to dev guild %s", len(synced), self.dev_guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (%s) to %d servers",
            self.user,
            getattr(self.user, "id", "?"),
            len(self.guilds),
        )

    async def on_guild_join(self, guild: discord.Guild) -> None:
        if await self.services.config.ensure(guild.id):
            log.info("joined guild %s: default settings and taxonomy created", guild.id)

    async def close(self) -> None:
        self.scheduler.shutdown()
        await super().close()
