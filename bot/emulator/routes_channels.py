"""REST routes for channels: fetch, create (incl. categories and voice), edit, delete, overwrites.

MANAGE_CHANNELS is needed to create, edit or delete channels (MANAGE_THREADS
for threads), MANAGE_ROLES to change overwrites. A bot can only allow or deny
permissions it has itself, and only administrators may put MANAGE_ROLES in an
overwrite. A channel created in a category without overwrites is synced with
the category, as Discord does for the empty list discord.py sends.
"""

from __future__ import annotations

from typing import Any

from . import payloads
from .members import Guild
from .permissions import (
    ADMINISTRATOR,
    MANAGE_CHANNELS,
    MANAGE_ROLES,
    MANAGE_THREADS,
    base_permissions,
)
from .rest import ApiError, JsonReply, Request, invalid_form, missing_permissions, router, snowflake
from .routes_guild import _check_grant
from .state import Channel, ChannelType
from .util import iso

GUILD_CHANNEL_TYPES = {
    ChannelType.TEXT,
    ChannelType.VOICE,
    ChannelType.CATEGORY,
    ChannelType.NEWS,
    ChannelType.STAGE,
    ChannelType.FORUM,
}


def _overwrites(guild: Guild, raw: Any, channel: Channel | None) -> list[dict[str, int]]:
    result = []
    is_admin = bool(base_permissions(guild.bot) & ADMINISTRATOR) or guild.bot.id == guild.owner_id
    for index, ow in enumerate(raw or []):
        target, kind = snowflake(ow.get("id")), int(ow.get("type", 0))
        if kind not in (0, 1):
            raise invalid_form(
                f"permission_overwrites.{index}.type", "Value must be one of (0, 1)."
            )
        allow, deny = int(ow.get("allow") or 0), int(ow.get("deny") or 0)
        _check_grant(guild, allow | deny, channel)
        if (allow | deny) & MANAGE_ROLES and not is_admin:
            # Discord: "Setting MANAGE_ROLES permission in channels is only possible for guild
            # administrators."
            raise missing_permissions(MANAGE_ROLES)
        result.append({"id": target, "type": kind, "allow": allow, "deny": deny})
    return result


@router.route("GET", "/guilds/{guild_id}/channels")
async def list_channels(req: Request) -> Any:
    return [payloads.channel(c) for c in req.guild().channels]


@router.route("GET", "/guilds/{guild_id}/threads/active")
async def active_threads(req: Request) -> Any:
    guild = req.guild()
    threads = [t for t in guild.threads if not t.archived]
    members = [
        {
            "id": str(t.id),
            "user_id": str(guild.bot.id),
            "join_timestamp": iso(guild.bot.joined_at),
            "flags": 0,
        }
        for t in threads
        if guild.bot.id in t.thread_member_ids
    ]
    return {"threads": [payloads.channel(t) for t in threads], "members": members}


@router.route("GET", "/channels/{channel_id}")
async def get_channel(req: Request) -> Any:
    channel = req.channel()
    req.require_view(channel)
    return payloads.channel(channel)


# -- channels ----------------------------------------------------------------------------


@router.route("POST", "/guilds/{guild_id}/channels")
async def create_channel(req: Request) -> Any:
    guild, body = req.guild(), req.body
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise invalid_form("name", "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH")
    type_ = int(body.get("type") or 0)
    if type_ not in GUILD_CHANNEL_TYPES:
        raise invalid_form("type", f"Value must be one of {sorted(GUILD_CHANNEL_TYPES)}.")
    parent = None
    if body.get("parent_id") is not None:
        parent = guild.channels_by_id.get(snowflake(body["parent_id"]))
        if parent is None or parent.type != ChannelType.CATEGORY or type_ == ChannelType.CATEGORY:
            raise invalid_form("parent_id", "Not a category.", "CHANNEL_PARENT_INVALID")
    req.require(guild, MANAGE_CHANNELS)
    overwrites = _overwrites(guild, body.get("permission_overwrites"), None)
    if parent is not None and not overwrites:
        # Without overwrites (discord.py sends []) a channel is synced with its category.
        overwrites = [
            {"id": o.id, "type": o.type, "allow": o.allow, "deny": o.deny}
            for o in parent.overwrites.values()
        ]
    extra = {
        k: body.get(k)
        for k in ("topic", "nsfw", "rate_limit_per_user", "bitrate", "user_limit", "position")
    }
    channel = req.emu.world.create_channel(
        guild,
        type_=type_,
        name=name,
        parent_id=parent and parent.id,
        overwrites=overwrites,
        **extra,
    )
    return JsonReply(201, payloads.channel(channel))


@router.route("PATCH", "/channels/{channel_id}")
async def edit_channel(req: Request) -> Any:
    channel, body = req.channel(), dict(req.body)
    guild = channel.guild
    if guild is None:
        raise ApiError(400, 50003, "Cannot execute action on a DM channel")
    req.require_view(channel)
    if channel.is_thread:
        is_owner = channel.owner_id == req.emu.bot_user.id
        if not is_owner or {"locked", "invitable"} & body.keys():
            req.require(guild, MANAGE_THREADS, channel)
    else:
        req.require(guild, MANAGE_CHANNELS, channel)
        if "permission_overwrites" in body:
            req.require(guild, MANAGE_ROLES, channel)
            body["permission_overwrites"] = _overwrites(
                guild, body["permission_overwrites"], channel.parent
            )
        if body.get("parent_id") is not None:
            parent = guild.channels_by_id.get(snowflake(body["parent_id"]))
            if parent is None or parent.type != ChannelType.CATEGORY:
                raise invalid_form("parent_id", "Not a category.", "CHANNEL_PARENT_INVALID")
            body["parent_id"] = parent.id
    if "name" in body and not 1 <= len(str(body["name"] or "")) <= 100:
        raise invalid_form("name", "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH")
    req.emu.world.edit_channel(channel, body)
    return payloads.channel(channel)


@router.route("DELETE", "/channels/{channel_id}")
async def delete_channel(req: Request) -> Any:
    channel = req.channel()
    if channel.guild is None:
        return payloads.channel(channel)  # closing a DM
    req.require_view(channel)
    req.require(channel.guild, MANAGE_THREADS if channel.is_thread else MANAGE_CHANNELS, channel)
    data = payloads.channel(channel)
    req.emu.world.delete_channel(channel)
    return data


@router.route("PUT", "/channels/{channel_id}/permissions/{target}")
async def put_overwrite(req: Request) -> Any:
    channel = req.channel()
    guild = channel.guild
    if guild is None or channel.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    req.require(guild, MANAGE_ROLES, channel)
    target = snowflake(req.params["target"])
    kind = int(req.body.get("type", 0))
    if (kind == 0 and target not in guild.roles_by_id) or (
        kind == 1 and target not in guild.members_by_id
    ):
        raise ApiError(404, 10009, "Unknown Overwrite")
    allow, deny = int(req.body.get("allow") or 0), int(req.body.get("deny") or 0)
    _check_grant(guild, allow | deny, channel)
    req.emu.world.set_overwrite(channel, target, kind, allow, deny)


@router.route("DELETE", "/channels/{channel_id}/permissions/{target}")
async def delete_overwrite(req: Request) -> Any:
    channel = req.channel()
    if channel.guild is None:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    req.require(channel.guild, MANAGE_ROLES, channel)
    req.emu.world.delete_overwrite(channel, snowflake(req.params["target"]))
