"""The Discord side of events: announcements, the scheduled event, reminders, DMs, mod-log.

Services decide; this module only makes Discord show it. Pings are always explicit: an
announcement may ping the event-ping role and nothing else, a reminder the members going and
nobody else, whatever text a moderator typed into the title.

Missing permissions are explained to the moderator instead of failing silently: without Manage
Events the announcement is still posted (it is what members use) and the reply says which
permission would add the Discord scheduled event.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord.utils import format_dt

from bot.domain.events import LOCATION_MAX, describe_kind
from bot.errors import Conflict, InvalidInput
from bot.services.events_feeds import PollReport
from bot.services.events_reminders import DueEventReminder
from bot.services.events_store import EventRecord
from cogs.common import COLOUR, NO_PINGS, configured_channel, missing_permissions
from cogs.views.events import announcement_embed, rsvp_view

if TYPE_CHECKING:
    from bot.app import CohortBot

log = logging.getLogger(__name__)

MENTIONS_PER_MESSAGE = 80  # keeps a reminder under Discord's 2,000 characters
NO_MANAGE_EVENTS = (
    "⚠️ I couldn't add it to the server's Events list: I'm missing the Manage Events "
    "permission (Server Settings → Roles → Cohort). The announcement works without it."
)


# One lock per announcement, alive while someone uses it: re-renders of one announcement
# run one at a time and each reads the counts afresh, so an older render never lands after a
# newer one (two clicks committed in one order can reach Discord in the other).
_render_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()


@asynccontextmanager
async def announcement_lock(event_id: int) -> AsyncIterator[None]:
    lock = _render_locks.get(event_id)
    if lock is None:
        lock = _render_locks[event_id] = asyncio.Lock()
    async with lock:
        yield


class EventPublisher:
    def __init__(self, bot: CohortBot) -> None:
        self.bot = bot

    # -- announcement ----------------------------------------------------------------------

    async def check_can_announce(self, guild: discord.Guild) -> discord.TextChannel:
        """The announcements channel, if it is set and I can post there; else a clear error."""
        config = await self.bot.services.events.settings(guild.id)
        channel_id = config.channels.get("announcements")
        if channel_id is None:
            raise InvalidInput(
                "There is no announcements channel yet. A moderator can set one with "
                "`/config channel purpose:announcements`; then try again."
            )
        channel = guild.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise InvalidInput(
                "The announcements channel no longer exists; set a new one with "
                "`/config channel purpose:announcements`."
            )
        perms = channel.permissions_for(guild.me)
        if not (perms.view_channel and perms.send_messages and perms.embed_links):
            raise Conflict(
                f"I can't announce in {channel.mention}: {missing_permissions(channel, guild.me)}."
            )
        return channel

    async def announce(self, guild: discord.Guild, event: EventRecord) -> list[str]:
        """Post the announcement and create the scheduled event; returns notes for the moderator.

        Raises when the announcement itself cannot be posted (the caller undoes the event)."""
        channel = guild.get_channel(event.channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            raise InvalidInput("The announcements channel no longer exists; set a new one.")
        notes: list[str] = []
        config = await self.bot.services.config.get(guild.id)
        role = guild.get_role(config.roles.get("event-ping") or 0)
        content = f"New {describe_kind(event.kind).lower()} announced."
        allowed = NO_PINGS
        if role is not None:
            content = f"{role.mention} {content}"
            allowed = discord.AllowedMentions(everyone=False, users=False, roles=[role])
            if not (role.mentionable or channel.permissions_for(guild.me).mention_everyone):
                notes.append(
                    f"⚠️ {role.mention} was not pinged: make it mentionable, or give me "
                    "Mention @everyone, @here and All Roles."
                )
        try:
            message = await channel.send(
                content,
                embed=announcement_embed(event),
                view=rsvp_view(event),
                allowed_mentions=allowed,
            )
        except discord.Forbidden:
            raise Conflict(
                f"I can't announce in {channel.mention}: {missing_permissions(channel, guild.me)}."
            ) from None
        await self.bot.services.events.record_posted(guild.id, event.id, message_id=message.id)
        scheduled, note = await self._create_scheduled(guild, event, channel)
        if scheduled is not None:
            await self.bot.services.events.record_posted(
                guild.id, event.id, discord_event_id=scheduled.id
            )
        if note:
            notes.append(note)
        return notes

    async def _create_scheduled(
        self, guild: discord.Guild, event: EventRecord, channel: discord.TextChannel
    ) -> tuple[discord.ScheduledEvent | None, str | None]:
        try:
            created = await guild.create_scheduled_event(
                name=event.title,
                start_time=event.starts_at,
                end_time=event.end,
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=_location(event, channel),
                description=event.description or "",
                reason=f"Cohort event #{event.id}",
            )
        except discord.Forbidden:
            return None, NO_MANAGE_EVENTS
        except discord.HTTPException as error:
            log.warning("creating the scheduled event for event %s failed: %s", event.id, error)
            return None, f"⚠️ Discord refused the scheduled event ({error.text or error.status})."
        return created, None

    async def follow_edit(self, guild: discord.Guild, event: EventRecord) -> list[str]:
        """Bring the announcement and the scheduled event in line with the event."""
        notes = [n for n in [await self.refresh(guild, event)] if n]
        notes.extend(await self._sync_scheduled(guild, event))
        return notes

    async def refresh(self, guild: discord.Guild, event: EventRecord) -> str | None:
        """Re-render the announcement (counts, edits, cancellation) from a fresh read."""
        if event.channel_id is None or event.message_id is None:
            return None
        channel = guild.get_channel(event.channel_id)
        if not isinstance(channel, discord.TextChannel):
            return "⚠️ The announcement's channel no longer exists, so it could not be updated."
        try:
            async with announcement_lock(event.id):
                fresh = await self.bot.services.events.get_by_id(guild.id, event.id)
                await channel.get_partial_message(event.message_id).edit(
                    embed=announcement_embed(fresh), view=rsvp_view(fresh)
                )
        except discord.NotFound:
            return "⚠️ The announcement was deleted, so there was nothing to update."
        except discord.HTTPException as error:
            log.warning("updating the announcement of event %s failed: %s", event.id, error)
            return "⚠️ I couldn't update the announcement just now."
        return None

    async def _sync_scheduled(self, guild: discord.Guild, event: EventRecord) -> list[str]:
        if event.discord_event_id is None:
            if event.cancelled:
                return []
            # It could not be created before (no Manage Events then): try again now.
            channel = guild.get_channel(event.channel_id or 0)
            if not isinstance(channel, discord.TextChannel):
                return []
            created, note = await self._create_scheduled(guild, event, channel)
            if created is not None:
                await self.bot.services.events.record_posted(
                    guild.id, event.id, discord_event_id=created.id
                )
            return [note] if note else []
        try:
            scheduled = guild.get_scheduled_event(
                event.discord_event_id
            ) or await guild.fetch_scheduled_event(event.discord_event_id)
            if scheduled.status in (discord.EventStatus.completed, discord.EventStatus.cancelled):
                return []
            if event.cancelled:
                if scheduled.status is discord.EventStatus.active:
                    await scheduled.end(reason="Cohort: event cancelled")
                else:
                    await scheduled.cancel(reason="Cohort: event cancelled")
                return []
            channel = guild.get_channel(event.channel_id or 0)
            times: dict[str, datetime] = {"end_time": event.end}
            if scheduled.status is discord.EventStatus.scheduled:
                # A running event keeps its start: Discord refuses a start in the past.
                times["start_time"] = event.starts_at
            await scheduled.edit(
                name=event.title,
                location=_location(event, channel),
                description=event.description or "",
                reason="Cohort: event edited",
                **times,
            )
        except discord.NotFound:
            await self.bot.services.events.forget_discord_event(guild.id, event.id)
            return ["⚠️ The Discord scheduled event was deleted, so only the announcement changed."]
        except discord.Forbidden:
            return [NO_MANAGE_EVENTS.replace("add it to", "update it in")]
        except discord.HTTPException as error:
            log.warning("syncing the scheduled event of event %s failed: %s", event.id, error)
            return [
                f"⚠️ Discord refused to update the scheduled event ({error.text or error.status})."
            ]
        return []

    # -- people ------------------------------------------------------------------------------

    async def tell_promoted(
        self, guild: discord.Guild, event: EventRecord, user_ids: Sequence[int]
    ) -> None:
        """DM members who moved up from the waitlist; closed DMs get a line in the channel."""
        text = (
            f"A seat opened up for **{discord.utils.escape_markdown(event.title)}** "
            f"({format_dt(event.starts_at, 'F')}) in {guild.name}: you're now going."
        )
        for user_id in user_ids:
            member = guild.get_member(user_id)
            if member is not None:
                try:
                    await member.send(text, allowed_mentions=NO_PINGS)
                    continue
                except discord.Forbidden:
                    log.info("member %s has closed DMs; telling them in the channel", user_id)
                except discord.HTTPException:
                    log.warning("DM to member %s failed", user_id, exc_info=True)
            await self._mention_in_channel(guild, event, user_id)

    async def _mention_in_channel(
        self, guild: discord.Guild, event: EventRecord, user_id: int
    ) -> None:
        channel = guild.get_channel(event.channel_id or 0)
        if not isinstance(channel, discord.TextChannel) or guild.get_member(user_id) is None:
            return
        try:
            await channel.send(
                f"<@{user_id}> a seat opened up for "
                f"**{discord.utils.escape_markdown(event.title)}**: you're now going.",
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, roles=False, users=[discord.Object(user_id)]
                ),
            )
        except discord.HTTPException:
            log.warning("could not tell member %s in the channel either", user_id, exc_info=True)

    async def set_ping_role(self, member: discord.Member, role_id: int | None, *, add: bool) -> str:
        """/event subscribe and unsubscribe; returns what to tell the member."""
        role = member.guild.get_role(role_id or 0)
        if role is None:
            raise InvalidInput(
                "This server has no event-ping role yet. A moderator can set one with "
                "`/config role purpose:event-ping`."
            )
        if (member.get_role(role.id) is not None) == add:
            state = "already get" if add else "don't get"
            return f"You {state} event pings ({role.mention})."
        try:
            if add:
                await member.add_roles(role, reason="/event subscribe")
            else:
                await member.remove_roles(role, reason="/event unsubscribe")
        except discord.Forbidden:
            raise Conflict(
                f"I can't {'give you' if add else 'take away'} {role.mention}: I need Manage "
                "Roles and a role above it. Please tell a moderator."
            ) from None
        if add:
            return (
                f"You now get {role.mention}: you'll be pinged for new events. "
                "`/event unsubscribe` stops it."
            )
        return f"You no longer get {role.mention}."

    # -- jobs --------------------------------------------------------------------------------

    async def post_reminder(self, reminder: DueEventReminder) -> None:
        """ReminderSink: post a claimed reminder in the event's channel, pinging those going."""
        guild = self.bot.get_guild(reminder.guild_id)
        channel = guild.get_channel(reminder.channel_id or 0) if guild is not None else None
        if not isinstance(channel, discord.TextChannel):
            raise LookupError("the event's channel is gone")
        title = discord.utils.escape_markdown(reminder.title)
        starts = reminder.starts_at
        head = f"⏰ **{title}** starts {format_dt(starts, 'R')} ({format_dt(starts, 'F')})."
        if reminder.message_id is not None:
            head += (
                f" Details: https://discord.com/channels/{reminder.guild_id}/"
                f"{reminder.channel_id}/{reminder.message_id}"
            )
        going = list(reminder.going_ids)
        batches = [
            going[i : i + MENTIONS_PER_MESSAGE] for i in range(0, len(going), MENTIONS_PER_MESSAGE)
        ]
        for number, batch in enumerate(batches or [[]]):
            mentions = " ".join(f"<@{u}>" for u in batch)
            text = head if number == 0 else ""
            text = f"{text}\n{mentions}".strip()
            await channel.send(
                text,
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, roles=False, users=[discord.Object(u) for u in batch]
                ),
            )

    async def report_feeds(self, report: PollReport) -> None:
        """Tell each server's mod-log about new events to review and feeds that keep failing."""
        lines: dict[int, list[str]] = {}
        for guild_id, count in report.queued.items():
            lines.setdefault(guild_id, []).append(
                f"📥 {count} new event{'s' if count != 1 else ''} from iCal feeds wait for "
                "review: `/event review`."
            )
        for problem in report.problems:
            if problem.recovered:
                text = f"✅ The iCal feed <{problem.url}> works again."
            else:
                text = (
                    f"⚠️ The iCal feed <{problem.url}> failed {problem.failures} times in a row "
                    f"({problem.error}). I keep trying every 30 minutes; fix the address or stop "
                    "it with `/event feed-remove`."
                )
            lines.setdefault(problem.guild_id, []).append(text)
        for guild_id, texts in lines.items():
            await self.post_modlog(guild_id, "\n".join(texts))

    async def post_modlog(self, guild_id: int, text: str) -> None:
        channel = await configured_channel(self.bot, guild_id, "mod-log")
        if channel is None:
            log.warning("guild %s has no usable mod-log channel; not posted: %s", guild_id, text)
            return
        embed = discord.Embed(
            description=text, colour=COLOUR, timestamp=self.bot.services.clock.now()
        )
        embed.set_author(name="Events")
        try:
            await channel.send(embed=embed, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("mod-log post failed in guild %s: %s", guild_id, text, exc_info=True)


def _location(event: EventRecord, channel: discord.abc.GuildChannel | None) -> str:
    """Discord needs a location for an event outside voice channels: the place, the link, or
    where the announcement is."""
    for candidate in (event.location, event.url):
        if candidate and len(candidate) <= LOCATION_MAX:
            return candidate
    return f"See #{channel.name}" if channel is not None else "See the announcement"
