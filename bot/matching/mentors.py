"""Mentor matching: the best mentor for one `/mentor request`, and `/mentor match` for everyone.

Both use the score from :mod:`bot.matching.scoring`. A mentee and a mentor *fit* when they
share at least one interest; a mentee is never matched to themselves, to a mentor they declined
or who declined them (the caller passes those), or to a mentor without free capacity.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching.bmatching import max_score_b_matching
from bot.matching.scoring import (
    MatchProfile,
    PairScorer,
    encode_profiles,
    explain_pair,
    vocabulary_of,
)


@dataclass(frozen=True, slots=True)
class MentorChoice:
    """The mentor picked for one request, with the line shown to the mentee."""

    mentor_id: int
    score: float
    explanation: str


@dataclass(frozen=True, slots=True)
class MentorPair:
    mentee_id: int
    mentor_id: int
    score: float
    explanation: str


@dataclass(frozen=True, slots=True)
class MentorAssignment:
    """A batch result. ``upper_bound`` is proven: no assignment of these mentees scores more.

    ``pairs`` and ``unmatched`` follow the order the mentees were given in.
    """

    pairs: tuple[MentorPair, ...]
    unmatched: tuple[int, ...]
    total_score: float
    upper_bound: float
    rounds: int

    @property
    def proven_optimal(self) -> bool:
        return self.total_score >= self.upper_bound


def best_mentor(
    mentee: MatchProfile,
    mentors: Sequence[MatchProfile],
    free_capacity: Mapping[int, int],
    excluded_ids: Collection[int] = (),
) -> MentorChoice | None:
    """The best-scoring mentor with a free slot who is not excluded and not the mentee.

    ``free_capacity`` maps mentor id to open slots (missing means none). Ties go to the mentor
    with more free slots, spreading load, then to the lower id so the pick is reproducible.
    None when nobody fits (no available mentor shares an interest): the request waits.
    """
    excluded = set(excluded_ids)
    open_mentors = [
        m
        for m in mentors
        if free_capacity.get(m.member_id, 0) > 0
        and m.member_id not in excluded
        and m.member_id != mentee.member_id
    ]
    if not open_mentors:
        return None
    vocabulary = sorted(mentee.interests)  # other tags cannot be shared, so need no column
    scorer = PairScorer(
        encode_profiles([mentee], vocabulary), encode_profiles(open_mentors, vocabulary)
    )
    scores = scorer.block(0, 1)[0].astype(np.float64)
    free = np.array([free_capacity[m.member_id] for m in open_mentors])
    ids = np.array([m.member_id for m in open_mentors])
    best = int(np.lexsort((ids, -free, -scores))[0])
    if scores[best] <= 0:
        return None
    chosen = open_mentors[best]
    return MentorChoice(chosen.member_id, float(scores[best]), explain_pair(mentee, chosen))


def assign_mentors(
    mentees: Sequence[MatchProfile],
    mentors: Sequence[MatchProfile],
    capacities: Mapping[int, int],
    forbidden_pairs: Collection[tuple[int, int]] = (),
    *,
    candidates_per_mentee: int = 3,
    candidates_per_slot: int = 10,
    max_rounds: int = 50,
) -> MentorAssignment:
    """Match every waiting mentee at once, maximising the total score.

    ``capacities`` maps mentor id to the number of mentees they can still take (missing or 0:
    none); ``forbidden_pairs`` holds (mentee id, mentor id) pairs never to propose, e.g.
    declined offers. A mentee with no fitting mentor left stays unmatched.

    The solve is exact: it starts from a sparse candidate graph (each mentee's
    ``candidates_per_mentee`` best mentors and each mentor's ``candidates_per_slot`` best
    mentees per slot) and adds edges until LP duality proves no pair outside it can improve
    the total (see :mod:`bot.matching.bmatching`). ``max_rounds`` caps that loop; when it is
    hit, ``proven_optimal`` is False and ``upper_bound`` bounds the loss.
    """
    _require_unique("mentee", mentees)
    _require_unique("mentor", mentors)
    if candidates_per_mentee < 1 or candidates_per_slot < 0 or max_rounds < 1:
        raise ValueError("need at least one candidate per mentee and one round")
    if any(c < 0 for c in capacities.values()):
        raise ValueError("capacities must not be negative")
    available = [m for m in mentors if capacities.get(m.member_id, 0) > 0]
    if not mentees or not available:
        return MentorAssignment((), tuple(p.member_id for p in mentees), 0.0, 0.0, 0)
    vocabulary = vocabulary_of(mentees, available)
    row_of = {p.member_id: i for i, p in enumerate(mentees)}
    col_of = {p.member_id: j for j, p in enumerate(available)}
    blocked = [(row_of[a], col_of[b]) for a, b in forbidden_pairs if a in row_of and b in col_of]
    scorer = PairScorer(
        encode_profiles(mentees, vocabulary), encode_profiles(available, vocabulary), blocked
    )
    result = max_score_b_matching(
        scorer.blocks,
        scorer.shape,
        np.array([capacities[m.member_id] for m in available]),
        per_mentee=candidates_per_mentee,
        per_slot=candidates_per_slot,
        per_violator=max(candidates_per_mentee, 8),
        max_rounds=max_rounds,
    )
    pairs: list[MentorPair] = []
    unmatched: list[int] = []
    for row, mentee in enumerate(mentees):
        col = int(result.mentor_of[row])
        if col < 0:
            unmatched.append(mentee.member_id)
            continue
        mentor = available[col]
        pairs.append(
            MentorPair(
                mentee.member_id,
                mentor.member_id,
                float(result.scores[row]),
                explain_pair(mentee, mentor),
            )
        )
    return MentorAssignment(
        tuple(pairs), tuple(unmatched), result.total, result.upper_bound, result.rounds
    )


def _require_unique(role: str, profiles: Sequence[MatchProfile]) -> None:
    ids = [p.member_id for p in profiles]
    if len(set(ids)) != len(ids):
        raise ValueError(f"each {role} may appear only once")
