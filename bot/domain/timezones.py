"""IANA timezones: parsing what members type, suggestions, and autocomplete."""

from __future__ import annotations

import difflib
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.domain.text import quote
from bot.errors import InvalidInput

# Names that are technically valid but confuse people or are only kept for compatibility.
_HIDDEN_PREFIXES = ("Etc/", "SystemV/", "posixrules", "Factory", "localtime")


@cache
def timezone_names() -> tuple[str, ...]:
    names = {n for n in available_timezones() if not n.startswith(_HIDDEN_PREFIXES)}
    names.add("UTC")
    return tuple(sorted(names))


@cache
def _by_folded_name() -> dict[str, str]:
    folded = {n.casefold(): n for n in available_timezones()}
    folded.update({n.casefold(): n for n in timezone_names()})
    return folded


def suggest_timezones(text: str, limit: int = 3) -> list[str]:
    """The closest timezone names to ``text``, best first."""
    folded = text.strip().replace(" ", "_").casefold()
    by_folded = _by_folded_name()
    matches = difflib.get_close_matches(folded, list(by_folded), n=limit, cutoff=0.6)
    if not matches:
        # "Berlin" alone: match on the city part.
        cities = {n.rsplit("/", 1)[-1].casefold(): n for n in timezone_names()}
        matches = [cities[c] for c in difflib.get_close_matches(folded, list(cities), n=limit)]
        return matches
    return [by_folded[m] for m in matches]


def parse_timezone(text: str) -> str:
    """The canonical IANA name for ``text`` (case-insensitive), or a helpful InvalidInput."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("Type a timezone such as `Europe/Berlin` or `America/New_York`.")
    if len(cleaned) > 64:
        raise InvalidInput("That timezone name is too long; pick one from the list as you type.")
    name = _by_folded_name().get(cleaned.replace(" ", "_").casefold())
    if name is None:
        hint = suggest_timezones(cleaned)
        shown = quote(cleaned)
        if hint:
            raise InvalidInput(f"Unknown timezone {shown}. Did you mean {hint[0]}?")
        raise InvalidInput(
            f"Unknown timezone {shown}. Use an IANA name such as `Europe/Berlin`; "
            "the option suggests names as you type."
        )
    ZoneInfo(name)  # raises only if tzdata is broken; better loud than a silent UTC
    return name


def autocomplete_timezones(current: str, limit: int = 25) -> list[str]:
    """Timezones for an autocomplete box: prefix matches first, then city and substring."""
    needle = current.strip().replace(" ", "_").casefold()
    names = timezone_names()
    if not needle:
        popular = [
            "UTC",
            "Europe/London",
            "Europe/Berlin",
            "America/New_York",
            "America/Los_Angeles",
            "Asia/Kolkata",
            "Asia/Tokyo",
            "Australia/Sydney",
        ]
        return popular[:limit]
    prefix = [n for n in names if n.casefold().startswith(needle)]
    city = [n for n in names if n.rsplit("/", 1)[-1].casefold().startswith(needle)]
    inside = [n for n in names if needle in n.casefold()]
    ordered = list(dict.fromkeys(prefix + city + inside))
    if not ordered:
        ordered = suggest_timezones(current, limit=limit)
    return ordered[:limit]
