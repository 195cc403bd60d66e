"""iCal feeds through Discord: follow a feed, review what it brings, hear when it breaks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import CohortBot
from tests.e2e.conftest import Server
from tests.e2e.test_events_support import (
    EventsWorld,
    events_cog,
    events_world,
    new_server,
    start_bot,
)
from tests.unit.test_events_feeds import FeedServer, calendar

# Upcoming for the e2e clock (2026-03-02 09:00 UTC); the third is last year's.
HACKATHON = ("hack@example.org", "Spring ML Hackathon", "20260320T090000Z")
MEETUP = ("meet@example.org", "Transformers reading group", "20260310T180000Z")
PAST = ("old@example.org", "Last year", "20250101T090000Z")


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EventsWorld]:
    async with events_world(tmp_path_factory.mktemp("feeds")) as built:
        yield built


@pytest.fixture(scope="module")
async def bot(world: EventsWorld) -> AsyncIterator[CohortBot]:
    async with start_bot(world) as running:
        yield running


@pytest.fixture
async def feed() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    server.body = calendar(HACKATHON, MEETUP, PAST)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def server(
    world: EventsWorld, bot: CohortBot, unexpected_errors: list[logging.LogRecord]
) -> AsyncIterator[Server]:
    srv = await new_server(world)
    yield srv
    world.emu.assert_no_unknown_routes()


async def test_feed_import_with_review_announces_what_a_moderator_approves(
    server: Server, feed: FeedServer
) -> None:
    added = await (
        await server.mod.run("/event feed-add", url=feed.url, kind="hackathon")
    ).wait_final()
    assert added.ephemeral
    assert "2 upcoming events wait for review" in added.text

    review = await server.mod.run("/event review")
    assert review.ephemeral
    assert "Transformers reading group" in review.text
    assert "1 more waiting" in review.text
    assert review.buttons == ["Approve", "Reject"]

    approved = await (await review.click("Approve")).wait_done()
    post = server.announcements.last_message
    assert "Hackathon: Transformers reading group" in post.text
    assert post.buttons == ["Going", "Interested", "Not going"]
    [scheduled] = server.guild.scheduled_events
    assert scheduled.name == "Transformers reading group"
    assert scheduled.location == "Online"
    # the review message moves on to the next item
    assert "Announced **Transformers reading group**" in approved.text
    assert "Spring ML Hackathon" in review.message.text

    await (await review.click("Reject")).wait_done()
    assert "Nothing waits for review" in review.message.text
    assert len(server.announcements.messages) == 1
    listed = await server.alice.run("/event list")
    assert "Transformers reading group" in listed.text
    assert "Spring ML Hackathon" not in listed.text


async def test_new_events_in_a_feed_are_announced_in_the_mod_log_for_review(
    world: EventsWorld, bot: CohortBot, server: Server, feed: FeedServer
) -> None:
    await (await server.mod.run("/event feed-add", url=feed.url, kind="meetup")).wait_final()
    feed.body = calendar(HACKATHON, MEETUP, ("new@example.org", "Kaggle night", "20260312T190000Z"))
    feed.etag = '"v2"'
    world.clock.advance(timedelta(minutes=31))
    report = await events_cog(bot).poll_feeds()
    assert report.queued[server.guild.id] == 1
    note = await server.mod_log.wait_for_message(lambda m: "wait for review" in m.text)
    assert "1 new event from iCal feeds" in note.text


async def test_a_feed_failing_three_times_is_reported_in_the_mod_log(
    world: EventsWorld, bot: CohortBot, server: Server, feed: FeedServer
) -> None:
    await (await server.mod.run("/event feed-add", url=feed.url, kind="meetup")).wait_final()
    feed.status = 503
    for _ in range(3):
        world.clock.advance(timedelta(minutes=31))
        await events_cog(bot).poll_feeds()
    warning = await server.mod_log.wait_for_message(lambda m: "failed 3 times" in m.text)
    assert "HTTP 503" in warning.text
    assert feed.url in warning.text


@pytest.mark.parametrize(
    ("url", "body", "message"),
    [
        ("ftp://example.org/events.ics", None, "must be a web address"),
        (None, b"<html><body>Our events page</body></html>", "it is a web page"),
    ],
)
async def test_a_bad_feed_is_refused_with_a_private_explanation(
    server: Server, feed: FeedServer, url: str | None, body: bytes | None, message: str
) -> None:
    if body is not None:
        feed.body = body
    reply = await (
        await server.mod.run("/event feed-add", url=url or feed.url, kind="meetup")
    ).wait_final()
    assert reply.ephemeral
    assert message in reply.text
    empty = await server.mod.run("/event review")
    assert "Nothing waits for review" in empty.text
    choices = await server.mod.autocomplete("/event feed-remove", "url", "")
    assert choices == []


async def test_removing_a_feed_drops_its_waiting_events(server: Server, feed: FeedServer) -> None:
    await (await server.mod.run("/event feed-add", url=feed.url, kind="meetup")).wait_final()
    choices = await server.mod.autocomplete("/event feed-remove", "url", "127.0.0.1")
    assert [c["value"] for c in choices] == [feed.url]
    removed = await server.mod.run("/event feed-remove", url=feed.url)
    assert "Stopped following" in removed.text
    assert "2 of its events waiting for review were dropped" in removed.text
    assert "Nothing waits for review" in (await server.mod.run("/event review")).text


async def test_members_cannot_add_feeds_or_review(server: Server, feed: FeedServer) -> None:
    refused = await server.alice.run("/event feed-add", url=feed.url, kind="meetup")
    assert "Only moderators can do this" in refused.text
    assert "Only moderators can do this" in (await server.alice.run("/event review")).text
    assert feed.seen == []
