"""The "Create these groups" button under a `/group form` preview; works after a restart."""

from __future__ import annotations

import re
from typing import Any

import discord

from cogs.common import bot_of, is_moderator, respond
from cogs.errors import SafeCallback


class CreateGroupsButton(
    SafeCallback,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"group-form:create:(?P<proposal_id>\d+)",
):
    def __init__(self, proposal_id: int) -> None:
        self.proposal_id = proposal_id
        super().__init__(
            discord.ui.Button(
                label="Create these groups",
                style=discord.ButtonStyle.success,
                custom_id=f"group-form:create:{proposal_id}",
            ),
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> CreateGroupsButton:
        return cls(int(match["proposal_id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        from cogs.group_forming import create_proposed_groups

        if interaction.guild is None:
            return
        if not await is_moderator(interaction):
            await respond(interaction, "Only moderators can create the proposed groups.")
            return
        # Making roles and channels for many groups can take longer than Discord's 3 s; a
        # deferred update keeps the preview as the message we edit afterwards.
        await interaction.response.defer()
        summary = await create_proposed_groups(
            bot_of(interaction), interaction.guild, self.proposal_id
        )
        await interaction.edit_original_response(view=None)
        await respond(interaction, summary)
