"""Reading other people's iCal feeds: what gets imported, and what is left out on purpose."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.event_ical import FeedError, parse_feed

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def feed(*events: str) -> bytes:
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:test", *events, "END:VCALENDAR"])
    return (body + "\r\n").encode()


def vevent(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VEVENT", *lines, "END:VEVENT"])


def test_a_recurring_meetup_is_imported_as_its_next_occurrence_only() -> None:
    weekly = vevent(
        "UID:weekly@x",
        "DTSTART;TZID=Europe/Berlin:20260105T180000",
        "DTEND;TZID=Europe/Berlin:20260105T200000",
        "RRULE:FREQ=WEEKLY;COUNT=30",
        "EXDATE;TZID=Europe/Berlin:20260302T180000",
        "SUMMARY:Paper club",
    )
    [entry] = parse_feed(feed(weekly), now=NOW, default_tz="UTC")
    # 2 March is excluded, so the next one is 9 March, 18:00 in Berlin (17:00 UTC)
    assert entry.starts_at == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    assert entry.ends_at == datetime(2026, 3, 9, 19, 0, tzinfo=UTC)
    assert entry.timezone == "Europe/Berlin"
    assert entry.key == "weekly@x/20260309T170000Z"


def test_a_moved_occurrence_replaces_the_rules_version() -> None:
    weekly = vevent(
        "UID:weekly@x",
        "DTSTART:20260105T180000Z",
        "RRULE:FREQ=WEEKLY",
        "SUMMARY:Paper club",
    )
    moved = vevent(
        "UID:weekly@x",
        "RECURRENCE-ID:20260302T180000Z",
        "DTSTART:20260302T190000Z",
        "SUMMARY:Paper club (late start)",
    )
    [entry] = parse_feed(feed(weekly, moved), now=NOW, default_tz="UTC")
    assert entry.title == "Paper club (late start)"
    assert entry.starts_at == datetime(2026, 3, 2, 19, 0, tzinfo=UTC)


def test_past_cancelled_and_far_future_events_are_left_out() -> None:
    events = [
        vevent("UID:past", "DTSTART:20260101T090000Z", "SUMMARY:Past"),
        vevent("UID:gone", "DTSTART:20260401T090000Z", "STATUS:CANCELLED", "SUMMARY:Gone"),
        vevent("UID:far", "DTSTART:20280101T090000Z", "SUMMARY:Far"),
        vevent("UID:ok", "DTSTART:20260401T090000Z", "SUMMARY:Kept"),
    ]
    assert [e.title for e in parse_feed(feed(*events), now=NOW, default_tz="UTC")] == ["Kept"]


def test_all_day_and_floating_times_are_read_in_the_servers_timezone() -> None:
    events = [
        vevent("UID:day", "DTSTART;VALUE=DATE:20260310", "SUMMARY:All day"),
        vevent("UID:float", "DTSTART:20260311T180000", "DURATION:PT90M", "SUMMARY:Floating"),
    ]
    day, floating = parse_feed(feed(*events), now=NOW, default_tz="Asia/Tokyo")
    assert day.starts_at == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert floating.starts_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert floating.ends_at == datetime(2026, 3, 11, 10, 30, tzinfo=UTC)
    assert floating.timezone == "Asia/Tokyo"


def test_long_texts_are_shortened_and_odd_links_dropped() -> None:
    event = vevent(
        "UID:long",
        "DTSTART:20260310T180000Z",
        "SUMMARY:" + "A" * 150,
        "LOCATION:" + "B" * 150,
        "URL:javascript:alert(1)",
    )
    [entry] = parse_feed(feed(event), now=NOW, default_tz="UTC")
    assert len(entry.title) == 100
    assert entry.title.endswith("…")
    assert entry.location is not None
    assert len(entry.location) == 100
    assert entry.url is None


def test_an_event_without_a_uid_still_gets_a_stable_key() -> None:
    event = vevent("DTSTART:20260310T180000Z", "SUMMARY:No uid")
    first = parse_feed(feed(event), now=NOW, default_tz="UTC")
    again = parse_feed(feed(event), now=NOW, default_tz="UTC")
    assert first[0].key == again[0].key
    assert first[0].key.startswith("nouid-")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "it is empty"),
        (b"<!doctype html><html></html>", "web page"),
        (b'{"a": 1}', "JSON"),
        (b"hello", "does not start with BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nnonsense\r\nEND:VCALENDAR\r\n", "not valid iCalendar"),
    ],
)
def test_documents_that_are_not_calendars_are_refused(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(body, now=NOW, default_tz="UTC")
