"""iCal feeds: moderators follow a calendar URL; new events from it wait in a review queue.

``poll_feeds`` is what the periodic job calls: it polls each feed that is due (every 30
minutes), with ETag/Last-Modified so an unchanged feed costs a 304, and imports upcoming
events it has not seen (keyed by server, feed URL and UID, so nothing is queued twice). A
feed is claimed by moving its next poll time before it is fetched, so two processes do not
poll it together. Failures are counted; the third in a row is reported once (the cog posts it
in the mod-log), and a later success says the feed works again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.domain.event_ical import FeedEntry, FeedError, parse_feed
from bot.domain.events import check_kind, clean_url
from bot.domain.text import quote
from bot.errors import Conflict, InvalidInput, NotFound
from bot.models import EventFeed, EventFeedItem, GuildSettings
from bot.services.audit import write_audit
from bot.services.config import ConfigService
from bot.services.events_fetch import FeedFetcher, FeedFetchError, FetchResult
from bot.services.events_store import require_enabled

log = logging.getLogger(__name__)

POLL_INTERVAL = timedelta(minutes=30)
FAILURES_TO_REPORT = 3
MAX_FEEDS_PER_GUILD = 20
POLL_BATCH = 50
PARALLEL_FETCHES = 5


@dataclass(frozen=True, slots=True)
class FeedInfo:
    id: int
    url: str
    kind: str
    failures: int
    last_error: str | None
    last_success_at: datetime | None


@dataclass(frozen=True, slots=True)
class FeedAdded:
    url: str
    kind: str
    queued: int
    """Upcoming events put in the review queue now."""


@dataclass(frozen=True, slots=True)
class FeedProblem:
    """A feed that failed three times in a row (or works again), for the mod-log."""

    guild_id: int
    url: str
    failures: int
    error: str | None
    recovered: bool = False


@dataclass(frozen=True, slots=True)
class PollReport:
    polled: int = 0
    queued: dict[int, int] = field(default_factory=dict)
    """Server -> how many new events reached its review queue."""
    problems: tuple[FeedProblem, ...] = ()


class EventFeedService:
    def __init__(
        self, db: Database, clock: Clock, config: ConfigService, fetcher: FeedFetcher | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._fetcher = fetcher or FeedFetcher()

    async def add(self, guild_id: int, actor_id: int, url: str, kind: str) -> FeedAdded:
        """``/event feed-add``: the URL must answer with a calendar now, or nothing is saved."""
        config = require_enabled(await self._config.get(guild_id))
        check_kind(kind)
        cleaned = clean_url(url)
        if cleaned is None:
            raise InvalidInput(
                "Give the feed's web address, e.g. `https://example.org/events.ics`."
            )
        async with self._db.read() as session:
            feeds = await self._feeds(session, guild_id)
        if any(f.url == cleaned for f in feeds):
            raise Conflict("That feed is already followed here.")
        if len(feeds) >= MAX_FEEDS_PER_GUILD:
            raise Conflict(
                f"This server already follows {MAX_FEEDS_PER_GUILD} feeds; remove one with "
                "`/event feed-remove` first."
            )
        try:
            result = await self._fetcher.fetch(cleaned)
            assert result.body is not None  # no validators were sent, so no 304
            entries = parse_feed(result.body, now=self._clock.now(), default_tz=config.timezone)
        except FeedFetchError as error:
            raise InvalidInput(
                f"I couldn't read that feed: {error}. Check that the address downloads an "
                ".ics file in a browser."
            ) from None
        except FeedError as error:
            raise InvalidInput(
                f"That address doesn't answer with an iCal calendar: {error}. Use the feed's "
                "iCal (.ics) link."
            ) from None
        now = self._clock.now()
        try:
            async with self._db.write() as session:
                feed = EventFeed(
                    guild_id=guild_id,
                    url=cleaned,
                    kind=kind,
                    etag=result.etag,
                    last_modified=result.last_modified,
                    next_poll_at=now + POLL_INTERVAL,
                    last_polled_at=now,
                    last_success_at=now,
                    failures=0,
                    added_by=actor_id,
                    created_at=now,
                )
                session.add(feed)
                await session.flush()
                queued = await _import(session, feed, entries, now)
                await write_audit(
                    session,
                    guild_id=guild_id,
                    actor_id=actor_id,
                    action="event.feed_add",
                    summary=f"Followed the iCal feed {cleaned[:300]} ({kind}).",
                    now=now,
                    details={"url": cleaned, "kind": kind},
                )
        except IntegrityError:
            raise Conflict("That feed is already followed here.") from None
        return FeedAdded(cleaned, kind, queued)

    async def remove(self, guild_id: int, actor_id: int, url: str) -> tuple[str, int]:
        """``/event feed-remove``: stop polling; its events still waiting for review go too.

        Returns the URL and how many queued events were dropped."""
        require_enabled(await self._config.get(guild_id))
        now = self._clock.now()
        async with self._db.write() as session:
            feed = (
                await session.scalars(
                    select(EventFeed).where(
                        EventFeed.guild_id == guild_id, EventFeed.url == url.strip()
                    )
                )
            ).first()
            if feed is None:
                raise NotFound(
                    f"This server doesn't follow {quote(url, 80)}. Pick a feed from the list as "
                    "you type."
                )
            dropped = await session.execute(
                delete(EventFeedItem).where(
                    EventFeedItem.guild_id == guild_id,
                    EventFeedItem.feed_id == feed.id,
                    EventFeedItem.status == "pending",
                )
            )
            await session.delete(feed)
            await write_audit(
                session,
                guild_id=guild_id,
                actor_id=actor_id,
                action="event.feed_remove",
                summary=f"Stopped following the iCal feed {feed.url[:300]}.",
                now=now,
                details={"url": feed.url},
            )
            return feed.url, int(dropped.rowcount or 0)  # type: ignore[attr-defined]

    async def feeds(self, guild_id: int) -> list[FeedInfo]:
        async with self._db.read() as session:
            return await self._feeds(session, guild_id)

    @staticmethod
    async def _feeds(session: AsyncSession, guild_id: int) -> list[FeedInfo]:
        rows = await session.scalars(
            select(EventFeed).where(EventFeed.guild_id == guild_id).order_by(EventFeed.url)
        )
        return [
            FeedInfo(r.id, r.url, r.kind, r.failures, r.last_error, r.last_success_at) for r in rows
        ]

    async def poll_feeds(self, now: datetime | None = None) -> PollReport:
        """Poll every feed that is due; see the module docstring."""
        now = now or self._clock.now()
        claimed = await self._claim(now)
        if not claimed:
            return PollReport()
        limit = asyncio.Semaphore(PARALLEL_FETCHES)

        async def fetch(feed: EventFeed) -> FetchResult | FeedFetchError:
            async with limit:
                try:
                    return await self._fetcher.fetch(
                        feed.url, etag=feed.etag, last_modified=feed.last_modified
                    )
                except FeedFetchError as error:
                    return error

        results = await asyncio.gather(*(fetch(f) for f in claimed))
        queued: dict[int, int] = {}
        problems: list[FeedProblem] = []
        for feed, result in zip(claimed, results, strict=True):
            problem, count = await self._record(feed, result, now)
            if problem is not None:
                problems.append(problem)
            if count:
                queued[feed.guild_id] = queued.get(feed.guild_id, 0) + count
        return PollReport(len(claimed), queued, tuple(problems))

    async def _claim(self, now: datetime) -> list[EventFeed]:
        async with self._db.write() as session:
            due = list(
                await session.scalars(
                    select(EventFeed)
                    .join(GuildSettings, GuildSettings.guild_id == EventFeed.guild_id)
                    .where(EventFeed.next_poll_at <= now, GuildSettings.events_enabled.is_(True))
                    .order_by(EventFeed.next_poll_at, EventFeed.id)
                    .limit(POLL_BATCH)
                )
            )
            claimed = []
            for feed in due:
                won = await session.execute(
                    update(EventFeed)
                    .where(EventFeed.id == feed.id, EventFeed.next_poll_at == feed.next_poll_at)
                    .values(next_poll_at=now + POLL_INTERVAL, last_polled_at=now)
                )
                if won.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(feed)
            return claimed

    async def _record(
        self, feed: EventFeed, result: FetchResult | FeedFetchError, now: datetime
    ) -> tuple[FeedProblem | None, int]:
        config = await self._config.get(feed.guild_id)
        entries: list[FeedEntry] = []
        error: str | None = None
        if isinstance(result, FeedFetchError):
            error = str(result)
        elif result.body is not None:
            try:
                entries = parse_feed(result.body, now=now, default_tz=config.timezone)
            except FeedError as parse_error:
                error = f"the answer is not an iCal calendar: {parse_error}"
        async with self._db.write() as session:
            row = await session.get(EventFeed, feed.id, with_for_update=True)
            if row is None:
                return None, 0  # removed while we were fetching
            if error is not None:
                row.failures += 1
                row.last_error = error[:300]
                log.warning("feed %s of guild %s failed: %s", row.url, row.guild_id, error)
                report = row.failures == FAILURES_TO_REPORT
                problem = (
                    FeedProblem(row.guild_id, row.url, row.failures, error) if report else None
                )
                return problem, 0
            recovered = row.failures >= FAILURES_TO_REPORT
            row.failures, row.last_error, row.last_success_at = 0, None, now
            if isinstance(result, FetchResult):
                row.etag = result.etag or row.etag
                row.last_modified = result.last_modified or row.last_modified
            count = await _import(session, row, entries, now)
            problem = (
                FeedProblem(row.guild_id, row.url, 0, None, recovered=True) if recovered else None
            )
            return problem, count


async def _import(
    session: AsyncSession, feed: EventFeed, entries: Sequence[FeedEntry], now: datetime
) -> int:
    """Queue entries not seen before; refresh ones still waiting for review. Returns new ones."""
    if not entries:
        return 0
    existing = {
        item.uid: item
        for item in await session.scalars(
            select(EventFeedItem).where(
                EventFeedItem.guild_id == feed.guild_id,
                EventFeedItem.source_url == feed.url,
                EventFeedItem.uid.in_([e.key for e in entries]),
            )
        )
    }
    added = 0
    for entry in entries:
        item = existing.get(entry.key)
        if item is None:
            item = EventFeedItem(
                guild_id=feed.guild_id,
                source_url=feed.url,
                uid=entry.key,
                status="pending",
                imported_at=now,
            )
            session.add(item)
            added += 1
        elif item.status != "pending":
            continue  # reviewed already: a moderator's decision stands
        item.feed_id = feed.id
        item.kind = feed.kind
        item.title = entry.title
        item.description = entry.description
        item.location = entry.location
        item.url = entry.url
        item.starts_at = entry.starts_at
        item.ends_at = entry.ends_at
        item.timezone = entry.timezone
    await session.flush()
    return added
