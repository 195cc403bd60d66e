"""Event reminder offsets: parsing the moderator's list and describing it."""

from __future__ import annotations

from bot.errors import InvalidInput

MAX_OFFSETS = 5
MAX_OFFSET_MINUTES = 30 * 24 * 60


def parse_offsets(text: str) -> tuple[int, ...]:
    """``"1440, 60"`` -> ``(1440, 60)``: whole minutes before the start, largest first."""
    if len(text) > 100:
        raise InvalidInput("That list is too long; give at most 5 numbers, e.g. `1440,60`.")
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise InvalidInput("List minutes before the event, separated by commas, e.g. `1440,60`.")
    values: list[int] = []
    for part in parts:
        if not part.isdigit():
            raise InvalidInput(
                f'"{part[:20]}" is not a whole number of minutes. Example: `1440,60` '
                "for a day and an hour before."
            )
        minutes = int(part)
        if not 1 <= minutes <= MAX_OFFSET_MINUTES:
            raise InvalidInput(
                f"{minutes} is out of range: each reminder must be 1 to {MAX_OFFSET_MINUTES} "
                "minutes (30 days) before the event."
            )
        values.append(minutes)
    unique = sorted(set(values), reverse=True)
    if len(unique) > MAX_OFFSETS:
        raise InvalidInput(f"That is {len(unique)} reminders; at most {MAX_OFFSETS} are allowed.")
    return tuple(unique)


def describe_minutes(minutes: int) -> str:
    """1440 -> "1 day", 90 -> "1 h 30 min"."""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day" + ("s" if days > 1 else ""))
    if hours:
        parts.append(f"{hours} h")
    if mins:
        parts.append(f"{mins} min")
    return " ".join(parts)
