"""The emulated world's entities: users, roles, channels (guild channels, threads, DMs).

These objects are both the emulator's storage and the handles tests hold
(``guild.create_role(...)``, ``ch.messages``, ``alice.last_dm()``). They hold
data; every change Discord would announce goes through
:class:`bot.emulator.world.World`, which dispatches the gateway events.
Messages and scheduled events live in :mod:`bot.emulator.messages`, guilds and
members in :mod:`bot.emulator.members`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from .errors import EmulatorError
from .util import perms_value, utcnow

if TYPE_CHECKING:
    from .members import Guild, Member
    from .messages import Message
    from .server import DiscordEmulator


class ChannelType:
    """Discord channel type numbers the emulator knows."""

    TEXT = 0
    DM = 1
    VOICE = 2
    CATEGORY = 4
    NEWS = 5
    NEWS_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    STAGE = 13
    FORUM = 15

    THREADS = frozenset({NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD})
    TEXT_LIKE = frozenset(
        {TEXT, NEWS, VOICE, STAGE, NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD, DM}
    )


@dataclass(eq=False)
class User:
    """A Discord account. ``dms_open=False`` makes the bot's DMs fail with 50007."""

    _emu: DiscordEmulator = field(repr=False)
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_open: bool = True
    dm_channel: Channel | None = field(default=None, repr=False)

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    @property
    def dms(self) -> list[Message]:
        """Messages the bot sent to this user in DM, oldest first."""
        if self.dm_channel is None:
            return []
        return [m for m in self.dm_channel.messages if m.author.id == self._emu.bot_user.id]

    def last_dm(self) -> Message:
        dms = self.dms
        if not dms:
            raise EmulatorError(f"{self.username} has no DM from the bot")
        return dms[-1]

    async def wait_for_dm(
        self,
        predicate: Callable[[Message], bool] | None = None,
        *,
        timeout: float = 5.0,
        existing: bool = True,
    ) -> Message:
        """Return the newest matching DM from the bot, waiting for one if none is there yet.

        With ``existing=False`` only DMs that arrive after the call count.
        """
        seen = {m.id for m in self.dms} if not existing else set()

        def check() -> Message | None:
            for message in reversed(self.dms):
                if message.id not in seen and (predicate is None or predicate(message)):
                    return message
            return None

        return await self._emu.world.changed.wait_for(
            check,
            timeout,
            lambda: f"no matching DM from the bot reached {self.username} within {timeout}s",
        )


@dataclass(eq=False)
class Role:
    _emu: DiscordEmulator = field(repr=False)
    id: int
    guild: Guild = field(repr=False)
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    @property
    def perms(self) -> discord.Permissions:
        return discord.Permissions(self.permissions)

    @property
    def is_everyone(self) -> bool:
        return self.id == self.guild.id

    @property
    def mention(self) -> str:
        return "@everyone" if self.is_everyone else f"<@&{self.id}>"

    @property
    def members(self) -> list[Member]:
        if self.is_everyone:
            return list(self.guild.members)
        return [m for m in self.guild.members if self.id in m.role_ids]

    def edit(self, **fields: Any) -> Role:
        """Change the role as an admin would in Discord's UI (dispatches GUILD_ROLE_UPDATE)."""
        if "permissions" in fields:
            fields["permissions"] = perms_value(fields["permissions"])
        self._emu.world.edit_role(self, fields)
        return self


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0


@dataclass(eq=False)
class Channel:
    """Any channel: guild text/voice/category, thread, or a DM with one user."""

    _emu: DiscordEmulator = field(repr=False)
    id: int
    type: int
    name: str | None
    guild: Guild | None = field(default=None, repr=False)
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    bitrate: int = 64000
    user_limit: int = 0
    overwrites: dict[int, Overwrite] = field(default_factory=dict, repr=False)
    # threads
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    archive_timestamp: datetime = field(default_factory=utcnow, repr=False)
    thread_member_ids: set[int] = field(default_factory=set, repr=False)
    message_count: int = 0
    # DMs
    recipient: User | None = field(default=None, repr=False)
    all_messages: list[Message] = field(default_factory=list, repr=False)
    last_message_id: int | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in ChannelType.THREADS

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def parent(self) -> Channel | None:
        if self.parent_id is None or self.guild is None:
            return None
        return self.guild.channels_by_id.get(self.parent_id)

    @property
    def category(self) -> Channel | None:
        parent = self.parent
        if parent is not None and parent.is_thread:
            return parent.parent
        return parent

    @property
    def messages(self) -> list[Message]:
        """Visible (non-ephemeral, not deleted) messages, oldest first."""
        return [m for m in self.all_messages if not m.deleted and m.ephemeral_for is None]

    @property
    def last_message(self) -> Message:
        messages = self.messages
        if not messages:
            raise EmulatorError(f"#{self.name} has no messages")
        return messages[-1]

    @property
    def threads(self) -> list[Channel]:
        if self.guild is None:
            return []
        return [
            c for c in self.guild.channels_by_id.values() if c.is_thread and c.parent_id == self.id
        ]

    @property
    def thread_members(self) -> list[Member]:
        assert self.guild is not None
        return [
            self.guild.members_by_id[i]
            for i in self.thread_member_ids
            if i in self.guild.members_by_id
        ]

    def permissions_for(self, member: Member) -> discord.Permissions:
        from .permissions import channel_permissions

        return discord.Permissions(channel_permissions(member, self))

    def overwrite_for(
        self, target: Role | Member
    ) -> tuple[discord.Permissions, discord.Permissions]:
        ow = self.overwrites.get(target.id)
        if ow is None:
            return discord.Permissions.none(), discord.Permissions.none()
        return discord.Permissions(ow.allow), discord.Permissions(ow.deny)

    async def wait_for_message(
        self,
        predicate: Callable[[Message], bool] | None = None,
        *,
        timeout: float = 5.0,
        existing: bool = True,
    ) -> Message:
        """Return the newest matching message here, waiting for one if none is there yet.

        With ``existing=False`` only messages posted after the call count.
        """
        seen = {m.id for m in self.messages} if not existing else set()

        def check() -> Message | None:
            for message in reversed(self.messages):
                if message.id not in seen and (predicate is None or predicate(message)):
                    return message
            return None

        return await self._emu.world.changed.wait_for(
            check,
            timeout,
            lambda: f"no matching message appeared in #{self.name} within {timeout}s",
        )
