"""How well two members fit: shared interests, waking hours in common, level; scored and explained.

One formula serves a single `/mentor request` and the batch `/mentor match`, so a mentee who
asks "why this mentor?" gets the answer the optimiser used. Group formation counts interests
and waking hours the same way, with weights of its own (see :mod:`bot.matching.groups`).

Mentor score of a (mentee, mentor) pair, in points (0 means "not a fit"):

- **Fit:** the pair must share at least one interest; otherwise the score is 0 and the pair is
  never proposed (a mentor who knows none of your topics is worse than waiting).
- ``MATCH_POINTS`` (20) for any fitting pair: in the batch, leaving a mentee waiting costs as
  much as two shared interests elsewhere, so nobody waits for a marginal gain in quality.
- ``INTEREST_POINTS`` (10) per shared interest. Interests dominate: among mentors at or above
  the mentee's level, one more shared interest outweighs every timezone and level difference.
- ``TIMEZONE_POINTS_PER_HOUR`` (0.5) per waking hour in common beyond the 6 h that any two
  15 h waking days share: 0 for opposite sides of the world, 4.5 on the same clock.
- Level (mentor minus mentee): one level ahead is ideal (+2), same level or two ahead is fine
  (+1), unknown is neutral (+1). A mentor below the mentee costs 5 points per level: more than
  any clock difference, so such a mentor only wins by sharing more interests.

Waking hours are 08:00-23:00 local time. Two such windows on a 24 h clock always overlap by at
least 6 h, so the overlap in hours ranges over 6..15, not 0..15; a member without a known time
zone is given the overlap expected against a random clock (15 x 15 / 24 h = 9.4 h). Clocks are
compared to the quarter hour (every UTC offset in use is a multiple of 15 minutes), so every
score is a multiple of 1/16: sums are exact in floating point, and the batch optimiser can
prove optimality by comparing totals with ``==`` rather than a tolerance.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")

MINUTES_PER_DAY = 24 * 60
WAKING_START_MINUTE = 8 * 60  # 08:00 local
WAKING_END_MINUTE = 23 * 60  # 23:00 local
WAKING_MINUTES = WAKING_END_MINUTE - WAKING_START_MINUTE
# Two waking windows can never overlap less than this (they must share 2W - 24 h of the day).
MIN_OVERLAP_MINUTES = max(0, 2 * WAKING_MINUTES - MINUTES_PER_DAY)
# The overlap against a clock we know nothing about: the window's share of the other window.
UNKNOWN_OVERLAP_MINUTES = WAKING_MINUTES * WAKING_MINUTES / MINUTES_PER_DAY

MATCH_POINTS = 20.0
INTEREST_POINTS = 10.0
TIMEZONE_POINTS_PER_HOUR = 0.5
# Indexed by mentor level minus mentee level + 2, i.e. gaps -2, -1, 0, +1, +2.
LEVEL_POINTS: tuple[float, ...] = (-10.0, -5.0, 1.0, 2.0, 1.0)
UNKNOWN_LEVEL_POINTS = 1.0

_SHOWN_INTERESTS = 4  # an explanation is one line; longer lists end in "and N more"


@dataclass(frozen=True, slots=True)
class MatchProfile:
    """What matching knows about a member: canonical interest tags, clock offset and level.

    ``utc_offset`` is minutes east of UTC at the moment of matching (see :meth:`at`), or None
    when the member has no time zone and the server has none either. ``level`` indexes
    :data:`LEVELS`; None when unknown. Aliases must already be folded into tags.
    """

    member_id: int
    interests: frozenset[str]
    utc_offset: int | None = None
    level: int | None = None

    def __post_init__(self) -> None:
        if self.level is not None and not 0 <= self.level < len(LEVELS):
            raise ValueError(f"level must be 0..{len(LEVELS) - 1} or None, not {self.level!r}")

    @classmethod
    def at(
        cls,
        member_id: int,
        interests: Iterable[str],
        timezone: str | None,
        level: str | int | None,
        when: datetime,
    ) -> MatchProfile:
        """A profile whose clock offset is the IANA ``timezone``'s at ``when`` (DST-correct)."""
        offset = None if timezone is None else utc_offset_minutes(timezone, when)
        return cls(member_id, frozenset(interests), offset, level_index(level))


