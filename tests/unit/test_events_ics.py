"""/event ics: a valid calendar file that any calendar app reads back with the same event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from bot.container import Services
from bot.errors import NotFound

MOD = 4242


@pytest.fixture
async def ready(services: Services, guild_id: int) -> Services:
    await services.config.set_channel(guild_id, MOD, "announcements", 9_000_001)
    return services


def _events(content: bytes) -> list[Calendar]:
    return list(Calendar.from_ical(content).walk("VEVENT"))


async def test_one_event_parses_back_with_the_same_data(ready: Services, guild_id: int) -> None:
    event = await ready.events.create(
        guild_id,
        MOD,
        kind="hackathon",
        title="LLM hack night; bring snacks",
        start="2026-03-14 18:30",
        end="2026-03-15 02:00",
        timezone="Europe/Berlin",
        location="Mindspace, Berlin",
        url="https://example.org/hack",
        description="Build something with small models.\nTeams of 2-4.",
    )
    ics = await ready.event_calendar.export(guild_id, str(event.id))
    assert ics.filename == "llm-hack-night-bring-snacks.ics"
    [parsed] = _events(ics.content)
    assert str(parsed["summary"]) == "LLM hack night; bring snacks"
    start, end = parsed.decoded("dtstart"), parsed.decoded("dtend")
    assert start == datetime(2026, 3, 14, 17, 30, tzinfo=UTC)
    assert end == datetime(2026, 3, 15, 1, 0, tzinfo=UTC)
    assert parsed["dtstart"].params["TZID"] == "Europe/Berlin"
    assert str(parsed["location"]) == "Mindspace, Berlin"
    assert str(parsed["url"]) == "https://example.org/hack"
    assert str(parsed["description"]) == "Build something with small models.\nTeams of 2-4."
    assert str(parsed["status"]) == "CONFIRMED"
    assert str(parsed["uid"]) == f"event-{event.id}-{guild_id}@cohort"
    timezones = Calendar.from_ical(ics.content).walk("VTIMEZONE")
    assert [str(tz["tzid"]) for tz in timezones] == ["Europe/Berlin"]


async def test_utc_events_use_plain_utc_times_and_a_default_end(
    ready: Services, guild_id: int
) -> None:
    event = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:00"
    )
    [parsed] = _events((await ready.event_calendar.export(guild_id, "Paper club")).content)
    assert parsed.decoded("dtstart") == event.starts_at
    assert parsed.decoded("dtend") == event.starts_at + timedelta(hours=2)
    assert "TZID" not in parsed["dtstart"].params
    assert b"DTSTART:20260110T180000Z" in parsed.to_ical()


async def test_all_upcoming_events_in_one_file_without_cancelled_ones(
    ready: Services, guild_id: int
) -> None:
    for day, title in ((12, "Second"), (11, "First"), (13, "Gone")):
        await ready.events.create(
            guild_id, MOD, kind="meetup", title=title, start=f"2026-01-{day} 18:00"
        )
    await ready.events.cancel(guild_id, MOD, "Gone")
    ics = await ready.event_calendar.export(guild_id)
    assert (ics.count, ics.filename) == (2, "upcoming-events.ics")
    assert [str(e["summary"]) for e in _events(ics.content)] == ["First", "Second"]


async def test_a_cancelled_event_exports_as_cancelled_with_a_higher_sequence(
    ready: Services, guild_id: int
) -> None:
    event = await ready.events.create(
        guild_id, MOD, kind="meetup", title="Paper club", start="2026-01-10 18:00"
    )
    await ready.events.cancel(guild_id, MOD, str(event.id))
    [parsed] = _events((await ready.event_calendar.export(guild_id, str(event.id))).content)
    assert str(parsed["status"]) == "CANCELLED"
    assert int(parsed["sequence"]) == 1


async def test_nothing_upcoming_says_so(ready: Services, guild_id: int) -> None:
    with pytest.raises(NotFound, match="no upcoming events"):
        await ready.event_calendar.export(guild_id)
