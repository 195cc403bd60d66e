"""Study-group formation for `/group form`: partition the pool into balanced groups that fit.

Everyone is placed exactly once (a pool of fewer than two cannot form a group and is left over),
group sizes differ by at most one, nobody is alone, and sizes stay as close to the target as
the pool allows (see :func:`group_sizes`).

A group's score is the sum over its pairs of a pair affinity, in the same points as mentor
scores: ``INTEREST_POINTS`` (10) per shared interest, ``GROUP_TIMEZONE_POINTS_PER_HOUR`` (2)
per waking hour in common beyond the 6 h any two clocks share (a group meets live, so clocks
weigh more than for a mentor pair), ``GROUP_LEVEL_POINTS`` for close levels (2 same, 1 one
apart, 0 two apart), minus ``REPEAT_PENALTY`` (10) for two people who were grouped before.
The penalty equals one shared interest: old partners are split up whenever another grouping
is as good, and only regrouped for a clearly better fit (two more shared interests, say).

Every term is a dot product of per-member feature vectors (interest indicators, 15-minute
waking-time indicators in UTC, a level embedding), so the affinity of a member to a whole group
is one dot product with the group's feature sum. That keeps 10,000 members in seconds:
a greedy seed (members sorted so that similar ones are adjacent, cut into groups), then local
search over swaps between pairs of groups, all pairs of a round evaluated in one vectorised
step (see :mod:`bot.matching._group_search`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching import _group_search as search
from bot.matching.scoring import (
    LEVELS,
    WAKING_MINUTES,
    WAKING_START_MINUTE,
    MatchProfile,
    vocabulary_of,
)

# Bins of 15 minutes in a day: every UTC offset in use is a multiple of 15 minutes.
_BINS = 96
_BIN_MINUTES = 15


@dataclass(frozen=True, slots=True)
class FormedGroup:
    """One proposed group and why it fits.

    ``shared_interests`` lists (tag, members who have it) for tags at least two members share,
    most shared first. ``awake_together_utc`` lists (start, end) minutes after 00:00 UTC when
    every member with a known time zone is awake (end may pass 1440: the window crosses
    midnight). ``explanation`` says all of it in one line.
    """

    member_ids: tuple[int, ...]
    shared_interests: tuple[tuple[str, int], ...]
    awake_together_utc: tuple[tuple[int, int], ...]
    level_counts: tuple[tuple[str, int], ...]
    repeat_pairs: int
    explanation: str


@dataclass(frozen=True, slots=True)
class GroupFormation:
    groups: tuple[FormedGroup, ...]
    left_over: tuple[int, ...]  # members who could not be placed (a pool of one)
    score: float  # the objective: sum of pair affinities within groups
    repeat_pairs: int  # pairs grouped together before who are together again
    rounds: int  # local-search rounds run


def group_sizes(n: int, target_size: int) -> list[int]:
    """Sizes for ``n`` members (largest first): all within one of each other, none below 2.

    The number of groups is chosen so the sizes stay closest to ``target_size``; with a tie,
    the larger groups win (a group that loses a member later is still a group). Fewer than
    two members make no group at all.
    """
    if target_size < 2:
        raise ValueError("groups need a target size of at least 2")
    if n < 2:
        return []
    options = {max(1, n // target_size), max(1, -(-n // target_size))}
    options = {min(g, n // 2) for g in options}

    def deviation(groups: int) -> tuple[int, int, int]:
        small, extra = divmod(n, groups)
        sizes = [small + 1] * extra + [small] * (groups - extra)
        return (
            max(abs(s - target_size) for s in sizes),
            sum(abs(s - target_size) for s in sizes),
            groups,
        )

    groups = min(options, key=deviation)
    small, extra = divmod(n, groups)
    return [small + 1] * extra + [small] * (groups - extra)


def form_groups(
    members: Sequence[MatchProfile],
    target_size: int,
    previous_pairs: Collection[tuple[int, int]] = (),
    *,
    seed: int = 0,
    max_rounds: int = 3000,
    time_limit: float = 2.0,
) -> GroupFormation:
    """Partition ``members`` into groups of about ``target_size``, maximising the fit.

    ``previous_pairs`` holds (member id, member id) pairs who shared a group before, in either
    order. The search is seeded (``seed``) and bounded by ``max_rounds`` and ``time_limit``
    seconds, whichever comes first; it stops earlier once no swap between any two groups
    improves the score (small pools) or improvements dry up (large ones).
    """
    ids = [p.member_id for p in members]
    if len(set(ids)) != len(ids):
        raise ValueError("each member may appear only once")
    sizes = group_sizes(len(members), target_size)
    if not sizes:
        return GroupFormation((), tuple(ids), 0.0, 0, 0)
    deadline = time.monotonic() + time_limit
    bins = waking_bins(members)
    features = search.features(members, vocabulary_of(members), bins)
    previous = search.previous_partners(ids, previous_pairs)
    rng = np.random.default_rng(seed)
    slots = search.seed_slots(members, sizes, previous)
    slots, rounds = search.improve(slots, features, previous, rng, max_rounds, deadline)
    repeats = previous.per_group(slots)
    groups = tuple(
        _describe(members, bins, row[row < len(members)], int(repeats[g]))
        for g, row in enumerate(slots)
    )
    score = search.partition_score(slots, features, previous)
    return GroupFormation(groups, (), score, int(repeats.sum()), rounds)


def member_features(members: Sequence[MatchProfile]) -> np.ndarray:
    """One row per member, plus a final all-zero row that pads short groups, such that the dot
    product of two rows is their pair affinity (up to a constant per pair)."""
    return search.features(members, vocabulary_of(members), waking_bins(members))


def waking_bins(members: Sequence[MatchProfile]) -> np.ndarray:
    """(members x 96) 1.0 where a member is awake in that UTC quarter hour; a member without a
    time zone gets 15/24 everywhere, the expected overlap with an unknown clock."""
    bins = np.zeros((len(members), _BINS), dtype=np.float32)
    length = WAKING_MINUTES // _BIN_MINUTES
    for row, member in enumerate(members):
        if member.utc_offset is None:
            bins[row] = WAKING_MINUTES / (24 * 60)
            continue
        offset = round(member.utc_offset / _BIN_MINUTES)
        first = (WAKING_START_MINUTE // _BIN_MINUTES - offset) % _BINS
        bins[row, (first + np.arange(length)) % _BINS] = 1.0
    return bins


def _describe(
    members: Sequence[MatchProfile], bins: np.ndarray, rows: np.ndarray, repeats: int
) -> FormedGroup:
    group = [members[i] for i in rows]
    counts = Counter(tag for p in group for tag in p.interests)
    shared = tuple(
        sorted(((t, c) for t, c in counts.items() if c >= 2), key=lambda x: (-x[1], x[0]))
    )
    windows = _awake_together(bins[[i for i in rows if members[i].utc_offset is not None]])
    levels = Counter(p.level for p in group)
    level_counts = tuple((LEVELS[lv], levels[lv]) for lv in range(len(LEVELS)) if levels[lv])
    return FormedGroup(
        tuple(p.member_id for p in group),
        shared,
        windows,
        level_counts,
        repeats,
        _explain(len(group), shared, windows, level_counts, levels[None]),
    )


def _awake_together(bins: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Windows (start, end minute UTC) when every row is awake; the whole day if no rows."""
    if not len(bins):
        return ((0, 24 * 60),)
    together = bins.min(axis=0) > 0
    if together.all():
        return ((0, 24 * 60),)
    if not together.any():
        return ()
    # Start scanning just after an asleep bin so a window crossing midnight stays in one piece.
    shift = int(np.flatnonzero(~together)[0]) + 1
    rolled = np.roll(together, -shift)
    edges = np.diff(np.concatenate([[0], rolled.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    windows = []
    for start, end in zip(starts, ends, strict=True):
        first = (int(start) + shift) % _BINS * _BIN_MINUTES
        windows.append((first, first + (int(end) - int(start)) * _BIN_MINUTES))
    return tuple(sorted(windows))


def _clock(minute: int) -> str:
    minute %= 24 * 60
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _explain(
    size: int,
    shared: tuple[tuple[str, int], ...],
    windows: tuple[tuple[int, int], ...],
    level_counts: tuple[tuple[str, int], ...],
    unknown_levels: int,
) -> str:
    """``all 4 study nlp; 3 of 4 study pytorch; all awake 13:00-20:00 UTC; 2 beginner, 2 ...``"""
    parts = []
    by_count: dict[int, list[str]] = {}
    for tag, count in shared:
        by_count.setdefault(count, []).append(tag)
    for count in sorted(by_count, reverse=True)[:2]:
        who = f"all {size}" if count == size else f"{count} of {size}"
        tags = by_count[count]
        shown = ", ".join(tags[:3]) + (f" and {len(tags) - 3} more" if len(tags) > 3 else "")
        parts.append(f"{who} study {shown}")
    if not shared:
        parts.append("no interest in common")
    if windows == ((0, 24 * 60),):
        parts.append("awake hours unknown")
    elif windows:
        hours = sum(end - start for start, end in windows) / 60
        spans = " and ".join(f"{_clock(a)}–{_clock(b)}" for a, b in windows)
        parts.append(f"all awake {spans} UTC ({hours:g} h)")
    else:
        parts.append("no hour when all are awake")
    levels = [f"{count} {name}" for name, count in level_counts]
    if unknown_levels:
        levels.append(f"{unknown_levels} level unknown")
    parts.append(", ".join(levels))
    return "; ".join(parts)
