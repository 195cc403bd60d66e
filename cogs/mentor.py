"""/mentor: mentors opt in, mentees ask, offers are answered with buttons, moderators batch-match.

Also the offer sweep: every minute, offers unanswered past the server's ``response_hours``
move on to the next best mentor (``MentorshipService.expire_due``; the database decides).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot.services.mentor_store import Routing
from bot.services.mentors import MentorInfo, MentorStatus, PairInfo
from bot.services.mentorship import MatchPlan
from cogs.common import COLOUR, moderator_only, respond
from cogs.mentor_delivery import MentorDelivery
from cogs.views.mentor import match_view, offer_view

if TYPE_CHECKING:
    from bot.app import CohortBot

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60
SHOWN = 20  # lines of a list before "and N more"


class MentorCog(commands.Cog):
    mentor = app_commands.Group(
        name="mentor", description="Mentor–mentee matching by interests", guild_only=True
    )

    def __init__(self, bot: CohortBot) -> None:
        self.bot = bot
        self.s = bot.services
        self.delivery = MentorDelivery(bot)

    async def cog_load(self) -> None:
        self.bot.scheduler.every("mentorship:offers", self.expire_offers, seconds=SWEEP_SECONDS)

    async def cog_unload(self) -> None:
        self.bot.scheduler.cancel("mentorship:offers")

    # -- mentors ----------------------------------------------------------------

    async def _deliver(
        self,
        interaction: discord.Interaction,
        routings: Sequence[Routing],
        *,
        tell_mentee: bool = True,
    ) -> None:
        """Post offers before answering, so a command that follows at once (an opt-out, a cancel)
        finds each offer's message and can withdraw it; defer first, as DMs can be slow."""
        if not any(tell_mentee or r.offer or r.retired for r in routings):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        for routing in routings:
            await self.delivery.route(routing, tell_mentee=tell_mentee)

    @mentor.command(name="optin", description="Become a mentor (re-run to update your offer)")
    @app_commands.describe(
        interests="What you can mentor, comma-separated, e.g. nlp, python",
        capacity="How many mentees at once (1–10)",
        bio="A line about you, shown to mentees (optional)",
    )
    async def mentor_optin(
        self,
        interaction: discord.Interaction,
        interests: app_commands.Range[str, 1, 400],
        capacity: app_commands.Range[int, 1, 10],
        bio: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        assert interaction.guild is not None
        result = await self.s.mentors.optin(
            interaction.guild.id, interaction.user.id, interests, capacity, bio
        )
        m = result.mentor
        head = "You're now a mentor" if result.created else "Your mentor offer is updated"
        lines = [
            f"🎓 {head}: {', '.join(m.interests)}; up to {m.capacity} mentee"
            f"{'s' if m.capacity != 1 else ''} at once ({m.active} now).",
            "Offers arrive by DM with Accept / Decline buttons; keep DMs from this server open.",
        ]
        if result.offered:
            lines.append(f"{len(result.offered)} waiting request(s) fit you: check your DMs.")
        note = await self._set_role(interaction, give=True)
        await self._deliver(interaction, result.offered)
        await respond(interaction, "\n".join(lines + ([note] if note else [])))

    @mentor.command(name="optout", description="Stop mentoring; open mentorships end politely")
    async def mentor_optout(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.s.mentors.optout(interaction.guild.id, interaction.user.id)
        note = await self._set_role(interaction, give=False)
        for pair in result.ended:
            await self.delivery.dm(
                pair.mentee_id,
                f"<@{pair.mentor_id}> has stopped mentoring in "
                f"{self.delivery.guild_name(pair.guild_id)}, so your mentorship has ended. "
                "Thank you both! Ask for a new mentor any time with `/mentor request`.",
            )
            await self.delivery.archive(
                pair, "This mentorship ended: the mentor stopped mentoring."
            )
        for routing in result.moved:
            await self.delivery.route(routing)
        lines = ["You're no longer a mentor here. Thank you for your time!"]
        if result.ended:
            lines.append(f"I ended {len(result.ended)} mentorship(s) and told your mentees.")
        if result.moved:
            lines.append(f"{len(result.moved)} pending offer(s) went on to other mentors.")
        await respond(interaction, "\n".join(lines + ([note] if note else [])))

    @mentor.command(name="available", description="Pause or resume new matches")
    @app_commands.describe(available="False pauses new offers; True resumes them")
    async def mentor_available(self, interaction: discord.Interaction, available: bool) -> None:
        assert interaction.guild_id is not None
        result = await self.s.mentors.set_available(
            interaction.guild_id, interaction.user.id, available
        )
        info = result.mentor
        text = (
            f"You're available again: {info.free} free slot(s)."
            if info.available
            else "Paused: you get no new offers until `/mentor available available:True`. "
            "Your current mentorships carry on."
        )
        await self._deliver(interaction, result.offered)
        await respond(interaction, text)

    @mentor.command(name="list", description="Available mentors, their interests and free slots")
    @app_commands.describe(interest="Only mentors of this interest (optional)")
    async def mentor_list(
        self,
        interaction: discord.Interaction,
        interest: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        mentors = await self.s.mentors.list(interaction.guild_id, interest)
        embed = discord.Embed(title="Available mentors", colour=COLOUR)
        if not mentors:
            embed.description = "No mentor has a free slot right now" + (
                " for that interest." if interest else "."
            )
        else:
            embed.description = "\n".join(_mentor_line(m) for m in mentors[:SHOWN]) + _more(
                len(mentors)
            )
        await respond(interaction, embed=embed)

    # -- mentees ----------------------------------------------------------------

    @mentor.command(name="request", description="Ask for a mentor; the best available one is asked")
    @app_commands.describe(
        interests="What you want to learn (default: your profile's interests)",
        goal="What you hope to reach, in a sentence (optional)",
    )
    async def mentor_request(
        self,
        interaction: discord.Interaction,
        interests: app_commands.Range[str, 1, 400] | None = None,
        goal: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        routing = await self.s.mentorship.request(
            interaction.guild_id, interaction.user.id, interests, goal
        )
        if routing.offer is None:
            text = (
                "📨 Request saved, but no available mentor fits it right now, so it waits. "
                "It goes out as soon as a fitting mentor opts in or resumes, or a moderator runs "
                "`/mentor match`; "
                "`/mentor status` shows where it stands."
            )
        else:
            offer = routing.offer
            text = (
                f"📨 I've asked <@{offer.mentor_id}>: {offer.explanation}. They have until "
                f"{format_dt(offer.expires_at, 'F')} to answer; if they can't, I ask the next best "
                "mentor. I'll DM you when someone accepts."
            )
        await self._deliver(interaction, [routing], tell_mentee=False)
        await respond(interaction, text)

    @mentor.command(name="cancel", description="Withdraw your open request")
    async def mentor_cancel(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        cancelled = await self.s.mentorship.cancel(interaction.guild_id, interaction.user.id)
        if cancelled.retired is not None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await self.delivery.retire(cancelled.retired)
        await respond(interaction, "Your request is withdrawn. Ask again any time.")

    @mentor.command(name="status", description="Your mentors, mentees, open request and offers")
    async def mentor_status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        status = await self.s.mentors.status(interaction.guild_id, interaction.user.id)
        view = None
        if status.offers_to_me:
            view = discord.ui.View(timeout=None)
            for offer in status.offers_to_me[:12]:
                for item in offer_view(offer.offer_id).children:
                    view.add_item(item)
        await respond(interaction, embed=status_embed(status), **({"view": view} if view else {}))

    @mentor.command(name="end", description="End a mentorship with that member (either side)")
    @app_commands.describe(member="Your mentor or mentee")
    async def mentor_end(self, interaction: discord.Interaction, member: discord.Member) -> None:
        assert interaction.guild_id is not None
        ended = await self.s.mentorship.end(interaction.guild_id, interaction.user.id, member.id)
        await respond(
            interaction,
            f"Your mentorship with {member.mention} has ended. Thank you! "
            "I've kept your channel read-only and asked you both whether it helped.",
        )
        await self.delivery.archive(
            ended.pair, f"This mentorship was ended by <@{interaction.user.id}>. Thank you both!"
        )

    @mentor.command(name="match", description="Moderators: match every waiting mentee at once")
    @app_commands.describe(preview="Show the pairs first (default); False sends offers at once")
    @moderator_only()
    async def mentor_match(self, interaction: discord.Interaction, preview: bool = True) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        plan = await self.s.mentorship.match(interaction.guild_id, send=not preview)
        await self._deliver_plan(plan)
        view = match_view(interaction.guild_id) if preview and plan.pairs else None
        await respond(interaction, embed=match_embed(plan, preview), **_view(view))

    @mentor_optin.autocomplete("interests")
    @mentor_request.autocomplete("interests")
    @mentor_list.autocomplete("interest")
    async def _interests_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        names = await self.s.taxonomy.autocomplete(interaction.guild_id, current)
        return [app_commands.Choice(name=n, value=n) for n in names]

    # -- buttons and the sweep ----------------------------------------------------

    async def accept_offer(self, interaction: discord.Interaction, offer_id: int) -> None:
        accepted = await self.s.mentorship.accept(offer_id, interaction.user.id)
        pair = accepted.pair
        await interaction.response.edit_message(
            content=f"✅ Accepted: <@{pair.mentor_id}> mentors <@{pair.mentee_id}>. "
            "Setting up your channel…",
            view=None,
        )
        channel, problem = await self.delivery.open_channel(
            pair, accepted.goal, accepted.explanation
        )
        where = f" Your channel: {channel.mention}." if channel else ""
        told = await self.delivery.dm(
            pair.mentee_id,
            f"🎉 <@{pair.mentor_id}> accepted your mentor request in "
            f"{self.delivery.guild_name(pair.guild_id)}!{where}",
        )
        if told is None and channel is not None:
            log.info("mentee %s has closed DMs; the channel welcome tells them", pair.mentee_id)
        text = f"✅ Accepted: <@{pair.mentor_id}> mentors <@{pair.mentee_id}>.{where}"
        if problem:
            text += f"\n⚠️ I couldn't create your private channel: {problem} Talk by DM for now."
        await interaction.edit_original_response(content=text, view=None)

    async def decline_offer(self, interaction: discord.Interaction, offer_id: int) -> None:
        declined = await self.s.mentorship.decline(offer_id, interaction.user.id)
        await interaction.response.edit_message(
            content="You declined this offer; it went to the next mentor. Thank you for answering!",
            view=None,
        )
        await self.delivery.route(declined.next)

    async def send_match(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer()
        plan = await self.s.mentorship.match(interaction.guild_id, send=True)
        await self._deliver_plan(plan)
        await interaction.edit_original_response(embed=match_embed(plan, False), view=None)

    async def _deliver_plan(self, plan: MatchPlan) -> None:
        for routing in plan.sent:
            await self.delivery.route(routing)

    async def expire_offers(self) -> None:
        """The sweep: offers past their deadline go to the next best mentor."""
        routings = await self.s.mentorship.expire_due(guild_ids=[g.id for g in self.bot.guilds])
        for routing in routings:
            await self.delivery.route(routing)

    async def _set_role(self, interaction: discord.Interaction, *, give: bool) -> str | None:
        """Give or take the mentor role; a sentence naming what's missing when I can't."""
        guild, member = interaction.guild, interaction.user
        assert guild is not None
        role_id = (await self.s.config.get(guild.id)).roles.get("mentor")
        role = guild.get_role(role_id) if role_id else None
        if role is None or not isinstance(member, discord.Member):
            return None
        if give == (member.get_role(role.id) is not None):
            return None
        if not guild.me.guild_permissions.manage_roles:
            return f"⚠️ I couldn't change your {role.mention} role: I'm missing Manage Roles."
        if not role.is_assignable():
            return (
                f"⚠️ I couldn't change your {role.mention} role: my own role must be above it "
                "in Server Settings → Roles. A moderator can fix that."
            )
        try:
            if give:
                await member.add_roles(role, reason="Cohort: mentor opted in")
            else:
                await member.remove_roles(role, reason="Cohort: mentor opted out")
        except discord.HTTPException:
            return f"⚠️ Discord refused to change your {role.mention} role; ask a moderator."
        return None


def _view(view: discord.ui.View | None) -> dict[str, discord.ui.View]:
    return {"view": view} if view is not None else {}


def _more(total: int) -> str:
    return f"\n…and {total - SHOWN} more" if total > SHOWN else ""


def _mentor_line(m: MentorInfo) -> str:
    bio = f" — {m.bio}" if m.bio else ""
    return f"<@{m.user_id}>: {', '.join(m.interests)} · {m.free}/{m.capacity} free{bio}"


def _pair_line(pair: PairInfo, other: int) -> str:
    channel = f" in <#{pair.channel_id}>" if pair.channel_id else ""
    return f"<@{other}> since {format_dt(pair.started_at, 'R')}{channel}"


def status_embed(status: MentorStatus) -> discord.Embed:
    embed = discord.Embed(title="Your mentorship", colour=COLOUR)
    if status.mentor is not None:
        m = status.mentor
        state = "available" if m.available else "paused"
        embed.add_field(
            name="As a mentor",
            value=f"{', '.join(m.interests)} · {m.active}/{m.capacity} mentees · {state}",
            inline=False,
        )
    if status.mentors:
        value = "\n".join(_pair_line(p, p.mentor_id) for p in status.mentors)
        embed.add_field(name="Your mentors", value=value, inline=False)
    if status.mentees:
        value = "\n".join(_pair_line(p, p.mentee_id) for p in status.mentees)
        embed.add_field(name="Your mentees", value=value, inline=False)
    if status.request is not None:
        r = status.request
        where = (
            f"offered to <@{r.offered_to}>, answer due {format_dt(r.offer_expires_at, 'R')}"
            if r.offered_to and r.offer_expires_at
            else "waiting: no available mentor fits yet"
        )
        embed.add_field(
            name="Your open request", value=f"{', '.join(r.interests)} · {where}", inline=False
        )
    if status.offers_to_me:
        value = "\n".join(
            f"<@{o.mentee_id}>: {', '.join(o.interests)} · answer {format_dt(o.expires_at, 'R')}"
            for o in status.offers_to_me
        )
        embed.add_field(name="Offers waiting for your answer", value=value[:1024], inline=False)
    if not embed.fields:
        embed.description = (
            "Nothing yet. Ask for a mentor with `/mentor request`, or become one with "
            "`/mentor optin`."
        )
    return embed


def match_embed(plan: MatchPlan, preview: bool) -> discord.Embed:
    title = "Mentor matching — preview" if preview else "Mentor matching — offers sent"
    embed = discord.Embed(title=title, colour=COLOUR)
    lines = [f"<@{p.mentee_id}> → <@{p.mentor_id}>: {p.explanation}" for p in plan.pairs]
    if not lines:
        embed.description = "Nobody waiting can be matched to an available mentor right now."
    else:
        embed.description = "\n".join(lines[:SHOWN]) + _more(len(lines))
    if plan.unmatched:
        waiting = ", ".join(f"<@{u}>" for u in plan.unmatched[:SHOWN]) + _more(len(plan.unmatched))
        embed.add_field(name="No fitting mentor (they keep waiting)", value=waiting, inline=False)
    if preview and plan.pairs:
        embed.set_footer(text="Nothing is sent until you press Send offers.")
    return embed
