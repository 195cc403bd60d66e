"""The search behind group formation: member features, a greedy seed, and vectorised swaps.

A partition is a ``slots`` array (groups x largest size) of member rows; shorter groups are
padded with row ``n``, whose feature vector is all zeros, so a pad contributes nothing and a
swap between a member and a pad is simply a move from a larger group to a smaller one.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from bot.matching.scoring import INTEREST_POINTS, MatchProfile

# Pair points for levels: 2 same, 1 one apart, 0 two apart. Positive definite, so it is a dot
# product of per-level vectors (its Cholesky rows); an unknown level gets their mean (~1 point
# with anyone).
GROUP_LEVEL_POINTS = np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]])
# A group meets live, so hours together weigh more than for a mentor pair (who can also write
# to each other; 0.5 points an hour there): across the 6..15 h two clocks can share, up to 18
# points, about two shared interests. Measured on the benchmark pool: at 0.5 an hour, 1% of
# groups had no hour when all were awake; at 2, none, and groups still share 4x the interests
# of a random partition.
GROUP_TIMEZONE_POINTS_PER_HOUR = 2.0
REPEAT_PENALTY = INTEREST_POINTS
_BINS_PER_HOUR = 4
# Real differences between groupings are at least 1/144 of a point (sixteenths of clock points
# against ninths of level points); anything smaller is rounding noise, and accepting it would
# let equal swaps cycle.
_IMPROVEMENT = 1e-3
_PATIENCE = 60  # rounds without any improving swap before a large pool is called done


def features(
    members: Sequence[MatchProfile], vocabulary: Sequence[str], waking: np.ndarray
) -> np.ndarray:
    """Rows whose dot products are pair affinities (plus a constant), and a zero pad row."""
    column = {tag: i for i, tag in enumerate(vocabulary)}
    interests = np.zeros((len(members), len(vocabulary)))
    for row, member in enumerate(members):
        interests[row, [column[t] for t in member.interests]] = 1.0
    level_rows = np.linalg.cholesky(GROUP_LEVEL_POINTS)
    unknown = level_rows.mean(axis=0)
    levels = np.array(
        [unknown if m.level is None else level_rows[m.level] for m in members]
    ).reshape(len(members), len(level_rows))
    rows = np.hstack([interests * np.sqrt(INTEREST_POINTS), _clock_features(waking), levels])
    # float64 throughout: float32 rounding (~1e-3 on sums of hundreds of points) would be
    # as large as the smallest real gain.
    return np.vstack([rows, np.zeros((1, rows.shape[1]))])


def _clock_features(waking: np.ndarray) -> np.ndarray:
    """Rows whose dot products are GROUP_TIMEZONE_POINTS_PER_HOUR x hours awake together.

    The 96 quarter-hour indicators would do, but a pool has only a few dozen distinct clocks:
    factoring their Gram matrix gives the same dot products in that many dimensions, which
    halves the cost of every swap evaluation.
    """
    clocks, member_clock = np.unique(waking, axis=0, return_inverse=True)
    gram = (clocks.astype(np.float64) @ clocks.T) * (
        GROUP_TIMEZONE_POINTS_PER_HOUR / _BINS_PER_HOUR
    )
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    keep = eigenvalues > 1e-9 * max(1.0, eigenvalues.max())
    factor = eigenvectors[:, keep] * np.sqrt(eigenvalues[keep])
    return factor[member_clock.reshape(-1)]


@dataclass(frozen=True, slots=True)
class Previous:
    """Who shared a group before: a symmetric 0/1 matrix over member rows (pad row included)."""

    matrix: sp.csr_array

    @property
    def empty(self) -> bool:
        return self.matrix.nnz == 0

    def colours(self) -> np.ndarray:
        """A colour per member such that old partners differ (greedy: smallest free colour,
        busiest members first); all 0 when nobody was grouped before."""
        n = self.matrix.shape[0] - 1
        colours = np.zeros(n, dtype=np.int64)
        if self.empty:
            return colours
        colours[:] = -1
        indptr, indices = self.matrix.indptr, self.matrix.indices
        for member in np.argsort(-np.diff(indptr[: n + 1]), kind="stable"):
            taken = colours[indices[indptr[member] : indptr[member + 1]]]
            free = np.ones(len(taken) + 1, dtype=bool)
            free[taken[(taken >= 0) & (taken <= len(taken))]] = False
            colours[member] = int(np.argmax(free))
        return colours

    def per_group(self, slots: np.ndarray) -> np.ndarray:
        """How many old pairs each group of ``slots`` contains, for all groups at once."""
        group_of = np.full(self.matrix.shape[0], -1, dtype=np.int64)
        real = slots < self.matrix.shape[0] - 1
        group_of[slots[real]] = np.nonzero(real)[0]
        coo = self.matrix.tocoo()
        together = (group_of[coo.row] == group_of[coo.col]) & (coo.row < coo.col)
        return np.bincount(group_of[coo.row[together]], minlength=len(slots))


def previous_partners(ids: Sequence[int], pairs: Collection[tuple[int, int]]) -> Previous:
    row_of = {member_id: i for i, member_id in enumerate(ids)}
    known = [(row_of[a], row_of[b]) for a, b in pairs if a in row_of and b in row_of and a != b]
    n = len(ids) + 1
    if not known:
        return Previous(sp.csr_array((n, n), dtype=np.float32))
    a, b = np.array(known).T
    matrix = sp.csr_array(
        (np.ones(2 * len(a), dtype=np.float32), (np.r_[a, b], np.r_[b, a])), shape=(n, n)
    )
    matrix.data[:] = 1.0  # a pair listed twice is still one pair
    return Previous(matrix)


def seed_slots(
    members: Sequence[MatchProfile], sizes: Sequence[int], previous: Previous
) -> np.ndarray:
    """Members sorted so that similar ones are adjacent, then cut into groups of ``sizes``.

    The order is by each member's most popular interest, then their next one, then clock, so
    consecutive members share their main topic and mostly their second, and are awake at
    similar hours. Cheap, and local search starts from a partition that already fits.

    With a history, members are first given colours such that old partners differ, and
    sorted by colour before clock: alike members of one colour are never old partners, so
    last time's groups, which came from much the same order, are not simply cut out again
    (measured: 6,400 repeated pairs in the seed without this, 370 with it), and local search
    does not spend its time undoing them.
    """
    n = len(members)
    popularity: dict[str, int] = {}
    for member in members:
        for tag in member.interests:
            popularity[tag] = popularity.get(tag, 0) + 1
    rank = {tag: r for r, tag in enumerate(sorted(popularity, key=lambda t: (-popularity[t], t)))}
    missing = len(rank)
    first = np.full(n, missing)
    second = np.full(n, missing)
    for row, member in enumerate(members):
        ranks = sorted(rank[t] for t in member.interests)
        if ranks:
            first[row] = ranks[0]
        if len(ranks) > 1:
            second[row] = ranks[1]
    clock = np.array([(m.utc_offset if m.utc_offset is not None else 10**6) for m in members])
    order = np.lexsort((clock, previous.colours(), second, first))
    slots = np.full((len(sizes), max(sizes)), n, dtype=np.int64)
    start = 0
    for g, size in enumerate(sizes):
        slots[g, :size] = order[start : start + size]
        start += size
    return slots


def partition_score(slots: np.ndarray, feats: np.ndarray, previous: Previous) -> float:
    """Sum over groups of their pair affinities (dot products) minus repeat penalties."""
    group_feats = feats[slots]
    sums = group_feats.sum(axis=1)
    within = ((sums * sums).sum() - (group_feats * group_feats).sum()) / 2
    return float(within - REPEAT_PENALTY * previous.per_group(slots).sum())


def improve(
    slots: np.ndarray,
    feats: np.ndarray,
    previous: Previous,
    rng: np.random.Generator,
    max_rounds: int,
    deadline: float,
) -> tuple[np.ndarray, int]:
    """Swap members between pairs of groups while that raises the score.

    Each round pairs every group with another (disjoint pairs), finds the best swap for each
    pair at once, and applies those that help. Small pools go round-robin, so a quiet full
    cycle proves no single swap can improve any more; large pools mostly pair groups whose
    centroids are close (where useful swaps are) and stop at the deadline or when rounds
    stop finding improvements.
    """
    slots = slots.copy()
    groups = len(slots)
    if groups < 2:
        return slots, 0
    state = _State(slots, feats, previous)
    schedule = _round_robin(groups) if groups <= 64 else None
    quiet = 0
    rounds = 0
    while rounds < max_rounds and time.monotonic() < deadline:
        if schedule is not None:
            pairs = schedule[rounds % len(schedule)]
        elif rounds % 8 == 7:  # now and then any two groups, to leave a local neighbourhood
            pairs = rng.permutation(groups)[: groups // 2 * 2].reshape(-1, 2)
        else:
            pairs = _neighbour_pairs(state, rng)
        rounds += 1
        quiet = 0 if state.swap_best(pairs) else quiet + 1
        if quiet >= (len(schedule) if schedule is not None else _PATIENCE):
            break
    return state.slots, rounds


def _round_robin(groups: int) -> list[np.ndarray]:
    """Circle-method schedule: every pair of groups meets once over the listed rounds."""
    players = list(range(groups)) + ([-1] if groups % 2 else [])
    count = len(players)
    schedule = []
    for _ in range(count - 1):
        pairs = [(players[i], players[count - 1 - i]) for i in range(count // 2)]
        schedule.append(np.array([p for p in pairs if -1 not in p], dtype=np.int64))
        players = [players[0], players[-1], *players[1:-1]]
    return schedule


def _neighbour_pairs(state: _State, rng: np.random.Generator) -> np.ndarray:
    """Disjoint pairs of groups that lie close together along a random direction.

    Groups are sorted by their centroid's projection and each is paired with the one ``k``
    places on (k random in 1..4, so a group meets different neighbours over the rounds):
    groups about the same topics and hours are where improving swaps are found.
    """
    centroids = state.sums / np.maximum(state.sizes, 1)[:, None]
    order = np.argsort(centroids @ rng.standard_normal(centroids.shape[1]), kind="stable")
    k = int(rng.integers(1, 5))
    index = np.arange(len(order))
    first = index[((index // k) % 2 == 0) & (index + k < len(order))]
    return np.stack([order[first], order[first + k]], axis=1)


class _State:
    """A partition with the bookkeeping that makes evaluating a round of swaps cheap."""

    def __init__(self, slots: np.ndarray, feats: np.ndarray, previous: Previous) -> None:
        self.slots = slots
        self.feats = feats
        self.pad = len(feats) - 1
        self.self_affinity = (feats**2).sum(axis=1)
        self.sums = feats[slots].sum(axis=1)
        self.sizes = (slots < self.pad).sum(axis=1)
        self.previous = None if previous.empty else previous.matrix
        self.group_of = np.full(len(feats), -1, dtype=np.int64)
        self.position = np.zeros(len(feats), dtype=np.int64)
        groups, positions = np.nonzero(slots < self.pad)
        self.group_of[slots[groups, positions]] = groups
        self.position[slots[groups, positions]] = positions

    def swap_best(self, pairs: np.ndarray) -> bool:
        """Apply the best improving swap within each (group, group) pair; True if any."""
        if not len(pairs):
            return False
        p, q = pairs[:, 0], pairs[:, 1]
        x, y = self.slots[p], self.slots[q]
        fx, fy = self.feats[x], self.feats[y]
        sums_p, sums_q = self.sums[p], self.sums[q]
        # Affinity of each member to the other group, and to its own group without itself.
        x_to_p = (fx * sums_p[:, None, :]).sum(axis=2) - self.self_affinity[x]
        x_to_q = (fx * sums_q[:, None, :]).sum(axis=2)
        y_to_p = (fy * sums_p[:, None, :]).sum(axis=2)
        y_to_q = (fy * sums_q[:, None, :]).sum(axis=2) - self.self_affinity[y]
        between = np.matmul(fx, fy.transpose(0, 2, 1))
        if self.previous is not None:
            self._penalise(p, q, x, y, x_to_q, x_to_p, y_to_p, y_to_q, between)
        gain = (x_to_q - x_to_p)[:, :, None] + (y_to_p - y_to_q)[:, None, :] - 2 * between
        real_x, real_y = x < self.pad, y < self.pad
        bigger_p = (self.sizes[p] > self.sizes[q])[:, None, None]
        bigger_q = (self.sizes[q] > self.sizes[p])[:, None, None]
        valid = (
            (real_x[:, :, None] & real_y[:, None, :])
            | (real_x[:, :, None] & ~real_y[:, None, :] & bigger_p)
            | (~real_x[:, :, None] & real_y[:, None, :] & bigger_q)
        )
        gain[~valid] = -np.inf
        width = gain.shape[2]
        best = gain.reshape(len(pairs), -1).argmax(axis=1)
        best_gain = gain.reshape(len(pairs), -1)[np.arange(len(pairs)), best]
        take = np.flatnonzero(best_gain > _IMPROVEMENT)
        if not len(take):
            return False
        i, j = best[take] // width, best[take] % width
        self._apply(p[take], q[take], i, j)
        return True

    def _penalise(
        self,
        p: np.ndarray,
        q: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        x_to_q: np.ndarray,
        x_to_p: np.ndarray,
        y_to_p: np.ndarray,
        y_to_q: np.ndarray,
        between: np.ndarray,
    ) -> None:
        """Subtract REPEAT_PENALTY, in place, for every old partner in the groups involved."""
        matrix = self.previous
        assert matrix is not None
        for members, own, other, to_own, to_other, is_x in (
            (x, p, q, x_to_p, x_to_q, True),
            (y, q, p, y_to_q, y_to_p, False),
        ):
            flat = members.ravel()
            degree = np.diff(matrix.indptr)[flat]
            owner = np.repeat(np.arange(len(flat)), degree)
            starts = np.repeat(matrix.indptr[flat], degree)
            partner = matrix.indices[
                starts + np.arange(len(owner)) - np.repeat(np.cumsum(degree) - degree, degree)
            ]
            pair_index = owner // members.shape[1]
            partner_group = self.group_of[partner]
            in_own = partner_group == own[pair_index]
            in_other = partner_group == other[pair_index]
            own_count = np.bincount(owner[in_own], minlength=len(flat))
            other_count = np.bincount(owner[in_other], minlength=len(flat))
            to_own -= REPEAT_PENALTY * own_count.reshape(members.shape)
            to_other -= REPEAT_PENALTY * other_count.reshape(members.shape)
            if is_x:  # old partners sitting in the other group: swapping them costs no penalty
                hit = np.flatnonzero(in_other)
                between[
                    pair_index[hit], owner[hit] % members.shape[1], self.position[partner[hit]]
                ] -= REPEAT_PENALTY

    def _apply(self, p: np.ndarray, q: np.ndarray, i: np.ndarray, j: np.ndarray) -> None:
        x, y = self.slots[p, i], self.slots[q, j]
        self.slots[p, i], self.slots[q, j] = y, x
        fx, fy = self.feats[x], self.feats[y]
        self.sums[p] += fy - fx
        self.sums[q] += fx - fy
        real_x, real_y = x < self.pad, y < self.pad
        self.sizes[p] += real_y.astype(np.int64) - real_x
        self.sizes[q] += real_x.astype(np.int64) - real_y
        self.group_of[x[real_x]], self.position[x[real_x]] = q[real_x], j[real_x]
        self.group_of[y[real_y]], self.position[y[real_y]] = p[real_y], i[real_y]
