"""Mentorship storage shared by the mentor and mentorship services: profiles, capacity, offers.

Everything here runs inside a caller's unit of work (``async with db.write()``) and is scoped
by guild. Free capacity counts pending offers as taken slots, so a mentor with one free slot
is never asked by two mentees at once; accepting re-checks capacity against active pairs with
the mentor's row locked (``FOR UPDATE`` on PostgreSQL; SQLite's BEGIN IMMEDIATE already
serialises writers).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching.mentors import best_mentor
from bot.matching.scoring import (
    MatchProfile,
    encode_profiles,
    explain_pair,
    score_matrix,
    vocabulary_of,
)
from bot.models import (
    Interest,
    MemberProfile,
    Mentor,
    MentorInterest,
    MentorOffer,
    Mentorship,
    MentorshipRequest,
)
from bot.services.config import GuildConfig


def require_enabled(config: GuildConfig) -> None:
    config.require_module("mentorship")


@dataclass(frozen=True, slots=True)
class OfferNotice:
    """An offer to deliver to a mentor (DM, else the mentorship log) with Accept/Decline."""

    offer_id: int
    guild_id: int
    mentor_id: int
    mentee_id: int
    interests: tuple[str, ...]
    goal: str | None
    explanation: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PostedOffer:
    """Where an offer that is no longer open was shown, so its buttons can be taken away."""

    offer_id: int
    channel_id: int
    message_id: int
    state: str


def posted_of(offer: MentorOffer) -> PostedOffer | None:
    if offer.message_channel_id is None or offer.message_id is None:
        return None
    return PostedOffer(offer.id, offer.message_channel_id, offer.message_id, offer.state)


@dataclass(frozen=True, slots=True)
class Routing:
    """Where a request went: an offer to a mentor, or nobody fits and the request waits."""

    request_id: int
    guild_id: int
    mentee_id: int
    offer: OfferNotice | None
    reason: str = "new"
    """Why it was routed: new, declined, expired, withdrawn (mentor left) or match."""
    retired: PostedOffer | None = None
    """The previous offer's message, when it timed out: its buttons should go."""


async def mentor_interests(
    session: AsyncSession, guild_id: int, user_ids: Collection[int] | None = None
) -> dict[int, tuple[str, ...]]:
    stmt = (
        select(MentorInterest.user_id, Interest.tag)
        .join(Interest, Interest.id == MentorInterest.interest_id)
        .where(MentorInterest.guild_id == guild_id)
        .order_by(MentorInterest.user_id, Interest.tag)
    )
    if user_ids is not None:
        stmt = stmt.where(MentorInterest.user_id.in_(list(user_ids)))
    out: dict[int, list[str]] = {}
    for user_id, tag in await session.execute(stmt):
        out.setdefault(user_id, []).append(tag)
    return {k: tuple(v) for k, v in out.items()}


async def clocks_and_levels(
    session: AsyncSession, guild_id: int, user_ids: Iterable[int]
) -> dict[int, tuple[str | None, str | None]]:
    """Each member's (profile timezone, level); missing members have neither."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(MemberProfile.user_id, MemberProfile.timezone, MemberProfile.level).where(
            MemberProfile.guild_id == guild_id, MemberProfile.user_id.in_(ids)
        )
    )
    return {user_id: (tz, level) for user_id, tz, level in rows}


def match_profile(
    user_id: int,
    interests: Iterable[str],
    profile: tuple[str | None, str | None] | None,
    config: GuildConfig,
    now: datetime,
) -> MatchProfile:
    """A member as matching sees them: their timezone, else the server's (as
    ``ProfileService.effective_timezone``), and their level."""
    tz, level = profile or (None, None)
    return MatchProfile.at(user_id, interests, tz or config.timezone, level, now)


async def active_counts(
    session: AsyncSession, guild_id: int, mentor_ids: Collection[int] | None = None
) -> dict[int, int]:
    stmt = (
        select(Mentorship.mentor_id, func.count())
        .where(Mentorship.guild_id == guild_id, Mentorship.state == "active")
        .group_by(Mentorship.mentor_id)
    )
    if mentor_ids is not None:
        stmt = stmt.where(Mentorship.mentor_id.in_(list(mentor_ids)))
    return {mentor: count for mentor, count in await session.execute(stmt)}


async def pending_counts(session: AsyncSession, guild_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(MentorOffer.mentor_id, func.count())
        .where(MentorOffer.guild_id == guild_id, MentorOffer.state == "pending")
        .group_by(MentorOffer.mentor_id)
    )
    return {mentor: count for mentor, count in rows}


async def available_mentors(
    session: AsyncSession, guild_id: int, config: GuildConfig, now: datetime
) -> tuple[list[MatchProfile], dict[int, int]]:
    """Available mentors as match profiles, and each one's free slots (pending offers count)."""
    mentors = list(
        await session.scalars(
            select(Mentor).where(Mentor.guild_id == guild_id, Mentor.available.is_(True))
        )
    )
    ids = [m.user_id for m in mentors]
    interests = await mentor_interests(session, guild_id, ids)
    profiles = await clocks_and_levels(session, guild_id, ids)
    active = await active_counts(session, guild_id)
    pending = await pending_counts(session, guild_id)
    free = {
        m.user_id: max(0, m.capacity - active.get(m.user_id, 0) - pending.get(m.user_id, 0))
        for m in mentors
    }
    match_profiles = [
        match_profile(m.user_id, interests.get(m.user_id, ()), profiles.get(m.user_id), config, now)
        for m in mentors
    ]
    return match_profiles, free


