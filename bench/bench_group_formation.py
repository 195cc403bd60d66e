"""`/group form` at scale: 10,000 members in the pool, target size 4.

Times :func:`bot.matching.form_groups` (target: under 5 s on 2 cores) and compares, with the
same group sizes, against:

- a random partition (what pairing bots do today);
- a greedy baseline: take the next member in random order, add the 3 unplaced members who fit
  them best, repeat (one vectorised scan of the pool per group);
- the seed alone: form_groups' sorted-and-cut start, before local search.

"Shared interests per group" is reported three ways: the mean number of interests a pair of
group members shares (what the optimiser maximises), interests every member has, and interests
at least two members have. A second formation then runs with every pair of the first as
"grouped before", to show old partners being split up.

Run from the repository root: ``.venv/bin/python -m bench.bench_group_formation [seed]``.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from collections import Counter

import numpy as np

from bench._common import print_table, synthetic_profiles
from bot.matching import _group_search as search
from bot.matching.groups import (
    GroupFormation,
    form_groups,
    group_sizes,
    member_features,
    waking_bins,
)
from bot.matching.scoring import MatchProfile, waking_overlap_hours

MEMBERS = 10_000
TARGET = 4
RUNS = 3


def pool(seed: int) -> list[MatchProfile]:
    return synthetic_profiles(
        MEMBERS,
        np.random.default_rng(seed),
        first_id=1,
        interests_per_member=[0.25, 0.3, 0.25, 0.12, 0.08],
        level_weights=[0.5, 0.35, 0.15],
    )


def random_partition(members: list[MatchProfile], seed: int) -> list[list[MatchProfile]]:
    order = np.random.default_rng(seed).permutation(len(members))
    groups, start = [], 0
    for size in group_sizes(len(members), TARGET):
        groups.append([members[i] for i in order[start : start + size]])
        start += size
    return groups


def greedy_partition(members: list[MatchProfile], seed: int) -> list[list[MatchProfile]]:
    features = member_features(members)[:-1]
    unplaced = np.ones(len(members), dtype=bool)
    order = iter(np.random.default_rng(seed).permutation(len(members)))
    groups = []
    for size in group_sizes(len(members), TARGET):
        first = next(i for i in order if unplaced[i])
        unplaced[first] = False
        candidates = np.flatnonzero(unplaced)
        fit = features[candidates] @ features[first]
        best = candidates[np.argsort(-fit, kind="stable")[: size - 1]]
        unplaced[best] = False
        groups.append([members[i] for i in (first, *best)])
    return groups


def seed_partition(members: list[MatchProfile]) -> list[list[MatchProfile]]:
    nobody_before = search.previous_partners([m.member_id for m in members], [])
    slots = search.seed_slots(members, group_sizes(len(members), TARGET), nobody_before)
    return [[members[i] for i in row if i < len(members)] for row in slots]


def as_groups(result: GroupFormation, members: list[MatchProfile]) -> list[list[MatchProfile]]:
    by_id = {m.member_id: m for m in members}
    return [[by_id[i] for i in g.member_ids] for g in result.groups]


def quality(groups: list[list[MatchProfile]]) -> dict[str, float]:
    pairwise, everyone, two_or_more, overlap, together, none = [], [], [], [], [], 0
    for group in groups:
        pairs = list(itertools.combinations(group, 2))
        pairwise.append(np.mean([len(a.interests & b.interests) for a, b in pairs]))
        overlap.append(
            np.mean([waking_overlap_hours(a.utc_offset, b.utc_offset) for a, b in pairs])
        )
        counts = Counter(tag for m in group for tag in m.interests)
        everyone.append(sum(c == len(group) for c in counts.values()))
        two_or_more.append(sum(c >= 2 for c in counts.values()))
        hours = _hours_all_awake(group)
        together.append(hours)
        none += hours == 0
    return {
        "pairwise": float(np.mean(pairwise)),
        "everyone": float(np.mean(everyone)),
        "two_or_more": float(np.mean(two_or_more)),
        "overlap": float(np.mean(overlap)),
        "together": float(np.mean(together)),
        "no_common_hour": none / len(groups),
    }


def _hours_all_awake(group: list[MatchProfile]) -> float:
    known = [m for m in group if m.utc_offset is not None]
    if not known:
        return 15.0
    return float((waking_bins(known).min(axis=0) > 0).sum()) / 4


def timed_formation(
    members: list[MatchProfile], previous: list[tuple[int, int]]
) -> tuple[GroupFormation, float]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = form_groups(members, TARGET, previous)
        times.append(time.perf_counter() - started)
    assert result is not None
    return result, statistics.median(times)


def main(seed: int) -> None:
    members = pool(seed)
    print(f"{MEMBERS:,} members, target size {TARGET}, seed {seed}")
    result, seconds = timed_formation(members, [])
    formed = as_groups(result, members)

    started = time.perf_counter()
    greedy = greedy_partition(members, seed)
    greedy_seconds = time.perf_counter() - started
    rows = [
        ("form_groups", quality(formed), seconds),
        ("greedy", quality(greedy), greedy_seconds),
        ("seed only (sorted, cut)", quality(seed_partition(members)), float("nan")),
        ("random partition", quality(random_partition(members, seed)), 0.0),
    ]
    base = {"random": rows[3][1], "greedy": rows[1][1]}
    print_table(
        "Group formation (per group means; ratios on pairwise shared interests)",
        [
            "method",
            "shared/pair",
            "x random",
            "x greedy",
            "all share",
            "2+ share",
            "pair awake h",
            "all awake h",
            "no common h",
            "seconds",
        ],
        [
            [
                name,
                q["pairwise"],
                q["pairwise"] / base["random"]["pairwise"],
                q["pairwise"] / base["greedy"]["pairwise"],
                q["everyone"],
                q["two_or_more"],
                q["overlap"],
                q["together"],
                f"{q['no_common_hour']:.1%}",
                "-" if np.isnan(sec) else sec,
            ]
            for name, q, sec in rows
        ],
    )

    previous = [(a, b) for g in result.groups for a, b in itertools.combinations(g.member_ids, 2)]
    again, again_seconds = timed_formation(members, previous)
    print_table(
        "Forming again with every pair of the first formation marked 'grouped before'",
        ["figure", "first", "second"],
        [
            ["repeat pairs", result.repeat_pairs, again.repeat_pairs],
            [
                "shared/pair",
                quality(formed)["pairwise"],
                quality(as_groups(again, members))["pairwise"],
            ],
            ["local-search rounds", result.rounds, again.rounds],
            ["seconds (median of 3)", seconds, again_seconds],
        ],
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2026)
