"""Guilds and guild members: the handles tests drive ("alice runs /profile set").

A :class:`Guild` is created with ``emu.create_guild(...)``; everything added to
it before the bot connects is part of GUILD_CREATE, everything added after is
announced with the gateway event Discord would send.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from .errors import EmulatorError
from .messages import Message, ScheduledEvent
from .state import Channel, ChannelType, Role, User
from .util import perms_value, utcnow

if TYPE_CHECKING:
    from .interactions import Reply
    from .server import DiscordEmulator

OverwriteSpec = Mapping[Any, Any]


@dataclass(eq=False)
class Member:
    """A user's membership in one guild."""

    _emu: DiscordEmulator = field(repr=False)
    user: User
    guild: Guild = field(repr=False)
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: datetime = field(default_factory=utcnow, repr=False)
    voice_channel_id: int | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.username

    @property
    def display_name(self) -> str:
        return self.nick or self.user.global_name or self.user.username

    @property
    def mention(self) -> str:
        return self.user.mention

    @property
    def roles(self) -> list[Role]:
        """Roles besides @everyone, lowest first."""
        roles = [self.guild.roles_by_id[r] for r in self.role_ids if r in self.guild.roles_by_id]
        return sorted(roles, key=lambda r: r.position)

    @property
    def permissions(self) -> discord.Permissions:
        from .permissions import base_permissions

        return discord.Permissions(base_permissions(self))

    def permissions_in(self, channel: Channel) -> discord.Permissions:
        return channel.permissions_for(self)

    @property
    def voice_channel(self) -> Channel | None:
        if self.voice_channel_id is None:
            return None
        return self.guild.channels_by_id.get(self.voice_channel_id)

    @property
    def dms(self) -> list[Message]:
        return self.user.dms

    def last_dm(self) -> Message:
        return self.user.last_dm()

    async def wait_for_dm(
        self, predicate: Any = None, *, timeout: float = 5.0, existing: bool = True
    ) -> Message:
        return await self.user.wait_for_dm(predicate, timeout=timeout, existing=existing)

    # -- things a member does -------------------------------------------------

    async def run(
        self,
        command: str,
        *,
        in_channel: Channel | None = None,
        in_dm: bool = False,
        strict: bool = True,
        enforce_permissions: bool | None = None,
        timeout: float = 5.0,
        **options: Any,
    ) -> Reply:
        """Run a slash command (``"/profile set"``) with options by name; returns the bot's reply.

        ``in_channel`` picks the channel (default #general), ``in_dm`` runs it in
        the member's DM with the bot. ``strict=False`` skips the checks Discord's
        client does on option values; ``enforce_permissions=False`` lets the
        member run a command hidden by ``default_member_permissions``.
        """
        return await self._emu.interactions.run_command(
            self,
            command,
            options,
            channel=in_channel,
            in_dm=in_dm,
            strict=strict,
            enforce_permissions=enforce_permissions,
            timeout=timeout,
        )

    async def autocomplete(
        self,
        command: str,
        option: str,
        value: Any,
        *,
        in_channel: Channel | None = None,
        in_dm: bool = False,
        timeout: float = 5.0,
        **options: Any,
    ) -> list[dict[str, Any]]:
        """Type ``value`` into ``option`` and return the suggested choices (``{name, value}``)."""
        return await self._emu.interactions.autocomplete(
            self, command, option, value, options, channel=in_channel, in_dm=in_dm, timeout=timeout
        )

    async def send(
        self, content: str = "", *, in_channel: Channel | None = None, **fields: Any
    ) -> Message:
        """Post a message as this member (dispatches MESSAGE_CREATE) and let the bot see it."""
        channel = in_channel or self.guild.general
        message = self._emu.world.post_message(channel, self.user, content=content, **fields)
        await self._emu.settle()
        return message

    async def send_dm(self, content: str, **fields: Any) -> Message:
        """Write to the bot in DM."""
        channel = self._emu.world.open_dm(self.user)
        message = self._emu.world.post_message(channel, self.user, content=content, **fields)
        await self._emu.settle()
        return message

    def add_role(self, role: Role) -> None:
        """An admin gives this member a role (dispatches GUILD_MEMBER_UPDATE)."""
        if role.id not in self.role_ids:
            self._emu.world.set_member_roles(self, [*self.role_ids, role.id])

    def remove_role(self, role: Role) -> None:
        self._emu.world.set_member_roles(self, [r for r in self.role_ids if r != role.id])

    def join_voice(self, channel: Channel | None) -> None:
        """Join a voice channel, or leave with ``None`` (dispatches VOICE_STATE_UPDATE)."""
        self._emu.world.set_voice(self, channel)

    def leave(self) -> None:
        """Leave the guild (dispatches GUILD_MEMBER_REMOVE)."""
        self._emu.world.remove_member(self)


