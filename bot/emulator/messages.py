"""Messages, attachments and scheduled events.

A :class:`Message` is what a member sees in a channel, a DM or an interaction
response; its ``click``/``select``/``react`` act on it like the Discord client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .util import utcnow

if TYPE_CHECKING:
    from .members import Guild, Member
    from .replies import Reply
    from .server import DiscordEmulator
    from .state import Channel, User


@dataclass(eq=False)
class Attachment:
    id: int
    filename: str
    content: bytes = field(repr=False)
    content_type: str | None = None
    description: str | None = None
    url: str = ""

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(eq=False)
class Message:
    """A stored message; component clicks work on it like in the Discord client."""

    _emu: DiscordEmulator = field(repr=False)
    id: int
    channel: Channel = field(repr=False)
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list, repr=False)
    attachments: list[Attachment] = field(default_factory=list, repr=False)
    flags: int = 0
    type: int = 0
    timestamp: datetime = field(default_factory=utcnow, repr=False)
    edited_timestamp: datetime | None = field(default=None, repr=False)
    webhook_id: int | None = field(default=None, repr=False)
    interaction_metadata: dict[str, Any] | None = field(default=None, repr=False)
    ephemeral_for: int | None = None  # user id that alone sees an ephemeral message
    reference_id: int | None = field(default=None, repr=False)
    thread_id: int | None = field(default=None, repr=False)
    reactions: dict[str, list[int]] = field(default_factory=dict, repr=False)
    allowed_mentions: dict[str, Any] | None = field(default=None, repr=False)
    deleted: bool = False

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def loading(self) -> bool:
        return bool(self.flags & 128)

    @property
    def edited(self) -> bool:
        return self.edited_timestamp is not None

    @property
    def pings(self) -> Pings:
        """Who Discord would notify: mentions in the content, filtered by allowed_mentions."""
        return compute_pings(self)

    @property
    def files(self) -> list[Attachment]:
        return self.attachments

    @property
    def buttons(self) -> list[str]:
        """Labels of the buttons (emoji name when a button has no label)."""
        from .components import button_label, iter_components

        return [button_label(c) for c in iter_components(self.components) if c.get("type") == 2]

    @property
    def text(self) -> str:
        """Content plus embed titles, descriptions, fields, footers, flattened for asserts."""
        from .components import flatten_text

        return flatten_text(self.content, self.embeds, self.components)

    @property
    def thread(self) -> Channel | None:
        if self.thread_id is None or self.channel.guild is None:
            return None
        return self.channel.guild.channels_by_id.get(self.thread_id)

    async def click(
        self,
        label: str | None = None,
        *,
        custom_id: str | None = None,
        by: Member | User | None = None,
        timeout: float = 5.0,
        strict: bool = True,
    ) -> Reply:
        """Click a button on this message as ``by`` and return the bot's response."""
        return await self._emu.interactions.click(
            self, label, custom_id=custom_id, by=by, timeout=timeout, strict=strict
        )

    async def select(
        self,
        target: str,
        values: Iterable[Any],
        *,
        by: Member | User | None = None,
        timeout: float = 5.0,
        strict: bool = True,
    ) -> Reply:
        """Pick ``values`` in the select menu whose placeholder or custom_id is ``target``."""
        return await self._emu.interactions.select(
            self, target, list(values), by=by, timeout=timeout, strict=strict
        )

    async def react(self, emoji: str, *, by: Member | User) -> None:
        """Add a unicode reaction as a member (dispatches MESSAGE_REACTION_ADD)."""
        user: User = getattr(by, "user", by)
        self._emu.world.add_reaction(self, emoji, user)
        await self._emu.settle()


@dataclass(eq=False)
class ScheduledEvent:
    _emu: DiscordEmulator = field(repr=False)
    id: int
    guild: Guild = field(repr=False)
    name: str
    start_time: datetime
    entity_type: int  # 1 stage, 2 voice, 3 external
    end_time: datetime | None = None
    description: str | None = None
    channel_id: int | None = None
    location: str | None = None
    status: int = 1  # 1 scheduled, 2 active, 3 completed, 4 canceled
    privacy_level: int = 2
    creator_id: int | None = None
    subscriber_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def channel(self) -> Channel | None:
        return None if self.channel_id is None else self.guild.channels_by_id.get(self.channel_id)

    @property
    def subscribers(self) -> list[User]:
        return [self._emu.world.users[i] for i in self.subscriber_ids]

    async def subscribe(self, member: Member) -> None:
        """Mark ``member`` as interested (dispatches GUILD_SCHEDULED_EVENT_USER_ADD)."""
        self._emu.world.subscribe_event(self, member.user, add=True)
        await self._emu.settle()

    async def unsubscribe(self, member: Member) -> None:
        self._emu.world.subscribe_event(self, member.user, add=False)
        await self._emu.settle()


@dataclass(frozen=True)
class Pings:
    everyone: bool
    users: list[int]
    roles: list[int]

    @property
    def nobody(self) -> bool:
        return not (self.everyone or self.users or self.roles)


def compute_pings(message: Message) -> Pings:
    """Discord's rules: without ``allowed_mentions`` everything mentioned pings; ``parse`` lists
    the kinds parsed from the content, ``users``/``roles`` allow listed ids. @everyone/@here
    and unmentionable roles also need MENTION_EVERYONE from a bot."""
    from .permissions import MENTION_EVERYONE, channel_permissions

    content = message.content
    allowed = message.allowed_mentions
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    listed_users = {int(u) for u in (allowed or {}).get("users") or []}
    listed_roles = {int(r) for r in (allowed or {}).get("roles") or []}
    guild = message.channel.guild
    can_ping_all = guild is None or bool(
        guild.members_by_id.get(message.author.id) is not None
        and channel_permissions(guild.members_by_id[message.author.id], message.channel)
        & MENTION_EVERYONE
    )
    users = [
        int(u)
        for u in dict.fromkeys(re.findall(r"<@!?(\d+)>", content))
        if "users" in parse or int(u) in listed_users
    ]
    roles = []
    for raw in dict.fromkeys(re.findall(r"<@&(\d+)>", content)):
        role = guild.roles_by_id.get(int(raw)) if guild is not None else None
        if role is None or not ("roles" in parse or role.id in listed_roles):
            continue
        if role.mentionable or can_ping_all:
            roles.append(role.id)
    everyone = (
        "everyone" in parse and ("@everyone" in content or "@here" in content) and can_ping_all
    )
    return Pings(everyone, users, roles)
