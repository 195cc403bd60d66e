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
MODERATOR_MARK = "🛡️"
EMBED_BUDGET = 5_900
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
    # Bot-side moderator checks mark themselves (see cogs.common.moderator_only).
    return any(getattr(check, "cohort_moderator", False) for check in command.checks)


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
        by_root: dict[str, list[tuple[str, str]]] = {}
        top = self.bot.tree.get_commands(type=discord.AppCommandType.chat_input)
        for command in sorted(_leaves(top), key=lambda c: c.qualified_name):  # type: ignore[arg-type]
            root = command.qualified_name.split()[0]
            if MODULE_OF.get(root) in disabled:
                continue
            mod_only = _is_moderator_command(command)
            if mod_only and not moderator:
                continue
            mark = f" {MODERATOR_MARK}" if mod_only else ""
            entry = (f"`/{command.qualified_name}`{mark}", command.description)
            by_root.setdefault(root, []).append(entry)
        embed = _embed(by_root, with_descriptions=True)
        if len(embed) > EMBED_BUDGET:  # Discord refuses embeds over 6,000 characters
            embed = _embed(by_root, with_descriptions=False)
        notes = []
        if moderator:
            notes.append(f"{MODERATOR_MARK} moderators only")
        if interaction.guild_id is None:
            notes.append("Most commands work inside a server that has Cohort.")
        elif disabled:
            notes.append("Turned off here: " + ", ".join(sorted(disabled)))
        if notes:
            embed.set_footer(text=" · ".join(notes))
        await respond(interaction, embed=embed)


def _embed(by_root: dict[str, list[tuple[str, str]]], *, with_descriptions: bool) -> discord.Embed:
    embed = discord.Embed(title="Cohort", description=INTRO, colour=COLOUR)
    for root, entries in by_root.items():
        if with_descriptions:
            lines = [f"{name} — {description}" for name, description in entries]
        else:
            lines = [" · ".join(name for name, _ in entries)]
        for i, chunk in enumerate(_chunks(lines)):
            name = f"/{root}" if i == 0 else f"/{root} (more)"
            embed.add_field(name=name, value=chunk, inline=False)
    return embed


def _chunks(lines: list[str], limit: int = 1024) -> list[str]:
    """Join lines into field values under Discord's 1,024-character limit, never cutting one."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
