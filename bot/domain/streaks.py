"""The streak rule: the one place that decides what a member's days add up to.

Everything that shows or uses a streak (``/streak show``, ``/study status``, the leaderboard,
milestones, reminders, ``/streak history``) goes through the functions here, either over a
member's full list of day totals (:func:`evaluate`) or over the compact snapshot the database
keeps per member (:func:`project`); a property test holds the two equal.

The rule, as members read it in COMMANDS.md:

- A day *counts* when the member's minutes on that local day reach the goal.
- The *current streak* is the number of counted days in the run that ends today, or
  yesterday while today is still open: an empty today never breaks a streak until it ends.
- One *freeze* is earned on every 7th counted day of a run (the 7th, 14th, 21st...), and at
  most 2 are held. A missed (closed, uncounted) day of a running streak uses a freeze instead
  of breaking it; a frozen day bridges the run but does not add to it. With no freeze left,
  a missed day ends the run. Only a running streak spends freezes.
- The *longest streak* is the largest run ever reached.

The goal that judges a day is the one stored on that day's total: the server's goal when the
member first recorded study that day. A moderator who changes the goal therefore changes it
for each member from their next new day on, and never rewrites history: yesterday's counted
day stays counted under a stricter goal, and today's goal does not move under a member who
is halfway there. A day first recorded after the fact (a log for yesterday, a moderator's
correction) takes the goal in force at that moment. A day without a row has no minutes, so
its goal does not matter.

A row dated after the member's today (they moved west after studying) is taken as their
today until the calendar catches up, so both ways of computing the streak agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

FREEZE_EVERY = 7
MAX_FREEZES = 2
MILESTONES: tuple[int, ...] = (7, 30, 100, 365)


@dataclass(frozen=True, slots=True)
class DayTotal:
    """A member's minutes on one local day and the goal that judges that day."""

    minutes: int
    goal: int

    @property
    def counted(self) -> bool:
        return self.minutes >= self.goal


@dataclass(frozen=True, slots=True)
class StreakState:
    """Where a member's streak stands after some days. ``run`` is the current streak."""

    run: int = 0
    longest: int = 0
    freezes: int = 0

    @property
    def days_to_next_freeze(self) -> int | None:
        """Counted days until the next freeze is earned; None while 2 are held."""
        if self.freezes >= MAX_FREEZES:
            return None
        return FREEZE_EVERY - self.run % FREEZE_EVERY


@dataclass(frozen=True, slots=True)
class DayOutcome:
    """What one day did to the streak, for ``/streak history``."""

    day: date
    minutes: int
    goal: int | None
    counted: bool
    frozen: bool
    broke: bool
    freeze_earned: bool
    streak: int
    freezes: int
    is_open: bool


def count_day(state: StreakState) -> tuple[StreakState, bool]:
    """A counted day: the run grows; every 7th day of the run earns a freeze (if room)."""
    run = state.run + 1
    earned = run % FREEZE_EVERY == 0 and state.freezes < MAX_FREEZES
    return (
        StreakState(run, max(state.longest, run), state.freezes + earned),
        earned,
    )


def miss_day(state: StreakState) -> tuple[StreakState, bool, bool]:
    """A closed day that did not count: returns (state, used a freeze, broke the streak)."""
    if state.run == 0:
        return state, False, False
    if state.freezes > 0:
        return replace(state, freezes=state.freezes - 1), True, False
    return replace(state, run=0), False, True


def miss_days(state: StreakState, days: int) -> StreakState:
    """``days`` missed days in a row at once; equal to calling :func:`miss_day` that often."""
    if days <= 0 or state.run == 0:
        return state
    if days <= state.freezes:
        return replace(state, freezes=state.freezes - days)
    return replace(state, run=0, freezes=0)


def close_day(state: StreakState, total: DayTotal | None) -> StreakState:
    if total is not None and total.counted:
        return count_day(state)[0]
    return miss_day(state)[0]


