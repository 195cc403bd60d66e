"""World operations on channels, threads, DMs, messages and reactions (a mixin of World)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import payloads
from .gateway import Intent
from .messages import Attachment, Message
from .state import Channel, ChannelType, Overwrite, User
from .util import Signal, SnowflakeGenerator

if TYPE_CHECKING:
    from .members import Guild
    from .server import DiscordEmulator


_TEXT_NAMED = (ChannelType.TEXT, ChannelType.NEWS, ChannelType.FORUM)
CHANNEL_FIELDS = (
    "name",
    "topic",
    "position",
    "parent_id",
    "nsfw",
    "rate_limit_per_user",
    "bitrate",
    "user_limit",
    "archived",
    "locked",
    "auto_archive_duration",
    "invitable",
)


def normalize_channel_name(type_: int, name: str) -> str:
    """Discord lower-cases text channel names and turns spaces into dashes."""
    if type_ in _TEXT_NAMED:
        return re.sub(r"\s+", "-", name.strip().lower())
    return name


class ContentOps:
    """Channel, thread and message changes; each dispatches the matching gateway event."""

    emu: DiscordEmulator
    channels: dict[int, Channel]
    messages: dict[int, Message]
    changed: Signal
    snowflake: SnowflakeGenerator

    def emit(
        self,
        event: str,
        data: dict[str, Any],
        intent: int,
        *,
        message: Message | None = None,
        user_id: int | None = None,
    ) -> None:
        raise NotImplementedError

    # -- channels and threads -------------------------------------------------------

    def create_channel(
        self,
        guild: Guild,
        *,
        type_: int,
        name: str,
        parent_id: int | None = None,
        overwrites: list[dict[str, int]] | None = None,
        **extra: Any,
    ) -> Channel:
        siblings = [c for c in guild.channels_by_id.values() if not c.is_thread and c.type == type_]
        channel = Channel(
            self.emu,
            self.snowflake(),
            type_,
            normalize_channel_name(type_, name),
            guild,
            position=extra.pop("position", None) or len(siblings),
            parent_id=parent_id,
            **{k: v for k, v in extra.items() if v is not None},
        )
        for ow in overwrites or []:
            channel.overwrites[ow["id"]] = Overwrite(ow["id"], ow["type"], ow["allow"], ow["deny"])
        guild.channels_by_id[channel.id] = channel
        self.channels[channel.id] = channel
        self.emit("CHANNEL_CREATE", payloads.channel(channel), Intent.GUILDS)
        return channel

    def edit_channel(self, channel: Channel, fields: dict[str, Any]) -> None:
        for key in CHANNEL_FIELDS:
            if key in fields:
                value = fields[key]
                if key == "name":
                    value = normalize_channel_name(channel.type, value)
                if key == "archived" and value != channel.archived:
                    channel.archive_timestamp = self.emu.now()
                setattr(channel, key, value)
        if "permission_overwrites" in fields:
            channel.overwrites = {
                o["id"]: Overwrite(o["id"], o["type"], o["allow"], o["deny"])
                for o in fields["permission_overwrites"]
            }
        self._channel_updated(channel)

    def _channel_updated(self, channel: Channel) -> None:
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        self.emit(event, payloads.channel(channel), Intent.GUILDS)

    def set_overwrite(
        self, channel: Channel, target_id: int, type_: int, allow: int, deny: int
    ) -> None:
        channel.overwrites[target_id] = Overwrite(target_id, type_, allow, deny)
        self._channel_updated(channel)

    def delete_overwrite(self, channel: Channel, target_id: int) -> None:
        channel.overwrites.pop(target_id, None)
        self._channel_updated(channel)

    def delete_channel(self, channel: Channel) -> None:
        guild = channel.guild
        self.channels.pop(channel.id, None)
        if guild is None:
            return
        del guild.channels_by_id[channel.id]
        if channel.is_thread:
            data = {
                "id": str(channel.id),
                "guild_id": str(guild.id),
                "parent_id": str(channel.parent_id),
                "type": channel.type,
            }
            self.emit("THREAD_DELETE", data, Intent.GUILDS)
            return
        self.emit("CHANNEL_DELETE", payloads.channel(channel), Intent.GUILDS)
        for child in list(guild.channels_by_id.values()):
            if child.parent_id == channel.id:
                if child.is_thread:
                    self.delete_channel(child)
                else:
                    # Children of a deleted category stay, uncategorised.
                    child.parent_id = None
                    self._channel_updated(child)

    def create_thread(
        self,
        parent: Channel,
        *,
        name: str,
        type_: int,
        owner: User,
        message: Message | None = None,
        auto_archive_duration: int = 1440,
        invitable: bool = True,
        rate_limit_per_user: int = 0,
    ) -> Channel:
        guild = parent.guild
        assert guild is not None
        # A thread started from a message shares the message's id.
        thread_id = message.id if message is not None else self.snowflake()
        thread = Channel(
            self.emu,
            thread_id,
            type_,
            name,
            guild,
            parent_id=parent.id,
            owner_id=owner.id,
            auto_archive_duration=auto_archive_duration,
            invitable=invitable,
            rate_limit_per_user=rate_limit_per_user,
            thread_member_ids={owner.id},
            archive_timestamp=self.emu.now(),
        )
        guild.channels_by_id[thread.id] = thread
        self.channels[thread.id] = thread
        if message is not None:
            message.thread_id = thread.id
        self.emit(
            "THREAD_CREATE", {**payloads.channel(thread), "newly_created": True}, Intent.GUILDS
        )
        return thread

    def set_thread_member(self, thread: Channel, user: User, *, add: bool) -> None:
        assert thread.guild is not None
        data: dict[str, Any] = {"id": str(thread.id), "guild_id": str(thread.guild.id)}
        if add:
            thread.thread_member_ids.add(user.id)
            data["added_members"] = [
                {
                    "id": str(thread.id),
                    "user_id": str(user.id),
                    "join_timestamp": self.emu.now().isoformat(),
                    "flags": 0,
                }
            ]
        else:
            thread.thread_member_ids.discard(user.id)
            data["removed_member_ids"] = [str(user.id)]
        data["member_count"] = len(thread.thread_member_ids)
        self.emit("THREAD_MEMBERS_UPDATE", data, Intent.GUILDS)

    def open_dm(self, user: User) -> Channel:
        if user.dm_channel is None:
            user.dm_channel = Channel(
                self.emu, self.snowflake(), ChannelType.DM, None, recipient=user
            )
            self.channels[user.dm_channel.id] = user.dm_channel
        return user.dm_channel

    # -- messages -------------------------------------------------------------------

    def post_message(
        self,
        channel: Channel,
        author: User,
        *,
        content: str = "",
        embeds: list[dict[str, Any]] | None = None,
        components: list[dict[str, Any]] | None = None,
        attachments: list[Attachment] | None = None,
        **extra: Any,
    ) -> Message:
        message = Message(
            self.emu,
            self.snowflake(),
            channel,
            author,
            content=content,
            embeds=embeds or [],
            components=components or [],
            attachments=attachments or [],
            timestamp=self.emu.now(),
            **extra,
        )
        self.messages[message.id] = message
        channel.all_messages.append(message)
        if message.ephemeral_for is None:
            channel.last_message_id = message.id
            if channel.is_thread:
                channel.message_count += 1
                if channel.archived and not channel.locked:
                    channel.archived = False
                    self._channel_updated(channel)
            self.emit(
                "MESSAGE_CREATE",
                payloads.message(message),
                _message_intent(channel),
                message=message,
            )
        else:
            self.changed.fire()
        return message

    def edit_message(self, message: Message, fields: dict[str, Any]) -> None:
        for key in ("content", "embeds", "components", "attachments", "flags", "allowed_mentions"):
            if key in fields:
                setattr(message, key, fields[key])
        message.edited_timestamp = self.emu.now()
        if message.ephemeral_for is None:
            self.emit(
                "MESSAGE_UPDATE",
                payloads.message(message),
                _message_intent(message.channel),
                message=message,
            )
        else:
            self.changed.fire()

    def delete_message(self, message: Message) -> None:
        message.deleted = True
        if message.ephemeral_for is not None:
            self.changed.fire()
            return
        data = {"id": str(message.id), "channel_id": str(message.channel.id)}
        if message.channel.guild is not None:
            data["guild_id"] = str(message.channel.guild.id)
        self.emit("MESSAGE_DELETE", data, _message_intent(message.channel))

    def add_reaction(self, message: Message, emoji: str, user: User, *, add: bool = True) -> None:
        users = message.reactions.setdefault(emoji, [])
        if add == (user.id in users):
            return
        if add:
            users.append(user.id)
        else:
            users.remove(user.id)
        channel = message.channel
        data: dict[str, Any] = {
            "user_id": str(user.id),
            "channel_id": str(channel.id),
            "message_id": str(message.id),
            "emoji": {"id": None, "name": emoji},
            "burst": False,
            "type": 0,
        }
        if channel.guild is not None:
            data["guild_id"] = str(channel.guild.id)
            member = channel.guild.members_by_id.get(user.id)
            if add and member is not None:
                data["member"] = payloads.member(member)
        if add:
            data["message_author_id"] = str(message.author.id)
        intent = (
            Intent.GUILD_MESSAGE_REACTIONS if channel.guild else Intent.DIRECT_MESSAGE_REACTIONS
        )
        self.emit("MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE", data, intent)


def _message_intent(channel: Channel) -> int:
    return Intent.DIRECT_MESSAGES if channel.is_dm else Intent.GUILD_MESSAGES
