"""REST routes for messages, DMs, threads and reactions.

Sending needs VIEW_CHANNEL (else 403 50001) and SEND_MESSAGES, or
SEND_MESSAGES_IN_THREADS in threads, plus ATTACH_FILES for files (else 403
50013). A DM to a user who closed DMs (or shares no guild with the bot) fails
with 403 50007 like on Discord.
"""

from __future__ import annotations

from typing import Any

from . import payloads
from .messagebody import merged_attachments, message_fields, new_attachments, require_not_empty
from .messages import Message
from .permissions import (
    ADD_REACTIONS,
    ATTACH_FILES,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
)
from .rest import ApiError, JsonReply, Request, invalid_form, router, snowflake
from .state import Channel, ChannelType

THREADABLE = {ChannelType.TEXT, ChannelType.NEWS, ChannelType.FORUM}


def _check_can_send(req: Request, channel: Channel, *, with_files: bool) -> None:
    if channel.is_dm:
        recipient = channel.recipient
        assert recipient is not None
        shares_guild = any(recipient.id in g.members_by_id for g in req.emu.world.guilds.values())
        if not recipient.dms_open or not shares_guild or recipient.bot:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        return
    guild = channel.guild
    assert guild is not None
    req.require_view(channel)
    needed = SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES
    if with_files:
        needed |= ATTACH_FILES
    req.require(guild, needed, channel)
    if channel.is_thread and channel.archived and channel.locked:
        req.require(guild, MANAGE_THREADS, channel)
    if channel.type == ChannelType.CATEGORY:
        raise ApiError(400, 50008, "Cannot send messages in a non-text channel")


def _text_channel(req: Request) -> Channel:
    channel = req.channel()
    if channel.type in (ChannelType.CATEGORY, ChannelType.FORUM):
        raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
    return channel


@router.route("POST", "/channels/{channel_id}/messages")
async def create_message(req: Request) -> Any:
    channel = _text_channel(req)
    _check_can_send(req, channel, with_files=bool(req.files))
    fields = message_fields(req.body, partial=False)
    fields["flags"] = fields.get("flags", 0) & ~64  # only interaction responses can be ephemeral
    attachments = new_attachments(req.emu, req.body, req.files)
    require_not_empty(fields, attachments, req.body)
    reference = req.body.get("message_reference") or {}
    reference_id = snowflake(reference["message_id"]) if reference.get("message_id") else None
    message = req.emu.world.post_message(
        channel,
        req.emu.bot_user,
        attachments=attachments,
        reference_id=reference_id,
        type=19 if reference_id else 0,
        **fields,
    )
    return payloads.message(message, with_guild=False)


