"""iCalendar in and out, with the ``icalendar`` library: .ics export and feed parsing.

Export writes each event's times in the timezone it was announced in (``TZID`` with a
``VTIMEZONE``; plain UTC ``Z`` times for UTC events), so calendar apps show the organiser's
wall-clock time and move it correctly across daylight-saving changes.

Feed parsing is defensive: a feed is someone else's file. Anything that is not a calendar
raises :class:`FeedError`; single broken events are skipped. Only events still ahead (and
within a year) are read. A recurring event (``RRULE``) is imported as its *next occurrence*
only, keyed by its UID and that occurrence's start, so each later occurrence reaches the
review queue once it becomes the next one, instead of flooding the queue with a year of
weekly meetups. Cancelled events (``STATUS:CANCELLED``) are ignored.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr  # icalendar's own dependency
from icalendar import Calendar
from icalendar import Event as VEvent

from bot.domain.events import (
    DESCRIPTION_MAX,
    LOCATION_MAX,
    MAX_DURATION,
    TITLE_MAX,
    URL_MAX,
    describe_kind,
)

log = logging.getLogger(__name__)

PRODID = "-//Cohort//Hackathons and meetups//EN"
FEED_HORIZON = timedelta(days=365)
MAX_FEED_ENTRIES = 100


class FeedError(ValueError):
    """The document is not an iCalendar feed; the message says what it looked like instead."""


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One event as it goes into an .ics file."""

    uid: str
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    description: str | None
    location: str | None
    url: str | None
    cancelled: bool
    sequence: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One upcoming event read from a feed."""

    key: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    description: str | None
    location: str | None
    url: str | None


def build_calendar(entries: Iterable[CalendarEntry], *, now: datetime, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for entry in entries:
        zone = ZoneInfo(entry.timezone)
        event = VEvent()
        event.add("uid", entry.uid)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", entry.starts_at.astimezone(zone))
        event.add("dtend", entry.ends_at.astimezone(zone))
        event.add("summary", entry.title)
        event.add("categories", [describe_kind(entry.kind)])
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        event.add("sequence", entry.sequence)
        event.add("last-modified", entry.updated_at.astimezone(UTC))
        if entry.description:
            event.add("description", entry.description)
        if entry.location:
            event.add("location", entry.location)
        if entry.url:
            event.add("url", entry.url)
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def parse_feed(body: bytes, *, now: datetime, default_tz: str) -> list[FeedEntry]:
    """The upcoming events of an iCal document, soonest first (at most 100)."""
    text = body.lstrip(b"\xef\xbb\xbf").strip()
    if not text.upper().startswith(b"BEGIN:VCALENDAR"):
        raise FeedError(_looks_like(text))
    try:
        cal = Calendar.from_ical(text)
    except ValueError as error:
        raise FeedError(f"it is not valid iCalendar ({str(error)[:120]})") from None
    if isinstance(cal, list) or cal.name != "VCALENDAR":
        raise FeedError("it does not hold exactly one calendar")
    fallback = ZoneInfo(default_tz)
    overrides: dict[str, FeedEntry] = {}
    plain: dict[str, FeedEntry] = {}
    for component in cal.walk("VEVENT"):
        try:
            entry = _entry(component, now=now, fallback=fallback, default_tz=default_tz)
        except (ValueError, TypeError, KeyError, OverflowError):
            log.info("skipped an unreadable event in a feed", exc_info=True)
            continue
        if entry is None:
            continue
        target = overrides if component.get("recurrence-id") is not None else plain
        target.setdefault(entry.key, entry)
    # A moved occurrence (RECURRENCE-ID) replaces the rule's version of the same occurrence.
    merged = {**plain, **overrides}
    upcoming = [e for e in merged.values() if now < e.starts_at <= now + FEED_HORIZON]
    return sorted(upcoming, key=lambda e: (e.starts_at, e.key))[:MAX_FEED_ENTRIES]


def _looks_like(text: bytes) -> str:
    head = text[:200].lower()
    if not head:
        return "it is empty"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "it is a web page, not an iCal file"
    if head.startswith((b"{", b"[")):
        return "it is JSON, not an iCal file"
    return "it does not start with BEGIN:VCALENDAR"


def _entry(
    component: Any, *, now: datetime, fallback: ZoneInfo, default_tz: str
) -> FeedEntry | None:
    if str(component.get("status", "")).upper() == "CANCELLED":
        return None
    if component.get("dtstart") is None:
        return None
    start = _aware(component.decoded("dtstart"), fallback)
    end = _end(component, start, fallback)
    uid = str(component.get("uid") or "").strip() or _fingerprint(component)
    tz = _zone_name(component.decoded("dtstart"), default_tz)
    recurrence_id = component.get("recurrence-id")
    if recurrence_id is not None:
        key_start = _aware(component.decoded("recurrence-id"), fallback)
    elif component.get("rrule") is not None:
        occurrence = _next_occurrence(component, start, now, fallback)
        if occurrence is None:
            return None
        if end is not None:
            end = occurrence + (end - start)
        start = key_start = occurrence
    else:
        key_start = None
    key = uid if key_start is None else f"{uid}/{key_start.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    if end is not None and (end <= start or end - start > MAX_DURATION):
        end = None
    return FeedEntry(
        key=key[:300],
        title=_clip(str(component.get("summary") or "").strip() or "Untitled event", TITLE_MAX),
        starts_at=start,
        ends_at=end,
        timezone=tz,
        description=_optional(component.get("description"), DESCRIPTION_MAX),
        location=_optional(component.get("location"), LOCATION_MAX),
        url=_web_url(component.get("url")),
    )


def _aware(value: Any, fallback: ZoneInfo) -> datetime:
    """A DTSTART-like value as aware UTC: all-day dates start at midnight, floating times
    are read in the server's timezone."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=fallback)
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0), tzinfo=fallback)
    else:
        raise TypeError(f"not a date: {value!r}")
    return moment.astimezone(UTC)


