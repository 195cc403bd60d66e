"""iCal feeds and the review queue, against a feed served on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from bot.clock import FrozenClock
from bot.container import Services
from bot.errors import Conflict, InvalidInput
from bot.services.events_feeds import EventFeedService
from bot.services.events_fetch import FeedFetcher

MOD = 4242


def calendar(*events: tuple[str, str, str]) -> bytes:
    """A small iCal document: (uid, summary, UTC start as YYYYMMDDTHHMMSSZ) per event."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Feed//EN"]
    for uid, summary, start in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{start}",
            f"SUMMARY:{summary}",
            "LOCATION:Online",
            "URL:https://example.org/e",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


HACKATHON = ("hack-1@example.org", "Spring ML Hackathon", "20260120T090000Z")
MEETUP = ("meet-1@example.org", "Transformers reading group", "20260112T180000Z")
PAST = ("old@example.org", "Last year", "20250101T090000Z")


class FeedServer:
    """An iCal feed on 127.0.0.1 whose answer each test controls."""

    def __init__(self) -> None:
        self.body = calendar(HACKATHON, MEETUP, PAST)
        self.status = 200
        self.etag = '"v1"'
        self.content_type = "text/calendar"
        self.hang = asyncio.Event()
        self.hanging = False
        self.seen: list[dict[str, str]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(dict(request.headers))
        if self.hanging:
            await self.hang.wait()
        if self.status != 200:
            return web.Response(status=self.status, text="nope")
        if request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304)
        return web.Response(
            body=self.body,
            headers={
                "Content-Type": self.content_type,
                "ETag": self.etag,
                "Last-Modified": "Mon, 05 Jan 2026 12:00:00 GMT",
            },
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{name}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/events.ics"

    async def stop(self) -> None:
        self.hang.set()
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def feed() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def ready(services: Services, guild_id: int) -> Services:
    await services.config.set_channel(guild_id, MOD, "announcements", 9_000_001)
    return services


async def test_adding_a_feed_queues_its_upcoming_events_for_review(
    ready: Services, guild_id: int, feed: FeedServer
) -> None:
    added = await ready.event_feeds.add(guild_id, MOD, feed.url, "hackathon")
    assert added.queued == 2  # last year's event is not imported
    queue = await ready.event_review.next(guild_id)
    assert queue.waiting == 2
    assert queue.item is not None
    assert queue.item.title == "Transformers reading group"  # soonest first
    assert queue.item.starts_at == datetime(2026, 1, 12, 18, 0, tzinfo=UTC)
    assert queue.item.kind == "hackathon"
    assert [f.url for f in await ready.event_feeds.feeds(guild_id)] == [feed.url]


async def test_polling_again_imports_nothing_twice_and_uses_the_etag(
    ready: Services, guild_id: int, feed: FeedServer, clock: FrozenClock
) -> None:
    await ready.event_feeds.add(guild_id, MOD, feed.url, "meetup")
    clock.advance(timedelta(minutes=31))
    report = await ready.event_feeds.poll_feeds()
    assert report.queued.get(guild_id, 0) == 0
    assert feed.seen[-1].get("If-None-Match") == '"v1"'
    # the feed changes: only the new event joins the queue
    feed.body = calendar(HACKATHON, MEETUP, ("new@example.org", "Kaggle night", "20260115T190000Z"))
    feed.etag = '"v2"'
    clock.advance(timedelta(minutes=31))
    report = await ready.event_feeds.poll_feeds()
    assert report.queued[guild_id] == 1
    assert (await ready.event_review.next(guild_id)).waiting == 3


async def test_a_feed_is_not_polled_before_its_time(
    ready: Services, guild_id: int, feed: FeedServer, clock: FrozenClock
) -> None:
    await ready.event_feeds.add(guild_id, MOD, feed.url, "meetup")
    clock.advance(timedelta(minutes=10))
    await ready.event_feeds.poll_feeds()
    assert len(feed.seen) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/feed.ics", "https://"),
        ("webcal://example.org/feed.ics", "https://"),
        ("not a url", "https://"),
    ],
)
async def test_feed_addresses_that_are_not_http_are_refused(
    ready: Services, guild_id: int, url: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await ready.event_feeds.add(guild_id, MOD, url, "meetup")
    assert await ready.event_feeds.feeds(guild_id) == []


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"<!DOCTYPE html><html><body>Events!</body></html>", 200, "it is a web page"),
        (b'{"events": []}', 200, "it is JSON"),
        (b"BEGIN:VCALENDAR\r\nthis is not ical\r\n", 200, "not valid iCalendar"),
        (b"", 404, "HTTP 404"),
    ],
)
async def test_a_feed_that_answers_garbage_is_refused_and_nothing_is_saved(
    ready: Services,
    guild_id: int,
    feed: FeedServer,
    body: bytes,
    status: int,
    message: str,
) -> None:
    feed.body, feed.status = body, status
    with pytest.raises(InvalidInput, match=message):
        await ready.event_feeds.add(guild_id, MOD, feed.url, "meetup")
    assert await ready.event_feeds.feeds(guild_id) == []
    assert (await ready.event_review.next(guild_id)).waiting == 0


