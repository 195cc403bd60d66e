"""RSVPs: seats, the waitlist in order, moving up, and honest counts under simultaneous clicks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.container import Services
from bot.errors import Conflict
from bot.services.events_store import EventRecord, RsvpCounts

MOD = 4242


async def _event(services: Services, guild_id: int, capacity: int | None = None) -> EventRecord:
    await services.config.set_channel(guild_id, MOD, "announcements", 9_000_001)
    return await services.events.create(
        guild_id,
        MOD,
        kind="meetup",
        title="Paper club",
        start="2026-01-10 18:00",
        capacity=capacity,
    )


async def test_clicks_are_counted_per_answer(services: Services, guild_id: int) -> None:
    event = await _event(services, guild_id)
    await services.rsvps.respond(guild_id, event.id, 1, "going")
    await services.rsvps.respond(guild_id, event.id, 2, "interested")
    last = await services.rsvps.respond(guild_id, event.id, 3, "not_going")
    assert last.event.counts == RsvpCounts(going=1, interested=1, not_going=1, waitlist=0)


async def test_changing_your_answer_moves_you_and_repeating_it_changes_nothing(
    services: Services, guild_id: int
) -> None:
    event = await _event(services, guild_id)
    first = await services.rsvps.respond(guild_id, event.id, 1, "going")
    again = await services.rsvps.respond(guild_id, event.id, 1, "going")
    moved = await services.rsvps.respond(guild_id, event.id, 1, "interested")
    assert (first.changed, again.changed, moved.changed) == (True, False, True)
    assert moved.event.counts == RsvpCounts(going=0, interested=1)


async def test_a_full_event_puts_further_going_clicks_on_a_waitlist_in_order(
    services: Services, guild_id: int
) -> None:
    event = await _event(services, guild_id, capacity=2)
    outcomes = [await services.rsvps.respond(guild_id, event.id, m, "going") for m in (1, 2, 3, 4)]
    assert [o.status for o in outcomes] == ["going", "going", "waitlist", "waitlist"]
    assert [o.position for o in outcomes[2:]] == [1, 2]
    assert outcomes[-1].event.counts == RsvpCounts(going=2, waitlist=2)
    again = await services.rsvps.respond(guild_id, event.id, 4, "going")
    assert (again.status, again.position, again.changed) == ("waitlist", 2, False)


async def test_when_someone_leaves_the_first_on_the_waitlist_moves_up(
    services: Services, guild_id: int
) -> None:
    event = await _event(services, guild_id, capacity=2)
    for member in (1, 2, 3, 4):
        await services.rsvps.respond(guild_id, event.id, member, "going")
    left = await services.rsvps.respond(guild_id, event.id, 1, "not_going")
    assert left.promoted == (3,)
    assert left.event.counts == RsvpCounts(going=2, not_going=1, waitlist=1)
    details = await services.rsvps.details(guild_id, str(event.id), 4)
    assert details.going_ids == (2, 3)
    assert (details.my_status, details.my_position) == ("waitlist", 1)


async def test_leaving_the_waitlist_keeps_the_order_of_the_others(
    services: Services, guild_id: int
) -> None:
    event = await _event(services, guild_id, capacity=1)
    for member in (1, 2, 3, 4):
        await services.rsvps.respond(guild_id, event.id, member, "going")
    await services.rsvps.respond(guild_id, event.id, 2, "interested")
    left = await services.rsvps.respond(guild_id, event.id, 1, "not_going")
    assert left.promoted == (3,)
    assert (await services.rsvps.details(guild_id, str(event.id), 4)).my_position == 1


async def test_more_seats_move_the_waitlist_up(services: Services, guild_id: int) -> None:
    event = await _event(services, guild_id, capacity=1)
    for member in (1, 2, 3):
        await services.rsvps.respond(guild_id, event.id, member, "going")
    change = await services.events.edit(guild_id, MOD, str(event.id), capacity=3)
    assert change.promoted == (2, 3)
    assert change.event.counts == RsvpCounts(going=3)


async def test_twenty_simultaneous_going_clicks_fill_five_seats_exactly(
    services: Services, guild_id: int
) -> None:
    event = await _event(services, guild_id, capacity=5)
    members = list(range(100, 120))
    outcomes = await asyncio.gather(
        *(services.rsvps.respond(guild_id, event.id, m, "going") for m in members)
    )
    assert sum(o.status == "going" for o in outcomes) == 5
    details = await services.rsvps.details(guild_id, str(event.id), 0)
    assert len(details.going_ids) == 5
    assert len(details.waitlist_ids) == 15
    # each waiting member was told a distinct place, in the order the clicks were handled
    assert sorted(o.position for o in outcomes if o.position) == list(range(1, 16))


async def test_simultaneous_leaves_and_joins_never_oversubscribe(
    services: Services, guild_id: int
) -> None:
    event = await _event(services, guild_id, capacity=3)
    for member in range(1, 9):
        await services.rsvps.respond(guild_id, event.id, member, "going")
    moves = [services.rsvps.respond(guild_id, event.id, m, "not_going") for m in (1, 2)]
    moves += [services.rsvps.respond(guild_id, event.id, m, "going") for m in range(20, 26)]
    await asyncio.gather(*moves)
    details = await services.rsvps.details(guild_id, str(event.id), 0)
    assert len(details.going_ids) == 3
    assert details.going_ids[0] == 3
    assert set(details.going_ids[1:]) == {4, 5}  # the first two who waited moved up
    assert len(details.waitlist_ids) == 3 + 6


async def test_no_rsvp_on_a_cancelled_or_finished_event(
    services: Services, guild_id: int, clock: FrozenClock
) -> None:
    cancelled = await _event(services, guild_id)
    await services.events.cancel(guild_id, MOD, str(cancelled.id))
    with pytest.raises(Conflict, match="cancelled"):
        await services.rsvps.respond(guild_id, cancelled.id, 1, "going")
    finished = await services.events.create(
        guild_id, MOD, kind="meetup", title="Soon", start="2026-01-05 13:00"
    )
    clock.advance(timedelta(hours=4))
    with pytest.raises(Conflict, match="is over"):
        await services.rsvps.respond(guild_id, finished.id, 1, "going")


async def test_privacy_export_and_erase_cover_rsvps(services: Services, guild_id: int) -> None:
    event = await _event(services, guild_id, capacity=1)
    await services.rsvps.respond(guild_id, event.id, 1, "going")
    await services.rsvps.respond(guild_id, event.id, 2, "going")
    exported = await services.privacy.export(guild_id, 1)
    assert [r["status"] for r in exported["event_rsvps"]] == ["going"]
    report = await services.privacy.erase(guild_id, 1)
    assert report.deleted == {"event_rsvps": 1}
    assert await services.privacy.export(guild_id, 1) == {}
    # the seat the erased member held goes to the waitlist on the next answer
    await services.rsvps.respond(guild_id, event.id, 3, "interested")
    assert (await services.rsvps.details(guild_id, str(event.id), 2)).my_status == "going"


async def test_the_moderator_who_announced_stays_anonymous_after_erasing(
    services: Services, guild_id: int
) -> None:
    event = await _event(services, guild_id)
    report = await services.privacy.erase(guild_id, MOD)
    assert report.anonymized["events.creator_id"] == 1
    assert (await services.events.get(guild_id, str(event.id))).creator_id is None
