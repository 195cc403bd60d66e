"""How events look on Discord: the announcement embed, its RSVP buttons, the review buttons.

The buttons are ``DynamicItem``s whose custom_id carries the record id
(``event:rsvp:12:going``, ``event:review:approve:7``), so they keep working on messages
posted before a restart.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord.utils import format_dt

from bot.domain.events import describe_kind
from bot.errors import PermissionDenied
from bot.services.events_review import FeedItemRecord, ReviewQueue
from bot.services.events_rsvp import EventDetails
from bot.services.events_store import EventRecord
from cogs.common import COLOUR, MODERATOR_HINT, bot_of, is_moderator, respond
from cogs.errors import SafeCallback

KIND_EMOJI = {"hackathon": "🏆", "meetup": "🤝", "workshop": "🛠️", "other": "📅"}
CANCELLED_COLOUR = discord.Colour(0xED4245)
RSVP_LABELS = {"going": "Going", "interested": "Interested", "not_going": "Not going"}
STATUS_TEXT = {
    "going": "Going",
    "waitlist": "On the waitlist",
    "interested": "Interested",
    "not_going": "Not going",
}


def when_text(event: EventRecord | FeedItemRecord) -> str:
    text = f"{format_dt(event.starts_at, 'F')} ({format_dt(event.starts_at, 'R')})"
    if event.ends_at is not None:
        text += f"\nuntil {format_dt(event.ends_at, 'F')}"
    return text


def where_text(location: str | None, url: str | None) -> str | None:
    parts = [p for p in (location, url) if p]
    return "\n".join(parts) if parts else None


def announcement_embed(event: EventRecord) -> discord.Embed:
    """The public announcement; all member-typed text stays in the embed, where it never pings."""
    heading = f"{KIND_EMOJI.get(event.kind, '📅')} {describe_kind(event.kind)}: {event.title}"
    embed = discord.Embed(
        title=("Cancelled — " + heading) if event.cancelled else heading,
        description=event.description,
        colour=CANCELLED_COLOUR if event.cancelled else COLOUR,
        url=event.url,
    )
    when = when_text(event)
    embed.add_field(name="When", value=f"~~{when}~~" if event.cancelled else when, inline=False)
    where = where_text(event.location, event.url)
    if where:
        embed.add_field(name="Where", value=where, inline=False)
    counts = event.counts
    going = f"{counts.going} / {event.capacity}" if event.capacity else str(counts.going)
    embed.add_field(name="Going", value=going, inline=True)
    embed.add_field(name="Interested", value=str(counts.interested), inline=True)
    embed.add_field(name="Not going", value=str(counts.not_going), inline=True)
    if event.capacity is not None:
        embed.add_field(name="Waitlist", value=str(counts.waitlist), inline=True)
    footer = f"Event #{event.id} · times show in your own timezone"
    if event.cancelled:
        footer = f"Event #{event.id} · this event was cancelled"
    elif event.full:
        footer += " · full: Going joins the waitlist"
    embed.set_footer(text=footer)
    return embed


def upcoming_embed(events: list[EventRecord]) -> discord.Embed:
    embed = discord.Embed(title="Upcoming events", colour=COLOUR)
    for e in events:
        seats = f"{e.counts.going} / {e.capacity}" if e.capacity else str(e.counts.going)
        waiting = f", {e.counts.waitlist} waiting" if e.counts.waitlist else ""
        embed.add_field(
            name=f"{KIND_EMOJI.get(e.kind, '📅')} {e.title}"[:256],
            value=f"{format_dt(e.starts_at, 'F')} ({format_dt(e.starts_at, 'R')})\n"
            f"{describe_kind(e.kind)} · {seats} going{waiting}{_jump(e)}",
            inline=False,
        )
    return embed


def details_embed(details: EventDetails) -> discord.Embed:
    """/event info: the announcement plus who is going, the waitlist in order, your answer.

    Mentions in an embed never ping, so listing members here is safe."""
    embed = announcement_embed(details.event)
    if details.going_ids:
        embed.add_field(name="Who is going", value=_people(details.going_ids), inline=False)
    if details.waitlist_ids:
        listed = [f"{i}. <@{u}>" for i, u in enumerate(details.waitlist_ids[:20], 1)]
        embed.add_field(name="Waitlist, in order", value="\n".join(listed), inline=False)
    if details.my_status is not None:
        mine = STATUS_TEXT[details.my_status]
        if details.my_position:
            mine += f" (#{details.my_position})"
        embed.add_field(name="Your answer", value=mine, inline=False)
    if details.reminders and not details.event.cancelled:
        upcoming = ", ".join(format_dt(due, "R") for due in details.reminders)
        embed.add_field(name="Reminders", value=upcoming, inline=False)
    return embed


def _people(user_ids: tuple[int, ...], limit: int = 30) -> str:
    shown = " ".join(f"<@{u}>" for u in user_ids[:limit])
    more = len(user_ids) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _jump(event: EventRecord) -> str:
    if event.channel_id is None or event.message_id is None:
        return ""
    return (
        f" · [announcement](https://discord.com/channels/{event.guild_id}/"
        f"{event.channel_id}/{event.message_id})"
    )


def rsvp_view(event: EventRecord) -> discord.ui.View | None:
    """The three RSVP buttons; a cancelled event has none."""
    if event.cancelled:
        return None
    view = discord.ui.View(timeout=None)
    for choice in RSVP_LABELS:
        view.add_item(RsvpButton(event.id, choice))
    return view


def review_embed(queue: ReviewQueue) -> discord.Embed:
    item = queue.item
    if item is None:
        return discord.Embed(
            title="Review queue", description="Nothing waits for review.", colour=COLOUR
        )
    embed = discord.Embed(
        title=f"{KIND_EMOJI.get(item.kind, '📅')} {item.title}",
        description=item.description,
        colour=COLOUR,
    )
    embed.add_field(name="When", value=when_text(item), inline=False)
    where = where_text(item.location, item.url)
    if where:
        embed.add_field(name="Where", value=where, inline=False)
    embed.add_field(name="From", value=item.source_url, inline=False)
    more = queue.waiting - 1
    embed.set_footer(text=f"{more} more waiting" if more else "The last one waiting")
    return embed


def review_view(queue: ReviewQueue) -> discord.ui.View | None:
    if queue.item is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(ReviewButton("approve", queue.item.id))
    view.add_item(ReviewButton("reject", queue.item.id))
    return view


class RsvpButton(
    SafeCallback,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"event:rsvp:(?P<event_id>\d+):(?P<choice>going|interested|not_going)",
):
    def __init__(self, event_id: int, choice: str) -> None:
        self.event_id = event_id
        self.choice = choice
        style = discord.ButtonStyle.success if choice == "going" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=RSVP_LABELS[choice],
                style=style,
                custom_id=f"event:rsvp:{event_id}:{choice}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> RsvpButton:
        return cls(int(match["event_id"]), match["choice"])

    async def run(self, interaction: discord.Interaction) -> None:
        from cogs.events_publisher import EventPublisher, announcement_lock

        assert interaction.guild is not None
        bot = bot_of(interaction)
        outcome = await bot.services.rsvps.respond(
            interaction.guild.id, self.event_id, interaction.user.id, self.choice
        )
        async with announcement_lock(self.event_id):
            event = await bot.services.events.get_by_id(interaction.guild.id, self.event_id)
            await interaction.response.edit_message(
                embed=announcement_embed(event), view=rsvp_view(event)
            )
        await respond(interaction, _rsvp_text(outcome.status, outcome.changed, outcome.position))
        if outcome.promoted:
            await EventPublisher(bot).tell_promoted(
                interaction.guild, outcome.event, outcome.promoted
            )


def _rsvp_text(status: str, changed: bool, position: int | None) -> str:
    if status == "waitlist":
        where = f"#{position} on the waitlist" if position else "on the waitlist"
        if changed:
            return f"The event is full, so you're {where}. I'll DM you when a seat opens up."
        return f"You're still {where}."
    if not changed:
        return f"Your answer was already: {STATUS_TEXT[status]}."
    return {
        "going": "You're going. I'll remind you before it starts.",
        "interested": "Marked as interested.",
        "not_going": "Marked as not going.",
    }[status]


class ReviewButton(
    SafeCallback,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"event:review:(?P<action>approve|reject):(?P<item_id>\d+)",
):
    def __init__(self, action: str, item_id: int) -> None:
        self.action = action
        self.item_id = item_id
        super().__init__(
            discord.ui.Button(
                label="Approve" if action == "approve" else "Reject",
                style=discord.ButtonStyle.success
                if action == "approve"
                else discord.ButtonStyle.danger,
                custom_id=f"event:review:{action}:{item_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> ReviewButton:
        return cls(match["action"], int(match["item_id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        from cogs.events_publisher import EventPublisher

        assert interaction.guild is not None
        if not await is_moderator(interaction):
            raise PermissionDenied(f"Only moderators can review imported events. {MODERATOR_HINT}")
        bot = bot_of(interaction)
        guild = interaction.guild
        # Announcing takes a few calls to Discord: acknowledge the click first.
        await interaction.response.defer()
        if self.action == "approve":
            publisher = EventPublisher(bot)
            await publisher.check_can_announce(guild)
            item, event = await bot.services.event_review.approve(
                guild.id, interaction.user.id, self.item_id
            )
            try:
                notes = await publisher.announce(guild, event)
            except Exception:
                await bot.services.event_review.undo_approval(guild.id, item.id)
                raise
            done = f"Announced {_bold(item.title)} in <#{event.channel_id}>."
            done = "\n".join([done, *notes])
        else:
            item = await bot.services.event_review.reject(
                guild.id, interaction.user.id, self.item_id
            )
            done = f"Rejected {_bold(item.title)}."
        queue = await bot.services.event_review.next(guild.id)
        await interaction.edit_original_response(
            content=done, embed=review_embed(queue), view=review_view(queue)
        )


def _bold(text: str) -> str:
    return "**" + discord.utils.escape_markdown(text) + "**"
