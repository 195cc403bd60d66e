"""Local days for study streaks: where a member's day starts and ends, and what they type.

A member's day is a calendar day in their own timezone (profile, else the server's), never a
UTC day. Days are found with ``zoneinfo``, so a daylight-saving day is 23 or 25 hours long
(23.5/24.5 on Lord Howe Island) and a study session that crosses local midnight is split
between the two days it touched.

Rules decided here:

- A day holds at most ``day_capacity`` minutes: its real length, but never more than 24 h
  (1440 min). A 23-hour spring-forward day holds 1380; a 25-hour day still holds 1440.
- Minutes are whole minutes, rounded half up over a whole session. Splitting rounds the
  running total at each midnight instead of each piece, so the pieces always add up to the
  session's minutes: splitting never creates or loses a minute.
- Manual logs go to today or yesterday only, and today can hold no more minutes than have
  passed since local midnight (nobody has studied 90 minutes of a day at 00:30).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.domain.text import quote
from bot.errors import InvalidInput

MAX_DAY_MINUTES = 1440
MAX_LOG_MINUTES = 720
MAX_ADJUST_MINUTES = 720
ADJUST_WINDOW_DAYS = 365
_MINUTE_US = 60_000_000
_DAY_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
OFF_WORDS = frozenset({"off", "none", "stop", "disable"})


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(when: datetime, tz: str) -> date:
    """The member's calendar day at the instant ``when``."""
    return when.astimezone(zone(tz)).date()


def day_start(day: date, tz: str) -> datetime:
    """The UTC instant ``day`` begins in ``tz``.

    When midnight itself is skipped by a DST change, zoneinfo's fold=0 reading lands on the
    transition instant, which is exactly where the day begins.
    """
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(UTC)


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of a local day, in UTC."""
    return day_start(day, tz), day_start(day + timedelta(days=1), tz)


def day_length_minutes(day: date, tz: str) -> int:
    start, end = day_bounds(day, tz)
    return int((end - start) // timedelta(minutes=1))


def day_capacity(day: date, tz: str) -> int:
    """The most minutes a day can hold: its real length, capped at 24 h."""
    return min(MAX_DAY_MINUTES, day_length_minutes(day, tz))


def minutes_passed(now: datetime, tz: str) -> int:
    """Whole minutes of today that have begun by ``now`` (00:00:10 counts as 1)."""
    start = day_start(local_day(now, tz), tz)
    passed_us = (now - start) // timedelta(microseconds=1)
    return min(day_capacity(local_day(now, tz), tz), -(-passed_us // _MINUTE_US))


@dataclass(frozen=True, slots=True)
class DayPiece:
    """The part of a session that fell on one local day."""

    day: date
    start: datetime
    end: datetime
    minutes: int


def session_minutes(start: datetime, end: datetime) -> int:
    """A session's length in whole minutes, rounded half up."""
    if end <= start:
        return 0
    return _rounded_minutes(start, end)


def _rounded_minutes(origin: datetime, when: datetime) -> int:
    elapsed_us = (when - origin) // timedelta(microseconds=1)
    return (elapsed_us + _MINUTE_US // 2) // _MINUTE_US


def split_by_local_day(start: datetime, end: datetime, tz: str) -> list[DayPiece]:
    """Split ``[start, end)`` at each local midnight of ``tz``; pieces of 0 minutes are dropped.

    The minutes of the pieces always sum to ``session_minutes(start, end)``.
    """
    pieces: list[DayPiece] = []
    if end <= start:
        return pieces
    day = local_day(start, tz)
    cursor, credited = start, 0
    while cursor < end:
        piece_end = min(day_start(day + timedelta(days=1), tz), end)
        total = _rounded_minutes(start, piece_end)
        if total > credited:
            pieces.append(DayPiece(day, cursor, piece_end, total - credited))
        credited = total
        cursor, day = piece_end, day + timedelta(days=1)
    return pieces


def parse_day(text: str, today: date) -> date:
    """``YYYY-MM-DD`` (or ``today`` / ``yesterday``) as a date."""
    cleaned = text.strip().casefold()
    if cleaned == "today":
        return today
    if cleaned == "yesterday":
        return today - timedelta(days=1)
    if not _DAY_TEXT.match(cleaned):
        raise InvalidInput(
            f"{quote(text, 20)} is not a date. Use YYYY-MM-DD, for example {today.isoformat()}."
        )
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise InvalidInput(
            f"{quote(text, 20)} is not a date in the calendar. Use YYYY-MM-DD, "
            f"for example {today.isoformat()}."
        ) from None


def check_log_day(day: date, today: date) -> None:
    """Members log for today or yesterday (their local days) only."""
    yesterday = today - timedelta(days=1)
    if day > today:
        raise InvalidInput(
            f"{day.isoformat()} is in the future (today is {today.isoformat()} in your "
            "timezone). Log study for today or yesterday."
        )
    if day < yesterday:
        raise InvalidInput(
            f"{day.isoformat()} is too long ago: you can log study for today "
            f"({today.isoformat()}) or yesterday ({yesterday.isoformat()}). "
            "A moderator can correct older days with `/streak adjust`."
        )


def check_adjust_day(day: date, today: date) -> None:
    if day > today:
        raise InvalidInput(
            f"{day.isoformat()} is in the future for this member (their today is "
            f"{today.isoformat()}); only past days and today can be corrected."
        )
    if day < today - timedelta(days=ADJUST_WINDOW_DAYS):
        raise InvalidInput(
            f"{day.isoformat()} is more than {ADJUST_WINDOW_DAYS} days ago; "
            "corrections are possible for the last year only."
        )


def check_log_minutes(minutes: int) -> None:
    if not 1 <= minutes <= MAX_LOG_MINUTES:
        raise InvalidInput(
            f"Log between 1 and {MAX_LOG_MINUTES} minutes at a time; you gave {minutes}. "
            "For longer sessions, log twice."
        )


def check_adjust_minutes(minutes: int) -> None:
    if minutes == 0 or not -MAX_ADJUST_MINUTES <= minutes <= MAX_ADJUST_MINUTES:
        raise InvalidInput(
            f"A correction is between -{MAX_ADJUST_MINUTES} and {MAX_ADJUST_MINUTES} minutes "
            f"and not 0; you gave {minutes}. Use a negative number to remove minutes."
        )


def parse_time_of_day(text: str) -> int | None:
    """``HH:MM`` -> minutes after local midnight; ``off`` -> None."""
    cleaned = text.strip().casefold()
    if cleaned in OFF_WORDS:
        return None
    match = _HHMM.match(cleaned)
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour <= 23 and minute <= 59:
            return hour * 60 + minute
    raise InvalidInput(
        f"{quote(text, 20)} is not a time of day. Use HH:MM between 00:00 and 23:59 "
        "(for example 20:30), or `off`."
    )


def format_time_of_day(minute_of_day: int) -> str:
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def occurrence(day: date, minute_of_day: int, tz: str) -> datetime:
    """The UTC instant the local clock shows ``minute_of_day`` on ``day``.

    A time skipped by a spring-forward change (02:30 in Berlin) happens when the clock has
    moved past it (03:30); a time that happens twice (autumn) happens the first time.
    """
    hour, minute = divmod(minute_of_day, 60)
    local = datetime.combine(day, time(hour, minute), tzinfo=zone(tz))
    return local.astimezone(UTC)
