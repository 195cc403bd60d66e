"""Per-server configuration: settings moderators change with /config, each change audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cache import TaskCache
from bot.clock import Clock
from bot.db import Database
from bot.domain.interests import DEFAULT_TAXONOMY
from bot.domain.reminders import describe_minutes, parse_offsets
from bot.domain.timezones import parse_timezone
from bot.errors import InvalidInput, ModuleDisabled
from bot.models import GuildSettings, Interest, InterestAlias, TrackedVoiceChannel
from bot.services._sql import insert_ignore
from bot.services.audit import AuditRecord, write_audit

ChannelPurpose = Literal["announcements", "milestones", "mod-log"]
CategoryPurpose = Literal["study-groups", "mentorship"]
RolePurpose = Literal["mentor", "event-ping", "moderator"]
Module = Literal["groups", "mentorship", "streaks", "events"]
GROUP_SCHEDULES: tuple[str, ...] = ("off", "weekly")

CHANNEL_COLUMNS: dict[str, str] = {
    "announcements": "announcements_channel_id",
    "milestones": "milestones_channel_id",
    "mod-log": "modlog_channel_id",
}
CATEGORY_COLUMNS: dict[str, str] = {
    "study-groups": "groups_category_id",
    "mentorship": "mentorship_category_id",
}
ROLE_COLUMNS: dict[str, str] = {
    "mentor": "mentor_role_id",
    "event-ping": "event_ping_role_id",
    "moderator": "moderator_role_id",
}
MODULE_COLUMNS: dict[str, str] = {
    "groups": "groups_enabled",
    "mentorship": "mentorship_enabled",
    "streaks": "streaks_enabled",
    "events": "events_enabled",
}
# What members call each module, as the subject of "... turned off in this server".
MODULE_SUBJECTS: dict[str, str] = {
    "groups": "Study groups are",
    "mentorship": "Mentorship is",
    "streaks": "Study streaks are",
    "events": "Events are",
}
LIMITS = {
    "streak_goal_minutes": (5, 600),
    "group_size": (2, 12),
    "mentorship_response_hours": (1, 336),
}


@dataclass(frozen=True, slots=True)
class GuildConfig:
    guild_id: int
    timezone: str
    streak_goal_minutes: int
    group_size: int
    mentorship_response_hours: int
    reminder_offsets: tuple[int, ...]
    channels: dict[str, int | None]
    categories: dict[str, int | None]
    roles: dict[str, int | None]
    modules: dict[str, bool]
    tracked_voice_channels: frozenset[int]
    group_form_schedule: str = "off"

    def module_enabled(self, module: str) -> bool:
        return self.modules.get(module, True)

    def require_module(self, module: str) -> GuildConfig:
        """This config, or a ModuleDisabled that tells the member how it is turned back on."""
        if not self.module_enabled(module):
            raise ModuleDisabled(
                f"{MODULE_SUBJECTS[module]} turned off in this server. A moderator can turn it "
                f"back on with `/config module module:{module} enabled:True`."
            )
        return self


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """The outcome of a /config command: what changed (for the reply and the mod-log)."""

    summary: str
    changed: bool
    config: GuildConfig
    audit: AuditRecord | None = None


async def ensure_guild(session: AsyncSession, guild_id: int, now: datetime) -> bool:
    """Create the settings row and the default taxonomy once; True when this call created them."""
    created = await insert_ignore(
        session,
        GuildSettings.__table__,  # type: ignore[arg-type]
        {"guild_id": guild_id, "created_at": now, "updated_at": now, **_defaults()},
        ["guild_id"],
    )
    if not created:
        return False
    for tag, aliases in DEFAULT_TAXONOMY.items():
        interest = Interest(guild_id=guild_id, tag=tag)
        interest.aliases = [InterestAlias(guild_id=guild_id, alias=a) for a in aliases]
        session.add(interest)
    await session.flush()
    return True


def _defaults() -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "streak_goal_minutes": 30,
        "group_size": 4,
        "mentorship_response_hours": 48,
        "reminder_offsets": "1440,60",
        "group_form_schedule": "off",
        "groups_enabled": True,
        "mentorship_enabled": True,
        "streaks_enabled": True,
        "events_enabled": True,
    }


def _to_config(row: GuildSettings, voice: list[int]) -> GuildConfig:
    return GuildConfig(
        guild_id=row.guild_id,
        timezone=row.timezone,
        streak_goal_minutes=row.streak_goal_minutes,
        group_size=row.group_size,
        mentorship_response_hours=row.mentorship_response_hours,
        reminder_offsets=tuple(int(x) for x in row.reminder_offsets.split(",") if x),
        channels={p: getattr(row, c) for p, c in CHANNEL_COLUMNS.items()},
        categories={p: getattr(row, c) for p, c in CATEGORY_COLUMNS.items()},
        roles={p: getattr(row, c) for p, c in ROLE_COLUMNS.items()},
        modules={p: getattr(row, c) for p, c in MODULE_COLUMNS.items()},
        tracked_voice_channels=frozenset(voice),
        group_form_schedule=row.group_form_schedule,
    )


class ConfigService:
    """Reads settings through a cache and changes them in audited transactions."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._cache: TaskCache[int, GuildConfig] = TaskCache()

    async def get(self, guild_id: int) -> GuildConfig:
        return await self._cache.get(guild_id, lambda: self._load(guild_id))

    async def ensure(self, guild_id: int) -> bool:
        """Make sure the server has settings and a taxonomy (called when the bot joins)."""
        async with self._db.write() as session:
            created = await ensure_guild(session, guild_id, self._clock.now())
        self._cache.invalidate(guild_id)
        return created

    async def _load(self, guild_id: int) -> GuildConfig:
        async with self._db.read() as session:
            row = await session.get(GuildSettings, guild_id)
            if row is not None:
                return _to_config(row, await self._voice_ids(session, guild_id))
        async with self._db.write() as session:
            await ensure_guild(session, guild_id, self._clock.now())
            row = await session.get(GuildSettings, guild_id)
            assert row is not None
            return _to_config(row, await self._voice_ids(session, guild_id))

    @staticmethod
    async def _voice_ids(session: AsyncSession, guild_id: int) -> list[int]:
        rows = await session.scalars(
            select(TrackedVoiceChannel.channel_id).where(TrackedVoiceChannel.guild_id == guild_id)
        )
        return list(rows)

    async def set_channel(
        self, guild_id: int, actor_id: int, purpose: str, channel_id: int
    ) -> ConfigChange:
        column = _lookup(CHANNEL_COLUMNS, purpose, "channel purpose")
        return await self._set(
            guild_id,
            actor_id,
            f"config.channel.{purpose}",
            {column: channel_id},
            f"The {purpose} channel is now <#{channel_id}>.",
        )

    async def set_category(
        self, guild_id: int, actor_id: int, purpose: str, category_id: int
    ) -> ConfigChange:
        column = _lookup(CATEGORY_COLUMNS, purpose, "category purpose")
        return await self._set(
            guild_id,
            actor_id,
            f"config.category.{purpose}",
            {column: category_id},
            f"New {purpose} channels will be created under <#{category_id}>.",
        )

    async def set_role(
        self, guild_id: int, actor_id: int, purpose: str, role_id: int
    ) -> ConfigChange:
        column = _lookup(ROLE_COLUMNS, purpose, "role purpose")
        return await self._set(
            guild_id,
            actor_id,
            f"config.role.{purpose}",
            {column: role_id},
            f"The {purpose} role is now <@&{role_id}>.",
        )

    async def set_streak_goal(self, guild_id: int, actor_id: int, minutes: int) -> ConfigChange:
        _check_range("streak_goal_minutes", minutes, "The daily goal", "minutes")
        return await self._set(
            guild_id,
            actor_id,
            "config.streak",
            {"streak_goal_minutes": minutes},
            f"A day now counts for the streak at {minutes} minutes of study.",
        )

    async def set_timezone(self, guild_id: int, actor_id: int, timezone: str) -> ConfigChange:
        name = parse_timezone(timezone)
        return await self._set(
            guild_id,
            actor_id,
            "config.timezone",
            {"timezone": name},
            f"The server's default timezone is now {name}.",
        )

    async def set_group_size(
        self, guild_id: int, actor_id: int, size: int, schedule: str | None = None
    ) -> ConfigChange:
        """The target size, and optionally whether groups are formed from the pool weekly."""
        _check_range("group_size", size, "The group size", "members")
        values: dict[str, Any] = {"group_size": size}
        summary = f"Auto-formed study groups now aim for {size} members."
        also: dict[str, Any] = {}
        if schedule is not None:
            if schedule not in GROUP_SCHEDULES:
                raise InvalidInput(
                    f'Unknown schedule "{schedule[:20]}". Choose one of: '
                    + ", ".join(GROUP_SCHEDULES)
                    + "."
                )
            values["group_form_schedule"] = schedule
            turning_on = (await self.get(guild_id)).group_form_schedule != "weekly"
            if schedule == "weekly" and turning_on:
                summary += " Groups are formed from the pool every week, the first in 7 days."
                # The first run is a week from now, not at the next sweep: no surprise groups.
                also["groups_formed_at"] = self._clock.now()
            elif schedule == "weekly":
                summary += " Groups are still formed from the pool every week."
            else:
                summary += " Groups are formed only when a moderator runs `/group form`."
        return await self._set(guild_id, actor_id, "config.groups", values, summary, also)

    async def set_response_hours(self, guild_id: int, actor_id: int, hours: int) -> ConfigChange:
        _check_range("mentorship_response_hours", hours, "The response time", "hours")
        return await self._set(
            guild_id,
            actor_id,
            "config.mentorship",
            {"mentorship_response_hours": hours},
            f"Mentors now have {hours} h to answer an offer before it moves on.",
        )

    async def set_reminder_offsets(self, guild_id: int, actor_id: int, text: str) -> ConfigChange:
        offsets = parse_offsets(text)
        described = ", ".join(describe_minutes(m) for m in offsets)
        return await self._set(
            guild_id,
            actor_id,
            "config.reminders",
            {"reminder_offsets": ",".join(str(m) for m in offsets)},
            f"Event reminders are now posted {described} before the start.",
        )

    async def set_module(
        self, guild_id: int, actor_id: int, module: str, enabled: bool
    ) -> ConfigChange:
        column = _lookup(MODULE_COLUMNS, module, "module")
        state = "on" if enabled else "off"
        return await self._set(
            guild_id,
            actor_id,
            f"config.module.{module}",
            {column: enabled},
            f"The {module} module is now {state}.",
        )

    async def set_voice_tracked(
        self, guild_id: int, actor_id: int, channel_id: int, tracked: bool
    ) -> ConfigChange:
        now = self._clock.now()
        async with self._db.write() as session:
            await ensure_guild(session, guild_id, now)
            key = {"guild_id": guild_id, "channel_id": channel_id}
            if tracked:
                changed = bool(
                    await insert_ignore(
                        session,
                        TrackedVoiceChannel.__table__,
                        key,
                        ["guild_id", "channel_id"],  # type: ignore[arg-type]
                    )
                )
                summary = f"Time in <#{channel_id}> now counts as study time."
                unchanged = f"Time in <#{channel_id}> already counts as study time."
            else:
                result = await session.execute(
                    delete(TrackedVoiceChannel).where(
                        TrackedVoiceChannel.guild_id == guild_id,
                        TrackedVoiceChannel.channel_id == channel_id,
                    )
                )
                changed = bool(result.rowcount)  # type: ignore[attr-defined]
                summary = f"Time in <#{channel_id}> no longer counts as study time."
                unchanged = f"<#{channel_id}> was not tracked; nothing changed."
            audit = None
            if changed:
                audit = await write_audit(
                    session,
                    guild_id=guild_id,
                    actor_id=actor_id,
                    action="config.voice",
                    summary=summary,
                    now=now,
                    details={"channel_id": channel_id, "tracked": tracked},
                )
        self._cache.invalidate(guild_id)
        return ConfigChange(
            summary if changed else unchanged, changed, await self.get(guild_id), audit
        )

    async def _set(
        self,
        guild_id: int,
        actor_id: int,
        action: str,
        values: dict[str, Any],
        summary: str,
        also: dict[str, Any] | None = None,
    ) -> ConfigChange:
        """Write ``values`` (audited when they differ) plus ``also`` (bookkeeping, not audited)."""
        now = self._clock.now()
        async with self._db.write() as session:
            await ensure_guild(session, guild_id, now)
            row = await session.get(GuildSettings, guild_id, with_for_update=True)
            assert row is not None
            before = {k: getattr(row, k) for k in values}
            audit = None
            if before != values:
                await session.execute(
                    update(GuildSettings)
                    .where(GuildSettings.guild_id == guild_id)
                    .values(**values, **(also or {}), updated_at=now)
                )
                audit = await write_audit(
                    session,
                    guild_id=guild_id,
                    actor_id=actor_id,
                    action=action,
                    summary=summary,
                    now=now,
                    details={"before": before, "after": values},
                )
        self._cache.invalidate(guild_id)
        config = await self.get(guild_id)
        if audit is None:
            return ConfigChange(f"That is already the setting. {summary}", False, config)
        return ConfigChange(summary, True, config, audit)


def _lookup(columns: dict[str, str], key: str, what: str) -> str:
    try:
        return columns[key]
    except KeyError:
        choices = ", ".join(columns)
        raise InvalidInput(f'Unknown {what} "{key[:30]}". Choose one of: {choices}.') from None


def _check_range(column: str, value: int, label: str, unit: str) -> None:
    low, high = LIMITS[column]
    if not low <= value <= high:
        raise InvalidInput(f"{label} must be between {low} and {high} {unit}; you gave {value}.")