@router.route("GET", "/channels/{channel_id}/messages")
async def list_messages(req: Request) -> Any:
    channel = req.channel()
    if channel.guild is not None:
        req.require_view(channel)
        req.require(channel.guild, READ_MESSAGE_HISTORY, channel)
    messages = list(reversed(channel.messages))  # newest first, as Discord answers
    limit = max(1, min(100, int(req.query.get("limit", 50))))
    if "before" in req.query:
        messages = [m for m in messages if m.id < int(req.query["before"])]
    elif "after" in req.query:
        messages = [m for m in reversed(messages) if m.id > int(req.query["after"])][:limit][::-1]
    elif "around" in req.query:
        pivot = int(req.query["around"])
        older = [m for m in messages if m.id <= pivot][: (limit + 1) // 2]
        newer = [m for m in messages if m.id > pivot][-(limit // 2) :] if limit // 2 else []
        messages = newer + older
    return [payloads.message(m, with_guild=False) for m in messages[:limit]]


@router.route("GET", "/channels/{channel_id}/messages/{message_id}")
async def get_message(req: Request) -> Any:
    channel = req.channel()
    if channel.guild is not None:
        req.require_view(channel)
        req.require(channel.guild, READ_MESSAGE_HISTORY, channel)
    return payloads.message(req.message(channel), with_guild=False)


@router.route("PATCH", "/channels/{channel_id}/messages/{message_id}")
async def edit_message(req: Request) -> Any:
    channel = req.channel()
    message = req.message(channel)
    if message.author.id != req.emu.bot_user.id:
        raise ApiError(403, 50005, "Cannot edit a message authored by another user")
    fields = message_fields(req.body, partial=True)
    if "flags" in fields:
        fields["flags"] = (fields["flags"] & ~64) | (message.flags & 64)
    if req.files or "attachments" in req.body:
        fields["attachments"] = merged_attachments(
            req.emu, message.attachments, req.body, req.files
        )
    req.emu.world.edit_message(message, fields)
    return payloads.message(message, with_guild=False)


@router.route("DELETE", "/channels/{channel_id}/messages/{message_id}")
async def delete_message(req: Request) -> Any:
    channel = req.channel()
    message = req.message(channel)
    if message.author.id != req.emu.bot_user.id:
        if channel.guild is None:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        req.require(channel.guild, MANAGE_MESSAGES, channel)
    req.emu.world.delete_message(message)


@router.route("POST", "/channels/{channel_id}/typing")
async def typing(req: Request) -> Any:
    req.channel()


@router.route("POST", "/users/@me/channels")
async def open_dm(req: Request) -> Any:
    recipient_id = snowflake(req.body.get("recipient_id"))
    user = req.emu.world.users.get(recipient_id)
    if user is None:
        raise ApiError(404, 10013, "Unknown User")
    return payloads.channel(req.emu.world.open_dm(user))


# -- threads -------------------------------------------------------------------------------


def _thread_name(body: dict[str, Any]) -> str:
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise invalid_form("name", "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH")
    return name


def _archive_duration(body: dict[str, Any]) -> int:
    value = int(body.get("auto_archive_duration") or 1440)
    if value not in (60, 1440, 4320, 10080):
        raise invalid_form("auto_archive_duration", "Value must be one of {60, 1440, 4320, 10080}.")
    return value


@router.route("POST", "/channels/{channel_id}/messages/{message_id}/threads")
async def thread_from_message(req: Request) -> Any:
    channel = req.channel()
    message = req.message(channel)
    if channel.type not in THREADABLE or channel.guild is None:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    req.require_view(channel)
    req.require(channel.guild, CREATE_PUBLIC_THREADS, channel)
    if message.thread_id is not None:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    type_ = (
        ChannelType.NEWS_THREAD if channel.type == ChannelType.NEWS else ChannelType.PUBLIC_THREAD
    )
    thread = req.emu.world.create_thread(
        channel,
        name=_thread_name(req.body),
        type_=type_,
        owner=req.emu.bot_user,
        message=message,
        auto_archive_duration=_archive_duration(req.body),
        rate_limit_per_user=int(req.body.get("rate_limit_per_user") or 0),
    )
    return JsonReply(201, payloads.channel(thread))


@router.route("POST", "/channels/{channel_id}/threads")
async def thread_without_message(req: Request) -> Any:
    channel, body = req.channel(), req.body
    guild = channel.guild
    if channel.type not in THREADABLE or guild is None:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    req.require_view(channel)
    world = req.emu.world
    if channel.type == ChannelType.FORUM:
        # A forum post is a thread plus its starter message.
        req.require(guild, SEND_MESSAGES, channel)
        thread = world.create_thread(
            channel,
            name=_thread_name(body),
            type_=ChannelType.PUBLIC_THREAD,
            owner=req.emu.bot_user,
            auto_archive_duration=_archive_duration(body),
        )
        starter = body.get("message") or {}
        fields = message_fields(starter, partial=False)
        attachments = new_attachments(req.emu, starter, req.files)
        require_not_empty(fields, attachments, starter)
        message = world.post_message(thread, req.emu.bot_user, attachments=attachments, **fields)
        return JsonReply(
            201,
            {**payloads.channel(thread), "message": payloads.message(message, with_guild=False)},
        )
    type_ = int(body.get("type") or ChannelType.PRIVATE_THREAD)
    if type_ not in ChannelType.THREADS:
        raise invalid_form("type", "Value must be a thread type.")
    req.require(
        guild,
        CREATE_PRIVATE_THREADS if type_ == ChannelType.PRIVATE_THREAD else CREATE_PUBLIC_THREADS,
        channel,
    )
    thread = world.create_thread(
        channel,
        name=_thread_name(body),
        type_=type_,
        owner=req.emu.bot_user,
        auto_archive_duration=_archive_duration(body),
        invitable=bool(body.get("invitable", True)),
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
    )
    return JsonReply(201, payloads.channel(thread))


def _thread(req: Request) -> Channel:
    thread = req.channel()
    if not thread.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    return thread


@router.route("PUT", "/channels/{channel_id}/thread-members/{user_id}")
async def add_thread_member(req: Request) -> Any:
    thread = _thread(req)
    guild = thread.guild
    assert guild is not None
    member = req.member(guild)
    if thread.archived:
        raise ApiError(400, 50083, "Thread is archived")
    req.require_view(thread)
    if member.id != guild.bot.id:
        req.require(guild, SEND_MESSAGES_IN_THREADS, thread)
        if (
            thread.type == ChannelType.PRIVATE_THREAD
            and guild.bot.id not in thread.thread_member_ids
        ):
            req.require(guild, MANAGE_THREADS, thread)
    req.emu.world.set_thread_member(thread, member.user, add=True)


@router.route("DELETE", "/channels/{channel_id}/thread-members/{user_id}")
async def remove_thread_member(req: Request) -> Any:
    thread = _thread(req)
    guild = thread.guild
    assert guild is not None
    member = req.member(guild)
    if member.id != guild.bot.id and thread.owner_id != guild.bot.id:
        req.require(guild, MANAGE_THREADS, thread)
    req.emu.world.set_thread_member(thread, member.user, add=False)


def _thread_member(req: Request, thread: Channel, user_id: int) -> dict[str, Any]:
    return {
        "id": str(thread.id),
        "user_id": str(user_id),
        "join_timestamp": req.emu.now().isoformat(),
        "flags": 0,
    }


@router.route("GET", "/channels/{channel_id}/thread-members")
async def list_thread_members(req: Request) -> Any:
    thread = _thread(req)
    return [_thread_member(req, thread, u) for u in sorted(thread.thread_member_ids)]


@router.route("GET", "/channels/{channel_id}/thread-members/{user_id}")
async def get_thread_member(req: Request) -> Any:
    thread = _thread(req)
    user_id = (
        req.emu.bot_user.id if req.params["user_id"] == "@me" else snowflake(req.params["user_id"])
    )
    if user_id not in thread.thread_member_ids:
        raise ApiError(404, 10007, "Unknown Member")
    return _thread_member(req, thread, user_id)


# -- reactions -------------------------------------------------------------------------------


def _reaction_target(req: Request) -> tuple[Channel, Message]:
    channel = req.channel()
    message = req.message(channel)
    if channel.guild is not None:
        req.require_view(channel)
        req.require(channel.guild, READ_MESSAGE_HISTORY, channel)
    return channel, message


@router.route("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
async def add_reaction(req: Request) -> Any:
    channel, message = _reaction_target(req)
    emoji = req.params["emoji"]
    already = bool(message.reactions.get(emoji))
    if channel.guild is not None and not already:
        req.require(channel.guild, ADD_REACTIONS, channel)
    req.emu.world.add_reaction(message, emoji, req.emu.bot_user)


@router.route("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
async def remove_own_reaction(req: Request) -> Any:
    _, message = _reaction_target(req)
    req.emu.world.add_reaction(message, req.params["emoji"], req.emu.bot_user, add=False)


@router.route("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}")
async def remove_reaction(req: Request) -> Any:
    channel, message = _reaction_target(req)
    if channel.guild is not None:
        req.require(channel.guild, MANAGE_MESSAGES, channel)
    req.emu.world.add_reaction(message, req.params["emoji"], req.user(), add=False)


@router.route("GET", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}")
async def list_reactions(req: Request) -> Any:
    _, message = _reaction_target(req)
    users = req.emu.world.users
    return [
        payloads.user(users[u])
        for u in message.reactions.get(req.params["emoji"], [])
        if u in users
    ]
