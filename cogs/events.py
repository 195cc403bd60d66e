"""/event: hackathons and meetups — announcements with RSVPs, reminders, iCal, feeds, review.

Who may announce: moderators (Manage Server or the moderator role) and the event-ping
role's managers, i.e. members whose Manage Roles permission and top role let them manage that
role (the people a server trusts with who gets pinged for events). Feeds and the review queue
are for moderators only, as COMMANDS.md says. /event mixes member and moderator commands, so
the checks run on the bot's side, command by command.

The reminder dispatcher and the feed poller run as periodic jobs (and once when the bot is
ready, to catch up on anything due while it was down); the database decides what is due.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot.domain.reminders import describe_minutes
from bot.services.events_feeds import PollReport
from bot.services.events_reminders import DispatchReport, EventReminderDispatcher
from cogs.common import MODERATOR_HINT, bot_of, is_moderator, moderator_only, respond
from cogs.config import timezone_autocomplete
from cogs.errors import describe_error
from cogs.events_publisher import EventPublisher
from cogs.views.events import (
    details_embed,
    review_embed,
    review_view,
    upcoming_embed,
)

if TYPE_CHECKING:
    from bot.app import CohortBot
    from bot.container import Services

log = logging.getLogger(__name__)

Kind = Literal["hackathon", "meetup", "workshop", "other"]
REMINDER_EVERY_SECONDS = 30
FEEDS_EVERY_SECONDS = 300


class NotOrganizer(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            "Only moderators or those who manage the event-ping role can announce events. "
            f"{MODERATOR_HINT}"
        )


async def manages_event_ping_role(interaction: discord.Interaction) -> bool:
    """Manage Roles and a top role above the event-ping role: they could hand it out."""
    if interaction.guild is None or not interaction.permissions.manage_roles:
        return False
    config = await bot_of(interaction).services.config.get(interaction.guild.id)
    role = interaction.guild.get_role(config.roles.get("event-ping") or 0)
    user = interaction.user
    return role is not None and isinstance(user, discord.Member) and user.top_role > role


def moderator_only_or_event_ping_managers() -> Any:
    """Bot-side check for announcing; /help lists what it guards among the moderator commands."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if await is_moderator(interaction) or await manages_event_ping_role(interaction):
            return True
        raise NotOrganizer()

    predicate.cohort_moderator = True  # type: ignore[attr-defined]  # /help reads it
    return app_commands.check(predicate)


EVENT_OPTIONS = {
    "kind": "Hackathon, meetup, workshop or other",
    "title": "Up to 100 characters",
    "start": "YYYY-MM-DD HH:MM in your timezone (or the timezone option)",
    "end": "YYYY-MM-DD HH:MM; default: two hours after the start",
    "timezone": "How start and end are read, e.g. Europe/Berlin (default: yours)",
    "location": "Where it happens (up to 100 characters)",
    "url": "A link with details or the sign-up page",
    "description": "Up to 1,000 characters",
    "capacity": "Seats; further Going clicks join a waitlist",
}


