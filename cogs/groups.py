"""/group: study groups members create and join, the matchmaking pool, and formation.

A group is a role plus a private channel; the services keep the rows and the rules, and
``cogs.group_discord`` makes the Discord side in an order that can be undone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot.errors import Conflict, UserError
from bot.services.groups import GroupInfo, GroupListing
from cogs import group_discord as space
from cogs.common import COLOUR, is_moderator, moderator_only, respond
from cogs.group_forming import create_proposed_groups, render_proposal
from cogs.views.groups import CreateGroupsButton

if TYPE_CHECKING:
    from bot.app import CohortBot

log = logging.getLogger(__name__)

GroupName = app_commands.Range[str, 1, 100]
md = discord.utils.escape_markdown  # group names are member text: shown as typed, not styled
FORM_SWEEP_SECONDS = 3600  # a weekly schedule needs no finer grain


class GroupsCog(commands.Cog):
    group = app_commands.Group(name="group", description="Study groups", guild_only=True)

    def __init__(self, bot: CohortBot) -> None:
        self.bot = bot
        self.s = bot.services

    async def cog_load(self) -> None:
        self.bot.scheduler.every("groups:form", self.form_on_schedule, seconds=FORM_SWEEP_SECONDS)

    async def cog_unload(self) -> None:
        self.bot.scheduler.cancel("groups:form")

    async def form_on_schedule(self) -> None:
        """Weekly formation for servers that chose it in `/config groups`; each claimed once."""
        due = await self.s.formation.due_scheduled([g.id for g in self.bot.guilds])
        for guild_id in due:
            guild = self.bot.get_guild(guild_id)
            if guild is None or not await self.s.formation.claim_scheduled(guild_id):
                continue
            try:
                proposal = await self.s.formation.propose(guild_id, None)
                summary = await create_proposed_groups(self.bot, guild, proposal.id)
            except Conflict as error:
                # A pool too small to form a group: try again next week, without noise.
                log.info("scheduled formation in %s skipped: %s", guild_id, error.message)
                continue
            except UserError as error:
                # A missing permission or category: moderators must hear about it.
                await space.post_to_modlog(
                    self.bot, guild, "Weekly study-group formation failed: " + error.message
                )
                continue
            await space.post_to_modlog(self.bot, guild, "Weekly study-group formation. " + summary)

    @group.command(name="create", description="Create an open study group with its own channel")
    @app_commands.describe(
        name="3–50 characters, e.g. Transformers Club",
        topic="What the group studies (an interest)",
        capacity="Seats, 2–25 (default: the server's group size)",
    )
    async def group_create(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 3, 50],
        topic: app_commands.Range[str, 1, 50],
        capacity: app_commands.Range[int, 2, 25] | None = None,
    ) -> None:
        assert interaction.guild is not None
        draft = await self.s.groups.prepare_create(interaction.guild.id, name, topic, capacity)
        await interaction.response.defer(ephemeral=True, thinking=True)
        role, channel = await space.make_space(interaction.guild, draft.name, draft.category_id)
        try:
            info = await self.s.groups.create(draft, interaction.user.id, role.id, channel.id)
        except BaseException:
            await space.undo_space(interaction.guild, role.id, channel.id)
            raise
        note = ""
        try:
            await space.grant_role(interaction.guild, interaction.user.id, role.id)
        except UserError as error:
            note = f"\n⚠️ {error.message}"
        await space.post_welcome(
            interaction.guild,
            channel.id,
            [interaction.user.id],
            f"🌱 **{md(info.name)}** starts here: a group for {info.topic}, "
            f"{info.capacity} seats. Welcome, <@{interaction.user.id}>!",
        )
        await respond(
            interaction,
            f"Created **{md(info.name)}** ({info.topic}, {info.capacity} seats) with its channel "
            f"{channel.mention}. Others can join with `/group join`.{note}",
        )

    @group.command(name="join", description="Join an open group with free seats")
    @app_commands.describe(group="The group's name")
    async def group_join(self, interaction: discord.Interaction, group: GroupName) -> None:
        assert interaction.guild is not None
        info = await self.s.groups.join(interaction.guild.id, interaction.user.id, group)
        try:
            await space.grant_role(interaction.guild, interaction.user.id, info.role_id)
        except UserError:
            # Without the role the seat is useless: give it back.
            await self.s.groups.leave(interaction.guild.id, interaction.user.id, info.name)
            raise
        await space.post_welcome(
            interaction.guild,
            info.channel_id,
            [interaction.user.id],
            f"👋 <@{interaction.user.id}> joined **{md(info.name)}** "
            f"({len(info.member_ids)}/{info.capacity}).",
        )
        await respond(
            interaction,
            f"You joined **{md(info.name)}** ({len(info.member_ids)}/{info.capacity}). "
            f"Say hi in <#{info.channel_id}>.",
        )

    @group.command(name="leave", description="Leave a group")
    @app_commands.describe(group="The group's name")
    async def group_leave(self, interaction: discord.Interaction, group: GroupName) -> None:
        assert interaction.guild is not None
        info = await self.s.groups.leave(interaction.guild.id, interaction.user.id, group)
        removed = await space.revoke_roles(interaction.guild, interaction.user.id, [info.role_id])
        note = "" if removed else " (I couldn't remove its role: I'm missing Manage Roles.)"
        await respond(interaction, f"You left **{md(info.name)}**.{note}")

    @group.command(name="list", description="Groups with topic, members and time zones")
    @app_commands.describe(topic="Only groups on this interest")
    async def group_list(
        self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 50] | None = None
    ) -> None:
        assert interaction.guild_id is not None
        listings = await self.s.groups.list_groups(interaction.guild_id, topic)
        if not listings:
            await respond(
                interaction,
                "No open groups yet. Start one with `/group create`, or enter the matchmaking "
                "pool with `/group find`.",
            )
            return
        await respond(interaction, embed=render_list(listings))

    @group.command(name="info", description="Members, topic, channel and when it was created")
    @app_commands.describe(group="The group's name")
    async def group_info(self, interaction: discord.Interaction, group: GroupName) -> None:
        assert interaction.guild_id is not None
        info = await self.s.groups.info(interaction.guild_id, group)
        await respond(interaction, embed=render_info(info))

    @group.command(name="find", description="Enter the matchmaking pool for the next formation")
    async def group_find(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        entry = await self.s.formation.enter_pool(interaction.guild_id, interaction.user.id)
        first = "You're already in the pool" if entry.already else "You're in the pool"
        await respond(
            interaction,
            f"{first} ({entry.pool_size} waiting), matched on {', '.join(entry.interests)}, your "
            "time zone and level. When moderators form groups I'll tell you which one and why.",
        )

    @group.command(name="form", description="Moderators: form groups from the matchmaking pool")
    @app_commands.describe(preview="Show the groups first (default) or create them right away")
    @moderator_only()
    async def group_form(self, interaction: discord.Interaction, preview: bool = True) -> None:
        assert interaction.guild is not None
        # Formation is bounded at a few seconds on a large pool: acknowledge first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        proposal = await self.s.formation.propose(interaction.guild.id, interaction.user.id)
        if preview:
            view = discord.ui.View(timeout=None)
            view.add_item(CreateGroupsButton(proposal.id))
            await respond(interaction, embed=render_proposal(proposal), view=view)
            return
        summary = await create_proposed_groups(self.bot, interaction.guild, proposal.id)
        await respond(interaction, summary)

    @group.command(name="archive", description="Archive a group's channel and remove its role")
    @app_commands.describe(group="The group's name")
    async def group_archive(self, interaction: discord.Interaction, group: GroupName) -> None:
        assert interaction.guild is not None
        info = await self.s.groups.check_archive(
            interaction.guild.id,
            interaction.user.id,
            group,
            is_moderator=await is_moderator(interaction),
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        await space.archive_space(interaction.guild, info.role_id, info.channel_id, info.member_ids)
        archived = await self.s.groups.archive(interaction.guild.id, info.id)
        await respond(
            interaction,
            f"Archived **{md(archived.name)}**: its channel is read-only for its members and its "
            "role is gone.",
        )

    @group_join.autocomplete("group")
    @group_leave.autocomplete("group")
    @group_info.autocomplete("group")
    @group_archive.autocomplete("group")
    async def _group_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        names = await self.s.groups.autocomplete(interaction.guild_id, current)
        return [app_commands.Choice(name=n, value=n) for n in names]

    @group_create.autocomplete("topic")
    @group_list.autocomplete("topic")
    async def _topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        names = await self.s.taxonomy.autocomplete(interaction.guild_id, current)
        return [app_commands.Choice(name=n, value=n) for n in names]


def render_list(listings: list[GroupListing]) -> discord.Embed:
    lines = []
    for item in listings:
        g = item.group
        zones = ", ".join(item.timezones[:3]) + ("…" if len(item.timezones) > 3 else "")
        seats = "full" if not g.seats_left else f"{g.seats_left} free"
        lines.append(
            f"**{md(g.name)}** — {g.topic} · {len(g.member_ids)}/{g.capacity} ({seats})"
            + (f" · {zones}" if zones else "")
        )
    embed = discord.Embed(title="Study groups", description="\n".join(lines)[:4000], colour=COLOUR)
    embed.set_footer(text="Join one with /group join, or let Cohort match you: /group find")
    return embed


def render_info(info: GroupInfo) -> discord.Embed:
    embed = discord.Embed(title=md(info.name), colour=COLOUR)
    embed.add_field(name="Topic", value=info.topic, inline=True)
    embed.add_field(name="Seats", value=f"{len(info.member_ids)}/{info.capacity}", inline=True)
    embed.add_field(name="Channel", value=f"<#{info.channel_id}>", inline=True)
    members = ", ".join(f"<@{u}>" for u in info.member_ids) or "nobody yet"
    embed.add_field(name="Members", value=members[:1024], inline=False)
    created = format_dt(info.created_at, "F")
    origin = "formed by matchmaking" if info.formed else "created by a member"
    embed.add_field(name="Created", value=f"{created}, {origin}", inline=False)
    if info.explanation:
        embed.add_field(name="Why these members", value=info.explanation[:1024], inline=False)
    return embed