async def excluded_mentors(session: AsyncSession, request: MentorshipRequest) -> set[int]:
    """Mentors this request must not go to: asked before for it, declined the mentee on any
    request (a declined pair is never offered again), or already mentoring the mentee."""
    asked = await session.scalars(
        select(MentorOffer.mentor_id).where(MentorOffer.request_id == request.id)
    )
    declined = await session.scalars(
        select(MentorOffer.mentor_id).where(
            MentorOffer.guild_id == request.guild_id,
            MentorOffer.mentee_id == request.mentee_id,
            MentorOffer.state == "declined",
        )
    )
    paired = await session.scalars(
        select(Mentorship.mentor_id).where(
            Mentorship.guild_id == request.guild_id,
            Mentorship.mentee_id == request.mentee_id,
            Mentorship.state == "active",
        )
    )
    return {*asked, *declined, *paired, request.mentee_id}


async def declined_pairs(session: AsyncSession, guild_id: int) -> set[tuple[int, int]]:
    rows = await session.execute(
        select(MentorOffer.mentee_id, MentorOffer.mentor_id).where(
            MentorOffer.guild_id == guild_id, MentorOffer.state == "declined"
        )
    )
    return {(a, b) for a, b in rows}


async def mentee_profile(
    session: AsyncSession, request: MentorshipRequest, config: GuildConfig, now: datetime
) -> MatchProfile:
    profiles = await clocks_and_levels(session, request.guild_id, [request.mentee_id])
    return match_profile(
        request.mentee_id, request.interests, profiles.get(request.mentee_id), config, now
    )


async def create_offer(
    session: AsyncSession,
    request: MentorshipRequest,
    mentor_id: int,
    score: float,
    explanation: str,
    config: GuildConfig,
    now: datetime,
) -> OfferNotice:
    offer = MentorOffer(
        guild_id=request.guild_id,
        request_id=request.id,
        mentor_id=mentor_id,
        mentee_id=request.mentee_id,
        score=score,
        explanation=explanation[:200],
        state="pending",
        created_at=now,
        expires_at=now + timedelta(hours=config.mentorship_response_hours),
        answered_at=None,
    )
    session.add(offer)
    await session.flush()
    return notice_of(offer, request)


def notice_of(offer: MentorOffer, request: MentorshipRequest) -> OfferNotice:
    return OfferNotice(
        offer_id=offer.id,
        guild_id=offer.guild_id,
        mentor_id=offer.mentor_id,
        mentee_id=offer.mentee_id,
        interests=tuple(request.interests),
        goal=request.goal,
        explanation=offer.explanation,
        expires_at=offer.expires_at,
    )