async def test_a_feed_that_hangs_times_out_with_an_explanation(
    ready: Services, guild_id: int, feed: FeedServer, clock: FrozenClock
) -> None:
    feeds = EventFeedService(ready.db, clock, ready.config, FeedFetcher(timeout=0.2))
    feed.hanging = True
    with pytest.raises(InvalidInput, match="no answer within"):
        await feeds.add(guild_id, MOD, feed.url, "meetup")


async def test_an_oversized_feed_is_refused(
    ready: Services, guild_id: int, feed: FeedServer, clock: FrozenClock
) -> None:
    feeds = EventFeedService(ready.db, clock, ready.config, FeedFetcher(max_bytes=100))
    with pytest.raises(InvalidInput, match="larger than"):
        await feeds.add(guild_id, MOD, feed.url, "meetup")


async def test_the_same_feed_twice_is_refused(
    ready: Services, guild_id: int, feed: FeedServer
) -> None:
    await ready.event_feeds.add(guild_id, MOD, feed.url, "meetup")
    with pytest.raises(Conflict, match="already followed"):
        await ready.event_feeds.add(guild_id, MOD, feed.url, "meetup")


async def test_a_feed_failing_three_times_in_a_row_is_reported_once_then_its_recovery(
    ready: Services, guild_id: int, feed: FeedServer, clock: FrozenClock
) -> None:
    await ready.event_feeds.add(guild_id, MOD, feed.url, "meetup")
    feed.status = 500
    reports = []
    for _ in range(4):
        clock.advance(timedelta(minutes=31))
        reports.append(await ready.event_feeds.poll_feeds())
    problems = [p for r in reports for p in r.problems if p.guild_id == guild_id]
    assert len(problems) == 1
    assert problems[0].failures == 3
    assert "HTTP 500" in (problems[0].error or "")
    [info] = await ready.event_feeds.feeds(guild_id)
    assert info.failures == 4
    feed.status = 200
    clock.advance(timedelta(minutes=31))
    report = await ready.event_feeds.poll_feeds()
    [recovered] = [p for p in report.problems if p.guild_id == guild_id]
    assert recovered.recovered


async def test_approving_announces_the_item_as_an_event_with_reminders(
    ready: Services, guild_id: int, feed: FeedServer
) -> None:
    await ready.event_feeds.add(guild_id, MOD, feed.url, "hackathon")
    item = (await ready.event_review.next(guild_id)).item
    assert item is not None
    approved, event = await ready.event_review.approve(guild_id, MOD, item.id)
    assert approved.status == "approved"
    assert (event.title, event.kind, event.starts_at) == (item.title, "hackathon", item.starts_at)
    assert (event.location, event.url) == ("Online", "https://example.org/e")
    assert len(await ready.event_reminders.schedule(guild_id, event.id)) == 2
    assert (await ready.event_review.next(guild_id)).waiting == 1
    with pytest.raises(Conflict, match="already approved"):
        await ready.event_review.reject(guild_id, MOD, item.id)


async def test_two_moderators_approving_at_once_announce_it_once(
    ready: Services, guild_id: int, feed: FeedServer
) -> None:
    await ready.event_feeds.add(guild_id, MOD, feed.url, "meetup")
    item = (await ready.event_review.next(guild_id)).item
    assert item is not None
    results = await asyncio.gather(
        ready.event_review.approve(guild_id, MOD, item.id),
        ready.event_review.approve(guild_id, MOD + 1, item.id),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert len(await ready.events.upcoming(guild_id)) == 1


async def test_rejected_and_approved_items_do_not_come_back_when_the_feed_is_re_added(
    ready: Services, guild_id: int, feed: FeedServer
) -> None:
    await ready.event_feeds.add(guild_id, MOD, feed.url, "meetup")
    first = (await ready.event_review.next(guild_id)).item
    assert first is not None
    await ready.event_review.reject(guild_id, MOD, first.id)
    url, dropped = await ready.event_feeds.remove(guild_id, MOD, feed.url)
    assert (url, dropped) == (feed.url, 1)
    assert (await ready.event_review.next(guild_id)).waiting == 0
    again = await ready.event_feeds.add(guild_id, MOD, feed.url, "meetup")
    assert again.queued == 1  # the pending one that was dropped, not the rejected one


async def test_approving_without_an_announcements_channel_changes_nothing(
    services: Services, guild_id: int, feed: FeedServer
) -> None:
    await services.event_feeds.add(guild_id, MOD, feed.url, "meetup")
    item = (await services.event_review.next(guild_id)).item
    assert item is not None
    with pytest.raises(InvalidInput, match="announcements channel"):
        await services.event_review.approve(guild_id, MOD, item.id)
    assert (await services.event_review.next(guild_id)).waiting == 2
