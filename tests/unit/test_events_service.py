"""Announcing, editing and cancelling events: the rules a moderator meets, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.container import Services
from bot.errors import Conflict, InvalidInput, ModuleDisabled, NotFound
from bot.models import Event, EventReminder

MOD = 4242
CHANNEL = 9_000_001


@pytest.fixture
async def ready(services: Services, guild_id: int) -> Services:
    """A server with an announcements channel, as /event create needs."""
    await services.config.set_channel(guild_id, MOD, "announcements", CHANNEL)
    return services


async def _event_rows(services: Services, guild_id: int) -> int:
    async with services.db.read() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Event).where(Event.guild_id == guild_id)
            )
            or 0
        )


async def test_create_reads_the_start_in_the_moderators_timezone(
    ready: Services, guild_id: int
) -> None:
    await ready.profiles.set(guild_id, MOD, timezone="Europe/Berlin")
    event = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:30"
    )
    assert event.starts_at == datetime(2026, 1, 10, 17, 30, tzinfo=UTC)
    assert event.timezone == "Europe/Berlin"
    assert event.channel_id == CHANNEL
    assert event.ends_at is None
    assert event.end == event.starts_at + timedelta(hours=2)


async def test_the_timezone_option_wins_over_the_profile(ready: Services, guild_id: int) -> None:
    await ready.profiles.set(guild_id, MOD, timezone="Europe/Berlin")
    event = await ready.events.create(
        guild_id,
        MOD,
        kind="hackathon",
        title="Kaggle weekend",
        start="2026-01-10 09:00",
        end="2026-01-11 17:00",
        timezone="America/New_York",
    )
    assert event.starts_at == datetime(2026, 1, 10, 14, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 1, 11, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"start": "2026-01-05 11:00"}, "is in the past"),
        ({"start": "2026-01-10 18:00", "end": "2026-01-10 17:00"}, "not after the start"),
        ({"start": "next friday"}, "must look like `YYYY-MM-DD HH:MM`"),
        ({"start": "2026-02-30 18:00"}, "is not a real date"),
        ({"start": "2026-01-10 18:00", "timezone": "Europe/Berlln"}, "Did you mean Europe/Berlin"),
        ({"start": "2026-03-29 02:30", "timezone": "Europe/Berlin"}, "does not exist"),
        ({"start": "2026-01-10 18:00", "title": "x" * 101}, "the limit is 100"),
        ({"start": "2026-01-10 18:00", "description": "y" * 1001}, "the limit is 1000"),
        ({"start": "2026-01-10 18:00", "capacity": 0}, "at least 1"),
        ({"start": "2026-01-10 18:00", "url": "ftp://example.org"}, "https://"),
    ],
)
async def test_bad_input_is_explained_and_nothing_is_written(
    ready: Services, guild_id: int, options: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {"kind": "meetup", "title": "Paper club", **options}
    with pytest.raises(InvalidInput) as raised:
        await ready.events.create(guild_id, MOD, **fields)  # type: ignore[arg-type]
    assert message in raised.value.message
    assert await _event_rows(ready, guild_id) == 0


async def test_create_without_an_announcements_channel_says_how_to_set_one(
    services: Services, guild_id: int
) -> None:
    with pytest.raises(InvalidInput, match="/config channel purpose:announcements"):
        await services.events.create(
            guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:30"
        )
    assert await _event_rows(services, guild_id) == 0


async def test_events_switched_off_are_refused(ready: Services, guild_id: int) -> None:
    await ready.config.set_module(guild_id, MOD, "events", False)
    with pytest.raises(ModuleDisabled, match="turned off"):
        await ready.events.create(
            guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:30"
        )


async def test_create_plans_reminders_at_the_configured_offsets_still_ahead(
    ready: Services, guild_id: int, clock: FrozenClock
) -> None:
    # Starts in 10 hours: the day-before reminder is already past and is not planned.
    event = await ready.events.create(
        guild_id, MOD, kind="workshop", title="Intro to JAX", start="2026-01-05 22:00"
    )
    schedule = await ready.event_reminders.schedule(guild_id, event.id)
    assert [(m, d) for m, d, _ in schedule] == [(60, event.starts_at - timedelta(hours=1))]


async def test_edit_moves_the_start_and_the_pending_reminders(
    ready: Services, guild_id: int
) -> None:
    event = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:00"
    )
    change = await ready.events.edit(guild_id, MOD, str(event.id), start="2026-01-12 18:00")
    assert change.changed == ("start",)
    assert change.moved
    new_start = datetime(2026, 1, 12, 18, 0, tzinfo=UTC)
    assert change.event.starts_at == new_start
    schedule = await ready.event_reminders.schedule(guild_id, event.id)
    assert [d for _, d, s in schedule if s == "pending"] == [
        new_start - timedelta(days=1),
        new_start - timedelta(hours=1),
    ]
    assert change.event.sequence == 1


async def test_edit_finds_the_event_by_title_and_clears_fields_with_none(
    ready: Services, guild_id: int
) -> None:
    await ready.events.create(
        guild_id,
        MOD,
        kind="meetup",
        title="Paper club",
        start="2026-01-10 18:00",
        location="Room 4",
    )
    change = await ready.events.edit(guild_id, MOD, "paper CLUB", location="none", title="Papers")
    assert set(change.changed) == {"title", "location"}
    assert change.event.location is None
    assert change.event.title == "Papers"


async def test_editing_a_cancelled_event_is_refused_and_changes_nothing(
    ready: Services, guild_id: int
) -> None:
    event = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:00"
    )
    await ready.events.cancel(guild_id, MOD, str(event.id))
    with pytest.raises(Conflict, match="was cancelled"):
        await ready.events.edit(guild_id, MOD, str(event.id), title="Something else")
    assert (await ready.events.get(guild_id, str(event.id))).title == "Paper club"


async def test_edit_bad_input_writes_nothing(ready: Services, guild_id: int) -> None:
    event = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:00"
    )
    with pytest.raises(InvalidInput, match="not after the start"):
        await ready.events.edit(guild_id, MOD, str(event.id), end="2026-01-10 17:00")
    with pytest.raises(InvalidInput, match="give `start` or `end` too"):
        await ready.events.edit(guild_id, MOD, str(event.id), timezone="Asia/Tokyo")
    with pytest.raises(InvalidInput, match="Tell me what to change"):
        await ready.events.edit(guild_id, MOD, str(event.id))
    after = await ready.events.get(guild_id, str(event.id))
    assert (after.ends_at, after.sequence) == (None, 0)


async def test_capacity_cannot_drop_below_those_already_going(
    ready: Services, guild_id: int
) -> None:
    event = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:00", capacity=5
    )
    for member in (1, 2, 3):
        await ready.rsvps.respond(guild_id, event.id, member, "going")
    with pytest.raises(InvalidInput, match="3 members are already going"):
        await ready.events.edit(guild_id, MOD, str(event.id), capacity=2)


async def test_cancel_stops_reminders_and_is_audited(ready: Services, guild_id: int) -> None:
    event = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:00"
    )
    cancelled = await ready.events.cancel(guild_id, MOD, "Paper club")
    assert cancelled.cancelled
    schedule = await ready.event_reminders.schedule(guild_id, event.id)
    assert {s for _, _, s in schedule} == {"cancelled"}
    with pytest.raises(Conflict, match="already cancelled"):
        await ready.events.cancel(guild_id, MOD, str(event.id))
    actions = [a.action for a in await ready.audit.recent(guild_id)]
    assert actions[:2] == ["event.cancel", "event.create"]


async def test_list_shows_upcoming_events_soonest_first_and_filters_by_kind(
    ready: Services, guild_id: int, clock: FrozenClock
) -> None:
    later = await ready.events.create(
        guild_id, MOD, kind="hackathon", title="Later", start="2026-01-20 09:00"
    )
    sooner = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Sooner", start="2026-01-06 09:00"
    )
    gone = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Cancelled", start="2026-01-07 09:00"
    )
    await ready.events.cancel(guild_id, MOD, str(gone.id))
    assert [e.id for e in await ready.events.upcoming(guild_id)] == [sooner.id, later.id]
    assert [e.id for e in await ready.events.upcoming(guild_id, "hackathon")] == [later.id]
    clock.advance(timedelta(days=1, hours=2))  # 14:00 the next day: Sooner ended at 11:00
    assert [e.id for e in await ready.events.upcoming(guild_id)] == [later.id]


async def test_events_of_another_server_are_invisible(ready: Services, guild_id: int) -> None:
    event = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:00"
    )
    other = guild_id + 1
    await ready.config.set_channel(other, MOD, "announcements", CHANNEL + 1)
    with pytest.raises(NotFound):
        await ready.events.get(other, str(event.id))
    with pytest.raises(NotFound):
        await ready.events.cancel(other, MOD, "Paper club")
    assert await ready.events.autocomplete(other, "") == []


async def test_autocomplete_offers_upcoming_events_by_title(ready: Services, guild_id: int) -> None:
    first = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:00"
    )
    await ready.events.create(
        guild_id, MOD, kind="meetup", title="Kaggle night", start="2026-01-08 18:00"
    )
    choices = await ready.events.autocomplete(guild_id, "paper")
    assert choices == [("Paper club — 2026-01-10 18:00 UTC", str(first.id))]


async def test_an_event_that_could_not_be_announced_is_discarded_and_the_log_says_so(
    ready: Services, guild_id: int
) -> None:
    event = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:00"
    )
    await ready.events.discard(guild_id, event.id, "I can't post in the channel")
    assert await _event_rows(ready, guild_id) == 0
    async with ready.db.read() as session:
        left = await session.scalar(
            select(func.count())
            .select_from(EventReminder)
            .where(EventReminder.guild_id == guild_id)
        )
    assert left == 0
    [discarded, created, _channel] = await ready.audit.recent(guild_id)
    assert (discarded.action, created.action) == ("event.discard", "event.create")
    assert "can't post" in discarded.summary