def level_index(level: str | int | None) -> int | None:
    """0, 1, 2 for beginner, intermediate, advanced (names case-insensitive); None stays None."""
    if level is None or isinstance(level, int):
        return level
    try:
        return LEVELS.index(level.strip().casefold())
    except ValueError:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}") from None


def utc_offset_minutes(timezone: str, when: datetime) -> int:
    """Minutes east of UTC of ``timezone`` at the aware instant ``when``."""
    if when.tzinfo is None:
        raise ValueError("utc_offset_minutes needs an aware datetime")
    offset = when.astimezone(ZoneInfo(timezone)).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return round(offset.total_seconds() / 60)


def shared_interests(a: MatchProfile, b: MatchProfile) -> list[str]:
    """The interests both members have, alphabetically."""
    return sorted(a.interests & b.interests)


def clock_distance_minutes(offset_a: float, offset_b: float) -> float:
    """How far apart two clocks are, folded to 0..12 h (UTC+13 and UTC-11 are 0 h apart)."""
    d = abs(offset_a - offset_b) % MINUTES_PER_DAY
    return min(d, MINUTES_PER_DAY - d)


def hours_apart(offset_a: int | None, offset_b: int | None) -> float | None:
    """Hours between two clocks (0..12), or None when either is unknown."""
    if offset_a is None or offset_b is None:
        return None
    return clock_distance_minutes(offset_a, offset_b) / 60


def waking_overlap_hours(offset_a: int | None, offset_b: int | None) -> float:
    """Hours a day both members are awake (08:00-23:00 local each); 6..15 for known clocks."""
    return float(_overlap_minutes(_as_array(offset_a), _as_array(offset_b))) / 60


def level_gap(mentee_level: int | None, mentor_level: int | None) -> int | None:
    """Mentor level minus mentee level (positive: the mentor is ahead), None when unknown."""
    if mentee_level is None or mentor_level is None:
        return None
    return mentor_level - mentee_level


def pair_score(mentee: MatchProfile, mentor: MatchProfile) -> float:
    """The mentor score of the pair (see the module docstring); 0.0 when they do not fit."""
    if mentee.member_id == mentor.member_id:
        return 0.0
    vocabulary = sorted(mentee.interests | mentor.interests)
    encoded_mentee = encode_profiles([mentee], vocabulary)
    encoded_mentor = encode_profiles([mentor], vocabulary)
    return float(score_matrix(encoded_mentee, encoded_mentor)[0, 0])


def explain_pair(mentee: MatchProfile, mentor: MatchProfile) -> str:
    """One line for the mentee, e.g. ``matched on nlp, pytorch; 2 h apart; mentor is advanced``."""
    shared = shared_interests(mentee, mentor)
    if shared:
        shown = ", ".join(shared[:_SHOWN_INTERESTS])
        if len(shared) > _SHOWN_INTERESTS:
            shown += f" and {len(shared) - _SHOWN_INTERESTS} more"
        parts = [f"matched on {shown}"]
    else:
        parts = ["no shared interests"]
    apart = hours_apart(mentee.utc_offset, mentor.utc_offset)
    if apart is None:
        parts.append("time zone unknown")
    elif apart == 0:
        parts.append("same local time")
    else:
        parts.append(f"{format_duration(round(apart * 60))} apart")
    if mentor.level is not None:
        parts.append(f"mentor is {LEVELS[mentor.level]}")
    return "; ".join(parts)