@dataclass(eq=False)
class Guild:
    """A server. Created by ``emu.create_guild``: owner, @everyone, #general and the bot."""

    _emu: DiscordEmulator = field(repr=False)
    id: int
    name: str
    owner_id: int = 0
    bot_role_id: int = 0
    roles_by_id: dict[int, Role] = field(default_factory=dict, repr=False)
    channels_by_id: dict[int, Channel] = field(default_factory=dict, repr=False)
    members_by_id: dict[int, Member] = field(default_factory=dict, repr=False)
    events_by_id: dict[int, ScheduledEvent] = field(default_factory=dict, repr=False)
    general_id: int = 0

    # -- views ----------------------------------------------------------------

    @property
    def everyone(self) -> Role:
        return self.roles_by_id[self.id]

    @property
    def owner(self) -> Member:
        return self.members_by_id[self.owner_id]

    @property
    def bot(self) -> Member:
        return self.members_by_id[self._emu.bot_user.id]

    @property
    def bot_role(self) -> Role:
        """The bot's managed role; its permissions are the bot's."""
        return self.roles_by_id[self.bot_role_id]

    @property
    def general(self) -> Channel:
        return self.channels_by_id[self.general_id]

    @property
    def roles(self) -> list[Role]:
        """All roles, lowest first (``@everyone`` first), like discord.py."""
        return sorted(self.roles_by_id.values(), key=lambda r: (r.position, r.id))

    @property
    def members(self) -> list[Member]:
        return list(self.members_by_id.values())

    @property
    def channels(self) -> list[Channel]:
        """Guild channels except threads, by position."""
        return sorted(
            (c for c in self.channels_by_id.values() if not c.is_thread),
            key=lambda c: (c.position, c.id),
        )

    @property
    def threads(self) -> list[Channel]:
        return [c for c in self.channels_by_id.values() if c.is_thread]

    @property
    def scheduled_events(self) -> list[ScheduledEvent]:
        return list(self.events_by_id.values())

    def member(self, name_or_id: str | int) -> Member:
        for m in self.members_by_id.values():
            if name_or_id in (m.id, m.name, m.nick):
                return m
        raise EmulatorError(f"no member {name_or_id!r} in {self.name}")

    def channel(self, name_or_id: str | int) -> Channel:
        for c in self.channels_by_id.values():
            if name_or_id in (c.id, c.name):
                return c
        raise EmulatorError(
            f"no channel {name_or_id!r} in {self.name}; have {[c.name for c in self.channels]}"
        )

    def role(self, name_or_id: str | int) -> Role:
        for r in self.roles_by_id.values():
            if name_or_id in (r.id, r.name):
                return r
        raise EmulatorError(
            f"no role {name_or_id!r} in {self.name}; have {[r.name for r in self.roles]}"
        )

    def event(self, name_or_id: str | int) -> ScheduledEvent:
        for e in self.events_by_id.values():
            if name_or_id in (e.id, e.name):
                return e
        raise EmulatorError(f"no scheduled event {name_or_id!r} in {self.name}")

    # -- admin actions (announced over the gateway once the bot is connected) --

    def add_member(
        self,
        name: str | None = None,
        *,
        user: User | None = None,
        roles: Iterable[Role] = (),
        dms_open: bool = True,
        nick: str | None = None,
        global_name: str | None = None,
        bot: bool = False,
    ) -> Member:
        """Add a member: a new user called ``name``, or an existing ``user`` from another guild.

        ``global_name`` is the user's display name (unset, Discord shows the username);
        ``nick`` their nickname in this guild.
        """
        if user is None:
            if name is None:
                raise TypeError("add_member needs a name or a user")
            user = self._emu.world.create_user(
                name, bot=bot, dms_open=dms_open, global_name=global_name
            )
        return self._emu.world.add_member(self, user, [r.id for r in roles], nick=nick)

    def create_role(
        self,
        name: str,
        *,
        permissions: discord.Permissions | int = 0,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
        position: int | None = None,
    ) -> Role:
        """A role as an admin creates it: at the bottom (position 1) unless ``position`` is
        given, e.g. ``position=guild.bot_role.position + 1`` for a role above the bot's."""
        role = self._emu.world.create_role(
            self,
            name=name,
            permissions=perms_value(permissions),
            color=color,
            hoist=hoist,
            mentionable=mentionable,
        )
        if position is not None:
            self._emu.world.move_role(role, position)
        return role

    def create_category(self, name: str, *, overwrites: OverwriteSpec | None = None) -> Channel:
        return self._create_channel(ChannelType.CATEGORY, name, None, overwrites)

    def create_text_channel(
        self,
        name: str,
        *,
        category: Channel | None = None,
        overwrites: OverwriteSpec | None = None,
        topic: str | None = None,
    ) -> Channel:
        return self._create_channel(ChannelType.TEXT, name, category, overwrites, topic=topic)

    def create_voice_channel(
        self, name: str, *, category: Channel | None = None, overwrites: OverwriteSpec | None = None
    ) -> Channel:
        return self._create_channel(ChannelType.VOICE, name, category, overwrites)

    def _create_channel(
        self,
        type_: int,
        name: str,
        category: Channel | None,
        overwrites: OverwriteSpec | None,
        **extra: Any,
    ) -> Channel:
        return self._emu.world.create_channel(
            self,
            type_=type_,
            name=name,
            parent_id=None if category is None else category.id,
            overwrites=_overwrites_from_spec(overwrites or {}),
            **extra,
        )

    def set_bot_permissions(self, permissions: discord.Permissions | int) -> None:
        """Set what the bot may do in this guild (edits the bot's managed role)."""
        self._emu.world.edit_role(self.bot_role, {"permissions": perms_value(permissions)})

    def create_scheduled_event(
        self,
        name: str,
        start_time: datetime,
        *,
        channel: Channel | None = None,
        location: str | None = None,
        end_time: datetime | None = None,
        description: str | None = None,
        creator: Member | None = None,
    ) -> ScheduledEvent:
        """An admin schedules an event (voice/stage with ``channel``, else external at
        ``location``); dispatches GUILD_SCHEDULED_EVENT_CREATE."""
        kinds = {ChannelType.STAGE: 1, ChannelType.VOICE: 2}
        kind = 3 if channel is None else kinds.get(channel.type, 2)
        return self._emu.world.create_event(
            self,
            (creator or self.owner).user,
            name=name,
            start_time=start_time,
            end_time=end_time,
            entity_type=kind,
            channel_id=None if channel is None else channel.id,
            location=location,
            description=description,
        )

    def set_overwrite(
        self, channel: Channel, target: Role | Member, *, allow: Any = 0, deny: Any = 0
    ) -> None:
        """Set a channel permission overwrite as an admin (dispatches CHANNEL_UPDATE)."""
        kind = 0 if isinstance(target, Role) else 1
        self._emu.world.set_overwrite(
            channel, target.id, kind, perms_value(allow), perms_value(deny)
        )


def _overwrites_from_spec(spec: OverwriteSpec) -> list[dict[str, int]]:
    """Accept ``{role_or_member: PermissionOverwrite | (allow, deny)}`` as in discord.py."""
    result: list[dict[str, int]] = []
    for target, value in spec.items():
        if isinstance(value, discord.PermissionOverwrite):
            allow, deny = (p.value for p in value.pair())
        else:
            allow, deny = (perms_value(v) for v in value)
        result.append(
            {
                "id": target.id,
                "type": 0 if isinstance(target, Role) else 1,
                "allow": allow,
                "deny": deny,
            }
        )
    return result