async def route_request(
    session: AsyncSession,
    request: MentorshipRequest,
    config: GuildConfig,
    now: datetime,
    reason: str = "new",
) -> Routing:
    """Offer an open request without a pending offer to its best available mentor, if any."""
    mentee = await mentee_profile(session, request, config, now)
    mentors, free = await available_mentors(session, request.guild_id, config, now)
    excluded = await excluded_mentors(session, request)
    while (choice := best_mentor(mentee, mentors, free, excluded)) is not None:
        # Lock the mentor and count again: on PostgreSQL a concurrent request may have taken
        # the last slot since we read the counts (SQLite writers never overlap).
        mentor = await session.get(
            Mentor,
            (request.guild_id, choice.mentor_id),
            with_for_update=True,
            populate_existing=True,
        )
        if (
            mentor is None
            or not mentor.available
            or await used_slots(session, request.guild_id, choice.mentor_id) >= mentor.capacity
        ):
            excluded.add(choice.mentor_id)
            continue
        offer = await create_offer(
            session, request, choice.mentor_id, choice.score, choice.explanation, config, now
        )
        return Routing(request.id, request.guild_id, request.mentee_id, offer, reason)
    return Routing(request.id, request.guild_id, request.mentee_id, None, reason)


async def used_slots(session: AsyncSession, guild_id: int, mentor_id: int) -> int:
    """Active mentees plus pending offers of one mentor."""
    active = await session.scalar(
        select(func.count()).where(
            Mentorship.guild_id == guild_id,
            Mentorship.mentor_id == mentor_id,
            Mentorship.state == "active",
        )
    )
    pending = await session.scalar(
        select(func.count()).where(
            MentorOffer.guild_id == guild_id,
            MentorOffer.mentor_id == mentor_id,
            MentorOffer.state == "pending",
        )
    )
    return int(active or 0) + int(pending or 0)


def close_offer(offer: MentorOffer, state: str, now: datetime) -> None:
    offer.state = state
    offer.answered_at = now


async def waiting_requests(session: AsyncSession, guild_id: int) -> list[MentorshipRequest]:
    """Open requests without a pending offer, oldest first."""
    pending = select(MentorOffer.request_id).where(
        MentorOffer.guild_id == guild_id, MentorOffer.state == "pending"
    )
    rows = await session.scalars(
        select(MentorshipRequest)
        .where(
            MentorshipRequest.guild_id == guild_id,
            MentorshipRequest.state == "open",
            MentorshipRequest.id.not_in(pending),
        )
        .order_by(MentorshipRequest.created_at, MentorshipRequest.id)
    )
    return list(rows)


async def offer_waiting_to(
    session: AsyncSession, guild_id: int, mentor_id: int, config: GuildConfig, now: datetime
) -> list[Routing]:
    """A mentor who (re)joins or resumes gets the waiting requests they fit best, up to their
    free slots, so nobody who waited for a fitting mentor waits longer than needed."""
    mentor = await session.get(
        Mentor, (guild_id, mentor_id), with_for_update=True, populate_existing=True
    )
    if mentor is None or not mentor.available:
        return []
    free = mentor.capacity - await used_slots(session, guild_id, mentor_id)
    requests = [r for r in await waiting_requests(session, guild_id) if r.mentee_id != mentor_id]
    if free <= 0 or not requests:
        return []
    interests = (await mentor_interests(session, guild_id, [mentor_id])).get(mentor_id, ())
    profiles = await clocks_and_levels(
        session, guild_id, [mentor_id, *(r.mentee_id for r in requests)]
    )
    mentor_profile = match_profile(mentor_id, interests, profiles.get(mentor_id), config, now)
    mentees = [
        match_profile(r.mentee_id, r.interests, profiles.get(r.mentee_id), config, now)
        for r in requests
    ]
    vocabulary = vocabulary_of(mentees, [mentor_profile])
    scores = score_matrix(
        encode_profiles(mentees, vocabulary), encode_profiles([mentor_profile], vocabulary)
    )[:, 0]
    ranked = sorted(
        (i for i in range(len(requests)) if scores[i] > 0), key=lambda i: (-scores[i], i)
    )
    out: list[Routing] = []
    for i in ranked:
        if len(out) >= free:
            break
        request = requests[i]
        if mentor_id in await excluded_mentors(session, request):
            continue
        explanation = explain_pair(mentees[i], mentor_profile)
        offer = await create_offer(
            session, request, mentor_id, float(scores[i]), explanation, config, now
        )
        out.append(Routing(request.id, guild_id, request.mentee_id, offer, "new-mentor"))
    return out
