"""Mentors: opting in and out, pausing, the list of mentors, and each member's status.

Opting out ends the mentor's open mentorships and moves their pending offers on to the next
best mentor, in the same transaction as the opt-out; the cog then tells everyone involved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain.text import clean_text, contains_mention
from bot.errors import InvalidInput, NotFound
from bot.models import Mentor, MentorInterest, MentorOffer, Mentorship, MentorshipRequest
from bot.services.config import ConfigService
from bot.services.mentor_store import (
    OfferNotice,
    Routing,
    active_counts,
    close_offer,
    mentor_interests,
    notice_of,
    offer_waiting_to,
    posted_of,
    require_enabled,
    route_request,
)
from bot.services.taxonomy import TaxonomyService

CAPACITY = (1, 10)
BIO_MAX = 300


@dataclass(frozen=True, slots=True)
class MentorInfo:
    guild_id: int
    user_id: int
    interests: tuple[str, ...]
    capacity: int
    active: int
    bio: str | None
    available: bool

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.active)


@dataclass(frozen=True, slots=True)
class OptIn:
    mentor: MentorInfo
    created: bool
    offered: tuple[Routing, ...] = ()
    """Waiting requests that went to this mentor at once."""


@dataclass(frozen=True, slots=True)
class PairInfo:
    mentorship_id: int
    guild_id: int
    mentor_id: int
    mentee_id: int
    channel_id: int | None
    interests: tuple[str, ...]
    started_at: datetime


@dataclass(frozen=True, slots=True)
class OptOut:
    ended: tuple[PairInfo, ...]
    moved: tuple[Routing, ...]


@dataclass(frozen=True, slots=True)
class MentorStatus:
    mentor: MentorInfo | None
    mentors: tuple[PairInfo, ...]
    """Pairs where the member is the mentee."""
    mentees: tuple[PairInfo, ...]
    request: RequestInfo | None
    offers_to_me: tuple[OfferNotice, ...]


@dataclass(frozen=True, slots=True)
class RequestInfo:
    request_id: int
    interests: tuple[str, ...]
    goal: str | None
    created_at: datetime
    offered_to: int | None
    offer_expires_at: datetime | None


def pair_info(row: Mentorship) -> PairInfo:
    return PairInfo(
        row.id,
        row.guild_id,
        row.mentor_id,
        row.mentee_id,
        row.channel_id,
        tuple(row.interests),
        row.started_at,
    )


class MentorService:
    def __init__(
        self, db: Database, clock: Clock, config: ConfigService, taxonomy: TaxonomyService
    ) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._taxonomy = taxonomy

    async def optin(
        self, guild_id: int, user_id: int, interests: str, capacity: int, bio: str | None = None
    ) -> OptIn:
        """Become a mentor, or update the offer (interests, capacity, bio) when already one."""
        cfg = await self._config.get(guild_id)
        require_enabled(cfg)
        low, high = CAPACITY
        if not low <= capacity <= high:
            raise InvalidInput(
                f"Capacity is how many mentees you take at once: between {low} and {high}; "
                f"you gave {capacity}."
            )
        tags = await self._taxonomy.resolve(guild_id, interests)
        if bio is not None:
            bio = clean_text(bio, field="bio", max_length=BIO_MAX)
            if contains_mention(bio):
                raise InvalidInput("`bio` can't contain mentions; describe yourself in words.")
        now = self._clock.now()
        try:
            async with self._db.write() as session:
                row = await session.get(
                    Mentor, (guild_id, user_id), with_for_update=True, populate_existing=True
                )
                created = row is None
                if row is None:
                    row = Mentor(guild_id=guild_id, user_id=user_id, created_at=now)
                    session.add(row)
                row.capacity, row.bio, row.available, row.updated_at = capacity, bio, True, now
                await session.flush()
                await session.execute(
                    delete(MentorInterest).where(
                        MentorInterest.guild_id == guild_id, MentorInterest.user_id == user_id
                    )
                )
                ids = await TaxonomyService.tag_ids(session, guild_id, tags)
                if len(ids) != len(tags):
                    raise InvalidInput("An interest was just removed by a moderator; try again.")
                session.add_all(
                    MentorInterest(guild_id=guild_id, user_id=user_id, interest_id=ids[t])
                    for t in tags
                )
                await session.flush()
                offered = await offer_waiting_to(session, guild_id, user_id, cfg, now)
                info = await self._info(session, row)
        except IntegrityError:
            raise InvalidInput("You opted in twice at once; run `/mentor optin` again.") from None
        return OptIn(info, created, tuple(offered))

    async def optout(self, guild_id: int, user_id: int) -> OptOut:
        """Stop mentoring: end open mentorships, move pending offers on, forget the mentor."""
        cfg = await self._config.get(guild_id)
        now = self._clock.now()
        async with self._db.write() as session:
            mentor = await session.get(Mentor, (guild_id, user_id), with_for_update=True)
            if mentor is None:
                raise NotFound("You aren't a mentor here, so there is nothing to opt out of.")
            pairs = list(
                await session.scalars(
                    select(Mentorship).where(
                        Mentorship.guild_id == guild_id,
                        Mentorship.mentor_id == user_id,
                        Mentorship.state == "active",
                    )
                )
            )
            for pair in pairs:
                pair.state, pair.ended_at, pair.end_reason = "ended", now, "mentor-opted-out"
            offers = list(
                await session.scalars(
                    select(MentorOffer).where(
                        MentorOffer.guild_id == guild_id,
                        MentorOffer.mentor_id == user_id,
                        MentorOffer.state == "pending",
                    )
                )
            )
            for offer in offers:
                close_offer(offer, "withdrawn", now)
            await session.delete(mentor)
            await session.flush()
            moved = []
            for offer in offers:
                request = await session.get(MentorshipRequest, offer.request_id)
                if request is not None and request.state == "open":
                    routing = await route_request(session, request, cfg, now, "withdrawn")
                    moved.append(replace(routing, retired=posted_of(offer)))
            return OptOut(tuple(pair_info(p) for p in pairs), tuple(moved))

    async def set_available(self, guild_id: int, user_id: int, available: bool) -> OptIn:
        """Pause or resume; resuming offers the mentor the waiting requests they fit."""
        cfg = await self._config.get(guild_id)
        require_enabled(cfg)
        async with self._db.write() as session:
            row = await session.get(
                Mentor, (guild_id, user_id), with_for_update=True, populate_existing=True
            )
            if row is None:
                raise NotFound(
                    "You aren't a mentor here yet. Opt in with "
                    "`/mentor optin interests:… capacity:…` first."
                )
            now = self._clock.now()
            row.available, row.updated_at = available, now
            await session.flush()
            offered = await offer_waiting_to(session, guild_id, user_id, cfg, now)
            return OptIn(await self._info(session, row), False, tuple(offered))

    async def list(self, guild_id: int, interest: str | None = None) -> list[MentorInfo]:
        """Available mentors with a free slot, most free slots first; optionally by interest."""
        require_enabled(await self._config.get(guild_id))
        tag = None
        if interest is not None and interest.strip():
            [tag] = (await self._taxonomy.resolve(guild_id, interest))[:1]
        async with self._db.read() as session:
            rows = list(
                await session.scalars(
                    select(Mentor).where(Mentor.guild_id == guild_id, Mentor.available.is_(True))
                )
            )
            interests = await mentor_interests(session, guild_id)
            active = await active_counts(session, guild_id)
        out = [
            MentorInfo(
                guild_id,
                r.user_id,
                interests.get(r.user_id, ()),
                r.capacity,
                active.get(r.user_id, 0),
                r.bio,
                r.available,
            )
            for r in rows
        ]
        out = [m for m in out if m.free > 0 and (tag is None or tag in m.interests)]
        return sorted(out, key=lambda m: (-m.free, m.user_id))

    async def status(self, guild_id: int, user_id: int) -> MentorStatus:
        require_enabled(await self._config.get(guild_id))
        async with self._db.read() as session:
            row = await session.get(Mentor, (guild_id, user_id))
            mentor = await self._info(session, row) if row is not None else None
            pairs = list(
                await session.scalars(
                    select(Mentorship)
                    .where(
                        Mentorship.guild_id == guild_id,
                        Mentorship.state == "active",
                        or_(Mentorship.mentor_id == user_id, Mentorship.mentee_id == user_id),
                    )
                    .order_by(Mentorship.started_at)
                )
            )
            request = await session.scalar(
                select(MentorshipRequest).where(
                    MentorshipRequest.guild_id == guild_id,
                    MentorshipRequest.mentee_id == user_id,
                    MentorshipRequest.state == "open",
                )
            )
            request_info = None
            if request is not None:
                pending = await session.scalar(
                    select(MentorOffer).where(
                        MentorOffer.request_id == request.id, MentorOffer.state == "pending"
                    )
                )
                request_info = RequestInfo(
                    request.id,
                    tuple(request.interests),
                    request.goal,
                    request.created_at,
                    pending.mentor_id if pending else None,
                    pending.expires_at if pending else None,
                )
            offers = await session.execute(
                select(MentorOffer, MentorshipRequest)
                .join(MentorshipRequest, MentorshipRequest.id == MentorOffer.request_id)
                .where(
                    MentorOffer.guild_id == guild_id,
                    MentorOffer.mentor_id == user_id,
                    MentorOffer.state == "pending",
                )
                .order_by(MentorOffer.created_at)
            )
            return MentorStatus(
                mentor,
                tuple(pair_info(p) for p in pairs if p.mentee_id == user_id),
                tuple(pair_info(p) for p in pairs if p.mentor_id == user_id),
                request_info,
                tuple(notice_of(o, r) for o, r in offers),
            )

    @staticmethod
    async def _info(session: AsyncSession, row: Mentor) -> MentorInfo:
        interests = await mentor_interests(session, row.guild_id, [row.user_id])
        active = await active_counts(session, row.guild_id, [row.user_id])
        return MentorInfo(
            row.guild_id,
            row.user_id,
            interests.get(row.user_id, ()),
            row.capacity,
            active.get(row.user_id, 0),
            row.bio,
            row.available,
        )
