"""Local days: splitting study at local midnight across zones and DST; what members type."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.streak_days import (
    check_adjust_minutes,
    check_log_day,
    check_log_minutes,
    day_bounds,
    day_capacity,
    day_length_minutes,
    local_day,
    minutes_passed,
    occurrence,
    parse_day,
    parse_time_of_day,
    session_minutes,
    split_by_local_day,
)
from bot.errors import InvalidInput

ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Kiritimati",
    "America/St_Johns",
    "Pacific/Chatham",
)
zones = st.sampled_from(ZONES)
# Instants around DST changes of 2026 as well as anywhere in 2025-2027.
DST_EDGES = [
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # Europe springs forward
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # Europe falls back
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # New York springs forward
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),  # New York falls back
    datetime(2026, 4, 4, 15, 0, tzinfo=UTC),  # Lord Howe: back half an hour
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),  # Lord Howe: forward half an hour
]
instants = st.one_of(
    st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda edge, shift: edge + timedelta(seconds=shift),
        st.sampled_from(DST_EDGES),
        st.integers(-2 * 86400, 2 * 86400),
    ),
)
durations = st.integers(0, 3 * 86400 + 7).map(lambda s: timedelta(seconds=s, microseconds=s % 7))


@given(start=instants, duration=durations, tz=zones)
def test_splitting_a_session_at_midnight_keeps_every_minute(
    start: datetime, duration: timedelta, tz: str
) -> None:
    pieces = split_by_local_day(start, start + duration, tz)
    assert sum(p.minutes for p in pieces) == session_minutes(start, start + duration)
    for piece in pieces:
        assert piece.minutes >= 1
        assert start <= piece.start < piece.end <= start + duration
        assert local_day(piece.start, tz) == piece.day
        assert piece.minutes <= day_length_minutes(piece.day, tz)
    assert [p.day for p in pieces] == sorted({p.day for p in pieces})


@given(when=instants, tz=zones)
def test_every_instant_falls_inside_its_local_day(when: datetime, tz: str) -> None:
    start, end = day_bounds(local_day(when, tz), tz)
    assert start <= when < end
    assert 1380 <= day_length_minutes(local_day(when, tz), tz) <= 1500


@given(day=st.dates(date(2025, 1, 1), date(2027, 12, 31)), tz=zones)
def test_no_day_holds_more_than_24_hours(day: date, tz: str) -> None:
    assert day_capacity(day, tz) <= 1440
    assert day_capacity(day, tz) == min(1440, day_length_minutes(day, tz))


@pytest.mark.parametrize(
    ("tz", "day", "minutes"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 23 * 60),
        ("Europe/Berlin", date(2026, 10, 25), 25 * 60),
        ("America/New_York", date(2026, 3, 8), 23 * 60),
        ("America/New_York", date(2026, 11, 1), 25 * 60),
        ("Australia/Lord_Howe", date(2026, 4, 5), 24 * 60 + 30),
        ("Australia/Lord_Howe", date(2026, 10, 4), 24 * 60 - 30),
        ("Asia/Kathmandu", date(2026, 3, 29), 24 * 60),
    ],
)
def test_dst_days_are_23_or_25_hours_long(tz: str, day: date, minutes: int) -> None:
    assert day_length_minutes(day, tz) == minutes
    assert day_capacity(day, tz) == min(minutes, 1440)


def test_a_night_session_over_the_berlin_spring_change_is_split_by_wall_clock() -> None:
    # 23:00 on Saturday to 04:00 on Sunday local time: 4 real hours, the 02:00 hour is skipped.
    start = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    end = datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    pieces = split_by_local_day(start, end, "Europe/Berlin")
    assert [(p.day, p.minutes) for p in pieces] == [
        (date(2026, 3, 28), 60),
        (date(2026, 3, 29), 180),
    ]


def test_a_kathmandu_evening_session_splits_at_its_own_midnight() -> None:
    # Kathmandu is UTC+5:45: local midnight is 18:15 UTC.
    start = datetime(2026, 1, 5, 17, 45, tzinfo=UTC)
    pieces = split_by_local_day(start, start + timedelta(hours=1), "Asia/Kathmandu")
    assert [(p.day, p.minutes) for p in pieces] == [
        (date(2026, 1, 5), 30),
        (date(2026, 1, 6), 30),
    ]


def test_minutes_round_half_up_over_the_whole_session() -> None:
    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    assert session_minutes(start, start + timedelta(minutes=29, seconds=30)) == 30
    assert session_minutes(start, start + timedelta(minutes=29, seconds=29)) == 29
    assert session_minutes(start, start) == 0


def test_minutes_passed_counts_the_started_minute() -> None:
    now = datetime(2026, 1, 5, 23, 0, 10, tzinfo=UTC)  # 00:00:10 in Berlin
    assert minutes_passed(now, "Europe/Berlin") == 1
    assert minutes_passed(now, "UTC") == 23 * 60 + 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-01-04", date(2026, 1, 4)),
        (" today ", date(2026, 1, 5)),
        ("Yesterday", date(2026, 1, 4)),
    ],
)
def test_days_are_read_as_iso_dates_or_words(typed: str, expected: date) -> None:
    assert parse_day(typed, date(2026, 1, 5)) == expected


@pytest.mark.parametrize("typed", ["2026-02-30", "05/01/2026", "soon", "", "2026-1-5", "20260105"])
def test_something_that_is_not_a_date_gets_the_format_in_the_error(typed: str) -> None:
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        parse_day(typed, date(2026, 1, 5))


def test_logs_go_to_today_or_yesterday_only() -> None:
    today = date(2026, 1, 5)
    check_log_day(today, today)
    check_log_day(date(2026, 1, 4), today)
    with pytest.raises(InvalidInput, match="in the future"):
        check_log_day(date(2026, 1, 6), today)
    with pytest.raises(InvalidInput, match=r"too long ago.*/streak adjust"):
        check_log_day(date(2026, 1, 3), today)


@pytest.mark.parametrize("minutes", [0, -1, 721, 10_000])
def test_log_minutes_out_of_range_say_the_range(minutes: int) -> None:
    with pytest.raises(InvalidInput, match="between 1 and 720"):
        check_log_minutes(minutes)


@pytest.mark.parametrize("minutes", [0, -721, 721])
def test_corrections_out_of_range_say_the_range(minutes: int) -> None:
    with pytest.raises(InvalidInput, match="between -720 and 720"):
        check_adjust_minutes(minutes)


@pytest.mark.parametrize(
    ("typed", "minute"),
    [("20:30", 20 * 60 + 30), ("7:05", 7 * 60 + 5), ("00:00", 0), ("23:59", 1439), ("off", None)],
)
def test_reminder_times_are_read_as_hh_mm_or_off(typed: str, minute: int | None) -> None:
    assert parse_time_of_day(typed) == minute


@pytest.mark.parametrize("typed", ["24:00", "12:60", "25:00", "-1:00", "7pm", "noon", "", "12:5"])
def test_reminder_times_out_of_range_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="HH:MM between 00:00 and 23:59"):
        parse_time_of_day(typed)


def test_a_reminder_time_skipped_by_dst_happens_once_the_clock_passes_it() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29; it happens at 03:30 CEST = 01:30 UTC.
    assert occurrence(date(2026, 3, 29), 150, "Europe/Berlin") == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    # 02:30 happens twice on 2026-10-25; the first time is 00:30 UTC.
    assert occurrence(date(2026, 10, 25), 150, "Europe/Berlin") == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
