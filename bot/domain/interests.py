"""Interest tags: normalising, validating and resolving what members type against a taxonomy."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from bot.domain.text import contains_mention, quote
from bot.errors import InvalidInput

MAX_TAG_LENGTH = 50
MAX_ALIASES = 10
MAX_INTERESTS = 15
MAX_LIST_LENGTH = 400
_ALLOWED = re.compile(r"^[a-z0-9][a-z0-9 +#.&/'-]*$")

DEFAULT_TAXONOMY: dict[str, tuple[str, ...]] = {
    "machine learning": ("ml",),
    "deep learning": ("dl", "neural networks"),
    "natural language processing": ("nlp",),
    "computer vision": ("cv",),
    "reinforcement learning": ("rl",),
    "mlops": ("ml engineering", "ml ops"),
    "data science": ("ds", "data analysis"),
    "statistics": ("stats",),
    "llms": ("llm", "large language models"),
    "kaggle": ("competitions",),
    "math for ml": ("math", "linear algebra", "calculus"),
    "python": ("py",),
}


def normalize(text: str) -> str:
    return " ".join(text.casefold().split())


def validate_tag(text: str, *, what: str = "interest") -> str:
    tag = normalize(text)
    if not tag:
        raise InvalidInput(f"The {what} can't be empty.")
    if len(tag) > MAX_TAG_LENGTH:
        raise InvalidInput(f"The {what} {quote(tag)} is longer than {MAX_TAG_LENGTH} characters.")
    if contains_mention(text) or not _ALLOWED.match(tag):
        raise InvalidInput(
            f"The {what} {quote(tag)} may only use letters, digits, spaces and + # . & / ' -."
        )
    return tag


def split_list(text: str) -> list[str]:
    """Split a comma-separated list, normalised, empty items and repeats dropped."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        item = normalize(part)
        if item:
            seen.setdefault(item, None)
    return list(seen)


def resolve(text: str, names: Mapping[str, str]) -> list[str]:
    """Map a comma-separated list to canonical tags; ``names`` maps every tag and alias to its tag.

    Unknown items raise one error that lists each with a suggestion, so the member fixes all
    of them in one go.
    """
    if len(text) > MAX_LIST_LENGTH:
        raise InvalidInput(
            f"That list is {len(text)} characters long; the limit is {MAX_LIST_LENGTH}."
        )
    items = split_list(text)
    if not items:
        raise InvalidInput("List at least one interest, separated by commas, e.g. `nlp, python`.")
    if len(items) > MAX_INTERESTS:
        raise InvalidInput(f"That is {len(items)} interests; pick at most {MAX_INTERESTS}.")
    unknown = [item for item in items if item not in names]
    if unknown:
        raise InvalidInput(_unknown_message(unknown, names))
    return list(dict.fromkeys(names[item] for item in items))


def suggest(item: str, names: Mapping[str, str]) -> str | None:
    """The closest known name to ``item``, if any is close."""
    close = difflib.get_close_matches(item, list(names), n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_message(unknown: list[str], names: Mapping[str, str]) -> str:
    parts = []
    for item in unknown[:5]:
        close = suggest(item, names)
        if close:
            parts.append(f"Unknown interest {quote(item)}. Did you mean {close}?")
        else:
            parts.append(f"Unknown interest {quote(item)}.")
    parts.append("`/interests` lists this server's interests; a moderator can add new ones.")
    return "\n".join(parts)


def autocomplete_list(current: str, names: Mapping[str, str], limit: int = 25) -> list[str]:
    """Suggestions for a comma-separated interests option: complete the last item."""
    head, _, last = current.rpartition(",")
    done = split_list(head)
    needle = normalize(last)
    tags = sorted(set(names.values()))
    chosen = {names.get(d, d) for d in done}
    candidates = [t for t in tags if t not in chosen]
    if needle:
        # Tags that start with the text, then aliases that do, then anything containing it;
        # one suggestion per tag, shown by its canonical name.
        ranked = sorted(
            (n for n in names if needle in n),
            key=lambda n: (not n.startswith(needle), names[n] != n, n),
        )
        candidates = list(dict.fromkeys(names[n] for n in ranked if names[n] not in chosen))
    prefix = ", ".join(done)
    out = [f"{prefix}, {c}" if prefix else c for c in candidates]
    return [o for o in out if len(o) <= 100][:limit]
