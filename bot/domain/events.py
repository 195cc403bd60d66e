"""Hackathon and meetup rules: kinds, limits, and reading the times and texts moderators type.

Every check runs before anything is written, and each error names the option, what was wrong
and how to fix it. Times are typed as ``YYYY-MM-DD HH:MM`` in a timezone and stored as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.domain.text import quote
from bot.errors import InvalidInput

KINDS: tuple[str, ...] = ("hackathon", "meetup", "workshop", "other")
RSVP_CHOICES: tuple[str, ...] = ("going", "interested", "not_going")

# Discord's scheduled events allow 100 characters for a name and a location, 1,000 for a
# description; the announcement follows the same limits so both always carry the same text.
TITLE_MAX = 100
DESCRIPTION_MAX = 1000
LOCATION_MAX = 100
URL_MAX = 500
CAPACITY_MAX = 100_000
# Discord needs an end time for an event held outside a voice channel; two hours is what a
# meetup usually takes, and the announcement does not claim an end nobody typed.
DEFAULT_DURATION = timedelta(hours=2)
MAX_DURATION = timedelta(days=31)
MAX_AHEAD = timedelta(days=2 * 365)
CLEAR_WORDS = frozenset({"none", "clear", "-"})

_TIME_FORMAT = "YYYY-MM-DD HH:MM"
_TIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2}):(\d{2})\s*$")


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"Unknown kind {quote(kind, 20)}. Choose one of: {', '.join(KINDS)}.")
    return kind


def parse_local_time(text: str, tz: str, *, option: str) -> datetime:
    """``"2026-03-14 18:30"`` in ``tz`` -> an aware UTC datetime; a helpful error otherwise."""
    match = _TIME.match(text)
    if match is None:
        raise InvalidInput(
            f"`{option}` must look like `{_TIME_FORMAT}` (for example `2026-03-14 18:30`); "
            f"you typed {quote(text, 40)}."
        )
    year, month, day, hour, minute = (int(g) for g in match.groups())
    try:
        naive = datetime(year, month, day, hour, minute)
    except ValueError:
        raise InvalidInput(
            f"`{option}`: {quote(text.strip(), 40)} is not a real date and time "
            f"(the format is `{_TIME_FORMAT}`)."
        ) from None
    zone = ZoneInfo(tz)
    local = naive.replace(tzinfo=zone)
    # A time skipped when clocks spring forward does not survive a round trip through UTC.
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise InvalidInput(
            f"`{option}`: {naive:%Y-%m-%d %H:%M} does not exist in {tz} "
            "(the clocks jump forward then); pick a time an hour later."
        )
    return local.astimezone(UTC)


def check_window(start: datetime, end: datetime | None, now: datetime) -> None:
    """The start lies ahead (within two years) and the end, if any, after the start."""
    if start <= now:
        raise InvalidInput(
            f"The start <t:{int(start.timestamp())}:F> is in the past; "
            "give a time that is still ahead."
        )
    if start - now > MAX_AHEAD:
        raise InvalidInput("The start is more than two years away; give a nearer date.")
    if end is not None:
        if end <= start:
            raise InvalidInput(
                f"The end <t:{int(end.timestamp())}:F> is not after the start "
                f"<t:{int(start.timestamp())}:F>; give an end later than the start."
            )
        if end - start > MAX_DURATION:
            raise InvalidInput("An event can last at most 31 days; give an earlier end.")


def effective_end(start: datetime, end: datetime | None) -> datetime:
    return end if end is not None else start + DEFAULT_DURATION


def clean_title(value: str) -> str:
    title = " ".join(value.split())
    if not title:
        raise InvalidInput("`title` can't be empty.")
    if len(title) > TITLE_MAX:
        raise InvalidInput(
            f"`title` is {len(title)} characters long; the limit is {TITLE_MAX} "
            "(Discord's limit for event names)."
        )
    return title


def clean_optional(value: str | None, *, option: str, limit: int) -> str | None:
    """Strip optional text; empty or one of the clear words means "none"."""
    if value is None:
        return None
    text = value.strip()
    if not text or text.casefold() in CLEAR_WORDS:
        return None
    if len(text) > limit:
        raise InvalidInput(f"`{option}` is {len(text)} characters long; the limit is {limit}.")
    return text


def clean_url(value: str | None, *, option: str = "url") -> str | None:
    """An http(s) link with a host, or None."""
    text = clean_optional(value, option=option, limit=URL_MAX)
    if text is None:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"`{option}` must be a web address starting with https:// or http://; "
            f"you typed {quote(text, 60)}."
        )
    if any(c.isspace() for c in text):
        raise InvalidInput(f"`{option}` can't contain spaces.")
    return text


def check_capacity(capacity: int | None) -> int | None:
    if capacity is None:
        return None
    if capacity < 1:
        raise InvalidInput(
            f"`capacity` must be at least 1; you gave {capacity}. "
            "Leave it out for an event without a limit."
        )
    if capacity > CAPACITY_MAX:
        raise InvalidInput(f"`capacity` can be at most {CAPACITY_MAX:,}.")
    return capacity


def describe_kind(kind: str) -> str:
    return {"hackathon": "Hackathon", "meetup": "Meetup", "workshop": "Workshop"}.get(kind, "Event")
