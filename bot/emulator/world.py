"""Every change to the emulated world, with the gateway event Discord sends for it.

REST handlers and the test API both mutate state only through :class:`World`,
so the client's caches (fed by gateway events only) always match the
emulator's state: creating a role dispatches GUILD_ROLE_CREATE, assigning it
GUILD_MEMBER_UPDATE, and so on. Channel, thread and message operations are in
:class:`bot.emulator.world_content.ContentOps`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import payloads
from .gateway import Intent
from .members import Guild, Member
from .messages import Message, ScheduledEvent
from .permissions import DEFAULT_BOT, DEFAULT_EVERYONE
from .state import Channel, ChannelType, Role, User
from .util import Signal, SnowflakeGenerator
from .world_content import ContentOps

if TYPE_CHECKING:
    from .server import DiscordEmulator


class World(ContentOps):
    """The emulator's registry of everything, plus the operations that change it."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.snowflake = SnowflakeGenerator(emu.now)
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        # Fired after every change; waits in the test API re-check on it.
        self.changed = Signal()

    def emit(
        self,
        event: str,
        data: dict[str, Any],
        intent: int,
        *,
        message: Message | None = None,
        user_id: int | None = None,
    ) -> None:
        self.emu.gateway.dispatch(event, data, intent, message=message, user_id=user_id)
        self.changed.fire()

    # -- users, guilds, members -------------------------------------------------

    def create_user(
        self, name: str, *, bot: bool = False, dms_open: bool = True, global_name: str | None = None
    ) -> User:
        user = User(
            self.emu, self.snowflake(), name, global_name=global_name, bot=bot, dms_open=dms_open
        )
        self.users[user.id] = user
        return user

    def create_guild(
        self, name: str, *, owner: str = "owner", bot_permissions: int | None = None
    ) -> Guild:
        emu = self.emu
        guild = Guild(emu, self.snowflake(), name)
        guild.roles_by_id[guild.id] = Role(
            emu, guild.id, guild, "@everyone", DEFAULT_EVERYONE, position=0
        )
        bot_role = Role(
            emu,
            self.snowflake(),
            guild,
            emu.bot_user.username,
            DEFAULT_BOT if bot_permissions is None else bot_permissions,
            position=1,
            managed=True,
            bot_id=emu.bot_user.id,
        )
        guild.roles_by_id[bot_role.id] = bot_role
        guild.bot_role_id = bot_role.id
        owner_user = self.create_user(owner)
        guild.owner_id = owner_user.id
        for user, roles in ((owner_user, []), (emu.bot_user, [bot_role.id])):
            guild.members_by_id[user.id] = Member(emu, user, guild, roles, joined_at=emu.now())
        general = Channel(emu, self.snowflake(), ChannelType.TEXT, "general", guild)
        guild.channels_by_id[general.id] = general
        self.channels[general.id] = general
        guild.general_id = general.id
        self.guilds[guild.id] = guild
        # The bot "joins" a guild created while it is connected.
        self.emu.gateway.guild_create(guild)
        self.changed.fire()
        return guild

    def add_member(
        self, guild: Guild, user: User, role_ids: list[int], *, nick: str | None = None
    ) -> Member:
        member = Member(self.emu, user, guild, list(role_ids), nick=nick, joined_at=self.emu.now())
        guild.members_by_id[user.id] = member
        self.emit(
            "GUILD_MEMBER_ADD",
            {**payloads.member(member), "guild_id": str(guild.id)},
            Intent.GUILD_MEMBERS,
            user_id=user.id,
        )
        return member

    def remove_member(self, member: Member) -> None:
        guild = member.guild
        guild.members_by_id.pop(member.id, None)
        self.emit(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild.id), "user": payloads.user(member.user)},
            Intent.GUILD_MEMBERS,
            user_id=member.id,
        )

    def set_member_roles(self, member: Member, role_ids: list[int]) -> None:
        member.role_ids = [r for r in dict.fromkeys(role_ids) if r != member.guild.id]
        self._member_updated(member)

    def edit_member(self, member: Member, *, nick: str | None) -> None:
        member.nick = nick or None
        self._member_updated(member)

    def _member_updated(self, member: Member) -> None:
        self.emit(
            "GUILD_MEMBER_UPDATE",
            {**payloads.member(member), "guild_id": str(member.guild.id)},
            Intent.GUILD_MEMBERS,
            user_id=member.id,
        )

    def set_voice(self, member: Member, channel: Channel | None) -> None:
        member.voice_channel_id = None if channel is None else channel.id
        self.emit("VOICE_STATE_UPDATE", payloads.voice_state(member), Intent.GUILD_VOICE_STATES)

    # -- roles --------------------------------------------------------------------

    def create_role(self, guild: Guild, **fields: Any) -> Role:
        # New roles land just above @everyone, pushing the others up, as in Discord.
        role = Role(self.emu, self.snowflake(), guild, **fields, position=1)
        others = [r for r in guild.roles if not r.is_everyone]
        guild.roles_by_id[role.id] = role
        self.emit(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild.id), "role": payloads.role(role)},
            Intent.GUILDS,
        )
        self._renumber(guild, [role, *others])
        return role

    def edit_role(self, role: Role, fields: dict[str, Any]) -> None:
        position = fields.pop("position", None)
        for key, value in fields.items():
            setattr(role, key, value)
        self.emit(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(role.guild.id), "role": payloads.role(role)},
            Intent.GUILDS,
        )
        if position is not None and not role.is_everyone:
            self.move_role(role, int(position))

    def move_role(self, role: Role, position: int) -> None:
        order = [r for r in role.guild.roles if not r.is_everyone and r is not role]
        order.insert(max(0, min(len(order), position - 1)), role)
        self._renumber(role.guild, order)

    def _renumber(self, guild: Guild, order: list[Role]) -> None:
        for index, r in enumerate(order, start=1):
            if r.position != index:
                r.position = index
                self.emit(
                    "GUILD_ROLE_UPDATE",
                    {"guild_id": str(guild.id), "role": payloads.role(r)},
                    Intent.GUILDS,
                )

    def delete_role(self, role: Role) -> None:
        guild = role.guild
        del guild.roles_by_id[role.id]
        for member in guild.members_by_id.values():
            if role.id in member.role_ids:
                member.role_ids.remove(role.id)
        for channel in guild.channels_by_id.values():
            channel.overwrites.pop(role.id, None)
        self.emit(
            "GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)}, Intent.GUILDS
        )
        self._renumber(guild, [r for r in guild.roles if not r.is_everyone])

    # -- scheduled events -------------------------------------------------------------

    def create_event(self, guild: Guild, creator: User, **fields: Any) -> ScheduledEvent:
        event = ScheduledEvent(self.emu, self.snowflake(), guild, creator_id=creator.id, **fields)
        guild.events_by_id[event.id] = event
        self.emit(
            "GUILD_SCHEDULED_EVENT_CREATE",
            payloads.scheduled_event(event),
            Intent.GUILD_SCHEDULED_EVENTS,
        )
        return event

    def edit_event(self, event: ScheduledEvent, fields: dict[str, Any]) -> None:
        for key, value in fields.items():
            setattr(event, key, value)
        self.emit(
            "GUILD_SCHEDULED_EVENT_UPDATE",
            payloads.scheduled_event(event),
            Intent.GUILD_SCHEDULED_EVENTS,
        )

    def delete_event(self, event: ScheduledEvent) -> None:
        del event.guild.events_by_id[event.id]
        self.emit(
            "GUILD_SCHEDULED_EVENT_DELETE",
            payloads.scheduled_event(event),
            Intent.GUILD_SCHEDULED_EVENTS,
        )

    def subscribe_event(self, event: ScheduledEvent, user: User, *, add: bool) -> None:
        if add == (user.id in event.subscriber_ids):
            return
        if add:
            event.subscriber_ids.append(user.id)
        else:
            event.subscriber_ids.remove(user.id)
        data = {
            "guild_scheduled_event_id": str(event.id),
            "user_id": str(user.id),
            "guild_id": str(event.guild.id),
        }
        name = "GUILD_SCHEDULED_EVENT_USER_ADD" if add else "GUILD_SCHEDULED_EVENT_USER_REMOVE"
        self.emit(name, data, Intent.GUILD_SCHEDULED_EVENTS)