class EventsCog(commands.Cog):
    event = app_commands.Group(name="event", description="Hackathons and meetups", guild_only=True)

    def __init__(self, bot: CohortBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.publisher = EventPublisher(bot)
        self.dispatcher = EventReminderDispatcher(services.event_reminders, self.publisher)
        # Set once the catch-up run after connecting has finished (tests and the sandbox wait
        # on it instead of guessing how long it takes).
        self.caught_up = asyncio.Event()

    # -- jobs ----------------------------------------------------------------------------

    async def cog_load(self) -> None:
        self.bot.scheduler.every("events:reminders", self.run_due, seconds=REMINDER_EVERY_SECONDS)
        self.bot.scheduler.every("events:feeds", self.poll_feeds, seconds=FEEDS_EVERY_SECONDS)

    async def cog_unload(self) -> None:
        self.bot.scheduler.cancel("events:reminders")
        self.bot.scheduler.cancel("events:feeds")

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Reminders missed while the bot was down go out as soon as it is connected (and after
        a reconnect); the claims make running it again harmless."""
        try:
            await self.run_due()
            await self.poll_feeds()
        except Exception:
            log.exception("catching up on event reminders and feeds failed")
        finally:
            self.caught_up.set()

    async def run_due(self, now: datetime | None = None) -> DispatchReport:
        """Post every reminder due now; only for this process's servers."""
        if not self.bot.is_ready():
            return DispatchReport(0, 0, 0)
        return await self.dispatcher.run_due(now, guild_ids=[g.id for g in self.bot.guilds])

    async def poll_feeds(self, now: datetime | None = None) -> PollReport:
        """Poll the feeds that are due; tell each server's mod-log what came in or broke."""
        if not self.bot.is_ready():
            return PollReport()
        report = await self.services.event_feeds.poll_feeds(now)
        await self.publisher.report_feeds(report)
        return report

    # -- announcing ------------------------------------------------------------------------

    @event.command(name="create", description="Announce a hackathon or meetup (moderators)")
    @app_commands.describe(**EVENT_OPTIONS)
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @moderator_only_or_event_ping_managers()
    async def event_create(
        self,
        interaction: discord.Interaction,
        kind: Kind,
        title: str,
        start: str,
        end: str | None = None,
        timezone: str | None = None,
        location: str | None = None,
        url: str | None = None,
        description: str | None = None,
        capacity: int | None = None,
    ) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.publisher.check_can_announce(interaction.guild)
        event = await self.services.events.create(
            interaction.guild.id,
            interaction.user.id,
            kind=kind,
            title=title,
            start=start,
            end=end,
            timezone=timezone,
            location=location,
            url=url,
            description=description,
            capacity=capacity,
        )
        try:
            notes = await self.publisher.announce(interaction.guild, event)
        except Exception as error:
            reason = describe_error(error) or "Discord returned an error."
            await self.services.events.discard(interaction.guild.id, event.id, reason)
            raise
        config = await self.services.config.get(interaction.guild.id)
        offsets = [describe_minutes(m) for m in config.reminder_offsets]
        lines = [
            f"Announced {_bold(event.title)} in <#{event.channel_id}>, starting "
            f"{format_dt(event.starts_at, 'F')}.",
            f"Reminders go out {', '.join(offsets)} before the start."
            if offsets
            else "No reminders are configured.",
            *notes,
        ]
        await respond(interaction, "\n".join(lines))

    @event.command(name="edit", description="Change an event; the announcement follows")
    @app_commands.describe(event="The event to change", **EVENT_OPTIONS)
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @moderator_only_or_event_ping_managers()
    async def event_edit(
        self,
        interaction: discord.Interaction,
        event: str,
        kind: Kind | None = None,
        title: str | None = None,
        start: str | None = None,
        end: str | None = None,
        timezone: str | None = None,
        location: str | None = None,
        url: str | None = None,
        description: str | None = None,
        capacity: int | None = None,
    ) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        change = await self.services.events.edit(
            interaction.guild.id,
            interaction.user.id,
            event,
            kind=kind,
            title=title,
            start=start,
            end=end,
            timezone=timezone,
            location=location,
            url=url,
            description=description,
            capacity=capacity,
        )
        if not change.changed:
            await respond(interaction, f"{_bold(change.event.title)} already looks like that.")
            return
        notes = await self.publisher.follow_edit(interaction.guild, change.event)
        if change.promoted:
            await self.publisher.tell_promoted(interaction.guild, change.event, change.promoted)
        text = f"Updated {_bold(change.event.title)}: {', '.join(change.changed)}."
        if change.moved:
            starts = format_dt(change.event.starts_at, "F")
            text += f" It now starts {starts}; the reminders moved with it."
        await respond(interaction, "\n".join([text, *notes]))

    @event.command(name="cancel", description="Cancel an event; its reminders stop")
    @app_commands.describe(event="The event to cancel")
    @moderator_only_or_event_ping_managers()
    async def event_cancel(self, interaction: discord.Interaction, event: str) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        cancelled = await self.services.events.cancel(
            interaction.guild.id, interaction.user.id, event
        )
        notes = await self.publisher.follow_edit(interaction.guild, cancelled)
        text = (
            f"Cancelled {_bold(cancelled.title)}. "
            "The announcement says so; no reminders will go out."
        )
        await respond(interaction, "\n".join([text, *notes]))

    # -- for everyone ------------------------------------------------------------------------

    @event.command(name="list", description="Upcoming events")
    @app_commands.describe(kind="Only this kind of event")
    async def event_list(self, interaction: discord.Interaction, kind: Kind | None = None) -> None:
        assert interaction.guild_id is not None
        events = await self.services.events.upcoming(interaction.guild_id, kind, limit=10)
        if not events:
            what = f"{kind}s" if kind else "events"
            await respond(interaction, f"There are no upcoming {what} yet.")
            return
        await respond(interaction, embed=upcoming_embed(events))

    @event.command(name="info", description="Details, RSVP counts and the waitlist")
    @app_commands.describe(event="The event")
    async def event_info(self, interaction: discord.Interaction, event: str) -> None:
        assert interaction.guild_id is not None
        details = await self.services.rsvps.details(
            interaction.guild_id, event, interaction.user.id
        )
        await respond(interaction, embed=details_embed(details))

    @event.command(name="ics", description="An .ics calendar file: one event or all upcoming")
    @app_commands.describe(event="One event (default: all upcoming)")
    async def event_ics(self, interaction: discord.Interaction, event: str | None = None) -> None:
        assert interaction.guild_id is not None
        ics = await self.services.event_calendar.export(interaction.guild_id, event)
        text = (
            f"{_bold(ics.title)} as a calendar file."
            if ics.title is not None
            else f"{ics.count} upcoming event{'s' if ics.count != 1 else ''} as a calendar file."
        )
        file = discord.File(io.BytesIO(ics.content), filename=ics.filename)
        await respond(interaction, text + " Open it to add it to your calendar.", file=file)

    @event.command(name="subscribe", description="Get the event-ping role")
    async def event_subscribe(self, interaction: discord.Interaction) -> None:
        await self._ping_role(interaction, add=True)

    @event.command(name="unsubscribe", description="Drop the event-ping role")
    async def event_unsubscribe(self, interaction: discord.Interaction) -> None:
        await self._ping_role(interaction, add=False)

    async def _ping_role(self, interaction: discord.Interaction, *, add: bool) -> None:
        assert interaction.guild is not None
        assert isinstance(interaction.user, discord.Member)
        config = await self.services.events.settings(interaction.guild.id)
        text = await self.publisher.set_ping_role(
            interaction.user, config.roles.get("event-ping"), add=add
        )
        await respond(interaction, text)

    # -- feeds and review --------------------------------------------------------------------

    @event.command(name="feed-add", description="Import events from an iCal feed (moderators)")
    @app_commands.describe(url="The feed's iCal (.ics) address", kind="What its events are")
    @moderator_only()
    async def event_feed_add(self, interaction: discord.Interaction, url: str, kind: Kind) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        added = await self.services.event_feeds.add(
            interaction.guild_id, interaction.user.id, url, kind
        )
        queued = (
            f"{added.queued} upcoming event{'s' if added.queued != 1 else ''} wait for review: "
            "`/event review`."
            if added.queued
            else "It has no upcoming events yet; new ones will wait for review."
        )
        await respond(interaction, f"Following <{added.url}> (checked every 30 minutes). {queued}")

    @event.command(name="feed-remove", description="Stop an iCal feed (moderators)")
    @app_commands.describe(url="The feed to stop")
    @moderator_only()
    async def event_feed_remove(self, interaction: discord.Interaction, url: str) -> None:
        assert interaction.guild_id is not None
        removed, dropped = await self.services.event_feeds.remove(
            interaction.guild_id, interaction.user.id, url
        )
        extra = f" {dropped} of its events waiting for review were dropped." if dropped else ""
        await respond(interaction, f"Stopped following <{removed}>.{extra}")

    @event.command(name="review", description="Approve or reject imported events (moderators)")
    @moderator_only()
    async def event_review(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        queue = await self.services.event_review.next(interaction.guild_id)
        view = review_view(queue)
        if view is None:
            await respond(interaction, embed=review_embed(queue))
            return
        await respond(interaction, embed=review_embed(queue), view=view)

    # -- autocomplete ---------------------------------------------------------------------------

    @event_info.autocomplete("event")
    @event_ics.autocomplete("event")
    async def _any_event(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._events(interaction, current, include_cancelled=True)

    @event_edit.autocomplete("event")
    @event_cancel.autocomplete("event")
    async def _open_event(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._events(interaction, current, include_cancelled=False)

    async def _events(
        self, interaction: discord.Interaction, current: str, *, include_cancelled: bool
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        pairs = await self.services.events.autocomplete(
            interaction.guild_id, current, include_cancelled=include_cancelled
        )
        return [app_commands.Choice(name=label, value=value) for label, value in pairs]

    @event_feed_remove.autocomplete("url")
    async def _feed_url(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        needle = current.strip().casefold()
        feeds = await self.services.event_feeds.feeds(interaction.guild_id)
        return [
            app_commands.Choice(name=f.url[:100], value=f.url)
            for f in feeds
            if needle in f.url.casefold() and len(f.url) <= 100
        ][:25]


def _bold(text: str) -> str:
    return "**" + discord.utils.escape_markdown(text) + "**"
