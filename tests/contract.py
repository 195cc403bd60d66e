"""The slash-command contract of ../shared/COMMANDS.md, transcribed so that tests can check it.

One line a command: ``area | /path | options``. An option is ``name:type``; ``name?`` is
optional; types are ``str``, ``str(3..50)`` (length), ``int``, ``int(1..720)`` (range),
``bool``, ``member``, ``role``, ``channel(text|category|voice)`` and ``choice(a|b)``; a
trailing ``+auto`` means the option must autocomplete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTRACT = """
core | /help |
core | /config show |
core | /config channel | purpose:choice(announcements|milestones|mod-log) channel:channel(text)
core | /config category | purpose:choice(study-groups|mentorship) category:channel(category)
core | /config role | purpose:choice(mentor|event-ping|moderator) role:role
core | /config streak | goal_minutes:int(5..600)
core | /config timezone | timezone:str+auto
core | /config groups | size:int(2..12)
core | /config mentorship | response_hours:int(1..336)
core | /config reminders | offsets:str
core | /config module | module:choice(groups|mentorship|streaks|events) enabled:bool
core | /config voice | channel:channel(voice) tracked:bool
core | /config interest-add | tag:str aliases?:str
core | /config interest-remove | tag:str+auto
core | /interests |
core | /profile set | interests?:str+auto timezone?:str+auto level?:choice(beginner|intermediate|advanced)
core | /profile show | member?:member
core | /privacy export |
core | /privacy delete |
stats | /stats |
streaks | /study start | topic?:str
streaks | /study stop |
streaks | /study log | minutes:int(1..720) topic?:str day?:str
streaks | /study status |
streaks | /streak show | member?:member
streaks | /streak leaderboard | period?:choice(week|month|all)
streaks | /streak history | member?:member days?:int(1..90)
streaks | /streak calendar | member?:member
streaks | /streak remind | time:str
streaks | /streak adjust | member:member day:str minutes:int(-720..720) reason:str
mentorship | /mentor optin | interests:str+auto capacity:int(1..10) bio?:str
mentorship | /mentor optout |
mentorship | /mentor available | available:bool
mentorship | /mentor list | interest?:str+auto
mentorship | /mentor request | interests?:str+auto goal?:str
mentorship | /mentor cancel |
mentorship | /mentor status |
mentorship | /mentor end | member:member
mentorship | /mentor match | preview?:bool
groups | /group create | name:str(3..50) topic:str+auto capacity?:int(2..25)
groups | /group join | group:str+auto
groups | /group leave | group:str+auto
groups | /group list | topic?:str
groups | /group info | group:str+auto
groups | /group find |
groups | /group form | preview?:bool
groups | /group archive | group:str+auto
events | /event create | kind:choice(hackathon|meetup|workshop|other) title:str start:str end?:str timezone?:str location?:str url?:str description?:str capacity?:int
events | /event list | kind?:choice(hackathon|meetup|workshop|other)
events | /event info | event:str+auto
events | /event edit | event:str+auto kind?:choice(hackathon|meetup|workshop|other) title?:str start?:str end?:str timezone?:str location?:str url?:str description?:str capacity?:int
events | /event cancel | event:str+auto
events | /event ics | event?:str+auto
events | /event subscribe |
events | /event unsubscribe |
events | /event feed-add | url:str kind:choice(hackathon|meetup|workshop|other)
events | /event feed-remove | url:str+auto
events | /event review |
"""

# Discord's application-command option types and channel types.
OPTION_TYPES = {"str": 3, "int": 4, "bool": 5, "member": 6, "channel": 7, "role": 8, "choice": 3}
# A "text channel" includes announcement (news) channels, which are text channels to members.
CHANNEL_TYPES = {"text": (0, 5), "voice": (2,), "category": (4,)}
_OPTION = re.compile(
    r"^(?P<name>[a-z_]+)(?P<optional>\?)?:(?P<kind>[a-z]+)(?:\((?P<arg>[^)]*)\))?(?P<auto>\+auto)?$"
)


@dataclass(frozen=True)
class Option:
    name: str
    kind: str
    required: bool
    autocomplete: bool
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    channel_types: tuple[int, ...] = ()


@dataclass(frozen=True)
class Command:
    area: str
    path: str
    options: tuple[Option, ...]


def _option(text: str) -> Option:
    match = _OPTION.match(text)
    if match is None:
        raise ValueError(f"bad contract option {text!r}")
    kind, arg = match["kind"], match["arg"]
    low = high = None
    choices: tuple[str, ...] = ()
    channel_types: tuple[int, ...] = ()
    if arg and kind in ("int", "str"):
        low_text, high_text = arg.split("..")
        low, high = int(low_text), int(high_text)
    elif kind == "choice":
        choices = tuple(arg.split("|"))
    elif kind == "channel":
        channel_types = tuple(c for t in arg.split("|") for c in CHANNEL_TYPES[t])
    return Option(
        match["name"],
        kind,
        not match["optional"],
        bool(match["auto"]),
        low,
        high,
        choices,
        channel_types,
    )


def commands() -> list[Command]:
    out = []
    for line in CONTRACT.strip().splitlines():
        area, path, options = (part.strip() for part in line.split("|", 2))
        out.append(Command(area, path, tuple(_option(o) for o in options.split())))
    return out
