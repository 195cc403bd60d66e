"""REST routes for guild structure: channels, overwrites, roles, members, users, fetches.

Permission checks follow Discord: MANAGE_CHANNELS to create/edit/delete
channels, MANAGE_ROLES plus role hierarchy for roles and overwrites, and a bot
can only grant permissions (in roles or overwrites) that it has itself.
"""

from __future__ import annotations

from typing import Any

from . import payloads
from .members import Guild
from .permissions import (
    ADMINISTRATOR,
    ALL,
    CHANGE_NICKNAME,
    KICK_MEMBERS,
    MANAGE_NICKNAMES,
    MANAGE_ROLES,
    MOVE_MEMBERS,
    base_permissions,
    channel_permissions,
    outranks,
    top_role_position,
)
from .rest import ApiError, Request, invalid_form, missing_permissions, router, snowflake
from .state import Channel, Role

# -- helpers ---------------------------------------------------------------------------


def _grantable(guild: Guild, channel: Channel | None) -> int:
    """Bits the bot may allow or deny: those it has in the guild, or in ``channel`` (an edited
    channel's parent) when given. An admin may grant anything."""
    bot = guild.bot
    base = base_permissions(bot)
    if base & ADMINISTRATOR or base == ALL:
        return ALL
    return channel_permissions(bot, channel) if channel is not None else base


def _check_grant(guild: Guild, bits: int, channel: Channel | None = None) -> None:
    extra = bits & ~_grantable(guild, channel)
    if extra:
        raise missing_permissions(extra)


def _check_role_below_bot(guild: Guild, role: Role) -> None:
    if guild.bot.id != guild.owner_id and role.position >= top_role_position(guild.bot):
        raise missing_permissions()


# -- guild and fetches ----------------------------------------------------------------


@router.route("GET", "/guilds/{guild_id}")
async def get_guild(req: Request) -> Any:
    guild = req.guild()
    data = payloads.guild(guild)
    if req.query.get("with_counts") in ("true", "1"):
        data.update(approximate_member_count=len(guild.members_by_id), approximate_presence_count=0)
    return data


@router.route("GET", "/users/{user_id}")
async def get_user(req: Request) -> Any:
    return payloads.user(req.user())


@router.route("GET", "/guilds/{guild_id}/members/{user_id}")
async def get_member(req: Request) -> Any:
    guild = req.guild()
    return payloads.member(req.member(guild))


@router.route("GET", "/guilds/{guild_id}/members")
async def list_members(req: Request) -> Any:
    guild = req.guild()
    limit = int(req.query.get("limit", 1))
    after = int(req.query.get("after", 0))
    members = sorted((m for m in guild.members_by_id.values() if m.id > after), key=lambda m: m.id)
    return [payloads.member(m) for m in members[:limit]]


@router.route("GET", "/guilds/{guild_id}/roles")
async def list_roles(req: Request) -> Any:
    return [payloads.role(r) for r in req.guild().roles]


@router.route("GET", "/guilds/{guild_id}/roles/{role_id}")
async def get_role(req: Request) -> Any:
    guild = req.guild()
    return payloads.role(req.role(guild))


# -- roles -------------------------------------------------------------------------------


@router.route("POST", "/guilds/{guild_id}/roles")
async def create_role(req: Request) -> Any:
    guild, body = req.guild(), req.body
    req.require(guild, MANAGE_ROLES)
    permissions = (
        int(body["permissions"])
        if body.get("permissions") is not None
        else guild.everyone.permissions
    )
    _check_grant(guild, permissions)
    name = str(body.get("name") or "new role")
    if len(name) > 100:
        raise invalid_form("name", "Must be 100 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    role = req.emu.world.create_role(
        guild,
        name=name,
        permissions=permissions,
        color=int(body.get("color") or 0),
        hoist=bool(body.get("hoist")),
        mentionable=bool(body.get("mentionable")),
    )
    return payloads.role(role)


