"""Study groups members create and join: capacity, names and archiving, per server.

Discord objects are made by the cog around these calls: ``prepare_create`` checks everything
first (so bad input makes no role or channel), the cog creates the role and channel, and
``create`` commits the row, or raises so the cog can undo them. Joining locks the group row
(``FOR UPDATE`` on PostgreSQL; SQLite writers are serialised by ``BEGIN IMMEDIATE``) and
counts members in the same transaction as the insert, so a full group admits nobody even when
many click at once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain.groups import name_key, validate_capacity, validate_group_name
from bot.domain.text import quote
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.models import GroupMember, MemberProfile, StudyGroup
from bot.services.config import ConfigService, GuildConfig
from bot.services.taxonomy import TaxonomyService

NO_CATEGORY = (
    "No category is set for study groups yet. A moderator can set one with "
    "`/config category purpose:study-groups`."
)


@dataclass(frozen=True, slots=True)
class GroupInfo:
    id: int
    guild_id: int
    name: str
    topic: str
    capacity: int
    status: str
    creator_id: int | None
    formed: bool
    explanation: str | None
    role_id: int | None
    channel_id: int | None
    created_at: datetime
    archived_at: datetime | None
    member_ids: tuple[int, ...]

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - len(self.member_ids))


@dataclass(frozen=True, slots=True)
class GroupDraft:
    """A checked `/group create`: safe to make the role and channel for."""

    guild_id: int
    name: str
    topic: str
    capacity: int
    category_id: int


@dataclass(frozen=True, slots=True)
class GroupListing:
    group: GroupInfo
    timezones: tuple[str, ...]  # members' effective time zones, most common first


async def enabled_config(config: ConfigService, guild_id: int) -> GuildConfig:
    return (await config.get(guild_id)).require_module("groups")


async def load_info(session: AsyncSession, group: StudyGroup) -> GroupInfo:
    members = await session.scalars(
        select(GroupMember.user_id)
        .where(GroupMember.group_id == group.id, GroupMember.guild_id == group.guild_id)
        .order_by(GroupMember.joined_at, GroupMember.user_id)
    )
    return GroupInfo(
        id=group.id,
        guild_id=group.guild_id,
        name=group.name,
        topic=group.topic,
        capacity=group.capacity,
        status=group.status,
        creator_id=group.creator_id,
        formed=group.formed,
        explanation=group.explanation,
        role_id=group.role_id,
        channel_id=group.channel_id,
        created_at=group.created_at,
        archived_at=group.archived_at,
        member_ids=tuple(members),
    )


class GroupService:
    def __init__(
        self, db: Database, clock: Clock, config: ConfigService, taxonomy: TaxonomyService
    ) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._taxonomy = taxonomy

    # -- create ---------------------------------------------------------------------------

    async def prepare_create(
        self, guild_id: int, name: str, topic: str, capacity: int | None = None
    ) -> GroupDraft:
        """Check a `/group create` completely, before any role or channel is made."""
        cfg = await enabled_config(self._config, guild_id)
        shown = validate_group_name(name)
        tag = await self.resolve_topic(guild_id, topic)
        seats = validate_capacity(cfg.group_size if capacity is None else capacity)
        category_id = cfg.categories.get("study-groups")
        if category_id is None:
            raise InvalidInput(NO_CATEGORY)
        async with self._db.read() as session:
            if await self._open_by_key(session, guild_id, name_key(shown)) is not None:
                raise Conflict(_taken(shown))
        return GroupDraft(guild_id, shown, tag, seats, category_id)

    async def resolve_topic(self, guild_id: int, topic: str) -> str:
        tags = await self._taxonomy.resolve(guild_id, topic)
        if len(tags) != 1:
            raise InvalidInput("A group has one topic: give a single interest, e.g. `nlp`.")
        return tags[0]

    async def create(
        self, draft: GroupDraft, creator_id: int, role_id: int, channel_id: int
    ) -> GroupInfo:
        """Commit a group whose role and channel exist; the creator is its first member."""
        now = self._clock.now()
        try:
            async with self._db.write() as session:
                group = StudyGroup(
                    guild_id=draft.guild_id,
                    name=draft.name,
                    name_key=name_key(draft.name),
                    topic=draft.topic,
                    capacity=draft.capacity,
                    status="open",
                    creator_id=creator_id,
                    formed=False,
                    role_id=role_id,
                    channel_id=channel_id,
                    created_at=now,
                )
                session.add(group)
                await session.flush()
                session.add(
                    GroupMember(
                        group_id=group.id,
                        user_id=creator_id,
                        guild_id=draft.guild_id,
                        joined_at=now,
                    )
                )
                await session.flush()
                return await load_info(session, group)
        except IntegrityError:
            # Someone created a group of the same name between our check and this insert.
            raise Conflict(_taken(draft.name)) from None

    # -- join and leave -------------------------------------------------------------------

    async def join(self, guild_id: int, user_id: int, group: str) -> GroupInfo:
        await enabled_config(self._config, guild_id)
        async with self._db.write() as session:
            row = await self._lookup(session, guild_id, group, lock=True)
            if await session.get(GroupMember, (row.id, user_id)) is not None:
                raise Conflict(f"You are already in {quote(row.name)}.")
            count = await _member_count(session, row)
            if count >= row.capacity:
                raise Conflict(
                    f"{quote(row.name)} is full ({count}/{row.capacity}). Pick another group in "
                    "`/group list`, or enter the matchmaking pool with `/group find`."
                )
            session.add(
                GroupMember(
                    group_id=row.id, user_id=user_id, guild_id=guild_id, joined_at=self._clock.now()
                )
            )
            await session.flush()
            return await load_info(session, row)

    async def leave(self, guild_id: int, user_id: int, group: str) -> GroupInfo:
        await enabled_config(self._config, guild_id)
        async with self._db.write() as session:
            row = await self._lookup(session, guild_id, group, lock=True)
            membership = await session.get(GroupMember, (row.id, user_id))
            if membership is None:
                raise Conflict(f"You are not in {quote(row.name)}, so there is nothing to leave.")
            await session.delete(membership)
            await session.flush()
            return await load_info(session, row)

    # -- reading --------------------------------------------------------------------------

    async def info(self, guild_id: int, group: str) -> GroupInfo:
        await enabled_config(self._config, guild_id)
        async with self._db.read() as session:
            return await load_info(session, await self._lookup(session, guild_id, group))

    async def list_groups(self, guild_id: int, topic: str | None = None) -> list[GroupListing]:
        cfg = await enabled_config(self._config, guild_id)
        tag = await self.resolve_topic(guild_id, topic) if topic else None
        query = select(StudyGroup).where(
            StudyGroup.guild_id == guild_id, StudyGroup.status == "open"
        )
        if tag is not None:
            query = query.where(StudyGroup.topic == tag)
        async with self._db.read() as session:
            groups = list(await session.scalars(query.order_by(StudyGroup.name_key).limit(100)))
            zones = await session.execute(
                select(GroupMember.group_id, MemberProfile.timezone)
                .outerjoin(
                    MemberProfile,
                    (MemberProfile.guild_id == GroupMember.guild_id)
                    & (MemberProfile.user_id == GroupMember.user_id),
                )
                .where(
                    GroupMember.guild_id == guild_id,
                    GroupMember.group_id.in_([g.id for g in groups]),
                )
            )
            by_group: dict[int, dict[str, int]] = {}
            for group_id, zone in zones:
                counts = by_group.setdefault(group_id, {})
                counts[zone or cfg.timezone] = counts.get(zone or cfg.timezone, 0) + 1
            out = []
            for g in groups:
                counts = by_group.get(g.id, {})
                ordered = tuple(sorted(counts, key=lambda z: (-counts[z], z)))
                out.append(GroupListing(await load_info(session, g), ordered))
            return out

    async def autocomplete(self, guild_id: int, current: str) -> list[str]:
        needle = name_key(current)
        async with self._db.read() as session:
            names = await session.scalars(
                select(StudyGroup.name)
                .where(StudyGroup.guild_id == guild_id, StudyGroup.status == "open")
                .order_by(StudyGroup.name_key)
            )
            found = [n for n in names if needle in name_key(n)]
        found.sort(key=lambda n: not name_key(n).startswith(needle))
        return found[:25]

    async def role_ids_of(self, guild_id: int, user_id: int) -> list[int]:
        """Roles of the open groups a member is in (privacy erasure takes them away too)."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(StudyGroup.role_id)
                .join(GroupMember, GroupMember.group_id == StudyGroup.id)
                .where(
                    GroupMember.guild_id == guild_id,
                    GroupMember.user_id == user_id,
                    StudyGroup.status == "open",
                )
            )
            return [r for r in rows if r is not None]

    # -- archive --------------------------------------------------------------------------

    async def check_archive(
        self, guild_id: int, user_id: int, group: str, *, is_moderator: bool
    ) -> GroupInfo:
        """The group to archive, if this member may; nothing changes yet."""
        await enabled_config(self._config, guild_id)
        async with self._db.read() as session:
            info = await load_info(session, await self._lookup(session, guild_id, group))
        if not is_moderator and info.creator_id != user_id:
            raise PermissionDenied(
                f"Only moderators or the member who created {quote(info.name)} can archive it."
            )
        return info

    async def archive(self, guild_id: int, group_id: int) -> GroupInfo:
        """Mark the group archived (its role is gone); frees its name for a new group."""
        now = self._clock.now()
        async with self._db.write() as session:
            result = await session.execute(
                update(StudyGroup)
                .where(
                    StudyGroup.guild_id == guild_id,
                    StudyGroup.id == group_id,
                    StudyGroup.status == "open",
                )
                .values(status="archived", name_key=None, archived_at=now, role_id=None)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise Conflict("That group was just archived by someone else.")
            row = await session.get(StudyGroup, group_id, populate_existing=True)
            assert row is not None
            return await load_info(session, row)

    # -- lookups --------------------------------------------------------------------------

    @staticmethod
    async def _open_by_key(
        session: AsyncSession, guild_id: int, key: str, *, lock: bool = False
    ) -> StudyGroup | None:
        query = select(StudyGroup).where(
            StudyGroup.guild_id == guild_id, StudyGroup.name_key == key
        )
        if lock:
            query = query.with_for_update()
        return await session.scalar(query)

    async def _lookup(
        self, session: AsyncSession, guild_id: int, text: str, *, lock: bool = False
    ) -> StudyGroup:
        key = name_key(text)
        row = await self._open_by_key(session, guild_id, key, lock=lock)
        if row is not None:
            return row
        archived = await session.scalar(
            select(StudyGroup.name)
            .where(
                StudyGroup.guild_id == guild_id,
                StudyGroup.status == "archived",
                func.lower(StudyGroup.name) == key,
            )
            .limit(1)
        )
        if archived is not None:
            raise Conflict(
                f"{quote(archived)} has been archived. See open groups with `/group list`."
            )
        names = list(
            await session.scalars(
                select(StudyGroup.name).where(
                    StudyGroup.guild_id == guild_id, StudyGroup.status == "open"
                )
            )
        )
        close = difflib.get_close_matches(key, [name_key(n) for n in names], n=1, cutoff=0.6)
        hint = ""
        if close:
            hint = f" Did you mean {quote(next(n for n in names if name_key(n) == close[0]))}?"
        raise NotFound(f"There is no open group named {quote(text)}.{hint} See `/group list`.")


async def _member_count(session: AsyncSession, group: StudyGroup) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(GroupMember)
        .where(GroupMember.group_id == group.id, GroupMember.guild_id == group.guild_id)
    )
    return int(count or 0)


def _taken(name: str) -> str:
    return f"This server already has a group named {quote(name)}. Pick another name."
