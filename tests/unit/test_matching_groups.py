"""Group formation: everyone placed once, nobody alone, groups that fit, old partners split up."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.groups import GroupFormation, form_groups, group_sizes
from bot.matching.scoring import MatchProfile, waking_overlap_hours

TAGS = ["nlp", "cv", "rl", "mlops", "python", "kaggle", "llms", "stats"]
LEVEL_POINTS = [[2, 1, 0], [1, 2, 1], [0, 1, 2]]


def profile(
    member_id: int, interests: set[str], offset: int | None = 0, level: int | None = 0
) -> MatchProfile:
    return MatchProfile(member_id, frozenset(interests), offset, level)


@st.composite
def pools(draw: st.DrawFn, max_size: int) -> list[MatchProfile]:
    n = draw(st.integers(0, max_size))
    return [
        MatchProfile(
            1000 + i,
            draw(st.frozensets(st.sampled_from(TAGS), max_size=3)),
            draw(st.one_of(st.none(), st.sampled_from([-480, -300, 0, 60, 330, 540, 600]))),
            draw(st.one_of(st.none(), st.integers(0, 2))),
        )
        for i in range(n)
    ]


def affinity(a: MatchProfile, b: MatchProfile, previous: set[frozenset[int]]) -> float:
    """The pair points from the module docstring, written out independently (known levels)."""
    assert a.level is not None
    assert b.level is not None
    points = 10 * len(a.interests & b.interests)
    points += 2 * (waking_overlap_hours(a.utc_offset, b.utc_offset) - 6)
    points += LEVEL_POINTS[a.level][b.level]
    return points - 10 * (frozenset((a.member_id, b.member_id)) in previous)


def total(groups: list[list[MatchProfile]], previous: set[frozenset[int]]) -> float:
    return sum(affinity(a, b, previous) for g in groups for a, b in itertools.combinations(g, 2))


def mean_shared(groups: list[list[MatchProfile]]) -> float:
    per_group = [
        np.mean([len(a.interests & b.interests) for a, b in itertools.combinations(g, 2)])
        for g in groups
    ]
    return float(np.mean(per_group))


def as_profiles(result: GroupFormation, pool: list[MatchProfile]) -> list[list[MatchProfile]]:
    by_id = {p.member_id: p for p in pool}
    return [[by_id[i] for i in g.member_ids] for g in result.groups]


@given(st.integers(0, 300), st.integers(2, 12))
def test_group_sizes_are_balanced_and_nobody_is_alone(n: int, target: int) -> None:
    sizes = group_sizes(n, target)
    if n < 2:
        assert sizes == []
        return
    assert sum(sizes) == n
    assert min(sizes) >= 2
    assert max(sizes) - min(sizes) <= 1
    # Whenever some number of groups keeps every size within one of the target, we find it.
    if any(g * (target - 1) <= n <= g * (target + 1) for g in range(1, n + 1)):
        assert all(abs(s - target) <= 1 for s in sizes)


def test_group_sizes_of_familiar_pools() -> None:
    assert group_sizes(9, 4) == [5, 4]
    assert group_sizes(7, 4) == [4, 3]
    assert group_sizes(3, 4) == [3]
    assert group_sizes(3, 2) == [3]  # not a pair and a loner
    assert group_sizes(5, 12) == [5]
    with pytest.raises(ValueError, match="at least 2"):
        group_sizes(10, 1)


@settings(max_examples=60, deadline=None)
@given(pools(max_size=40), st.integers(2, 6), st.integers(0, 20))
def test_everyone_is_placed_exactly_once_and_nobody_alone(
    pool: list[MatchProfile], target: int, previous_count: int
) -> None:
    rng = random.Random(previous_count)
    ids = [p.member_id for p in pool]
    previous = {tuple(rng.sample(ids, 2)) for _ in range(previous_count)} if len(ids) > 1 else set()
    result = form_groups(pool, target, previous)
    placed = [i for g in result.groups for i in g.member_ids]
    if len(pool) < 2:
        assert result.groups == ()
        assert result.left_over == tuple(ids)
        return
    assert sorted(placed) == sorted(ids)
    assert result.left_over == ()
    assert sorted(len(g.member_ids) for g in result.groups) == sorted(
        group_sizes(len(pool), target)
    )


def test_a_pool_of_one_is_left_over() -> None:
    result = form_groups([profile(1, {"nlp"})], 4)
    assert result.groups == ()
    assert result.left_over == (1,)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4))
def test_no_single_swap_or_move_improves_a_small_formation(seed: int, target: int) -> None:
    rng = random.Random(seed)
    pool = [
        profile(i, set(rng.sample(TAGS, rng.randint(0, 3))), rng.choice([-300, 0, 330, 540]),
                rng.randint(0, 2))
        for i in range(rng.randint(4, 13))
    ]  # fmt: skip
    previous = {frozenset(rng.sample(range(len(pool)), 2)) for _ in range(rng.randint(0, 8))}
    result = form_groups(pool, target, [tuple(p) for p in previous], seed=seed, time_limit=30)
    groups = as_profiles(result, pool)
    found = total(groups, previous)
    # The optimiser's score leaves out the constant -12 a pair (6 h awake together at least).
    pair_count = sum(len(g) * (len(g) - 1) // 2 for g in groups)
    assert result.score == pytest.approx(found + 12 * pair_count)
    sizes = sorted(len(g) for g in groups)
    for (gi, a), (gj, b) in itertools.combinations(
        [(gi, m) for gi, g in enumerate(groups) for m in [*g, None]], 2
    ):
        if gi == gj or (a is None and b is None):
            continue
        changed = [list(g) for g in groups]
        if a is not None:
            changed[gi].remove(a)
            changed[gj].append(a)
        if b is not None:
            changed[gj].remove(b)
            changed[gi].append(b)
        if sorted(len(g) for g in changed) != sizes:
            continue
        assert total(changed, previous) <= found + 1e-6


def clustered_pool(rng: np.random.Generator, per_cluster: int) -> list[MatchProfile]:
    """Three communities, each with its own topics and continent, shuffled together."""
    clusters = [
        (["nlp", "llms", "python"], [-300, -360, -480]),
        (["cv", "kaggle", "stats"], [0, 60, 120]),
        (["rl", "mlops", "python"], [330, 480, 540]),
    ]
    pool = []
    for c, (tags, clocks) in enumerate(clusters):
        for i in range(per_cluster):
            chosen = rng.choice(tags, size=rng.integers(2, 4), replace=False)
            pool.append(
                profile(
                    c * 1000 + i,
                    set(chosen.tolist()),
                    int(rng.choice(clocks)),
                    int(rng.integers(0, 3)),
                )
            )
    order = rng.permutation(len(pool))
    return [pool[i] for i in order]


def test_clustered_members_are_grouped_within_their_community() -> None:
    rng = np.random.default_rng(3)
    pool = clustered_pool(rng, per_cluster=40)
    result = form_groups(pool, 4)
    groups = as_profiles(result, pool)
    mixed = [g for g in groups if len({p.member_id // 1000 for p in g}) > 1]
    assert len(mixed) <= 1  # 40 per community: at most a boundary group mixes

    shuffled = [pool[i] for i in rng.permutation(len(pool))]
    sizes = group_sizes(len(pool), 4)
    starts = np.cumsum([0, *sizes])
    random_groups = [shuffled[a:b] for a, b in itertools.pairwise(starts)]
    assert mean_shared(groups) >= 2 * mean_shared(random_groups)


def test_old_partners_are_split_up_when_an_equal_grouping_exists() -> None:
    same = {"nlp", "cv"}
    pool = [profile(i, same) for i in range(1, 9)]
    previous = [(1, 2), (3, 4), (5, 6), (7, 8), (1, 3), (2, 4)]
    result = form_groups(pool, 2, previous)
    pairs = {frozenset(g.member_ids) for g in result.groups}
    assert not pairs & {frozenset(p) for p in previous}
    assert result.repeat_pairs == 0


def test_old_partners_are_regrouped_only_for_a_clearly_better_fit() -> None:
    pool = [
        profile(1, {"nlp", "llms", "python"}),
        profile(2, {"nlp", "llms", "python"}),
        profile(3, {"cv", "kaggle", "stats"}),
        profile(4, {"cv", "kaggle", "stats"}),
    ]
    result = form_groups(pool, 2, [(1, 2)])
    assert {frozenset(g.member_ids) for g in result.groups} == {
        frozenset({1, 2}),
        frozenset({3, 4}),
    }
    assert result.repeat_pairs == 1
    assert result.groups[0].repeat_pairs + result.groups[1].repeat_pairs == 1


def test_each_group_says_why_it_fits() -> None:
    pool = [
        profile(1, {"nlp", "pytorch"}, 0, 0),
        profile(2, {"nlp", "pytorch"}, 0, 0),
        profile(3, {"nlp", "pytorch", "cv"}, 120, 1),
        profile(4, {"nlp", "cv"}, 120, None),
    ]
    (group,) = form_groups(pool, 4).groups
    assert group.shared_interests == (("nlp", 4), ("pytorch", 3), ("cv", 2))
    assert group.awake_together_utc == ((8 * 60, 21 * 60),)  # 08:00 UTC to 23:00 at UTC+2
    assert group.level_counts == (("beginner", 2), ("intermediate", 1))
    assert group.explanation == (
        "all 4 study nlp; 3 of 4 study pytorch; all awake 08:00–21:00 UTC (13 h); "
        "2 beginner, 1 intermediate, 1 level unknown"
    )


def test_awake_window_across_midnight_utc_is_one_window() -> None:
    pool = [profile(1, {"nlp"}, 540), profile(2, {"nlp"}, 600)]  # Tokyo and Sydney
    (group,) = form_groups(pool, 2).groups
    assert group.awake_together_utc == ((23 * 60, 24 * 60 + 13 * 60),)
    assert "all awake 23:00–13:00 UTC (14 h)" in group.explanation


def test_a_group_spread_around_the_world_says_so() -> None:
    pool = [profile(1, {"nlp"}, -480), profile(2, {"nlp"}, 60), profile(3, {"nlp"}, 540)]
    (group,) = form_groups(pool, 3).groups
    assert group.awake_together_utc == ()
    assert "no hour when all are awake" in group.explanation
