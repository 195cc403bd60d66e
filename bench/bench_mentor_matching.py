"""`/mentor match` at scale: 10,000 waiting mentees, 2,000 mentors with capacities 1-5.

Times :func:`bot.matching.assign_mentors` (target: under 5 s on 2 cores, optimal) and compares
its total score and matched count, in the same process, with:

- first come, first served: each mentee in turn takes the best mentor with a free slot, which
  is what answering requests one by one (``best_mentor``) would do;
- global greedy: the highest-scoring pairs first, each taken if both sides are still free;
- a top-16 shortlist solved exactly without the duality check: the "sparse candidates" shortcut
  on its own, to show what the check buys.

Run from the repository root: ``.venv/bin/python -m bench.bench_mentor_matching [seed]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from bench._common import print_table, synthetic_profiles
from bot.matching.mentors import MentorAssignment, assign_mentors, best_mentor
from bot.matching.scoring import MatchProfile, PairScorer, encode_profiles, vocabulary_of

MENTEES = 10_000
MENTORS = 2_000
RUNS = 3
T = TypeVar("T")
Pairs = list[tuple[int, int, float]]
Blocks = list[tuple[int, np.ndarray]]


def community(seed: int) -> tuple[list[MatchProfile], list[MatchProfile], dict[int, int]]:
    rng = np.random.default_rng(seed)
    # Mentees are mostly beginners with a few interests; mentors are further along and broader.
    mentees = synthetic_profiles(
        MENTEES,
        rng,
        first_id=1,
        interests_per_member=[0.25, 0.3, 0.25, 0.12, 0.08],
        level_weights=[0.55, 0.35, 0.10],
    )
    mentors = synthetic_profiles(
        MENTORS,
        rng,
        first_id=1_000_000,
        interests_per_member=[0.1, 0.2, 0.3, 0.25, 0.15],
        level_weights=[0.05, 0.35, 0.60],
    )
    capacities = {
        m.member_id: int(c) for m, c in zip(mentors, rng.integers(1, 6, MENTORS), strict=True)
    }
    return mentees, mentors, capacities


def score_rows(mentees: list[MatchProfile], mentors: list[MatchProfile]) -> Blocks:
    """The full score matrix, block by block, for the baselines (which need all of it)."""
    vocabulary = vocabulary_of(mentees, mentors)
    scorer = PairScorer(encode_profiles(mentees, vocabulary), encode_profiles(mentors, vocabulary))
    blocks: Blocks = []
    start = 0
    for block in scorer.blocks():
        blocks.append((start, block.copy()))
        start += len(block)
    return blocks


def first_come_first_served(blocks: Blocks, capacity: np.ndarray) -> Pairs:
    free = capacity.copy()
    pairs: Pairs = []
    for start, block in blocks:
        for offset, row in enumerate(block):
            open_scores = np.where(free > 0, row, 0.0)
            best = int(open_scores.argmax())
            if open_scores[best] > 0:
                free[best] -= 1
                pairs.append((start + offset, best, float(row[best])))
    return pairs


def global_greedy(blocks: Blocks, capacity: np.ndarray) -> Pairs:
    # Every mentee's 64 best mentors is far more than greedy ever reaches down to.
    rows, cols, vals = [], [], []
    for start, block in blocks:
        top = np.argpartition(-block, 63, axis=1)[:, :64]
        top_vals = np.take_along_axis(block, top, axis=1)
        keep = top_vals > 0
        rows.append(np.broadcast_to(np.arange(start, start + len(block))[:, None], top.shape)[keep])
        cols.append(top[keep])
        vals.append(top_vals[keep])
    row, col, val = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    order = np.argsort(-val, kind="stable")
    free = capacity.copy()
    taken = np.zeros(MENTEES, dtype=bool)
    pairs: Pairs = []
    for i, j, s in zip(row[order].tolist(), col[order].tolist(), val[order].tolist(), strict=True):
        if not taken[i] and free[j] > 0:
            taken[i] = True
            free[j] -= 1
            pairs.append((i, j, s))
    return pairs


def timed(run: Callable[[], T]) -> tuple[T, float, float]:
    """The result of ``run`` and its median and best wall time over RUNS runs."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times), min(times)


def summary(
    name: str,
    pairs: Pairs,
    seconds: float,
    optimum: float,
    mentees: list[MatchProfile],
    mentors: list[MatchProfile],
) -> list[object]:
    total = sum(p[2] for p in pairs)
    shared = [len(mentees[i].interests & mentors[j].interests) for i, j, _ in pairs]
    return [
        name,
        len(pairs),
        total,
        total / optimum,
        float(np.mean(shared)) if shared else 0.0,
        seconds,
    ]


def single_request_ms(
    mentees: list[MatchProfile], mentors: list[MatchProfile], capacities: dict[int, int]
) -> float:
    """Median time of one `/mentor request` against every mentor, over 200 mentees."""
    times = []
    for mentee in mentees[:200]:
        started = time.perf_counter()
        best_mentor(mentee, mentors, capacities)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(seed: int) -> None:
    mentees, mentors, capacities = community(seed)
    capacity = np.array([capacities[m.member_id] for m in mentors])
    print(
        f"{MENTEES:,} mentees, {MENTORS:,} mentors, {int(capacity.sum()):,} slots "
        f"(capacities 1-5), seed {seed}"
    )

    result: MentorAssignment
    result, median, best = timed(lambda: assign_mentors(mentees, mentors, capacities))
    col = {m.member_id: j for j, m in enumerate(mentors)}
    row = {m.member_id: i for i, m in enumerate(mentees)}
    optimal_pairs = [(row[p.mentee_id], col[p.mentor_id], p.score) for p in result.pairs]

    shortlist, short_median, _ = timed(
        lambda: assign_mentors(
            mentees,
            mentors,
            capacities,
            candidates_per_mentee=16,
            candidates_per_slot=0,
            max_rounds=1,
        )
    )
    short_pairs = [(row[p.mentee_id], col[p.mentor_id], p.score) for p in shortlist.pairs]

    blocks = score_rows(mentees, mentors)
    fcfs, fcfs_median, _ = timed(lambda: first_come_first_served(blocks, capacity))
    greedy, greedy_median, _ = timed(lambda: global_greedy(blocks, capacity))

    optimum = result.total_score
    print_table(
        "Mentor matching (total score: higher is better; ratio to assign_mentors)",
        ["method", "matched", "total score", "ratio", "shared/pair", "seconds"],
        [
            summary(
                "assign_mentors (proven optimal)", optimal_pairs, median, optimum, mentees, mentors
            ),
            summary(
                "top-16 shortlist, no check", short_pairs, short_median, optimum, mentees, mentors
            ),
            summary("global greedy", greedy, greedy_median, optimum, mentees, mentors),
            summary("first come, first served", fcfs, fcfs_median, optimum, mentees, mentors),
        ],
    )
    print_table(
        "assign_mentors",
        ["figure", "value"],
        [
            ["wall seconds, median of 3", median],
            ["wall seconds, best of 3", best],
            ["column-generation rounds", result.rounds],
            ["proven optimal (bound == total)", str(result.proven_optimal)],
            ["upper bound - total", result.upper_bound - result.total_score],
            ["vs global greedy: score x", optimum / sum(p[2] for p in greedy)],
            ["vs global greedy: matched +", len(optimal_pairs) - len(greedy)],
            ["vs first come: score x", optimum / sum(p[2] for p in fcfs)],
            ["best_mentor, one request: ms", single_request_ms(mentees, mentors, capacities)],
        ],
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2026)
