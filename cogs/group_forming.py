"""Creating the groups of a formation proposal in Discord, and telling the members why.

Shared by `/group form preview:false` and the button under a preview. Permissions are checked
before the proposal is claimed, so a bot that lacks one leaves the proposal usable; each group
is then made on its own (role, channel, row), so one failure does not undo the others and its
members simply stay in the pool for the next formation.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from bot.errors import UserError
from bot.services.group_formation import PlannedGroup, Proposal
from bot.services.groups import GroupInfo, enabled_config
from cogs import group_discord as space
from cogs.common import COLOUR

if TYPE_CHECKING:
    from bot.app import CohortBot

log = logging.getLogger(__name__)

_SHOWN_GROUPS = 20  # an embed holds 25 fields; a larger proposal lists the first ones


async def create_proposed_groups(bot: CohortBot, guild: discord.Guild, proposal_id: int) -> str:
    """Make every group of the proposal; returns a summary for the moderator."""
    cfg = await enabled_config(bot.services.config, guild.id)
    category_id = cfg.categories.get("study-groups")
    if category_id is not None:
        space.check_can_create(guild, category_id)
    claim = await bot.services.formation.claim(guild.id, proposal_id)
    made: list[GroupInfo] = []
    problems: list[str] = []
    for number, plan in enumerate(claim.groups):
        try:
            made.append(await _make_one(bot, guild, plan))
        except UserError as error:
            problems.append(f"{plan.name}: {error.message}")
        except discord.HTTPException as error:
            # E.g. the server's limit of 250 roles or 500 channels: the rest would fail too.
            log.warning("formation stopped in %s: %s", guild.id, error)
            rest = len(claim.groups) - number
            problems.append(
                f"Discord refused to make more groups ({error.text}); {rest} were not created."
            )
            break
    if made:
        lines = [f"Created {len(made)} group{'s' if len(made) != 1 else ''}:"]
    else:
        lines = ["No groups were created."]
    lines += [f"• <#{g.channel_id}> — {len(g.member_ids)} members" for g in made]
    if claim.skipped:
        lines.append(
            f"{claim.skipped} proposed group(s) were skipped: fewer than two of their members "
            "are still in the pool."
        )
    if problems:
        lines.append("Not created (their members stay in the pool):")
        lines += [f"• {p}" for p in problems]
    return "\n".join(lines)


async def _make_one(bot: CohortBot, guild: discord.Guild, plan: PlannedGroup) -> GroupInfo:
    role, channel = await space.make_space(guild, plan.name, plan.category_id)
    try:
        info = await bot.services.formation.commit_group(guild.id, plan, role.id, channel.id)
    except BaseException:
        await space.undo_space(guild, role.id, channel.id)
        raise
    await asyncio.gather(
        *(_grant_quietly(guild, uid, role.id) for uid in info.member_ids),
    )
    mentions = " ".join(f"<@{u}>" for u in info.member_ids)
    await space.post_welcome(
        guild,
        channel.id,
        list(info.member_ids),
        f"👋 Welcome to **{info.name}**, {mentions}! You were grouped because: "
        f"{plan.explanation}. Say hi and pick a first time to study together.",
    )
    text = (
        f"You're in a new study group in {guild.name}: **{info.name}**. Why you fit: "
        f"{plan.explanation}. Say hi in #{channel.name}."
    )
    for user_id in info.member_ids:
        # Closed DMs are fine: the welcome in the channel says the same.
        await space.dm(bot, user_id, text)
    return info


async def _grant_quietly(guild: discord.Guild, user_id: int, role_id: int) -> None:
    try:
        await space.grant_role(guild, user_id, role_id)
    except UserError:
        log.warning("could not give role %s to %s in %s", role_id, user_id, guild.id)


def render_proposal(proposal: Proposal) -> discord.Embed:
    sizes = ", ".join(str(len(g.member_ids)) for g in proposal.groups)
    embed = discord.Embed(
        title=f"Proposed study groups ({len(proposal.groups)})",
        description=(
            f"Target size {proposal.target_size}; sizes {sizes}. Nothing is created until you "
            "press the button."
        ),
        colour=COLOUR,
    )
    for number, group in enumerate(proposal.groups[:_SHOWN_GROUPS], start=1):
        members = ", ".join(f"<@{u}>" for u in group.member_ids)
        embed.add_field(
            name=f"{number}. {group.topic}",
            value=f"{members}\n*Why:* {group.explanation}"[:1024],
            inline=False,
        )
    if len(proposal.groups) > _SHOWN_GROUPS:
        embed.set_footer(text=f"…and {len(proposal.groups) - _SHOWN_GROUPS} more groups.")
    return embed
