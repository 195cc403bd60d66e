"""``/mentor match``: every waiting mentee matched at once by :func:`bot.matching.assign_mentors`.

Waiting means an open request without a pending offer. Declined pairs, mentors already asked
for the same request, and current pairs are never proposed; capacity counts pending offers, as
for single requests. Profiles are read in a few set queries, not one per member, so a server
with thousands of waiting mentees is planned in one pass.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching.mentors import assign_mentors
from bot.models import MentorOffer, Mentorship, MentorshipRequest
from bot.services.config import GuildConfig
from bot.services.mentor_store import (
    Routing,
    available_mentors,
    clocks_and_levels,
    create_offer,
    declined_pairs,
    match_profile,
    waiting_requests,
)


@dataclass(frozen=True, slots=True)
class PlannedPair:
    mentee_id: int
    mentor_id: int
    explanation: str


@dataclass(frozen=True, slots=True)
class MatchPlan:
    """A batch match: the pairs (sent as offers unless previewing) and who stays waiting."""

    pairs: tuple[PlannedPair, ...]
    unmatched: tuple[int, ...]
    sent: tuple[Routing, ...]
    proven_optimal: bool


async def plan_match(
    session: AsyncSession, guild_id: int, config: GuildConfig, now: datetime, *, send: bool
) -> MatchPlan:
    requests = await waiting_requests(session, guild_id)
    profiles = await clocks_and_levels(session, guild_id, [r.mentee_id for r in requests])
    mentees = [
        match_profile(r.mentee_id, r.interests, profiles.get(r.mentee_id), config, now)
        for r in requests
    ]
    mentors, free = await available_mentors(session, guild_id, config, now)
    forbidden = await declined_pairs(session, guild_id)
    asked = await session.execute(
        select(MentorOffer.mentee_id, MentorOffer.mentor_id).where(
            MentorOffer.guild_id == guild_id,
            MentorOffer.request_id.in_(
                select(MentorshipRequest.id).where(
                    MentorshipRequest.guild_id == guild_id, MentorshipRequest.state == "open"
                )
            ),
        )
    )
    paired = await session.execute(
        select(Mentorship.mentee_id, Mentorship.mentor_id).where(
            Mentorship.guild_id == guild_id, Mentorship.state == "active"
        )
    )
    forbidden |= {(a, b) for a, b in asked} | {(a, b) for a, b in paired}
    # About a second for thousands of mentees: off the event loop, so other members' commands
    # are still answered within Discord's 3 s.
    result = await asyncio.to_thread(assign_mentors, mentees, mentors, free, forbidden)
    plan = tuple(PlannedPair(p.mentee_id, p.mentor_id, p.explanation) for p in result.pairs)
    sent: list[Routing] = []
    if send:
        by_mentee = {r.mentee_id: r for r in requests}
        for pair in result.pairs:
            request = by_mentee[pair.mentee_id]
            offer = await create_offer(
                session, request, pair.mentor_id, pair.score, pair.explanation, config, now
            )
            sent.append(Routing(request.id, guild_id, request.mentee_id, offer, "match"))
    return MatchPlan(plan, result.unmatched, tuple(sent), result.proven_optimal)
