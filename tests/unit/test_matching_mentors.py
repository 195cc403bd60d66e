"""Mentor matching: one request gets the best open mentor; a batch is optimal and breaks no rule."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.mentors import MentorAssignment, assign_mentors, best_mentor
from bot.matching.scoring import MatchProfile, pair_score

TAGS = ["nlp", "cv", "rl", "mlops"]


def profile(
    member_id: int, interests: set[str], offset: int | None = 0, level: int | None = None
) -> MatchProfile:
    return MatchProfile(member_id, frozenset(interests), offset, level)


@dataclass
class Case:
    mentees: list[MatchProfile]
    mentors: list[MatchProfile]
    capacities: dict[int, int]
    forbidden: set[tuple[int, int]]


@st.composite
def profiles(draw: st.DrawFn, member_id: int) -> MatchProfile:
    return MatchProfile(
        member_id,
        draw(st.frozensets(st.sampled_from(TAGS), max_size=3)),
        draw(st.one_of(st.none(), st.sampled_from([-300, 0, 60, 330, 540]))),
        draw(st.one_of(st.none(), st.integers(0, 2))),
    )


@st.composite
def cases(draw: st.DrawFn, max_mentees: int, max_mentors: int, max_capacity: int) -> Case:
    n = draw(st.integers(0, max_mentees))
    m = draw(st.integers(0, max_mentors))
    mentees = [draw(profiles(i)) for i in range(n)]
    # Some mentors are also waiting mentees (same id): they must never get themselves.
    mentor_ids = draw(
        st.lists(st.integers(0, max_mentees + max_mentors), min_size=m, max_size=m, unique=True)
    )
    mentors = [draw(profiles(i)) for i in mentor_ids]
    capacities = {i: draw(st.integers(0, max_capacity)) for i in mentor_ids}
    every_pair = [(a.member_id, b) for a in mentees for b in mentor_ids]
    forbidden = (
        set(draw(st.lists(st.sampled_from(every_pair), max_size=4))) if every_pair else set()
    )
    return Case(mentees, mentors, capacities, forbidden)


def brute_force_best_total(case: Case) -> float:
    """Try every way of giving each mentee one allowed mentor or none."""
    scores = {
        (a.member_id, b.member_id): pair_score(a, b)
        for a in case.mentees
        for b in case.mentors
        if (a.member_id, b.member_id) not in case.forbidden
    }
    options = [
        [None] + [b.member_id for b in case.mentors if scores.get((a.member_id, b.member_id), 0)]
        for a in case.mentees
    ]
    best = 0.0
    for choice in itertools.product(*options):
        load: dict[int, int] = {}
        for b in choice:
            if b is not None:
                load[b] = load.get(b, 0) + 1
        if all(count <= case.capacities[b] for b, count in load.items()):
            total = sum(
                scores[a.member_id, b]
                for a, b in zip(case.mentees, choice, strict=True)
                if b is not None
            )
            best = max(best, total)
    return best


def assert_rules_hold(case: Case, result: MentorAssignment) -> None:
    mentees = {p.member_id: p for p in case.mentees}
    mentors = {p.member_id: p for p in case.mentors}
    matched = [p.mentee_id for p in result.pairs]
    assert len(matched) == len(set(matched)), "a mentee was matched twice"
    assert sorted(matched + list(result.unmatched)) == sorted(mentees), "a mentee went missing"
    load: dict[int, int] = {}
    for pair in result.pairs:
        assert pair.mentee_id != pair.mentor_id, "a member was matched with themselves"
        assert (pair.mentee_id, pair.mentor_id) not in case.forbidden, "a declined pair was used"
        assert pair.score == pair_score(mentees[pair.mentee_id], mentors[pair.mentor_id]) > 0
        load[pair.mentor_id] = load.get(pair.mentor_id, 0) + 1
    for mentor_id, count in load.items():
        assert count <= case.capacities[mentor_id], "a mentor got more mentees than capacity"
    assert result.total_score == sum(p.score for p in result.pairs)


@settings(max_examples=120, deadline=None)
@given(cases(max_mentees=5, max_mentors=4, max_capacity=2), st.integers(1, 2), st.integers(0, 1))
def test_batch_matching_is_optimal_against_brute_force(
    case: Case, shortlist: int, per_slot: int
) -> None:
    # Tiny shortlists force the solver to find missing edges through its duality check.
    result = assign_mentors(
        case.mentees,
        case.mentors,
        case.capacities,
        case.forbidden,
        candidates_per_mentee=shortlist,
        candidates_per_slot=per_slot,
    )
    assert_rules_hold(case, result)
    assert result.total_score == brute_force_best_total(case)
    assert result.proven_optimal


def test_random_contested_batches_match_brute_force() -> None:
    # Hypothesis rarely builds a case where the first shortlist misses the optimum; with one
    # candidate per mentee and none per slot, about one random case in twenty does.
    rng = np.random.default_rng(5)
    needed_more_rounds = 0
    for _ in range(300):

        def draw(member_id: int) -> MatchProfile:
            tags = rng.choice(TAGS, size=rng.integers(0, 3), replace=False)
            clock = int(rng.choice([-300, 0, 60, 330, 540]))
            level = [None, 0, 1, 2][rng.integers(0, 4)]
            return MatchProfile(member_id, frozenset(tags.tolist()), clock, level)

        mentees = [draw(i) for i in range(rng.integers(1, 6))]
        mentors = [draw(10 + i) for i in range(rng.integers(1, 5))]
        case = Case(
            mentees, mentors, {b.member_id: int(rng.integers(0, 3)) for b in mentors}, set()
        )
        result = assign_mentors(
            mentees, mentors, case.capacities, candidates_per_mentee=1, candidates_per_slot=0
        )
        assert result.total_score == brute_force_best_total(case)
        assert result.proven_optimal
        needed_more_rounds += result.rounds > 1
    assert needed_more_rounds >= 5


def test_the_duality_check_finds_the_pair_missing_from_the_shortlists() -> None:
    # Both mentees' favourite is mentor 10; only mentee 1 has a second choice, which neither
    # one-mentor shortlist contains. The optimum needs it: 1 -> 11, 2 -> 10.
    mentees = [profile(1, {"nlp", "cv"}), profile(2, {"nlp", "cv", "rl"})]
    mentors = [profile(10, {"nlp", "cv", "rl"}), profile(11, {"nlp"})]
    result = assign_mentors(
        mentees, mentors, {10: 1, 11: 1}, candidates_per_mentee=1, candidates_per_slot=0
    )
    assert {(p.mentee_id, p.mentor_id) for p in result.pairs} == {(1, 11), (2, 10)}
    assert result.rounds >= 2
    assert result.proven_optimal


@settings(max_examples=40, deadline=None)
@given(cases(max_mentees=5, max_mentors=4, max_capacity=2))
def test_with_every_mentor_on_the_shortlist_one_round_is_optimal(case: Case) -> None:
    result = assign_mentors(
        case.mentees, case.mentors, case.capacities, case.forbidden, candidates_per_mentee=4
    )
    assert result.total_score == brute_force_best_total(case)
    assert result.rounds <= 1


@settings(max_examples=15, deadline=None)
@given(cases(max_mentees=60, max_mentors=15, max_capacity=5))
def test_larger_batches_keep_every_rule_and_prove_optimality(case: Case) -> None:
    result = assign_mentors(case.mentees, case.mentors, case.capacities, case.forbidden)
    assert_rules_hold(case, result)
    assert result.proven_optimal
    assert result.upper_bound == result.total_score


def test_a_mentee_without_a_fitting_mentor_stays_unmatched() -> None:
    result = assign_mentors(
        [profile(1, {"nlp"}), profile(2, {"rl"})], [profile(10, {"nlp", "cv"})], {10: 5}
    )
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [(1, 10)]
    assert result.unmatched == (2,)
    assert result.pairs[0].explanation == "matched on nlp; same local time"


def test_batch_gives_the_scarce_mentor_to_whoever_has_no_alternative() -> None:
    # Greedy would give the cv+nlp mentor to mentee 1 (best pair) and strand mentee 2.
    both = profile(10, {"nlp", "cv"})
    nlp_only = profile(11, {"nlp"})
    mentees = [profile(1, {"nlp", "cv"}), profile(2, {"cv"})]
    result = assign_mentors(mentees, [both, nlp_only], {10: 1, 11: 1})
    assert {(p.mentee_id, p.mentor_id) for p in result.pairs} == {(1, 11), (2, 10)}


def test_declined_pairs_and_full_mentors_are_never_used() -> None:
    mentees = [profile(1, {"nlp"}), profile(2, {"nlp"}), profile(3, {"nlp"})]
    mentors = [profile(10, {"nlp"}), profile(11, {"nlp"}), profile(12, {"nlp"})]
    result = assign_mentors(mentees, mentors, {10: 2, 11: 0}, {(1, 10)})
    # 11 is full, 12 has no capacity listed, and mentee 1 declined 10.
    assert {(p.mentee_id, p.mentor_id) for p in result.pairs} == {(2, 10), (3, 10)}
    assert result.unmatched == (1,)


def test_duplicate_members_are_refused() -> None:
    with pytest.raises(ValueError, match="only once"):
        assign_mentors([profile(1, {"nlp"}), profile(1, {"cv"})], [], {})


def test_nothing_to_match_returns_everyone_unmatched() -> None:
    result = assign_mentors([profile(1, {"nlp"})], [profile(10, {"nlp"})], {10: 0})
    assert result.pairs == ()
    assert result.unmatched == (1,)
    assert result.proven_optimal


def test_a_request_goes_to_the_best_open_mentor_and_says_why() -> None:
    mentee = profile(1, {"nlp", "pytorch"}, 60, 0)
    mentors = [
        profile(10, {"nlp"}, 60, 1),
        profile(11, {"nlp", "pytorch"}, 180, 2),
        profile(12, {"nlp", "pytorch", "cv"}, 60, 1),  # best, but declined before
        profile(13, {"nlp", "pytorch"}, 60, 1),  # as good as 12, but full
    ]
    choice = best_mentor(mentee, mentors, {10: 1, 11: 1, 12: 3, 13: 0}, excluded_ids={12})
    assert choice is not None
    assert choice.mentor_id == 11
    assert choice.explanation == "matched on nlp, pytorch; 2 h apart; mentor is advanced"
    assert choice.score == pair_score(mentee, mentors[1])


def test_a_request_with_no_fitting_mentor_waits() -> None:
    mentee = profile(1, {"rl"})
    assert best_mentor(mentee, [profile(10, {"nlp"})], {10: 1}) is None
    assert best_mentor(mentee, [profile(1, {"rl"})], {1: 1}) is None  # not themselves
    assert best_mentor(mentee, [profile(10, {"rl"})], {}) is None  # no free capacity


def test_equal_mentors_share_the_load() -> None:
    mentee = profile(1, {"nlp"})
    twins = [profile(10, {"nlp"}), profile(11, {"nlp"})]
    choice = best_mentor(mentee, twins, {10: 1, 11: 3})
    assert choice is not None
    assert choice.mentor_id == 11


@settings(max_examples=50, deadline=None)
@given(cases(max_mentees=1, max_mentors=5, max_capacity=2))
def test_a_single_request_takes_a_best_allowed_mentor(case: Case) -> None:
    if not case.mentees:
        return
    mentee = case.mentees[0]
    excluded = {b for a, b in case.forbidden}
    choice = best_mentor(mentee, case.mentors, case.capacities, excluded)
    allowed = [
        pair_score(mentee, b)
        for b in case.mentors
        if case.capacities[b.member_id] > 0 and b.member_id not in excluded
    ]
    best = max([s for s in allowed if s > 0], default=None)
    assert (choice.score if choice else None) == best
    if choice:
        assert choice.mentor_id not in excluded
        assert choice.mentor_id != mentee.member_id
