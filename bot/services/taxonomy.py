"""The server's interest taxonomy: tags with aliases, resolving what members type."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.cache import TaskCache
from bot.clock import Clock
from bot.db import Database
from bot.domain import interests as rules
from bot.domain.text import quote
from bot.errors import Conflict, InvalidInput, NotFound
from bot.models import Interest, InterestAlias, MemberInterest
from bot.services.audit import write_audit
from bot.services.config import ConfigService

MAX_ALIASES_TEXT = 300


@dataclass(frozen=True, slots=True)
class InterestInfo:
    tag: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Taxonomy:
    interests: tuple[InterestInfo, ...]

    @property
    def names(self) -> dict[str, str]:
        """Every tag and alias -> its canonical tag."""
        out: dict[str, str] = {}
        for info in self.interests:
            out[info.tag] = info.tag
            for alias in info.aliases:
                out[alias] = info.tag
        return out


@dataclass(frozen=True, slots=True)
class TaxonomyChange:
    summary: str


class TaxonomyService:
    def __init__(self, db: Database, clock: Clock, config: ConfigService) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._cache: TaskCache[int, Taxonomy] = TaskCache()

    async def get(self, guild_id: int) -> Taxonomy:
        return await self._cache.get(guild_id, lambda: self._load(guild_id))

    async def resolve(self, guild_id: int, text: str) -> list[str]:
        """Canonical tags for a comma-separated list, or an error naming each unknown item."""
        return rules.resolve(text, (await self.get(guild_id)).names)

    async def autocomplete(self, guild_id: int, current: str) -> list[str]:
        return rules.autocomplete_list(current, (await self.get(guild_id)).names)

    async def _load(self, guild_id: int) -> Taxonomy:
        await self._config.get(guild_id)  # a new server gets the default taxonomy first
        async with self._db.read() as session:
            rows = await session.scalars(
                select(Interest)
                .where(Interest.guild_id == guild_id)
                .options(selectinload(Interest.aliases))
                .order_by(Interest.tag)
            )
            return Taxonomy(
                tuple(InterestInfo(r.tag, tuple(a.alias for a in r.aliases)) for r in rows)
            )

    async def add(
        self, guild_id: int, actor_id: int, tag: str, aliases: str | None = None
    ) -> TaxonomyChange:
        """Add a tag, or new aliases to an existing tag; every name stays unique in the server."""
        canonical = rules.validate_tag(tag)
        if aliases is not None and len(aliases) > MAX_ALIASES_TEXT:
            raise InvalidInput(
                f"The aliases are {len(aliases)} characters long; the limit is {MAX_ALIASES_TEXT}."
            )
        alias_list = [rules.validate_tag(a, what="alias") for a in rules.split_list(aliases or "")]
        alias_list = [a for a in alias_list if a != canonical]
        if len(alias_list) > rules.MAX_ALIASES:
            raise InvalidInput(f"Give at most {rules.MAX_ALIASES} aliases at once.")
        await self._config.get(guild_id)
        names = (await self.get(guild_id)).names
        if canonical in names and names[canonical] != canonical:
            raise Conflict(
                f"{quote(canonical)} is already an alias of {quote(names[canonical])}; "
                "members can use it as it is."
            )
        taken = [a for a in alias_list if a in names and names[a] != canonical]
        if taken:
            listed = ", ".join(f"{quote(a)} (→ {names[a]})" for a in taken)
            raise Conflict(f"These names already belong to other interests: {listed}.")
        new_aliases = [a for a in alias_list if a not in names]
        if canonical in names and not new_aliases:
            raise Conflict(f"{quote(canonical)} is already an interest of this server.")
        now = self._clock.now()
        try:
            async with self._db.write() as session:
                interest = await self._find(session, guild_id, canonical)
                if interest is None:
                    interest = Interest(guild_id=guild_id, tag=canonical)
                    session.add(interest)
                    await session.flush()
                    summary = f"Added the interest {quote(canonical)}"
                elif not new_aliases:
                    # The cached check passed, but another moderator added it since.
                    raise Conflict(f"{quote(canonical)} is already an interest of this server.")
                else:
                    summary = f"Added aliases to {quote(canonical)}"
                session.add_all(
                    InterestAlias(guild_id=guild_id, interest_id=interest.id, alias=a)
                    for a in new_aliases
                )
                if new_aliases:
                    summary += " (aliases: " + ", ".join(new_aliases) + ")"
                summary += "."
                await session.flush()
                await write_audit(
                    session,
                    guild_id=guild_id,
                    actor_id=actor_id,
                    action="config.interest-add",
                    summary=summary,
                    now=now,
                    details={"tag": canonical, "aliases": new_aliases},
                )
        except IntegrityError:
            # Another moderator added the same name in the same instant.
            self._cache.invalidate(guild_id)
            raise Conflict(f"{quote(canonical)} was just added by someone else.") from None
        self._cache.invalidate(guild_id)
        return TaxonomyChange(summary)

    async def remove(self, guild_id: int, actor_id: int, tag: str) -> TaxonomyChange:
        name = rules.normalize(tag)
        names = (await self.get(guild_id)).names
        if name not in names:
            close = rules.suggest(name, names)
            hint = f" Did you mean {close}?" if close else ""
            raise NotFound(f"This server has no interest {quote(name)}.{hint}")
        canonical = names[name]
        now = self._clock.now()
        async with self._db.write() as session:
            interest = await self._find(session, guild_id, canonical)
            if interest is None:
                self._cache.invalidate(guild_id)
                raise NotFound(f"{quote(canonical)} was just removed by someone else.")
            holders = await session.scalar(
                select(func.count()).where(MemberInterest.interest_id == interest.id)
            )
            await session.delete(interest)
            summary = f"Removed the interest {quote(canonical)}"
            if holders:
                summary += f"; it was taken off {holders} member profile" + (
                    "s" if holders > 1 else ""
                )
            summary += "."
            await write_audit(
                session,
                guild_id=guild_id,
                actor_id=actor_id,
                action="config.interest-remove",
                summary=summary,
                now=now,
                details={"tag": canonical, "profiles": holders},
            )
        self._cache.invalidate(guild_id)
        return TaxonomyChange(summary)

    @staticmethod
    async def _find(session: AsyncSession, guild_id: int, tag: str) -> Interest | None:
        return await session.scalar(
            select(Interest).where(Interest.guild_id == guild_id, Interest.tag == tag)
        )

    @staticmethod
    async def tag_ids(session: AsyncSession, guild_id: int, tags: list[str]) -> dict[str, int]:
        rows = await session.execute(
            select(Interest.tag, Interest.id).where(
                Interest.guild_id == guild_id, Interest.tag.in_(tags)
            )
        )
        return {tag: id_ for tag, id_ in rows}
