"""The confirm and cancel buttons of /privacy delete; they work after a restart too."""

from __future__ import annotations

import re
from typing import Any

import discord

from cogs.common import bot_of, respond
from cogs.errors import SafeCallback
from cogs.group_discord import revoke_roles


class _Owned(SafeCallback):
    """A button that only the member it was made for may press."""

    user_id: int

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> Any:
        return cls(int(match["user_id"]))  # type: ignore[call-arg]

    async def _is_owner(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.user_id:
            return True
        await respond(interaction, "This button belongs to someone else's request.")
        return False


class EraseButton(
    _Owned,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"privacy:erase:(?P<user_id>\d+)",
):
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        super().__init__(
            discord.ui.Button(
                label="Erase my data",
                style=discord.ButtonStyle.danger,
                custom_id=f"privacy:erase:{user_id}",
            ),
        )

    async def run(self, interaction: discord.Interaction) -> None:
        if not await self._is_owner(interaction) or interaction.guild_id is None:
            return
        services = bot_of(interaction).services
        # Group memberships go with the data, so the roles that show them go too.
        group_roles = await services.groups.role_ids_of(interaction.guild_id, interaction.user.id)
        report = await services.privacy.erase(interaction.guild_id, interaction.user.id)
        if interaction.guild is not None and group_roles:
            await revoke_roles(interaction.guild, interaction.user.id, group_roles)
        text = (
            f"Done. I erased {report.total} records about you in this server."
            if report.total
            else "Done. I held nothing about you in this server."
        )
        await interaction.response.edit_message(content=text, view=None)


class KeepButton(
    _Owned,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"privacy:keep:(?P<user_id>\d+)",
):
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        super().__init__(
            discord.ui.Button(
                label="Keep my data",
                style=discord.ButtonStyle.secondary,
                custom_id=f"privacy:keep:{user_id}",
            ),
        )

    async def run(self, interaction: discord.Interaction) -> None:
        if not await self._is_owner(interaction):
            return
        await interaction.response.edit_message(content="Nothing was erased.", view=None)
