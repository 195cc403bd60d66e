"""Member profiles: interests, timezone and level, used by matching and local days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain.timezones import parse_timezone
from bot.errors import InvalidInput
from bot.models import Interest, MemberInterest, MemberProfile
from bot.services.config import ConfigService
from bot.services.taxonomy import TaxonomyService

Level = Literal["beginner", "intermediate", "advanced"]
LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")
CLEAR_WORDS = frozenset({"none", "clear", "-"})


@dataclass(frozen=True, slots=True)
class Profile:
    guild_id: int
    user_id: int
    interests: tuple[str, ...]
    timezone: str | None
    level: str | None
    updated_at: datetime | None

    @property
    def is_empty(self) -> bool:
        return not self.interests and self.timezone is None and self.level is None


class ProfileService:
    def __init__(
        self, db: Database, clock: Clock, config: ConfigService, taxonomy: TaxonomyService
    ) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._taxonomy = taxonomy

    async def get(self, guild_id: int, user_id: int) -> Profile:
        """The member's profile; an empty one when they never set it."""
        async with self._db.read() as session:
            return await self._read(session, guild_id, user_id)

    async def effective_timezone(self, guild_id: int, user_id: int) -> str:
        """The member's timezone, else the server default (which is UTC unless configured)."""
        profile = await self.get(guild_id, user_id)
        return profile.timezone or (await self._config.get(guild_id)).timezone

    async def set(
        self,
        guild_id: int,
        user_id: int,
        *,
        interests: str | None = None,
        timezone: str | None = None,
        level: str | None = None,
    ) -> Profile:
        """Change the given fields; ``interests: none`` clears them. All checks before any write."""
        if interests is None and timezone is None and level is None:
            raise InvalidInput(
                "Tell me what to change: `interests`, `timezone` or `level` "
                "(for example `/profile set timezone:Europe/Berlin`)."
            )
        tags: list[str] | None = None
        if interests is not None:
            tags = (
                []
                if interests.strip().casefold() in CLEAR_WORDS
                else await self._taxonomy.resolve(guild_id, interests)
            )
        tz = parse_timezone(timezone) if timezone is not None else None
        if level is not None and level not in LEVELS:
            raise InvalidInput(f"Level must be one of {', '.join(LEVELS)}.")
        await self._config.get(guild_id)
        for attempt in (1, 2):
            try:
                return await self._write(guild_id, user_id, tags, tz, level)
            except IntegrityError:
                # Two first-time saves raced to create the row; the loser simply updates it.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _write(
        self, guild_id: int, user_id: int, tags: list[str] | None, tz: str | None, level: str | None
    ) -> Profile:
        now = self._clock.now()
        async with self._db.write() as session:
            profile = await session.get(MemberProfile, (guild_id, user_id), with_for_update=True)
            if profile is None:
                profile = MemberProfile(guild_id=guild_id, user_id=user_id, updated_at=now)
                session.add(profile)
            if tz is not None:
                profile.timezone = tz
            if level is not None:
                profile.level = level
            profile.updated_at = now
            await session.flush()
            if tags is not None:
                await self._replace_interests(session, guild_id, user_id, tags)
            return await self._read(session, guild_id, user_id)

    async def _replace_interests(
        self, session: AsyncSession, guild_id: int, user_id: int, tags: list[str]
    ) -> None:
        await session.execute(
            delete(MemberInterest).where(
                MemberInterest.guild_id == guild_id, MemberInterest.user_id == user_id
            )
        )
        ids = await TaxonomyService.tag_ids(session, guild_id, tags)
        missing = [t for t in tags if t not in ids]
        if missing:
            # A moderator removed the interest between our check and this write.
            raise InvalidInput(f'The interest "{missing[0]}" was just removed; try again.')
        session.add_all(
            MemberInterest(guild_id=guild_id, user_id=user_id, interest_id=ids[t]) for t in tags
        )
        await session.flush()

    @staticmethod
    async def _read(session: AsyncSession, guild_id: int, user_id: int) -> Profile:
        row = await session.get(MemberProfile, (guild_id, user_id), populate_existing=True)
        if row is None:
            return Profile(guild_id, user_id, (), None, None, None)
        tags = await session.scalars(
            select(Interest.tag)
            .join(MemberInterest, MemberInterest.interest_id == Interest.id)
            .where(MemberInterest.guild_id == guild_id, MemberInterest.user_id == user_id)
            .order_by(Interest.tag)
        )
        return Profile(guild_id, user_id, tuple(tags), row.timezone, row.level, row.updated_at)
