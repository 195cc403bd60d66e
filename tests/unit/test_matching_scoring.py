"""The mentor score: waking hours across time zones, levels, interests, and the mentee's line."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.scoring import (
    INTEREST_POINTS,
    LEVEL_POINTS,
    MATCH_POINTS,
    MatchProfile,
    encode_profiles,
    explain_pair,
    hours_apart,
    level_gap,
    level_index,
    pair_score,
    score_matrix,
    utc_offset_minutes,
    vocabulary_of,
    waking_overlap_hours,
)

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
# Every offset in use, in quarter hours: UTC-12 .. UTC+14.
offsets = st.integers(-48, 56).map(lambda q: q * 15)
levels = st.one_of(st.none(), st.integers(0, 2))
tags = st.frozensets(st.sampled_from(["nlp", "cv", "rl", "mlops", "python", "kaggle"]))


def profile(
    member_id: int,
    interests: set[str] | frozenset[str],
    offset: int | None = 0,
    level: int | None = None,
) -> MatchProfile:
    return MatchProfile(member_id, frozenset(interests), offset, level)


def awake_minutes(offset: int) -> set[int]:
    """Minutes of the UTC day in which someone at ``offset`` is between 08:00 and 23:00."""
    return {m for m in range(1440) if 8 * 60 <= (m + offset) % 1440 < 23 * 60}


@pytest.mark.parametrize(
    ("zone", "when", "minutes"),
    [
        ("Europe/Berlin", WINTER, 60),
        ("Europe/Berlin", SUMMER, 120),
        ("America/New_York", WINTER, -300),
        ("America/New_York", SUMMER, -240),
        ("Asia/Kathmandu", WINTER, 345),
        ("UTC", SUMMER, 0),
    ],
)
def test_utc_offset_follows_daylight_saving_time(zone: str, when: datetime, minutes: int) -> None:
    assert utc_offset_minutes(zone, when) == minutes


def test_profile_at_an_instant_takes_the_zone_offset_and_the_level_name() -> None:
    member = MatchProfile.at(7, ["nlp", "cv"], "Europe/Berlin", "Advanced", SUMMER)
    assert member == MatchProfile(7, frozenset({"nlp", "cv"}), 120, 2)
    assert MatchProfile.at(8, [], None, None, SUMMER).utc_offset is None


def test_unknown_level_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown level"):
        level_index("expert")
    with pytest.raises(ValueError, match="level must be"):
        MatchProfile(1, frozenset(), 0, 3)


@given(offsets, offsets)
def test_waking_overlap_counts_the_hours_both_are_awake(a: int, b: int) -> None:
    expected = len(awake_minutes(a) & awake_minutes(b)) / 60
    assert waking_overlap_hours(a, b) == pytest.approx(expected)
    assert 6 <= waking_overlap_hours(a, b) <= 15


def test_waking_overlap_on_familiar_pairs_of_cities() -> None:
    assert waking_overlap_hours(60, 60) == 15  # Berlin and Paris
    assert waking_overlap_hours(0, 330) == 9.5  # London and India
    assert waking_overlap_hours(-300, 540) == 6  # New York and Tokyo: 14 h apart
    # Unknown clock: what one would expect against a random clock.
    assert waking_overlap_hours(0, None) == pytest.approx(15 * 15 / 24)


def test_hours_apart_is_the_clock_difference_folded_to_twelve_hours() -> None:
    assert hours_apart(60, -300) == 6
    assert hours_apart(13 * 60, -11 * 60) == 0  # Tonga and Samoa share a clock, not a date
    assert hours_apart(0, 345) == 5.75
    assert hours_apart(None, 0) is None


def test_level_gap_is_mentor_minus_mentee() -> None:
    assert level_gap(0, 2) == 2
    assert level_gap(2, 1) == -1
    assert level_gap(None, 1) is None


def test_pair_score_adds_up_match_interests_hours_and_level() -> None:
    mentee = profile(1, {"nlp", "pytorch"}, 0, 0)
    mentor = profile(2, {"nlp", "pytorch", "cv"}, 120, 2)
    # 20 for a fit + 2 x 10 shared + 0.5 x (13 h together - 6) + 1 for two levels ahead.
    assert pair_score(mentee, mentor) == 20 + 20 + 3.5 + 1


def test_no_shared_interest_or_oneself_is_not_a_fit() -> None:
    mentee = profile(1, {"nlp"})
    assert pair_score(mentee, profile(2, {"cv"})) == 0
    assert pair_score(mentee, profile(1, {"nlp"})) == 0


@settings(max_examples=200)
@given(offsets, offsets, offsets, st.integers(0, 2), st.integers(0, 2), st.integers(0, 2))
def test_one_more_shared_interest_beats_any_clock_or_level_among_mentors_ahead(
    mentee_clock: int,
    clock_a: int,
    clock_b: int,
    mentee_level: int,
    ahead_a: int,
    ahead_b: int,
) -> None:
    mentee = profile(1, {"nlp", "cv", "rl"}, mentee_clock, mentee_level)
    richer = profile(2, {"nlp", "cv"}, clock_a, min(2, mentee_level + ahead_a))
    poorer = profile(3, {"nlp"}, clock_b, min(2, mentee_level + ahead_b))
    assert pair_score(mentee, richer) > pair_score(mentee, poorer)


@given(st.integers(1, 2), st.integers(0, 2), offsets)
def test_a_mentor_below_the_mentee_scores_less_than_one_at_or_above(
    mentee_level: int, other: int, clock: int
) -> None:
    mentee = profile(1, {"nlp"}, 0, mentee_level)
    below = profile(2, {"nlp"}, 0, mentee_level - 1)  # on the mentee's own clock, even
    at_or_above = profile(3, {"nlp"}, clock, max(other, mentee_level))
    assert pair_score(mentee, below) < pair_score(mentee, at_or_above)


@settings(max_examples=60)
@given(
    st.lists(st.tuples(tags, st.one_of(st.none(), offsets), levels), min_size=1, max_size=6),
    st.lists(st.tuples(tags, st.one_of(st.none(), offsets), levels), min_size=1, max_size=6),
)
def test_score_matrix_agrees_with_pair_score_and_is_exact_in_sixteenths(
    left: list[tuple[frozenset[str], int | None, int | None]],
    right: list[tuple[frozenset[str], int | None, int | None]],
) -> None:
    mentees = [MatchProfile(i, t, o, lv) for i, (t, o, lv) in enumerate(left)]
    mentors = [MatchProfile(i + 3, t, o, lv) for i, (t, o, lv) in enumerate(right)]
    vocabulary = vocabulary_of(mentees, mentors)
    matrix = score_matrix(
        encode_profiles(mentees, vocabulary), encode_profiles(mentors, vocabulary)
    )
    expected = np.array([[pair_score(a, b) for b in mentors] for a in mentees])
    assert np.array_equal(matrix, expected)
    assert np.array_equal(matrix * 16, np.round(matrix * 16))
    fits = np.array(
        [
            [bool(a.interests & b.interests) and a.member_id != b.member_id for b in mentors]
            for a in mentees
        ]
    )
    assert np.array_equal(matrix > 0, fits)  # ids 3..5 are on both sides: never self-matched
    assert (matrix[fits] >= MATCH_POINTS + INTEREST_POINTS + min(LEVEL_POINTS)).all()


def test_explanation_names_the_shared_interests_and_the_clock_difference() -> None:
    mentee = profile(1, {"nlp", "pytorch", "cv"}, 60, 0)
    mentor = profile(2, {"pytorch", "nlp", "rl"}, 180, 2)
    assert explain_pair(mentee, mentor) == "matched on nlp, pytorch; 2 h apart; mentor is advanced"


@pytest.mark.parametrize(
    ("mentee_clock", "mentor_clock", "level", "expected"),
    [
        (0, 0, None, "matched on nlp; same local time"),
        (0, 330, 1, "matched on nlp; 5 h 30 min apart; mentor is intermediate"),
        (0, None, None, "matched on nlp; time zone unknown"),
        (-300, 540, None, "matched on nlp; 10 h apart"),
    ],
)
def test_explanation_of_clocks_and_levels(
    mentee_clock: int, mentor_clock: int | None, level: int | None, expected: str
) -> None:
    mentee = profile(1, {"nlp"}, mentee_clock)
    assert explain_pair(mentee, profile(2, {"nlp"}, mentor_clock, level)) == expected


def test_a_long_list_of_shared_interests_stays_one_short_line() -> None:
    many = {"a", "b", "c", "d", "e", "f"}
    line = explain_pair(profile(1, many), profile(2, many))
    assert line == "matched on a, b, c, d and 2 more; same local time"
