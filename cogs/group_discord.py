"""The Discord side of a study group: its role and private channel, made, granted and undone.

Order matters because Discord has no transactions: the role is made first, then the channel,
and the database row last (by the caller); whatever fails undoes what was already made, so a
missing permission leaves nothing half-made behind. Permissions are checked up front so the
moderator hears which one is missing before anything is created.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord

from bot.domain.groups import ARCHIVED_PREFIX
from bot.errors import InvalidInput, PermissionDenied
from cogs.common import NO_PINGS, configured_channel, send_dm

if TYPE_CHECKING:
    from bot.app import CohortBot

log = logging.getLogger(__name__)

CATEGORY_GONE = (
    "The study-groups category no longer exists. A moderator can pick one with "
    "`/config category purpose:study-groups`."
)
MEMBER_ACCESS = discord.PermissionOverwrite(
    view_channel=True, send_messages=True, read_message_history=True
)
BOT_ACCESS = discord.PermissionOverwrite(
    view_channel=True, send_messages=True, read_message_history=True, manage_channels=True
)


def _missing(names: list[str], doing: str) -> PermissionDenied:
    listed = " and ".join(names)
    return PermissionDenied(
        f"I can't {doing}: I'm missing the {listed} permission. Ask an admin to give my role "
        f"{listed} (Server Settings → Roles), then try again. Nothing was changed."
    )


def category_of(guild: discord.Guild, category_id: int) -> discord.CategoryChannel:
    category = guild.get_channel(category_id)
    if not isinstance(category, discord.CategoryChannel):
        raise InvalidInput(CATEGORY_GONE)
    return category


def check_can_create(guild: discord.Guild, category_id: int) -> discord.CategoryChannel:
    """The category to create in, or which permission the bot lacks (before anything is made)."""
    category = category_of(guild, category_id)
    missing = []
    if not guild.me.guild_permissions.manage_roles:
        missing.append("Manage Roles")
    if not category.permissions_for(guild.me).manage_channels:
        missing.append("Manage Channels")
    if missing:
        raise _missing(missing, "create study groups")
    return category


async def make_space(
    guild: discord.Guild, name: str, category_id: int
) -> tuple[discord.Role, discord.TextChannel]:
    """A role and a channel only that role (and the bot) can see; both or neither."""
    category = check_can_create(guild, category_id)
    reason = f"Cohort study group {name}"
    try:
        role = await guild.create_role(name=name, mentionable=False, reason=reason)
    except discord.Forbidden:
        raise _missing(["Manage Roles"], "create the group's role") from None
    try:
        channel = await guild.create_text_channel(
            name,
            category=category,
            overwrites={
                guild.default_role: discord.PermissionOverwrite(view_channel=False),
                role: MEMBER_ACCESS,
                guild.me: BOT_ACCESS,
            },
            reason=reason,
        )
    except discord.HTTPException as error:
        await _delete_quietly(role)
        if isinstance(error, discord.Forbidden):
            raise _missing(["Manage Channels"], "create the group's channel") from None
        raise
    return role, channel


async def undo_space(guild: discord.Guild, role_id: int | None, channel_id: int | None) -> None:
    """Remove a role and channel made for a group whose row could not be saved."""
    channel = guild.get_channel(channel_id) if channel_id else None
    role = guild.get_role(role_id) if role_id else None
    for thing in (channel, role):
        if thing is not None:
            await _delete_quietly(thing)


async def _delete_quietly(thing: discord.Role | discord.abc.GuildChannel) -> None:
    try:
        await thing.delete(reason="Cohort: undoing a study group that could not be created")
    except discord.HTTPException:
        log.warning("could not undo %r in guild %s", thing, thing.guild.id, exc_info=True)


async def grant_role(guild: discord.Guild, user_id: int, role_id: int | None) -> None:
    role = guild.get_role(role_id) if role_id else None
    member = guild.get_member(user_id)
    if role is None or member is None:
        return
    try:
        await member.add_roles(role, reason="Cohort: joined a study group")
    except discord.Forbidden:
        raise _missing(["Manage Roles"], "give you the group's role") from None


async def revoke_roles(guild: discord.Guild, user_id: int, role_ids: Iterable[int | None]) -> bool:
    """Take group roles away; False when Discord refused (the membership is gone regardless)."""
    member = guild.get_member(user_id)
    roles = [r for r in (guild.get_role(i) for i in role_ids if i) if r is not None]
    held = [r for r in roles if member is not None and member.get_role(r.id)]
    if member is None or not held:
        return True
    try:
        await member.remove_roles(*held, reason="Cohort: left a study group")
    except discord.HTTPException:
        log.warning("could not remove group roles of %s in %s", user_id, guild.id, exc_info=True)
        return False
    return True


async def post_welcome(
    guild: discord.Guild, channel_id: int | None, user_ids: list[int], text: str
) -> None:
    """Greet new members in the group channel, pinging only them."""
    channel = guild.get_channel(channel_id) if channel_id else None
    if not isinstance(channel, discord.TextChannel):
        return
    mentions = discord.AllowedMentions(users=[discord.Object(u) for u in user_ids])
    try:
        await channel.send(text, allowed_mentions=mentions)
    except discord.HTTPException:
        log.warning("could not post a welcome in channel %s", channel.id, exc_info=True)


Overwrites = dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite]
READ_ONLY = discord.PermissionOverwrite(
    view_channel=True, send_messages=False, read_message_history=True
)


async def archive_space(
    guild: discord.Guild, role_id: int | None, channel_id: int | None, member_ids: tuple[int, ...]
) -> None:
    """Lock the channel read-only for the members (renamed archived-...) and delete the role.

    If the role cannot be deleted the channel is put back as it was, so a failed archive
    leaves the group working.
    """
    found = guild.get_channel(channel_id) if channel_id else None
    channel = found if isinstance(found, discord.TextChannel) else None
    role = guild.get_role(role_id) if role_id else None
    missing = []
    if role is not None and not guild.me.guild_permissions.manage_roles:
        missing.append("Manage Roles")
    if channel is not None and not channel.permissions_for(guild.me).manage_channels:
        missing.append("Manage Channels")
    if missing:
        raise _missing(missing, "archive this group")
    before: tuple[str, Overwrites] | None = None
    if channel is not None:
        before = (channel.name, dict(channel.overwrites))
        await _lock(guild, channel, member_ids)
    if role is None:
        return
    try:
        await role.delete(reason="Cohort: study group archived")
    except discord.HTTPException as error:
        if channel is not None and before is not None:
            try:
                await channel.edit(name=before[0], overwrites=before[1])
            except discord.HTTPException:
                log.warning("could not restore channel %s", channel.id, exc_info=True)
        if isinstance(error, discord.Forbidden):
            raise _missing(["Manage Roles"], "delete the group's role") from None
        raise


async def _lock(
    guild: discord.Guild, channel: discord.TextChannel, member_ids: tuple[int, ...]
) -> None:
    """Members keep reading the history; nobody else sees it, nobody writes."""
    locked: Overwrites = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        guild.me: BOT_ACCESS,
    }
    for user_id in member_ids:
        locked[guild.get_member(user_id) or discord.Object(user_id)] = READ_ONLY
    try:
        await channel.edit(
            name=(ARCHIVED_PREFIX + channel.name)[:100],
            overwrites=locked,
            reason="Cohort: study group archived",
        )
    except discord.Forbidden:
        raise _missing(["Manage Channels"], "archive this group") from None


async def dm(client: discord.Client, user_id: int, text: str) -> bool:
    """DM a member; False (logged) when their DMs are closed or Discord refuses."""
    return await send_dm(client, user_id, text) is not None


async def post_to_modlog(bot: CohortBot, guild: discord.Guild, text: str) -> None:
    """Tell moderators what a scheduled job did, in the mod-log channel when one is set."""
    channel = await configured_channel(bot, guild.id, "mod-log")
    if channel is None:
        return
    try:
        await channel.send(text[:2000], allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("could not post to the mod-log of %s", guild.id, exc_info=True)
