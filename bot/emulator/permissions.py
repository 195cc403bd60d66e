"""Discord's permission arithmetic, as documented for the API.

Base permissions come from @everyone and the member's roles (owner and
ADMINISTRATOR get everything); channel overwrites then apply in the order
@everyone, roles (allow/deny merged), member. Threads use their parent's
overwrites. A member who cannot view a channel has no permissions in it, and
text channels drop the send-dependent bits when SEND_MESSAGES is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from .state import Channel, ChannelType

if TYPE_CHECKING:
    from .members import Guild, Member

ALL = discord.Permissions.all().value
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
CONNECT = 1 << 20
MOVE_MEMBERS = 1 << 24
CHANGE_NICKNAME = 1 << 26
MANAGE_NICKNAMES = 1 << 27
MANAGE_ROLES = 1 << 28
KICK_MEMBERS = 1 << 1
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
PIN_MESSAGES = 1 << 51

# What @everyone gets in a freshly created server.
DEFAULT_EVERYONE = discord.Permissions(
    view_channel=True,
    create_instant_invite=True,
    change_nickname=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    use_external_stickers=True,
    read_message_history=True,
    use_application_commands=True,
    connect=True,
    speak=True,
    stream=True,
    use_voice_activation=True,
    request_to_speak=True,
    use_embedded_activities=True,
    send_voice_messages=True,
    send_polls=True,
).value

# What an invited bot gets by default: what a community bot like Cohort needs.
DEFAULT_BOT = discord.Permissions(
    view_channel=True,
    manage_channels=True,
    manage_roles=True,
    manage_events=True,
    create_events=True,
    manage_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
    manage_messages=True,
    use_application_commands=True,
    connect=True,
    move_members=True,
    manage_nicknames=True,
).value

# Permissions a bot has in a DM channel.
DM_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
    use_external_emojis=True,
    use_application_commands=True,
    send_messages_in_threads=True,
).value


def base_permissions(member: Member) -> int:
    """Guild-level permissions of a member."""
    guild = member.guild
    if guild.owner_id == member.id:
        return ALL
    perms = guild.everyone.permissions
    for role_id in member.role_ids:
        role = guild.roles_by_id.get(role_id)
        if role is not None:
            perms |= role.permissions
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def channel_permissions(member: Member, channel: Channel) -> int:
    """Permissions of ``member`` in ``channel`` after overwrites and implicit denials."""
    if channel.is_dm:
        return DM_PERMISSIONS
    base = base_permissions(member)
    if base & ADMINISTRATOR or base == ALL:
        return ALL
    source = channel.parent if channel.is_thread and channel.parent is not None else channel
    perms = apply_overwrites(base, member, source)
    if not perms & VIEW_CHANNEL:
        return 0
    if channel.type in ChannelType.TEXT_LIKE and not perms & SEND_MESSAGES:
        perms &= ~(SEND_TTS_MESSAGES | MENTION_EVERYONE | EMBED_LINKS | ATTACH_FILES)
    return perms


def apply_overwrites(base: int, member: Member, channel: Channel) -> int:
    guild = member.guild
    perms = base
    everyone = channel.overwrites.get(guild.id)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member.role_ids:
        ow = channel.overwrites.get(role_id)
        if ow is not None and ow.type == 0:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow
    own = channel.overwrites.get(member.id)
    if own is not None and own.type == 1:
        perms = (perms & ~own.deny) | own.allow
    return perms


def top_role_position(member: Member) -> int:
    """Position of the member's highest role (0 is @everyone)."""
    guild = member.guild
    positions = [guild.roles_by_id[r].position for r in member.role_ids if r in guild.roles_by_id]
    return max(positions, default=0)


def outranks(actor: Member, target: Member) -> bool:
    """True when ``actor`` may act on ``target`` by hierarchy (kick, nick, role edits)."""
    guild: Guild = actor.guild
    if target.id == guild.owner_id:
        return False
    if actor.id == guild.owner_id:
        return True
    return top_role_position(actor) > top_role_position(target)


def names(bits: int) -> list[str]:
    """Flag names of ``bits``, for readable error messages."""
    perms = discord.Permissions(bits)
    return [name for name, value in perms if value]