def format_duration(minutes: int) -> str:
    """``2 h``, ``5 h 30 min``, ``45 min``: short enough for one line."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


# --- vectorised scoring --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EncodedProfiles:
    """Profiles as arrays over a shared interest vocabulary, for scoring many pairs at once.

    ``interests`` is a 0/1 float32 matrix (members x vocabulary); ``offsets`` is float minutes
    with NaN for unknown; ``levels`` is -1 for unknown.
    """

    ids: np.ndarray
    interests: np.ndarray
    offsets: np.ndarray
    levels: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def vocabulary_of(*profile_lists: Iterable[MatchProfile]) -> list[str]:
    """Every interest that occurs in the given profiles, sorted (a stable column order)."""
    tags: set[str] = set()
    for profiles in profile_lists:
        for profile in profiles:
            tags |= profile.interests
    return sorted(tags)


def encode_profiles(profiles: Sequence[MatchProfile], vocabulary: Sequence[str]) -> EncodedProfiles:
    """Encode ``profiles``; interests outside ``vocabulary`` are ignored."""
    column = {tag: i for i, tag in enumerate(vocabulary)}
    n = len(profiles)
    rows: list[int] = []
    cols: list[int] = []
    for row, profile in enumerate(profiles):
        for tag in profile.interests:
            col = column.get(tag)
            if col is not None:
                rows.append(row)
                cols.append(col)
    interests = np.zeros((n, len(vocabulary)), dtype=np.float32)
    interests[rows, cols] = 1.0
    ids = np.fromiter((p.member_id for p in profiles), dtype=np.int64, count=n)
    offsets = np.fromiter(
        (np.nan if p.utc_offset is None else p.utc_offset for p in profiles),
        dtype=np.float64,
        count=n,
    )
    levels = np.fromiter(
        (-1 if p.level is None else p.level for p in profiles), dtype=np.int8, count=n
    )
    return EncodedProfiles(ids, interests, offsets, levels)


def _as_array(offset: int | None) -> np.ndarray:
    return np.asarray(np.nan if offset is None else offset, dtype=np.float64)


def _overlap_minutes(offsets_a: np.ndarray, offsets_b: np.ndarray) -> np.ndarray:
    """Waking minutes in common for broadcastable offset arrays (NaN = unknown clock).

    Two arcs of length W on a 24 h circle whose starts are d apart (d folded to 0..12 h)
    share max(0, W - d) minutes on one side plus max(0, W + d - 24 h) where they wrap around.
    """
    d = np.abs(_quarter_hours(offsets_a) - _quarter_hours(offsets_b)) % MINUTES_PER_DAY
    d = np.minimum(d, MINUTES_PER_DAY - d)
    overlap = np.maximum(0.0, WAKING_MINUTES - d) + np.maximum(
        0.0, WAKING_MINUTES + d - MINUTES_PER_DAY
    )
    return np.where(np.isnan(d), UNKNOWN_OVERLAP_MINUTES, overlap)


def _quarter_hours(offsets: np.ndarray) -> np.ndarray:
    return np.round(offsets / 15.0) * 15.0


def timezone_points(offsets_a: np.ndarray, offsets_b: np.ndarray) -> np.ndarray:
    """Points for waking hours in common beyond the least any two clocks share (0..4.5)."""
    overlap = _overlap_minutes(offsets_a, offsets_b)
    return TIMEZONE_POINTS_PER_HOUR * (overlap - MIN_OVERLAP_MINUTES) / 60.0


def level_points(mentee_levels: np.ndarray, mentor_levels: np.ndarray) -> np.ndarray:
    """LEVEL_POINTS for broadcastable level arrays (-1 = unknown)."""
    gap = mentor_levels.astype(np.int16) - mentee_levels
    unknown = (mentee_levels < 0) | (mentor_levels < 0)
    table = np.asarray(LEVEL_POINTS)
    return np.where(unknown, UNKNOWN_LEVEL_POINTS, table[np.clip(gap + 2, 0, len(table) - 1)])


def _contexts(profiles: EncodedProfiles) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (clock, level) pairs: their offsets, their levels, and each member's index."""
    clock = np.where(np.isnan(profiles.offsets), np.inf, _quarter_hours(profiles.offsets))
    keys, index = np.unique(
        np.stack([clock, profiles.levels.astype(np.float64)], axis=1), axis=0, return_inverse=True
    )
    offsets = np.where(np.isinf(keys[:, 0]), np.nan, keys[:, 0])
    return offsets, keys[:, 1].astype(np.int8), index.reshape(-1)


NO_FIT = -1.0e6  # reduced score of a pair that is not an edge: below any real one


