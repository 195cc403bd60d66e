"""Mentorship: requests, offers answered with Accept/Decline, timeouts, batch matching, endings.

The rules are those of COMMANDS.md "/mentor". A request goes to the best available mentor
(``bot.matching``); a decline, or no answer within the server's ``response_hours``, moves it
to the next best; when nobody fits, the request waits (for ``/mentor match`` after new mentors
opt in). The database is the source of truth: ``expire_due`` is a sweep any process may run,
and each offer changes state with a guarded UPDATE, so two clicks or a click racing the sweep
settle once. Every method returns what the cog must tell people; the cog does the telling.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain.text import clean_text, contains_mention
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.models import (
    Mentor,
    MentorOffer,
    Mentorship,
    MentorshipFeedback,
    MentorshipRequest,
)
from bot.services.config import ConfigService
from bot.services.mentor_match import MatchPlan, PlannedPair, plan_match
from bot.services.mentor_store import (
    OfferNotice,
    PostedOffer,
    Routing,
    close_offer,
    mentor_interests,
    posted_of,
    require_enabled,
    route_request,
)
from bot.services.mentors import PairInfo, pair_info
from bot.services.profiles import ProfileService
from bot.services.taxonomy import TaxonomyService

GOAL_MAX = 300


@dataclass(frozen=True, slots=True)
class Accepted:
    pair: PairInfo
    goal: str | None
    explanation: str


@dataclass(frozen=True, slots=True)
class Declined:
    offer_id: int
    next: Routing


@dataclass(frozen=True, slots=True)
class Cancelled:
    request_id: int
    withdrawn_from: int | None
    """The mentor whose pending offer was withdrawn, if any."""
    retired: PostedOffer | None = None


@dataclass(frozen=True, slots=True)
class Ended:
    pair: PairInfo
    ended_by: int


class MentorshipService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        config: ConfigService,
        taxonomy: TaxonomyService,
        profiles: ProfileService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._taxonomy = taxonomy
        self._profiles = profiles

    async def request(
        self, guild_id: int, user_id: int, interests: str | None = None, goal: str | None = None
    ) -> Routing:
        """Ask for a mentor; the best available one gets an offer, or the request waits."""
        cfg = await self._config.get(guild_id)
        require_enabled(cfg)
        if interests is not None and interests.strip():
            tags = await self._taxonomy.resolve(guild_id, interests)
        else:
            tags = list((await self._profiles.get(guild_id, user_id)).interests)
            if not tags:
                raise InvalidInput(
                    "Tell me what you want to learn: `/mentor request interests:nlp, python`, "
                    "or set interests on your profile with `/profile set`."
                )
        if goal is not None:
            goal = clean_text(goal, field="goal", max_length=GOAL_MAX)
            if contains_mention(goal):
                raise InvalidInput("`goal` can't contain mentions; describe it in words.")
        now = self._clock.now()
        try:
            async with self._db.write() as session:
                open_request = await session.scalar(
                    select(MentorshipRequest.id).where(
                        MentorshipRequest.guild_id == guild_id,
                        MentorshipRequest.mentee_id == user_id,
                        MentorshipRequest.state == "open",
                    )
                )
                if open_request is not None:
                    raise Conflict(
                        "You already have an open request. See it with `/mentor status`, or "
                        "withdraw it with `/mentor cancel` before asking again."
                    )
                own = await session.get(Mentor, (guild_id, user_id))
                if own is not None:
                    mine = (await mentor_interests(session, guild_id, [user_id])).get(user_id, ())
                    if set(tags) <= set(mine):
                        raise InvalidInput(
                            f"You mentor {', '.join(tags)} yourself, and nobody can be their own "
                            "mentor. Ask about a topic you don't mentor."
                        )
                request = MentorshipRequest(
                    guild_id=guild_id,
                    mentee_id=user_id,
                    interests=tags,
                    goal=goal,
                    state="open",
                    created_at=now,
                    closed_at=None,
                )
                session.add(request)
                await session.flush()
                return await route_request(session, request, cfg, now)
        except IntegrityError:
            # A second /mentor request raced the first past the check: the index refused it.
            raise Conflict("You already have an open request; see `/mentor status`.") from None

    async def cancel(self, guild_id: int, user_id: int) -> Cancelled:
        require_enabled(await self._config.get(guild_id))
        now = self._clock.now()
        async with self._db.write() as session:
            request = await session.scalar(
                select(MentorshipRequest).where(
                    MentorshipRequest.guild_id == guild_id,
                    MentorshipRequest.mentee_id == user_id,
                    MentorshipRequest.state == "open",
                )
            )
            if request is None:
                raise NotFound("You have no open request to cancel.")
            # Offer before request, the order accept locks them in (no deadlock on PostgreSQL).
            pending = await session.scalar(
                select(MentorOffer)
                .where(MentorOffer.request_id == request.id, MentorOffer.state == "pending")
                .with_for_update()
            )
            await session.refresh(request, with_for_update=True)
            if request.state != "open":
                raise Conflict("Your request was just answered; see `/mentor status`.")
            request.state, request.closed_at = "cancelled", now
            if pending is not None:
                close_offer(pending, "withdrawn", now)
            return Cancelled(
                request.id,
                pending.mentor_id if pending else None,
                posted_of(pending) if pending else None,
            )

    async def accept(self, offer_id: int, user_id: int) -> Accepted:
        """The offered mentor accepts: one mentorship, within capacity, or a polite refusal.

        The offer id comes from a button and may have been clicked in a DM, so the offer is
        found by id; every other row is then read within the offer's guild.
        """
        now = self._clock.now()
        async with self._db.write() as session:
            offer = await self._offer_for(session, offer_id, user_id)
            require_enabled(await self._config.get(offer.guild_id))
            mentor = await session.get(
                Mentor, (offer.guild_id, user_id), with_for_update=True, populate_existing=True
            )
            # Re-read under the lock: a concurrent click or the sweep may have settled it.
            await session.refresh(offer)
            self._require_pending(offer, now)
            if mentor is None:
                raise Conflict("You are no longer a mentor here; opt in again to accept offers.")
            count = await session.scalar(
                select(func.count()).where(
                    Mentorship.guild_id == offer.guild_id,
                    Mentorship.mentor_id == user_id,
                    Mentorship.state == "active",
                )
            )
            count = int(count or 0)
            if count >= mentor.capacity:
                raise Conflict(
                    f"You already mentor {count} members, your capacity. End a mentorship or "
                    "raise your capacity with `/mentor optin`, then accept; or decline."
                )
            claimed = await session.execute(
                update(MentorOffer)
                .where(MentorOffer.id == offer.id, MentorOffer.state == "pending")
                .values(state="accepted", answered_at=now)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                raise Conflict("This offer was already answered.")
            request = await session.get(MentorshipRequest, offer.request_id)
            assert request is not None
            request.state, request.closed_at = "matched", now
            pair = Mentorship(
                guild_id=offer.guild_id,
                mentor_id=user_id,
                mentee_id=offer.mentee_id,
                offer_id=offer.id,
                interests=list(request.interests),
                state="active",
                started_at=now,
                ended_at=None,
            )
            session.add(pair)
            await session.flush()
            return Accepted(pair_info(pair), request.goal, offer.explanation)

    async def decline(self, offer_id: int, user_id: int) -> Declined:
        """The offered mentor declines: the pair is never offered again; the next best gets it."""
        now = self._clock.now()
        async with self._db.write() as session:
            offer = await self._offer_for(session, offer_id, user_id)
            cfg = await self._config.get(offer.guild_id)
            require_enabled(cfg)
            self._require_pending(offer, now)
            close_offer(offer, "declined", now)
            request = await session.get(MentorshipRequest, offer.request_id)
            assert request is not None
            await session.flush()
            return Declined(offer.id, await route_request(session, request, cfg, now, "declined"))

    async def expire_due(self, guild_ids: Iterable[int] | None = None) -> list[Routing]:
        """Move every offer unanswered past its deadline to the next best mentor."""
        now = self._clock.now()
        out: list[Routing] = []
        async with self._db.write() as session:
            # FOR UPDATE: an offer accepted meanwhile drops out (PostgreSQL re-checks the WHERE).
            stmt = (
                select(MentorOffer)
                .where(MentorOffer.state == "pending", MentorOffer.expires_at <= now)
                .with_for_update()
            )
            if guild_ids is not None:
                stmt = stmt.where(MentorOffer.guild_id.in_(list(guild_ids)))
            for offer in list(await session.scalars(stmt.order_by(MentorOffer.expires_at))):
                close_offer(offer, "expired", now)
                await session.flush()
                cfg = await self._config.get(offer.guild_id)
                request = await session.get(MentorshipRequest, offer.request_id)
                if request is None or request.state != "open":
                    continue
                if not cfg.module_enabled("mentorship"):
                    routing = Routing(request.id, request.guild_id, request.mentee_id, None)
                else:
                    routing = await route_request(session, request, cfg, now, "expired")
                out.append(replace(routing, retired=posted_of(offer)))
        return out

    async def record_delivery(self, offer_id: int, channel_id: int, message_id: int) -> None:
        """Remember where an offer was posted (the offer id comes from our own send)."""
        async with self._db.write() as session:
            await session.execute(
                update(MentorOffer)
                .where(MentorOffer.id == offer_id)
                .values(message_channel_id=channel_id, message_id=message_id)
            )

    async def set_channel(self, guild_id: int, mentorship_id: int, channel_id: int) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(Mentorship)
                .where(Mentorship.guild_id == guild_id, Mentorship.id == mentorship_id)
                .values(channel_id=channel_id)
            )

    async def end(self, guild_id: int, user_id: int, partner_id: int) -> Ended:
        """End the mentorship between the member and ``partner_id``, whichever side each is."""
        require_enabled(await self._config.get(guild_id))
        if partner_id == user_id:
            raise InvalidInput("You can't have a mentorship with yourself; name your partner.")
        now = self._clock.now()
        async with self._db.write() as session:
            pair = await session.scalar(
                select(Mentorship)
                .where(
                    Mentorship.guild_id == guild_id,
                    Mentorship.state == "active",
                    or_(
                        (Mentorship.mentor_id == user_id) & (Mentorship.mentee_id == partner_id),
                        (Mentorship.mentor_id == partner_id) & (Mentorship.mentee_id == user_id),
                    ),
                )
                .with_for_update()
            )
            if pair is None:
                raise NotFound(
                    f"<@{partner_id}> isn't your mentor or mentee. `/mentor status` lists yours."
                )
            pair.state, pair.ended_at, pair.end_reason = "ended", now, "ended"
            await session.flush()
            return Ended(pair_info(pair), user_id)

    async def feedback(self, mentorship_id: int, user_id: int, helped: bool) -> PairInfo:
        """Record whether an ended mentorship helped; each partner answers once (may change)."""
        now = self._clock.now()
        async with self._db.write() as session:
            pair = await session.get(Mentorship, mentorship_id)
            if pair is None or user_id not in (pair.mentor_id, pair.mentee_id):
                raise PermissionDenied("Only the two people in this mentorship can answer this.")
            if pair.state != "ended":
                raise Conflict("This mentorship is still running; answer once it has ended.")
            row = await session.get(
                MentorshipFeedback, (mentorship_id, user_id), with_for_update=True
            )
            if row is None:
                session.add(
                    MentorshipFeedback(
                        guild_id=pair.guild_id,
                        mentorship_id=mentorship_id,
                        user_id=user_id,
                        helped=helped,
                        answered_at=now,
                    )
                )
            else:
                row.helped, row.answered_at = helped, now
            await session.flush()
            return pair_info(pair)

    async def match(self, guild_id: int, *, send: bool) -> MatchPlan:
        """``/mentor match``: pair every waiting mentee at once, optimally (see
        :func:`bot.services.mentor_match.plan_match`); ``send`` turns the pairs into offers."""
        cfg = await self._config.get(guild_id)
        require_enabled(cfg)
        now = self._clock.now()
        if not send:
            async with self._db.read() as session:
                return await plan_match(session, guild_id, cfg, now, send=False)
        async with self._db.write() as session:
            return await plan_match(session, guild_id, cfg, now, send=True)

    @staticmethod
    async def _offer_for(session: AsyncSession, offer_id: int, user_id: int) -> MentorOffer:
        # Locked: a click, a second click and the sweep settle one offer one at a time.
        offer = await session.get(
            MentorOffer, offer_id, with_for_update=True, populate_existing=True
        )
        if offer is None:
            raise NotFound("This offer no longer exists; the request was withdrawn or erased.")
        if offer.mentor_id != user_id:
            raise PermissionDenied(
                f"This offer was made to <@{offer.mentor_id}>; only they can answer it."
            )
        return offer

    @staticmethod
    def _require_pending(offer: MentorOffer, now: datetime) -> None:
        if offer.state == "pending" and offer.expires_at <= now:
            raise Conflict(
                "Sorry, this offer timed out before you answered, so it is going to another "
                "mentor. Thank you anyway!"
            )
        if offer.state == "expired":
            raise Conflict(
                "Sorry, this offer timed out before you answered and went to another mentor."
            )
        if offer.state == "withdrawn":
            raise Conflict("This offer was withdrawn, so there is nothing to answer.")
        if offer.state in ("accepted", "declined"):
            raise Conflict(f"You already {offer.state} this offer.")


__all__ = ["Accepted", "Cancelled", "Declined", "Ended", "MatchPlan", "OfferNotice", "PlannedPair"]
