"""JSON shapes of Discord objects as the API and gateway send them.

Ids are always strings, timestamps ISO 8601; every field discord.py reads with
``data[...]`` is present (a missing one crashes the client's event parser).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .messages import Attachment, Message, ScheduledEvent
from .permissions import channel_permissions
from .state import Channel, ChannelType, Role, User
from .util import iso

if TYPE_CHECKING:
    from .members import Guild, Member

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def user(u: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
    }
    if u.bot:
        data["bot"] = True
    return data


def member(m: Member, *, with_user: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "roles": [str(r) for r in m.role_ids],
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "joined_at": iso(m.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user(m.user)
    return data


def role(r: Role) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(r.id),
        "name": r.name,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
        "hoist": r.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def channel(c: Channel) -> dict[str, Any]:
    if c.is_dm:
        assert c.recipient is not None
        return {
            "id": str(c.id),
            "type": ChannelType.DM,
            "last_message_id": _opt_id(c.last_message_id),
            "recipients": [user(c.recipient)],
            "flags": 0,
        }
    assert c.guild is not None
    data: dict[str, Any] = {
        "id": str(c.id),
        "type": c.type,
        "guild_id": str(c.guild.id),
        "name": c.name,
        "parent_id": _opt_id(c.parent_id),
        "flags": 0,
        "nsfw": c.nsfw,
        "rate_limit_per_user": c.rate_limit_per_user,
    }
    if c.is_thread:
        data.update(
            owner_id=_opt_id(c.owner_id),
            message_count=c.message_count,
            total_message_sent=c.message_count,
            member_count=len(c.thread_member_ids),
            last_message_id=_opt_id(c.last_message_id),
            thread_metadata={
                "archived": c.archived,
                "locked": c.locked,
                "auto_archive_duration": c.auto_archive_duration,
                "archive_timestamp": iso(c.archive_timestamp),
                "invitable": c.invitable,
                "create_timestamp": None,
            },
        )
        return data
    data.update(
        position=c.position,
        permission_overwrites=[
            {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
            for o in c.overwrites.values()
        ],
    )
    if c.type in (ChannelType.TEXT, ChannelType.NEWS, ChannelType.FORUM):
        data.update(
            topic=c.topic,
            last_message_id=_opt_id(c.last_message_id),
            default_auto_archive_duration=1440,
        )
    if c.type in (ChannelType.VOICE, ChannelType.STAGE):
        data.update(
            bitrate=c.bitrate,
            user_limit=c.user_limit,
            rtc_region=None,
            video_quality_mode=1,
            last_message_id=_opt_id(c.last_message_id),
        )
    return data


def resolved_channel(c: Channel, viewer: Member | None) -> dict[str, Any]:
    """Channel as it appears in interaction ``resolved`` data and ``channel`` (with permissions)."""
    data = channel(c)
    perms = channel_permissions(viewer, c) if viewer is not None else 0
    data["permissions"] = str(perms)
    return data


def attachment(a: Attachment) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": a.url,
        "proxy_url": a.url,
        "content_type": a.content_type,
    }
    if a.description is not None:
        data["description"] = a.description
    return data


def _mentioned_users(m: Message) -> list[dict[str, Any]]:
    """Users mentioned as ``<@id>`` (with their partial member in guilds), as Discord lists them."""
    result = []
    guild = m.channel.guild
    for raw in dict.fromkeys(_USER_MENTION.findall(m.content)):
        mentioned = m._emu.world.users.get(int(raw))
        if mentioned is None:
            continue
        data = user(mentioned)
        member_ = guild.members_by_id.get(mentioned.id) if guild is not None else None
        if member_ is not None:
            data["member"] = member(member_, with_user=False)
        result.append(data)
    return result


def message(m: Message, *, with_guild: bool = True) -> dict[str, Any]:
    """A message; gateway events add ``guild_id`` and the author's ``member``."""
    guild = m.channel.guild
    data: dict[str, Any] = {
        "id": str(m.id),
        "type": m.type,
        "channel_id": str(m.channel.id),
        "author": user(m.author),
        "content": m.content,
        "timestamp": iso(m.timestamp),
        "edited_timestamp": iso(m.edited_timestamp),
        "tts": False,
        "mention_everyone": "@everyone" in m.content or "@here" in m.content,
        "mentions": _mentioned_users(m),
        "mention_roles": [
            r for r in _ROLE_MENTION.findall(m.content) if guild and int(r) in guild.roles_by_id
        ],
        "attachments": [attachment(a) for a in m.attachments],
        "embeds": m.embeds,
        "components": m.components,
        "pinned": False,
        "flags": m.flags,
    }
    if m.reactions:
        data["reactions"] = [
            {
                "emoji": {"id": None, "name": emoji},
                "count": len(users),
                "me": m._emu.bot_user.id in users,
                "count_details": {"burst": 0, "normal": len(users)},
                "burst_colors": [],
                "me_burst": False,
            }
            for emoji, users in m.reactions.items()
            if users
        ]
    if m.webhook_id is not None:
        data["webhook_id"] = str(m.webhook_id)
        data["application_id"] = str(m.webhook_id)
    if m.interaction_metadata is not None:
        data["interaction_metadata"] = m.interaction_metadata
    if m.reference_id is not None:
        data["message_reference"] = {
            "type": 0,
            "message_id": str(m.reference_id),
            "channel_id": str(m.channel.id),
        }
    if with_guild and guild is not None:
        data["guild_id"] = str(guild.id)
        author_member = guild.members_by_id.get(m.author.id)
        if author_member is not None and m.webhook_id is None:
            data["member"] = member(author_member, with_user=False)
    return data