def interest_bits(interests: np.ndarray) -> np.ndarray:
    """Each row's interests as bits of uint64 words (members x ceil(tags / 64))."""
    n, tags = interests.shape
    words = np.zeros((n, max(1, -(-tags // 64))), dtype=np.uint64)
    for tag in range(tags):
        bit = np.uint64(1) << np.uint64(tag % 64)
        words[interests[:, tag] > 0, tag // 64] |= bit
    return words


class PairScorer:
    """Mentor scores of every mentee against every mentor, a block of mentee rows at a time.

    Shared interests are counted with bitwise AND and popcount on 64-bit masks: no BLAS, so
    no BLAS threads fighting the bot (and each other) for two cores -- a float matrix product
    was 4-6x slower on a busy machine. Everything else depends only on each side's (clock,
    level), and a server has few distinct ones, so those points are one row gather from a
    small table. Blocks are float32: every value is a multiple of 1/16 below 2^20, exact.
    """

    def __init__(
        self,
        mentees: EncodedProfiles,
        mentors: EncodedProfiles,
        blocked: Iterable[tuple[int, int]] = (),
    ) -> None:
        """``blocked`` holds (mentee row, mentor column) pairs that must not be edges; a member
        is never paired with themselves either."""
        self.mentees = mentees
        self.mentors = mentors
        offsets_a, levels_a, self._context = _contexts(mentees)
        offsets_b, levels_b, context_b = _contexts(mentors)
        table = (
            MATCH_POINTS
            + timezone_points(offsets_a[:, None], offsets_b[None, :])
            + level_points(levels_a[:, None], levels_b[None, :])
        )
        self._points = table[:, context_b]  # mentee contexts x mentors
        self._mentee_bits = interest_bits(mentees.interests)
        self._mentor_bits = interest_bits(mentors.interests)
        _, self_rows, self_cols = np.intersect1d(mentees.ids, mentors.ids, return_indices=True)
        pairs = [*blocked, *zip(self_rows.tolist(), self_cols.tolist(), strict=True)]
        pairs_array = np.array(sorted(set(pairs)), dtype=np.int64).reshape(-1, 2)
        self._blocked_rows = pairs_array[:, 0]
        self._blocked_cols = pairs_array[:, 1]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.mentees), len(self.mentors)

    def block(self, start: int, stop: int, prices: np.ndarray | None = None) -> np.ndarray:
        """Scores of mentee rows ``start:stop`` against all mentors: 0 where a pair does not fit;
        with ``prices`` (one per mentor), scores minus prices and NO_FIT where it does not."""
        if stop <= start:
            return np.zeros((0, len(self.mentors)), dtype=np.float32)
        return next(self.blocks(prices, start=start, stop=stop, rows_per_block=stop - start))

    def blocks(
        self,
        prices: np.ndarray | None = None,
        *,
        start: int = 0,
        stop: int | None = None,
        rows_per_block: int = 512,
    ) -> Iterator[np.ndarray]:
        """:meth:`block` for consecutive blocks of rows, first row ``start`` and so on.

        The arrays are reused from one block to the next (fresh 4 MB arrays would cost more in
        page faults than the arithmetic): copy a block to keep it.
        """
        stop = len(self.mentees) if stop is None else stop
        points = self._points if prices is None else self._points - prices[None, :]
        points = points.astype(np.float32)
        height = min(rows_per_block, max(stop - start, 0))
        shape = (height, len(self.mentors))
        scores = np.empty(shape, dtype=np.float32)
        both = np.empty(shape, dtype=np.uint64)
        shared = np.empty(shape, dtype=np.uint8)
        word_count = np.empty(shape, dtype=np.uint8)
        for first in range(start, stop, rows_per_block):
            last = min(first + rows_per_block, stop)
            rows = last - first
            out, common, count = scores[:rows], both[:rows], shared[:rows]
            for word in range(self._mentee_bits.shape[1]):
                np.bitwise_and(
                    self._mentee_bits[first:last, word, None],
                    self._mentor_bits[None, :, word],
                    out=common,
                )
                if word == 0:
                    np.bitwise_count(common, out=count)
                else:
                    count += np.bitwise_count(common, out=word_count[:rows])
            lo, hi = np.searchsorted(self._blocked_rows, [first, last])
            count[self._blocked_rows[lo:hi] - first, self._blocked_cols[lo:hi]] = 0
            np.take(points, self._context[first:last], axis=0, out=out)
            out += np.float32(INTEREST_POINTS) * count
            if prices is None:
                out *= np.minimum(count, 1)
            else:
                np.copyto(out, np.float32(NO_FIT), where=count == 0)
            yield out


def score_matrix(mentees: EncodedProfiles, mentors: EncodedProfiles) -> np.ndarray:
    """Mentor scores of every (mentee, mentor) pair as float64; 0 where they do not fit or for
    a member against themselves. For many pairs, use :class:`PairScorer` block by block."""
    return PairScorer(mentees, mentors).block(0, len(mentees)).astype(np.float64)