def _end(component: Any, start: datetime, fallback: ZoneInfo) -> datetime | None:
    if component.get("dtend") is not None:
        return _aware(component.decoded("dtend"), fallback)
    if component.get("duration") is not None:
        duration = component.decoded("duration")
        if isinstance(duration, timedelta):
            return start + duration
    return None


def _zone_name(value: Any, default_tz: str) -> str:
    tzinfo = getattr(value, "tzinfo", None)
    key = getattr(tzinfo, "key", None)
    if isinstance(key, str):
        return key
    if tzinfo is not None and tzinfo.utcoffset(value) == timedelta(0):
        return "UTC"
    return default_tz


def _next_occurrence(
    component: Any, start: datetime, now: datetime, fallback: ZoneInfo
) -> datetime | None:
    """The first occurrence after ``now`` that is not excluded (EXDATE), or None."""
    raw = component.decoded("dtstart")
    zone = raw.tzinfo if isinstance(raw, datetime) and raw.tzinfo is not None else fallback
    local_start = start.astimezone(zone)
    rules = component.get("rrule")
    rule_text = (rules[0] if isinstance(rules, list) else rules).to_ical().decode()
    rule = rrulestr(rule_text, dtstart=local_start, forceset=True)
    for exdate in _exdates(component, fallback):
        rule.exdate(exdate.astimezone(zone))
    after = rule.after(now.astimezone(zone))
    return None if after is None else after.astimezone(UTC)


def _exdates(component: Any, fallback: ZoneInfo) -> list[datetime]:
    raw = component.get("exdate")
    if raw is None:
        return []
    out = []
    for group in raw if isinstance(raw, list) else [raw]:
        for item in getattr(group, "dts", []):
            out.append(_aware(item.dt, fallback))
    return out


def _fingerprint(component: Any) -> str:
    seed = f"{component.get('summary')}|{component.get('dtstart').to_ical()!r}"
    return "nouid-" + hashlib.sha256(seed.encode()).hexdigest()[:32]


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()) if limit <= TITLE_MAX else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _optional(value: Any, limit: int) -> str | None:
    text = str(value or "").strip()
    return _clip(text, limit) if text else None


def _web_url(value: Any) -> str | None:
    text = str(value or "").strip()
    if text.lower().startswith(("https://", "http://")) and len(text) <= URL_MAX:
        return text if not any(c.isspace() for c in text) else None
    return None