def scheduled_event(e: ScheduledEvent) -> dict[str, Any]:
    creator = e._emu.world.users.get(e.creator_id) if e.creator_id else None
    return {
        "id": str(e.id),
        "guild_id": str(e.guild.id),
        "channel_id": _opt_id(e.channel_id),
        "creator_id": _opt_id(e.creator_id),
        "creator": user(creator) if creator else None,
        "name": e.name,
        "description": e.description,
        "scheduled_start_time": iso(e.start_time),
        "scheduled_end_time": iso(e.end_time),
        "privacy_level": e.privacy_level,
        "status": e.status,
        "entity_type": e.entity_type,
        "entity_id": None,
        "entity_metadata": {"location": e.location} if e.location is not None else None,
        "user_count": len(e.subscriber_ids),
        "image": None,
        "recurrence_rule": None,
    }


def voice_state(m: Member) -> dict[str, Any]:
    return {
        "guild_id": str(m.guild.id),
        "channel_id": _opt_id(m.voice_channel_id),
        "user_id": str(m.id),
        "member": member(m),
        "session_id": f"voice-{m.id}",
        "deaf": False,
        "mute": False,
        "self_deaf": False,
        "self_mute": False,
        "self_stream": False,
        "self_video": False,
        "suppress": False,
        "request_to_speak_timestamp": None,
    }


def guild(g: Guild, *, members: list[Member] | None = None) -> dict[str, Any]:
    """Guild object for REST (no members/channels) or, with ``members``, for GUILD_CREATE."""
    data: dict[str, Any] = {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(g.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "system_channel_id": str(g.general_id),
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "features": [],
        "roles": [role(r) for r in g.roles],
        "emojis": [],
        "stickers": [],
        "vanity_url_code": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
    }
    if members is None:
        return data
    data.update(
        joined_at=iso(g.bot.joined_at),
        large=False,
        unavailable=False,
        member_count=len(g.members_by_id),
        members=[member(m) for m in members],
        channels=[channel(c) for c in g.channels],
        threads=[channel(c) for c in g.threads if not c.archived],
        voice_states=[
            {k: v for k, v in voice_state(m).items() if k not in ("guild_id", "member")}
            for m in g.members_by_id.values()
            if m.voice_channel_id is not None
        ],
        presences=[],
        stage_instances=[],
        guild_scheduled_events=[scheduled_event(e) for e in g.events_by_id.values()],
        soundboard_sounds=[],
    )
    return data


def _opt_id(value: int | None) -> str | None:
    return None if value is None else str(value)
