"""/help: what Cohort does, and the commands this member may use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs.common import COLOUR, is_moderator, respond

if TYPE_CHECKING:
    from bot.app import CohortBot

INTRO = (
    "Cohort helps this community learn machine learning together: study groups matched by "
    "interests and time zones, mentors matched to mentees, daily study streaks, and "
    "hackathon and meetup announcements."
)
# Which top-level commands belong to a module a server can switch off.
MODULE_OF = {
    "group": "groups",
    "mentor": "mentorship",
    "study": "streaks",
    "streak": "streaks",
    "event": "events",
}


def _is_moderator_command(command: app_commands.Command | app_commands.Group) -> bool:
    node: app_commands.Command | app_commands.Group | None = command
    while node is not None:
        if node.default_permissions is not None and node.default_permissions.value:
            return True
        node = node.parent
    return any(
        getattr(check, "__qualname__", "").startswith("moderator_only")
        for check in getattr(command, "checks", [])
    )


def _leaves(
    commands_: list[app_commands.Command | app_commands.Group],
) -> list[app_commands.Command]:
    out: list[app_commands.Command] = []
    for command in commands_:
        if isinstance(command, app_commands.Group):
            out.extend(_leaves(command.commands))
        else:
            out.append(command)
    return out


class HelpCog(commands.Cog):
    def __init__(self, bot: CohortBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What Cohort does and the commands you can use")
    async def help(self, interaction: discord.Interaction) -> None:
        moderator = await is_moderator(interaction)
        disabled: set[str] = set()
        if interaction.guild_id is not None:
            config = await self.bot.services.config.get(interaction.guild_id)
            disabled = {m for m, on in config.modules.items() if not on}
        lines: dict[bool, list[str]] = {False: [], True: []}
        top = self.bot.tree.get_commands(type=discord.AppCommandType.chat_input)
        for command in sorted(_leaves(top), key=lambda c: c.qualified_name):  # type: ignore[arg-type]
            root = command.qualified_name.split()[0]
            if MODULE_OF.get(root) in disabled:
                continue
            mod_only = _is_moderator_command(command)
            if mod_only and not moderator:
                continue
            lines[mod_only].append(f"`/{command.qualified_name}` — {command.description}")
        embed = discord.Embed(title="Cohort", description=INTRO, colour=COLOUR)
        embed.add_field(name="Your commands", value=_joined(lines[False]), inline=False)
        if lines[True]:
            embed.add_field(name="Moderator commands", value=_joined(lines[True]), inline=False)
        if interaction.guild_id is None:
            embed.set_footer(text="Most commands work inside a server that has Cohort.")
        elif disabled:
            embed.set_footer(text="Turned off here: " + ", ".join(sorted(disabled)))
        await respond(interaction, embed=embed)


def _joined(lines: list[str]) -> str:
    text = "\n".join(lines) or "none"
    return text if len(text) <= 1024 else text[:1020] + "\n…"
