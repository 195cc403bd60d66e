"""The matchmaking pool and `/group form`: propose groups, then create them on a click.

A proposal is stored (slots with their explanation, seats with their members) so the button
under a preview works after a restart and creates exactly what the moderator saw. Creating is
claimed once (``used_at``), then each group is committed on its own once its role and channel
exist: members still in the pool are moved from the pool into the group, and every pair of
them is recorded so the next formation avoids regrouping them when another choice is as good.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain.groups import CAPACITY_MAX, name_key
from bot.errors import Conflict, InvalidInput, NotFound
from bot.matching import MatchProfile, form_groups
from bot.models import (
    GroupMember,
    GroupPair,
    GroupPoolEntry,
    GroupProposal,
    GroupProposalSeat,
    GroupProposalSlot,
    GuildSettings,
    Interest,
    MemberInterest,
    MemberProfile,
    StudyGroup,
)
from bot.services._sql import insert_ignore
from bot.services.config import ConfigService
from bot.services.groups import NO_CATEGORY, GroupInfo, enabled_config, load_info

NO_PROFILE = (
    "The pool matches people by their profile, and yours has no interests yet. Set them with "
    "`/profile set interests:nlp, python timezone:Europe/Berlin level:beginner`, then run "
    "`/group find` again."
)
SCHEDULE_INTERVAL = timedelta(days=7)
_NAME_TOPIC_MAX = 38  # "<topic> group NN" stays within 50 characters


@dataclass(frozen=True, slots=True)
class PoolEntry:
    already: bool
    pool_size: int
    interests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProposedGroup:
    slot: int
    topic: str
    explanation: str
    member_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    guild_id: int
    target_size: int
    groups: tuple[ProposedGroup, ...]
    left_over: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PlannedGroup:
    """A proposed group about to be made: a free name, and the members still waiting."""

    proposal_id: int
    slot: int
    name: str
    topic: str
    explanation: str
    capacity: int
    member_ids: tuple[int, ...]
    category_id: int


@dataclass(frozen=True, slots=True)
class Claim:
    groups: tuple[PlannedGroup, ...]
    skipped: int  # proposed groups with fewer than two members still in the pool


class GroupFormationService:
    def __init__(self, db: Database, clock: Clock, config: ConfigService) -> None:
        self._db = db
        self._clock = clock
        self._config = config

    async def enter_pool(self, guild_id: int, user_id: int) -> PoolEntry:
        """`/group find`: wait in the pool for the next formation (needs profile interests)."""
        await enabled_config(self._config, guild_id)
        async with self._db.write() as session:
            interests = tuple(
                await session.scalars(
                    select(Interest.tag)
                    .join(MemberInterest, MemberInterest.interest_id == Interest.id)
                    .where(MemberInterest.guild_id == guild_id, MemberInterest.user_id == user_id)
                    .order_by(Interest.tag)
                )
            )
            if not interests:
                raise InvalidInput(NO_PROFILE)
            added = await insert_ignore(
                session,
                GroupPoolEntry.__table__,  # type: ignore[arg-type]
                {"guild_id": guild_id, "user_id": user_id, "entered_at": self._clock.now()},
                ["guild_id", "user_id"],
            )
            size = await session.scalar(
                select(func.count())
                .select_from(GroupPoolEntry)
                .where(GroupPoolEntry.guild_id == guild_id)
            )
        return PoolEntry(not added, int(size or 0), interests)

    async def pool(self, guild_id: int) -> list[MatchProfile]:
        """Everyone waiting, as matching sees them (server time zone for those without one)."""
        cfg = await self._config.get(guild_id)
        now = self._clock.now()
        async with self._db.read() as session:
            rows = await session.execute(
                select(GroupPoolEntry.user_id, MemberProfile.timezone, MemberProfile.level)
                .outerjoin(
                    MemberProfile,
                    (MemberProfile.guild_id == GroupPoolEntry.guild_id)
                    & (MemberProfile.user_id == GroupPoolEntry.user_id),
                )
                .where(GroupPoolEntry.guild_id == guild_id)
                .order_by(GroupPoolEntry.entered_at, GroupPoolEntry.user_id)
            )
            people = list(rows)
            tags: dict[int, set[str]] = {}
            for user_id, tag in await session.execute(
                select(MemberInterest.user_id, Interest.tag)
                .join(Interest, Interest.id == MemberInterest.interest_id)
                .join(
                    GroupPoolEntry,
                    (GroupPoolEntry.guild_id == MemberInterest.guild_id)
                    & (GroupPoolEntry.user_id == MemberInterest.user_id),
                )
                .where(MemberInterest.guild_id == guild_id)
            ):
                tags.setdefault(user_id, set()).add(tag)
        return [
            MatchProfile.at(uid, tags.get(uid, ()), tz or cfg.timezone, level, now)
            for uid, tz, level in people
        ]

    async def previous_pairs(self, guild_id: int) -> list[tuple[int, int]]:
        async with self._db.read() as session:
            rows = await session.execute(
                select(GroupPair.user_a, GroupPair.user_b).where(GroupPair.guild_id == guild_id)
            )
            return [(a, b) for a, b in rows]

    async def propose(self, guild_id: int, actor_id: int | None) -> Proposal:
        """Form groups from the pool and store them as a proposal (nothing else changes)."""
        cfg = await enabled_config(self._config, guild_id)
        members = await self.pool(guild_id)
        if len(members) < 2:
            raise Conflict(
                f"The pool has {len(members)} member{'s' if len(members) != 1 else ''}; "
                "forming groups needs at least 2. Members enter it with `/group find`."
            )
        previous = await self.previous_pairs(guild_id)
        # Up to a couple of seconds for a large pool: off the event loop, so the bot keeps
        # answering everyone else meanwhile.
        formation = await asyncio.to_thread(form_groups, members, cfg.group_size, previous)
        by_id = {m.member_id: m for m in members}
        now = self._clock.now()
        async with self._db.write() as session:
            proposal = GroupProposal(
                guild_id=guild_id, requested_by=actor_id, target_size=cfg.group_size, created_at=now
            )
            session.add(proposal)
            await session.flush()
            groups = []
            for slot, formed in enumerate(formation.groups):
                topic = _topic(formed.shared_interests, [by_id[i] for i in formed.member_ids])
                groups.append(ProposedGroup(slot, topic, formed.explanation, formed.member_ids))
                session.add(
                    GroupProposalSlot(
                        proposal_id=proposal.id,
                        slot=slot,
                        guild_id=guild_id,
                        topic=topic,
                        explanation=formed.explanation[:500],
                    )
                )
            await session.flush()
            seats = [
                {"proposal_id": proposal.id, "user_id": uid, "guild_id": guild_id, "slot": g.slot}
                for g in groups
                for uid in g.member_ids
            ]
            if seats:
                await session.execute(GroupProposalSeat.__table__.insert(), seats)
        return Proposal(proposal.id, guild_id, cfg.group_size, tuple(groups), formation.left_over)

    async def due_scheduled(self, guild_ids: list[int]) -> list[int]:
        """Servers among ``guild_ids`` whose weekly formation is due."""
        if not guild_ids:
            return []
        async with self._db.read() as session:
            rows = await session.scalars(
                select(GuildSettings.guild_id).where(
                    GuildSettings.guild_id.in_(guild_ids), *self._due()
                )
            )
            return list(rows)

    async def claim_scheduled(self, guild_id: int) -> bool:
        """Take this week's scheduled formation; True for exactly one caller per week."""
        async with self._db.write() as session:
            claimed = await session.execute(
                update(GuildSettings)
                .where(GuildSettings.guild_id == guild_id, *self._due())
                .values(groups_formed_at=self._clock.now())
            )
            return bool(claimed.rowcount)  # type: ignore[attr-defined]

    def _due(self) -> tuple[ColumnElement[bool], ...]:
        week_ago = self._clock.now() - SCHEDULE_INTERVAL
        return (
            GuildSettings.group_form_schedule == "weekly",
            GuildSettings.groups_enabled.is_(True),
            or_(
                GuildSettings.groups_formed_at.is_(None), GuildSettings.groups_formed_at <= week_ago
            ),
        )

    async def claim(self, guild_id: int, proposal_id: int) -> Claim:
        """Take a proposal for creation, once; with free names and who is still waiting."""
        cfg = await enabled_config(self._config, guild_id)
        category_id = cfg.categories.get("study-groups")
        if category_id is None:
            raise InvalidInput(NO_CATEGORY)
        async with self._db.write() as session:
            claimed = await session.execute(
                update(GroupProposal)
                .where(
                    GroupProposal.guild_id == guild_id,
                    GroupProposal.id == proposal_id,
                    GroupProposal.used_at.is_(None),
                )
                .values(used_at=self._clock.now())
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                exists = await session.get(GroupProposal, proposal_id)
                if exists is None or exists.guild_id != guild_id:
                    raise NotFound("That proposal no longer exists; run `/group form` again.")
                raise Conflict("These groups were already created from this proposal.")
            slots = list(
                await session.scalars(
                    select(GroupProposalSlot)
                    .where(
                        GroupProposalSlot.guild_id == guild_id,
                        GroupProposalSlot.proposal_id == proposal_id,
                    )
                    .order_by(GroupProposalSlot.slot)
                )
            )
            waiting: dict[int, list[int]] = {}
            for slot, uid in await session.execute(
                select(GroupProposalSeat.slot, GroupProposalSeat.user_id)
                .join(
                    GroupPoolEntry,
                    (GroupPoolEntry.guild_id == GroupProposalSeat.guild_id)
                    & (GroupPoolEntry.user_id == GroupProposalSeat.user_id),
                )
                .where(
                    GroupProposalSeat.guild_id == guild_id,
                    GroupProposalSeat.proposal_id == proposal_id,
                )
                .order_by(GroupProposalSeat.user_id)
            ):
                waiting.setdefault(slot, []).append(uid)
            taken = set(
                await session.scalars(
                    select(StudyGroup.name_key).where(
                        StudyGroup.guild_id == guild_id, StudyGroup.status == "open"
                    )
                )
            )
        planned = []
        for slot in slots:
            members = tuple(waiting.get(slot.slot, ()))
            if len(members) < 2:
                continue
            name = _free_name(slot.topic, taken)
            taken.add(name_key(name))
            capacity = min(CAPACITY_MAX, max(len(members), cfg.group_size))
            planned.append(
                PlannedGroup(
                    proposal_id,
                    slot.slot,
                    name,
                    slot.topic,
                    slot.explanation,
                    capacity,
                    members,
                    category_id,
                )
            )
        return Claim(tuple(planned), len(slots) - len(planned))

    async def commit_group(
        self, guild_id: int, plan: PlannedGroup, role_id: int, channel_id: int
    ) -> GroupInfo:
        """Create one planned group whose role and channel exist: pool -> group, pairs recorded."""
        now = self._clock.now()
        try:
            async with self._db.write() as session:
                waiting = await _still_waiting(session, guild_id, plan.member_ids)
                if len(waiting) < 2:
                    raise Conflict(f"Too few of {plan.name}'s members are still in the pool.")
                group = StudyGroup(
                    guild_id=guild_id,
                    name=plan.name,
                    name_key=name_key(plan.name),
                    topic=plan.topic,
                    capacity=max(plan.capacity, len(waiting)),
                    status="open",
                    formed=True,
                    explanation=plan.explanation[:500],
                    role_id=role_id,
                    channel_id=channel_id,
                    created_at=now,
                )
                session.add(group)
                await session.flush()
                await session.execute(
                    GroupMember.__table__.insert(),
                    [
                        {"group_id": group.id, "user_id": u, "guild_id": guild_id, "joined_at": now}
                        for u in waiting
                    ],
                )
                await session.execute(
                    delete(GroupPoolEntry).where(
                        GroupPoolEntry.guild_id == guild_id, GroupPoolEntry.user_id.in_(waiting)
                    )
                )
                pairs = [
                    {"guild_id": guild_id, "user_a": a, "user_b": b, "grouped_at": now}
                    for a, b in itertools.combinations(sorted(waiting), 2)
                ]
                await insert_ignore(
                    session,
                    GroupPair.__table__,  # type: ignore[arg-type]
                    pairs,
                    ["guild_id", "user_a", "user_b"],
                )
                return await load_info(session, group)
        except IntegrityError:
            raise Conflict(f"A group named {plan.name} was just created by someone else.") from None


async def _still_waiting(session: AsyncSession, guild_id: int, ids: tuple[int, ...]) -> list[int]:
    rows = await session.scalars(
        select(GroupPoolEntry.user_id)
        .where(GroupPoolEntry.guild_id == guild_id, GroupPoolEntry.user_id.in_(ids))
        .with_for_update()
    )
    return sorted(rows)


def _topic(shared: tuple[tuple[str, int], ...], members: list[MatchProfile]) -> str:
    """The most shared interest; else the most common one; groups always get some topic."""
    if shared:
        return shared[0][0]
    counts = Counter(tag for m in members for tag in m.interests)
    if counts:
        return min(counts, key=lambda t: (-counts[t], t))
    return "study"


def _free_name(topic: str, taken: set[str | None]) -> str:
    base = topic[:_NAME_TOPIC_MAX].strip()
    for n in itertools.count(1):
        name = f"{base} group {n}"
        if name_key(name) not in taken:
            return name
    raise AssertionError("unreachable")
