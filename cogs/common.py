"""Shared pieces for cogs: replying, the moderator check, and posting to the mod-log."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.app import CohortBot

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
COLOUR = discord.Colour(0x5865F2)
MODERATOR_HINT = "You need the Manage Server permission or this server's moderator role."


class NotModerator(app_commands.CheckFailure):
    """The member is neither a Manage Server holder nor in the configured moderator role."""

    def __init__(self) -> None:
        super().__init__(f"Only moderators can do this. {MODERATOR_HINT}")


async def respond(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    ephemeral: bool = True,
    **kwargs: Any,
) -> None:
    """Answer the interaction whether or not it was already answered or deferred."""
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)


def bot_of(interaction: discord.Interaction) -> CohortBot:
    return interaction.client  # type: ignore[return-value]


async def is_moderator(interaction: discord.Interaction) -> bool:
    """Manage Server (or Administrator) in this channel, or the server's moderator role."""
    if interaction.guild_id is None:
        return False
    perms = interaction.permissions
    if perms.manage_guild or perms.administrator:
        return True
    config = await bot_of(interaction).services.config.get(interaction.guild_id)
    role_id = config.roles.get("moderator")
    user = interaction.user
    return bool(role_id and isinstance(user, discord.Member) and user.get_role(role_id))


def moderator_only() -> Any:
    """Bot-side check; Discord's default_permissions can be overridden by a server admin."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if await is_moderator(interaction):
            return True
        raise NotModerator()

    predicate.cohort_moderator = True  # type: ignore[attr-defined]  # /help reads it
    return app_commands.check(predicate)


async def post_modlog(
    bot: CohortBot, guild: discord.Guild, actor: discord.abc.User, text: str
) -> str | None:
    """Post an audit line to the mod-log channel; returns a warning for the moderator on failure."""
    config = await bot.services.config.get(guild.id)
    channel_id = config.channels.get("mod-log")
    if channel_id is None:
        return None
    channel = guild.get_channel(channel_id)
    if not isinstance(channel, discord.TextChannel):
        return "The mod-log channel no longer exists; set a new one with `/config channel`."
    embed = discord.Embed(description=text, colour=COLOUR, timestamp=discord.utils.utcnow())
    embed.set_author(name=f"{actor.display_name} changed a setting")
    try:
        await channel.send(embed=embed, allowed_mentions=NO_PINGS)
    except discord.Forbidden:
        return f"I couldn't post to {channel.mention}: {missing_permissions(channel, guild.me)}."
    except discord.HTTPException:
        log.warning("mod-log post failed in guild %s", guild.id, exc_info=True)
        return f"I couldn't post to {channel.mention} just now; Discord returned an error."
    return None


async def configured_channel(
    bot: CohortBot, guild_id: int, purpose: str
) -> discord.TextChannel | None:
    """The text channel a moderator set for ``purpose``, if it is set and still exists."""
    channel_id = (await bot.services.config.get(guild_id)).channels.get(purpose)
    guild = bot.get_guild(guild_id)
    channel = guild.get_channel(channel_id) if guild and channel_id else None
    return channel if isinstance(channel, discord.TextChannel) else None


async def send_dm(
    client: discord.Client, user_id: int, text: str, *, view: discord.ui.View | None = None
) -> discord.Message | None:
    """DM a member; None when their DMs are closed or Discord refuses (logged, not raised)."""
    try:
        user = client.get_user(user_id) or await client.fetch_user(user_id)
        if view is None:
            return await user.send(text, allowed_mentions=NO_PINGS)
        return await user.send(text, allowed_mentions=NO_PINGS, view=view)
    except discord.HTTPException as error:
        log.info("could not DM %s: %s", user_id, error)
        return None


REQUIRED_TO_POST = ("view_channel", "send_messages", "embed_links")


def missing_permissions(
    channel: discord.abc.GuildChannel,
    me: discord.Member,
    needed: tuple[str, ...] = REQUIRED_TO_POST,
) -> str:
    """Name the permissions the bot lacks in ``channel``, as Discord shows them."""
    perms = channel.permissions_for(me)
    missing = [p for p in needed if not getattr(perms, p)]
    if not missing:
        return "Discord refused, although I seem to have the permissions I need"
    names = ", ".join(p.replace("_", " ").title() for p in missing)
    return f"I'm missing {names} there"
