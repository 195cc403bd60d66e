"""Shared helpers for the matching benchmarks: a realistic synthetic community and a table printer.

Interests follow a skewed (Zipf-like) popularity over 30 ML tags, the way a few topics (llms,
python, deep learning) dominate real servers; time zones come from where ML Discord members
actually live, weighted, with a few members who never set one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from bot.matching.scoring import MatchProfile

TAGS: tuple[str, ...] = (
    "llms", "python", "deep learning", "machine learning", "nlp", "computer vision",
    "data science", "pytorch", "math for ml", "kaggle", "mlops", "statistics",
    "reinforcement learning", "generative ai", "tensorflow", "transformers", "time series",
    "recommender systems", "graph neural networks", "diffusion models", "jax", "speech",
    "robotics", "interpretability", "optimization", "bayesian methods", "data engineering",
    "edge ml", "federated learning", "causal inference",
)  # fmt: skip

# (IANA name, relative weight)
TIMEZONES: tuple[tuple[str, float], ...] = (
    ("America/Los_Angeles", 8), ("America/Denver", 2), ("America/Chicago", 5),
    ("America/New_York", 10), ("America/Toronto", 3), ("America/Mexico_City", 2),
    ("America/Bogota", 1), ("America/Sao_Paulo", 4), ("Europe/London", 7),
    ("Europe/Berlin", 8), ("Europe/Paris", 4), ("Europe/Madrid", 2), ("Europe/Warsaw", 2),
    ("Europe/Istanbul", 2), ("Europe/Moscow", 2), ("Africa/Lagos", 3), ("Africa/Nairobi", 2),
    ("Africa/Cairo", 2), ("Asia/Tehran", 1), ("Asia/Karachi", 2), ("Asia/Kolkata", 12),
    ("Asia/Kathmandu", 1), ("Asia/Dhaka", 2), ("Asia/Jakarta", 2), ("Asia/Singapore", 2),
    ("Asia/Shanghai", 4), ("Asia/Seoul", 2), ("Asia/Tokyo", 3), ("Australia/Sydney", 2),
    ("Pacific/Auckland", 1),
)  # fmt: skip

BENCH_INSTANT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _offsets() -> tuple[np.ndarray, np.ndarray]:
    names = [name for name, _ in TIMEZONES]
    weights = np.array([w for _, w in TIMEZONES], dtype=float)
    profile = [MatchProfile.at(0, (), name, None, BENCH_INSTANT) for name in names]
    return np.array([p.utc_offset for p in profile]), weights / weights.sum()


def synthetic_profiles(
    n: int,
    rng: np.random.Generator,
    *,
    first_id: int,
    interests_per_member: Sequence[float],
    level_weights: Sequence[float],
    unknown_timezone: float = 0.04,
    unknown_level: float = 0.05,
) -> list[MatchProfile]:
    """``n`` members: ``interests_per_member[k]`` is the share with k + 1 interests,
    ``level_weights`` the share of beginner, intermediate, advanced."""
    popularity = 1.0 / np.arange(1, len(TAGS) + 1) ** 0.9
    popularity /= popularity.sum()
    counts = rng.choice(np.arange(1, len(interests_per_member) + 1), size=n, p=interests_per_member)
    offsets, tz_weights = _offsets()
    tz = rng.choice(offsets, size=n, p=tz_weights)
    levels = rng.choice(3, size=n, p=np.asarray(level_weights) / sum(level_weights))
    no_tz = rng.random(n) < unknown_timezone
    no_level = rng.random(n) < unknown_level
    profiles = []
    for i in range(n):
        tags = rng.choice(len(TAGS), size=counts[i], replace=False, p=popularity)
        profiles.append(
            MatchProfile(
                first_id + i,
                frozenset(TAGS[t] for t in tags),
                None if no_tz[i] else int(tz[i]),
                None if no_level[i] else int(levels[i]),
            )
        )
    return profiles


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain fixed-width table, the format README copies."""
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for k, row in enumerate(cells):
        print(
            "  ".join(
                c.ljust(w) if j == 0 else c.rjust(w)
                for j, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if k == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
