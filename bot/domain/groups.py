"""Rules for study-group names and sizes, checked before anything is written."""

from __future__ import annotations

from bot.domain.text import clean_text, contains_mention, quote
from bot.errors import InvalidInput

NAME_MIN = 3
NAME_MAX = 50
CAPACITY_MIN = 2
CAPACITY_MAX = 25
ARCHIVED_PREFIX = "archived-"


def validate_group_name(name: str) -> str:
    """The name as shown (trimmed, inner spaces collapsed), or a sentence saying what to fix."""
    cleaned = " ".join(clean_text(name, field="name", max_length=NAME_MAX * 4).split())
    if len(cleaned) < NAME_MIN:
        raise InvalidInput(
            f"The group name {quote(cleaned)} is too short: use {NAME_MIN} to {NAME_MAX} "
            "characters, e.g. `Transformers Club`."
        )
    if len(cleaned) > NAME_MAX:
        raise InvalidInput(
            f"The group name is {len(cleaned)} characters long; the limit is {NAME_MAX}. "
            "Pick a shorter name."
        )
    # A name becomes a role and a channel name: a mention in it would ping or mislead.
    if contains_mention(cleaned) or "@" in cleaned:
        raise InvalidInput(
            "A group name can't contain mentions or @. Pick a plain name, e.g. `Transformers Club`."
        )
    if not any(c.isalnum() for c in cleaned):
        # Discord builds the channel name from letters and digits; none would leave it empty.
        raise InvalidInput("A group name needs at least one letter or digit.")
    if cleaned.lower().startswith(ARCHIVED_PREFIX):
        raise InvalidInput(f"Group names can't start with {ARCHIVED_PREFIX!r}; pick another name.")
    return cleaned


def name_key(name: str) -> str:
    """What makes two names the same group: case and spacing do not count."""
    return " ".join(name.split()).casefold()


def validate_capacity(capacity: int) -> int:
    if not CAPACITY_MIN <= capacity <= CAPACITY_MAX:
        raise InvalidInput(
            f"Capacity must be between {CAPACITY_MIN} and {CAPACITY_MAX} members; "
            f"you gave {capacity}."
        )
    return capacity
