"""Checking and quoting text that members type."""

from __future__ import annotations

import re

from bot.errors import InvalidInput

_MENTION = re.compile(r"<(@[!&]?|#)\d+>|@(everyone|here)\b")


def clean_text(value: str, *, field: str, max_length: int, min_length: int = 1) -> str:
    """Strip ``value`` and check its length; the error names the option and the limit."""
    cleaned = value.strip()
    if len(cleaned) < min_length:
        if min_length <= 1:
            raise InvalidInput(f"`{field}` can't be empty.")
        raise InvalidInput(f"`{field}` needs at least {min_length} characters.")
    if len(cleaned) > max_length:
        raise InvalidInput(
            f"`{field}` is {len(cleaned)} characters long; the limit is {max_length}."
        )
    return cleaned


def contains_mention(value: str) -> bool:
    return bool(_MENTION.search(value))


def quote(value: str, limit: int = 60) -> str:
    """Show member text inside a message safely: short, no code-span breakout, no pings."""
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    shown = shown.replace("`", "'").replace("\n", " ")
    return f'"{shown}"'