@router.route("PATCH", "/guilds/{guild_id}/roles/{role_id}")
async def edit_role(req: Request) -> Any:
    guild = req.guild()
    role = req.role(guild)
    req.require(guild, MANAGE_ROLES)
    _check_role_below_bot(guild, role)
    fields: dict[str, Any] = {}
    for key in ("name", "color", "hoist", "mentionable"):
        if key in req.body:
            fields[key] = req.body[key]
    if req.body.get("permissions") is not None:
        fields["permissions"] = int(req.body["permissions"])
        _check_grant(guild, fields["permissions"] & ~role.permissions)
    req.emu.world.edit_role(role, fields)
    return payloads.role(role)


@router.route("PATCH", "/guilds/{guild_id}/roles")
async def move_roles(req: Request) -> Any:
    guild = req.guild()
    req.require(guild, MANAGE_ROLES)
    for entry in req.json or []:
        role = guild.roles_by_id.get(snowflake(entry.get("id")))
        if role is None:
            raise ApiError(404, 10011, "Unknown Role")
        _check_role_below_bot(guild, role)
        if int(entry.get("position", role.position)) >= top_role_position(guild.bot):
            raise missing_permissions()
        req.emu.world.move_role(role, int(entry.get("position", role.position)))
    return [payloads.role(r) for r in guild.roles]


@router.route("DELETE", "/guilds/{guild_id}/roles/{role_id}")
async def delete_role(req: Request) -> Any:
    guild = req.guild()
    role = req.role(guild)
    req.require(guild, MANAGE_ROLES)
    _check_role_below_bot(guild, role)
    if role.is_everyone or role.managed:
        raise ApiError(400, 50028, "Invalid Role")
    req.emu.world.delete_role(role)


# -- members -------------------------------------------------------------------------------


def _assignable(req: Request, guild: Guild, role: Role) -> None:
    req.require(guild, MANAGE_ROLES)
    if role.managed or role.is_everyone:
        raise missing_permissions()
    _check_role_below_bot(guild, role)


@router.route("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def add_member_role(req: Request) -> Any:
    guild = req.guild()
    member, role = req.member(guild), req.role(guild)
    _assignable(req, guild, role)
    if role.id not in member.role_ids:
        req.emu.world.set_member_roles(member, [*member.role_ids, role.id])


@router.route("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def remove_member_role(req: Request) -> Any:
    guild = req.guild()
    member, role = req.member(guild), req.role(guild)
    _assignable(req, guild, role)
    if role.id in member.role_ids:
        req.emu.world.set_member_roles(member, [r for r in member.role_ids if r != role.id])


@router.route("PATCH", "/guilds/{guild_id}/members/@me")
async def edit_own_member(req: Request) -> Any:
    guild = req.guild()
    req.require(guild, CHANGE_NICKNAME)
    req.emu.world.edit_member(guild.bot, nick=req.body.get("nick"))
    return payloads.member(guild.bot)


@router.route("PATCH", "/guilds/{guild_id}/members/{user_id}")
async def edit_member(req: Request) -> Any:
    guild, body = req.guild(), req.body
    member = req.member(guild)
    world = req.emu.world
    if "roles" in body and body["roles"] is not None:
        wanted = [snowflake(r) for r in body["roles"]]
        changed = set(wanted) ^ set(member.role_ids)
        for role_id in changed:
            role = guild.roles_by_id.get(role_id)
            if role is None:
                raise ApiError(404, 10011, "Unknown Role")
            _assignable(req, guild, role)
        world.set_member_roles(member, wanted)
    if "nick" in body:
        if member.id == guild.bot.id:
            req.require(guild, CHANGE_NICKNAME)
        else:
            req.require(guild, MANAGE_NICKNAMES)
            if not outranks(guild.bot, member):
                raise missing_permissions()
        world.edit_member(member, nick=body["nick"])
    if "channel_id" in body:
        req.require(guild, MOVE_MEMBERS)
        target = (
            guild.channels_by_id.get(snowflake(body["channel_id"])) if body["channel_id"] else None
        )
        if member.voice_channel_id is None:
            raise ApiError(400, 40032, "Target user is not connected to voice.")
        world.set_voice(member, target)
    return payloads.member(member)


@router.route("DELETE", "/guilds/{guild_id}/members/{user_id}")
async def kick_member(req: Request) -> Any:
    guild = req.guild()
    member = req.member(guild)
    req.require(guild, KICK_MEMBERS)
    if not outranks(guild.bot, member):
        raise missing_permissions()
    req.emu.world.remove_member(member)