def open_day(state: StreakState, total: DayTotal | None) -> StreakState:
    """Today, still open: it can add to the streak but not yet break it."""
    if total is not None and total.counted:
        return count_day(state)[0]
    return state


def _effective_today(days: Mapping[date, DayTotal], today: date) -> date:
    return max(today, max(days)) if days else today


def evaluate(days: Mapping[date, DayTotal], today: date) -> tuple[StreakState, list[DayOutcome]]:
    """The streak after every recorded day, with one outcome per day from the first to today."""
    outcomes: list[DayOutcome] = []
    state = StreakState()
    if not days:
        return state, outcomes
    today = _effective_today(days, today)
    day = min(days)
    while day <= today:
        total = days.get(day)
        minutes = total.minutes if total else 0
        goal = total.goal if total else None
        is_open = day == today
        counted = total is not None and total.counted
        frozen = broke = earned = False
        if counted:
            state, earned = count_day(state)
        elif not is_open:
            state, frozen, broke = miss_day(state)
        outcomes.append(
            DayOutcome(
                day=day,
                minutes=minutes,
                goal=goal,
                counted=counted,
                frozen=frozen,
                broke=broke,
                freeze_earned=earned,
                streak=state.run,
                freezes=state.freezes,
                is_open=is_open,
            )
        )
        day += timedelta(days=1)
    return state, outcomes


@dataclass(frozen=True, slots=True)
class StreakSnapshot:
    """A member's streak in constant space, as the database keeps it.

    ``base`` is the state after every day before ``last_day`` (all closed by then);
    ``last`` is the total of the latest recorded day, which may still be today.
    """

    base: StreakState
    last_day: date | None
    last: DayTotal | None


EMPTY_SNAPSHOT = StreakSnapshot(StreakState(), None, None)


def snapshot_of(days: Mapping[date, DayTotal]) -> StreakSnapshot:
    """The snapshot of a full history."""
    if not days:
        return EMPTY_SNAPSHOT
    snapshot = EMPTY_SNAPSHOT
    for day in sorted(days):
        snapshot = record(snapshot, day, days[day])
    return snapshot


def can_record(snapshot: StreakSnapshot, day: date) -> bool:
    """Whether a change to ``day`` can be folded in without replaying the history."""
    return snapshot.last_day is None or day >= snapshot.last_day


def record(snapshot: StreakSnapshot, day: date, total: DayTotal) -> StreakSnapshot:
    """The snapshot after ``day``'s total became ``total``; ``day`` must be >= ``last_day``."""
    if snapshot.last_day is None:
        return StreakSnapshot(StreakState(), day, total)
    if day < snapshot.last_day:
        raise ValueError("an earlier day changed: rebuild the snapshot with snapshot_of()")
    if day == snapshot.last_day:
        return replace(snapshot, last=total)
    base = close_day(snapshot.base, snapshot.last)
    base = miss_days(base, (day - snapshot.last_day).days - 1)
    return StreakSnapshot(base, day, total)


def project(snapshot: StreakSnapshot, today: date) -> StreakState:
    """The streak as of ``today`` from a snapshot; equal to ``evaluate(days, today)[0]``."""
    if snapshot.last_day is None:
        return StreakState()
    if today <= snapshot.last_day:
        return open_day(snapshot.base, snapshot.last)
    state = close_day(snapshot.base, snapshot.last)
    # Days after the last recorded one are missed days; today itself is open and empty.
    return miss_days(state, (today - snapshot.last_day).days - 1)


def streak_upper_bound(snapshot: StreakSnapshot) -> int:
    """No ``project`` of this snapshot, on any day, exceeds this (for leaderboard pruning)."""
    return snapshot.base.run + 1 if snapshot.last_day is not None else 0


def milestone_reached(before: int, after: int) -> int | None:
    """The highest milestone passed when the streak went from ``before`` to ``after``."""
    passed = [m for m in MILESTONES if before < m <= after]
    return passed[-1] if passed else None


def next_milestone(streak: int) -> int | None:
    return next((m for m in MILESTONES if m > streak), None)
