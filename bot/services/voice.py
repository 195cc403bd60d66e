"""Voice tracking: time in tracked voice channels counts as study time.

Which time counts is decided by ``bot.domain.streak_voice`` (tracked channel, not a bot, not
alone while deafened). An open session is a ``voice_sessions`` row; ``checkpoint_all`` (run
at least every 5 minutes) credits the whole minutes since the last checkpoint to the day
totals, so ``/study status``, reminders and milestones see voice time while it happens, and
a crash loses at most one checkpoint interval.

After a restart the Discord adapter calls ``reconcile`` with who is in voice now:

- a member still present keeps their session; if the bot was away for at most
  ``RECONCILE_BRIDGE`` the time in between counts (they were there before and after);
  after a longer outage their session is closed at the last checkpoint and a new one starts
  now, because the bot cannot vouch for hours it did not watch;
- a member no longer present has the session closed at their last checkpoint;
- a member present without a session gets one from now.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain.streak_days import session_minutes, split_by_local_day
from bot.domain.streak_voice import VoiceMember, counting_members, counts_in_voice
from bot.models import StudySession, VoiceSession
from bot.services._sql import insert_ignore
from bot.services.config import ConfigService, GuildConfig
from bot.services.profiles import ProfileService
from bot.services.streak_store import (
    CreditOutcome,
    MemberContext,
    apply_minutes,
    member_zones,
)

CHECKPOINT_EVERY = timedelta(minutes=5)
RECONCILE_BRIDGE = timedelta(minutes=30)

Action = Literal["started", "moved", "stopped", "unchanged", "ignored"]


@dataclass(frozen=True, slots=True)
class VoiceSessionInfo:
    channel_id: int
    started_at: datetime
    minutes: int
    last_checkpoint: datetime


@dataclass(frozen=True, slots=True)
class MilestoneReached:
    guild_id: int
    user_id: int
    milestone: int


@dataclass(frozen=True, slots=True)
class VoiceChange:
    guild_id: int
    user_id: int
    action: Action
    counting: bool
    minutes: int
    """Minutes credited by this change (when a session stopped)."""
    milestone: int | None


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    sessions: int
    minutes: int
    closed: tuple[tuple[int, int], ...]
    """(guild, member) sessions closed because the channel stopped counting."""
    milestones: tuple[MilestoneReached, ...]


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    kept: tuple[int, ...]
    closed: tuple[int, ...]
    started: tuple[int, ...]
    minutes: int
    milestones: tuple[MilestoneReached, ...]


async def read_voice_session(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime
) -> VoiceSessionInfo | None:
    row = await session.get(VoiceSession, (guild_id, user_id), populate_existing=True)
    if row is None:
        return None
    return VoiceSessionInfo(
        row.channel_id, row.started_at, session_minutes(row.started_at, now), row.checkpoint_at
    )


async def _credit(
    session: AsyncSession, ctx: MemberContext, row: VoiceSession, until: datetime, *, final: bool
) -> CreditOutcome | None:
    """Credit ``[credited_until, until)`` in whole minutes (rounded when the session ends)."""
    if until <= row.credited_until:
        return None
    span = until - row.credited_until
    whole = session_minutes(row.credited_until, until) if final else span // timedelta(minutes=1)
    if whole <= 0:
        return None
    end = row.credited_until + timedelta(minutes=whole)
    pieces = split_by_local_day(row.credited_until, end, ctx.timezone)
    outcome = await apply_minutes(session, ctx, [(p.day, p.minutes) for p in pieces])
    piece = await session.get(StudySession, row.piece_id) if row.piece_id is not None else None
    for part, credit in zip(pieces, outcome.credits, strict=True):
        if piece is not None and piece.day == part.day:
            # Extend this local day's ledger row rather than add one per checkpoint.
            piece.minutes += credit.credited
            piece.ended_at = part.end
        elif credit.credited > 0:
            piece = StudySession(
                guild_id=ctx.guild_id,
                user_id=ctx.user_id,
                day=part.day,
                source="voice",
                minutes=credit.credited,
                started_at=part.start,
                ended_at=part.end,
                timezone=ctx.timezone,
                created_at=ctx.now,
            )
            session.add(piece)
            await session.flush()
    row.piece_id = piece.id if piece is not None else None
    row.credited_until = end
    return outcome


def _milestone(ctx: MemberContext, outcome: CreditOutcome | None) -> list[MilestoneReached]:
    if outcome is None or outcome.milestone is None:
        return []
    return [MilestoneReached(ctx.guild_id, ctx.user_id, outcome.milestone)]


class VoiceTrackingService:
    def __init__(
        self, db: Database, clock: Clock, config: ConfigService, profiles: ProfileService
    ) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._profiles = profiles

    async def _ctx(self, cfg: GuildConfig, user_id: int, now: datetime) -> MemberContext:
        tz = await self._profiles.effective_timezone(cfg.guild_id, user_id)
        return MemberContext(cfg.guild_id, user_id, tz, cfg.streak_goal_minutes, now)

    async def voice_joined(
        self,
        guild_id: int,
        user_id: int,
        channel_id: int,
        *,
        is_bot: bool = False,
        deafened: bool = False,
        alone: bool = False,
    ) -> VoiceChange:
        """The member is now in ``channel_id`` (joined, moved, or (un)deafened there).

        ``alone`` means no other person (bots aside) is in the channel. When someone else's
        join or leave changes that, call :meth:`sync_channel` with the channel's members.
        """
        if is_bot:
            return VoiceChange(guild_id, user_id, "ignored", False, 0, None)
        cfg = await self._config.get(guild_id)
        counting = cfg.module_enabled("streaks") and counts_in_voice(
            tracked=channel_id in cfg.tracked_voice_channels,
            is_bot=is_bot,
            deafened=deafened,
            others=0 if alone else 1,
        )
        return await self._set(cfg, user_id, channel_id if counting else None)

    async def voice_left(self, guild_id: int, user_id: int) -> VoiceChange:
        """The member left voice: their session ends and its minutes are logged."""
        return await self._set(await self._config.get(guild_id), user_id, None)

    async def sync_channel(
        self, guild_id: int, channel_id: int, members: Collection[VoiceMember | int]
    ) -> list[VoiceChange]:
        """Everyone now in one channel; use when a join or leave changes who is alone."""
        cfg = await self._config.get(guild_id)
        tracked = cfg.module_enabled("streaks") and channel_id in cfg.tracked_voice_channels
        counting = counting_members(members, tracked=tracked)
        people = {m.user_id if isinstance(m, VoiceMember) else m for m in members}
        bots = {m.user_id for m in members if isinstance(m, VoiceMember) and m.is_bot}
        changes = [
            await self._set(cfg, uid, channel_id if uid in counting else None)
            for uid in sorted(people - bots)
        ]
        stmt = select(VoiceSession.user_id).where(
            VoiceSession.guild_id == guild_id, VoiceSession.channel_id == channel_id
        )
        if people:
            stmt = stmt.where(VoiceSession.user_id.not_in(people))
        async with self._db.read() as session:
            gone_ids = list(await session.scalars(stmt))
        changes += [await self._set(cfg, uid, None) for uid in gone_ids]
        return changes

    async def _set(self, cfg: GuildConfig, user_id: int, channel_id: int | None) -> VoiceChange:
        """Make the member's session match: open in ``channel_id``, or closed when None."""
        now = self._clock.now()
        ctx = await self._ctx(cfg, user_id, now)
        guild_id = cfg.guild_id
        async with self._db.write() as session:
            row = await session.get(
                VoiceSession, (guild_id, user_id), with_for_update=True, populate_existing=True
            )
            if channel_id is not None:
                if row is None:
                    await self._open(session, guild_id, user_id, channel_id, now)
                    return VoiceChange(guild_id, user_id, "started", True, 0, None)
                if row.channel_id != channel_id:
                    row.channel_id = channel_id
                    return VoiceChange(guild_id, user_id, "moved", True, 0, None)
                return VoiceChange(guild_id, user_id, "unchanged", True, 0, None)
            if row is None:
                return VoiceChange(guild_id, user_id, "ignored", False, 0, None)
            outcome = await _credit(session, ctx, row, now, final=True)
            await session.delete(row)
        minutes = outcome.credited if outcome else 0
        milestone = outcome.milestone if outcome else None
        return VoiceChange(guild_id, user_id, "stopped", False, minutes, milestone)

    @staticmethod
    async def _open(
        session: AsyncSession, guild_id: int, user_id: int, channel_id: int, now: datetime
    ) -> None:
        await insert_ignore(
            session,
            VoiceSession.__table__,  # type: ignore[arg-type]
            {
                "guild_id": guild_id,
                "user_id": user_id,
                "channel_id": channel_id,
                "started_at": now,
                "credited_until": now,
                "checkpoint_at": now,
            },
            ["guild_id", "user_id"],
        )

    async def open_session(self, guild_id: int, user_id: int) -> VoiceSessionInfo | None:
        async with self._db.read() as session:
            return await read_voice_session(session, guild_id, user_id, self._clock.now())

    async def _open_rows(self, guild_ids: Iterable[int] | None) -> dict[int, list[tuple[int, int]]]:
        stmt = select(VoiceSession.guild_id, VoiceSession.user_id, VoiceSession.channel_id)
        if guild_ids is not None:
            stmt = stmt.where(VoiceSession.guild_id.in_(list(guild_ids)))
        out: dict[int, list[tuple[int, int]]] = {}
        async with self._db.read() as session:
            for guild_id, user_id, channel_id in await session.execute(stmt):
                out.setdefault(guild_id, []).append((user_id, channel_id))
        return out

    async def _zones(self, cfg: GuildConfig, user_ids: Iterable[int]) -> dict[int, str]:
        async with self._db.read() as session:
            return await member_zones(session, cfg.guild_id, user_ids, cfg.timezone)

    async def checkpoint_all(
        self, now: datetime | None = None, *, guild_ids: Iterable[int] | None = None
    ) -> CheckpointReport:
        """Credit every open session up to now; close those whose channel stopped counting.

        One short transaction per member, so a sweep never holds the database for long.
        """
        now = now or self._clock.now()
        sessions = minutes = 0
        closed: list[tuple[int, int]] = []
        milestones: list[MilestoneReached] = []
        for guild_id, rows in (await self._open_rows(guild_ids)).items():
            cfg = await self._config.get(guild_id)
            zones = await self._zones(cfg, (uid for uid, _ in rows))
            for user_id, channel_id in rows:
                ctx = MemberContext(guild_id, user_id, zones[user_id], cfg.streak_goal_minutes, now)
                counts = cfg.module_enabled("streaks") and channel_id in cfg.tracked_voice_channels
                async with self._db.write() as session:
                    row = await session.get(
                        VoiceSession,
                        (guild_id, user_id),
                        with_for_update=True,
                        populate_existing=True,
                    )
                    if row is None:
                        continue
                    outcome = await _credit(session, ctx, row, now, final=not counts)
                    if counts:
                        row.checkpoint_at = max(row.checkpoint_at, now)
                    else:
                        await session.delete(row)
                        closed.append((guild_id, user_id))
                sessions += 1
                minutes += outcome.credited if outcome else 0
                milestones += _milestone(ctx, outcome)
        return CheckpointReport(sessions, minutes, tuple(closed), tuple(milestones))

    async def reconcile(
        self,
        guild_id: int,
        present_by_channel: Mapping[int, Collection[VoiceMember | int]],
        now: datetime | None = None,
    ) -> ReconcileReport:
        """Match open sessions to who is in voice now (after a restart or reconnect)."""
        now = now or self._clock.now()
        cfg = await self._config.get(guild_id)
        enabled = cfg.module_enabled("streaks")
        present: dict[int, int] = {}
        for channel_id, members in present_by_channel.items():
            tracked = enabled and channel_id in cfg.tracked_voice_channels
            for uid in counting_members(members, tracked=tracked):
                present[uid] = channel_id
        open_rows = (await self._open_rows([guild_id])).get(guild_id, [])
        zones = await self._zones(cfg, [uid for uid, _ in open_rows] + list(present))
        kept: list[int] = []
        closed: list[int] = []
        started: list[int] = []
        minutes = 0
        milestones: list[MilestoneReached] = []
        for user_id, _ in open_rows:
            ctx = MemberContext(guild_id, user_id, zones[user_id], cfg.streak_goal_minutes, now)
            async with self._db.write() as session:
                row = await session.get(
                    VoiceSession, (guild_id, user_id), with_for_update=True, populate_existing=True
                )
                if row is None:
                    continue
                bridged = now - row.checkpoint_at <= RECONCILE_BRIDGE
                if user_id in present and bridged:
                    outcome = await _credit(session, ctx, row, now, final=False)
                    row.checkpoint_at = now
                    row.channel_id = present[user_id]
                    kept.append(user_id)
                else:
                    outcome = await _credit(session, ctx, row, row.checkpoint_at, final=True)
                    await session.delete(row)
                    closed.append(user_id)
            minutes += outcome.credited if outcome else 0
            milestones += _milestone(ctx, outcome)
        for user_id, channel_id in present.items():
            if user_id in kept:
                continue
            async with self._db.write() as session:
                await self._open(session, guild_id, user_id, channel_id, now)
            started.append(user_id)
        return ReconcileReport(
            tuple(kept), tuple(closed), tuple(started), minutes, tuple(milestones)
        )
