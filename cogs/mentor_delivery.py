"""What mentorship does on Discord: offer DMs (or the log channel), pair channels, archiving.

The services decide; this module tells people and shapes channels. Discord failures never undo
a decision already committed: a closed DM falls back to a channel, a missing permission is
named to whoever can fix it, and anything else is logged.

Choices where COMMANDS.md is silent:
- The mentorship log is the ``mod-log`` channel (no channel purpose of its own exists). An
  offer that reaches neither DM nor log still waits in ``/mentor status`` with its buttons, and
  moves on after ``response_hours`` like any other.
- Without a ``mentorship`` category the pair channel is created at the top of the server, still
  private: one kind of channel to archive, no thread auto-archiving to fight.
- Ending a mentorship keeps the channel: it is renamed ``ended-…`` and made read-only for the
  pair, so notes stay readable; moderators may delete it.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord.utils import format_dt

from bot.domain.text import quote
from bot.services.mentor_store import OfferNotice, PostedOffer, Routing
from bot.services.mentors import PairInfo
from cogs.common import NO_PINGS, configured_channel, missing_permissions, send_dm
from cogs.views.mentor import feedback_view, offer_view

if TYPE_CHECKING:
    from bot.app import CohortBot

log = logging.getLogger(__name__)

MOVED = {
    "declined": "couldn't take it",
    "expired": "didn't answer in time",
    "withdrawn": "stopped mentoring",
}


RETIRED = {
    "expired": "⌛ This mentorship offer timed out and went to another mentor. No worries!",
    "withdrawn": "↩️ This offer was withdrawn, so there is nothing to answer.",
}


def offer_text(offer: OfferNotice, guild_name: str) -> str:
    lines = [
        f"🎓 **Mentorship offer** from {guild_name}",
        f"<@{offer.mentee_id}> would like a mentor in: {', '.join(offer.interests)}.",
    ]
    if offer.goal:
        lines.append(f"Their goal: {quote(offer.goal, 300)}")
    lines.append(f"Why you: {offer.explanation}.")
    lines.append(
        f"Please answer {format_dt(offer.expires_at, 'R')} ({format_dt(offer.expires_at, 'F')}); "
        "after that it goes to the next mentor."
    )
    return "\n".join(lines)


def only(*user_ids: int) -> discord.AllowedMentions:
    return discord.AllowedMentions(users=[discord.Object(u) for u in user_ids])


def channel_name(prefix: str, mentor: str, mentee: str) -> str:
    raw = f"{prefix}-{mentor}-{mentee}".casefold()
    return re.sub(r"[^a-z0-9_-]+", "-", raw).strip("-")[:90] or prefix


class MentorDelivery:
    def __init__(self, bot: CohortBot) -> None:
        self.bot = bot

    def guild_name(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild else "your server"

    async def dm(
        self, user_id: int, text: str, view: discord.ui.View | None = None
    ) -> discord.Message | None:
        """DM a member; None when their DMs are closed or Discord refuses (logged, not raised)."""
        return await send_dm(self.bot, user_id, text, view=view)

    async def log_channel(self, guild_id: int) -> discord.TextChannel | None:
        return await configured_channel(self.bot, guild_id, "mod-log")

    async def send_offer(self, offer: OfferNotice) -> bool:
        """The offer with Accept/Decline: by DM, else in the log channel mentioning the mentor."""
        text = offer_text(offer, self.guild_name(offer.guild_id))
        sent = await self.dm(offer.mentor_id, text, offer_view(offer.offer_id))
        if sent is not None:
            await self._record(offer, sent)
            return True
        channel = await self.log_channel(offer.guild_id)
        if channel is None:
            log.info("offer %s: mentor's DMs closed and no log channel", offer.offer_id)
            return False
        try:
            sent = await channel.send(
                f"<@{offer.mentor_id}>, your DMs are closed, so here is your offer.\n{text}",
                view=offer_view(offer.offer_id),
                allowed_mentions=only(offer.mentor_id),
            )
        except discord.HTTPException:
            log.warning("could not post offer %s in the log", offer.offer_id, exc_info=True)
            return False
        await self._record(offer, sent)
        return True

    async def _record(self, offer: OfferNotice, message: discord.Message) -> None:
        await self.bot.services.mentorship.record_delivery(
            offer.offer_id, message.channel.id, message.id
        )

    async def retire(self, posted: PostedOffer | None) -> None:
        """Take the buttons off an offer that timed out or was withdrawn, saying why."""
        if posted is None:
            return
        text = RETIRED.get(posted.state, "This offer is closed.")
        message = self.bot.get_partial_messageable(posted.channel_id).get_partial_message(
            posted.message_id
        )
        try:
            await message.edit(content=text, view=None, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.info("could not retire offer %s", posted.offer_id)

    async def route(self, routing: Routing, *, tell_mentee: bool = True) -> None:
        """Deliver a routed request: the offer to its mentor, and a word to the mentee."""
        await self.retire(routing.retired)
        if routing.offer is not None:
            await self.send_offer(routing.offer)
        if not tell_mentee:
            return
        name = self.guild_name(routing.guild_id)
        why = MOVED.get(routing.reason)
        head = f"Your mentor request in {name}: the mentor I asked {why}. " if why else ""
        if routing.offer is not None:
            offer = routing.offer
            text = (
                f"{head}I've asked <@{offer.mentor_id}> ({offer.explanation}). "
                f"I'll tell you when they answer."
            )
        else:
            text = (
                f"{head}No available mentor fits your request right now, so it waits. "
                "It goes out as soon as a fitting mentor opts in or resumes, or a moderator runs "
                "`/mentor match`; "
                "`/mentor status` shows where it stands."
            )
        await self.dm(routing.mentee_id, text)

    async def _member(self, guild: discord.Guild, user_id: int) -> discord.Member | None:
        member = guild.get_member(user_id)
        if member is not None:
            return member
        try:
            return await guild.fetch_member(user_id)
        except discord.HTTPException:
            return None

    async def open_channel(
        self, pair: PairInfo, goal: str | None, explanation: str
    ) -> tuple[discord.TextChannel | None, str | None]:
        """The pair's private channel with a welcome; or None and what went wrong."""
        guild = self.bot.get_guild(pair.guild_id)
        if guild is None:
            return None, "I'm not in that server any more."
        mentor = await self._member(guild, pair.mentor_id)
        mentee = await self._member(guild, pair.mentee_id)
        if mentor is None or mentee is None:
            return None, "one of you has left the server."
        config = await self.bot.services.config.get(guild.id)
        category_id = config.categories.get("mentorship")
        category = guild.get_channel(category_id) if category_id else None
        see = discord.PermissionOverwrite(
            view_channel=True, send_messages=True, read_message_history=True
        )
        overwrites: dict[discord.Role | discord.Member, discord.PermissionOverwrite] = {
            guild.default_role: discord.PermissionOverwrite(view_channel=False),
            guild.me: see,
            mentor: see,
            mentee: see,
        }
        try:
            channel = await guild.create_text_channel(
                channel_name("mentor", mentor.name, mentee.name),
                category=category if isinstance(category, discord.CategoryChannel) else None,
                overwrites=overwrites,
                topic=f"Mentorship: {', '.join(pair.interests)}"[:1024],
                reason="Cohort: mentorship accepted",
            )
        except discord.Forbidden:
            where = category if isinstance(category, discord.CategoryChannel) else None
            perms = where.permissions_for(guild.me) if where else guild.me.guild_permissions
            needed = (
                ("Manage Channels", perms.manage_channels),
                ("Manage Roles", perms.manage_roles),
            )
            missing = ", ".join(name for name, ok in needed if not ok)
            place = f" in {where.mention}" if where else ""
            return None, f"I'm missing {missing or 'a permission Discord requires'}{place}."
        except discord.HTTPException:
            log.warning("could not create a mentorship channel", exc_info=True)
            return None, "Discord returned an error."
        welcome = [
            f"👋 Welcome, <@{pair.mentor_id}> (mentor) and <@{pair.mentee_id}> (mentee)!",
            f"Why you two: {explanation}.",
        ]
        if goal:
            welcome.append(f"The goal: {quote(goal, 300)}")
        welcome.append(
            "This channel is private to the two of you. Agree on a first call and how often "
            "to meet. When you're done, either of you runs `/mentor end`."
        )
        try:
            await channel.send("\n".join(welcome), allowed_mentions=only(mentor.id, mentee.id))
        except discord.HTTPException:
            log.warning("could not welcome mentorship %s", pair.mentorship_id, exc_info=True)
        await self.bot.services.mentorship.set_channel(guild.id, pair.mentorship_id, channel.id)
        return channel, None

    async def archive(self, pair: PairInfo, note: str) -> None:
        """Lock and rename the pair's channel, then ask both whether it helped."""
        guild = self.bot.get_guild(pair.guild_id)
        channel = guild.get_channel(pair.channel_id) if guild and pair.channel_id else None
        if isinstance(channel, discord.TextChannel) and guild is not None:
            overwrites = dict(channel.overwrites)
            for target in list(overwrites):
                if target.id in (pair.mentor_id, pair.mentee_id):
                    overwrites[target].update(send_messages=False)
            name = channel.name if channel.name.startswith("ended-") else f"ended-{channel.name}"
            try:
                await channel.send(note, allowed_mentions=NO_PINGS)
                await channel.edit(name=name[:100], overwrites=overwrites, reason="Cohort: ended")
            except discord.HTTPException:
                log.warning(
                    "could not archive %s: %s",
                    channel.id,
                    missing_permissions(channel, guild.me, ("manage_channels", "manage_roles")),
                )
        for user_id in (pair.mentor_id, pair.mentee_id):
            await self.ask_feedback(pair, user_id, channel)

    async def ask_feedback(
        self, pair: PairInfo, user_id: int, channel: discord.abc.GuildChannel | None
    ) -> None:
        partner = pair.mentee_id if user_id == pair.mentor_id else pair.mentor_id
        text = (
            f"Your mentorship with <@{partner}> in {self.guild_name(pair.guild_id)} has ended. "
            "Did it help you?"
        )
        if await self.dm(user_id, text, feedback_view(pair.mentorship_id)):
            return
        if isinstance(channel, discord.TextChannel):
            try:
                await channel.send(
                    f"<@{user_id}>: {text}",
                    view=feedback_view(pair.mentorship_id),
                    allowed_mentions=only(user_id),
                )
            except discord.HTTPException:
                log.info("could not ask %s for feedback", user_id)
