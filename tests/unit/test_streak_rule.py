"""The streak rule: counted days, freezes, the open today, milestones, and the stored snapshot.

Property tests run the rule over random histories, and over study sessions in many time
zones across DST changes and local midnights, the way members' days really pile up.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain import streaks as rule
from bot.domain.streak_days import day_capacity, local_day, split_by_local_day
from bot.domain.streaks import DayTotal, StreakState

START = date(2026, 1, 1)
GOAL = 30

totals = st.builds(DayTotal, st.integers(0, 1440), st.sampled_from([5, 30, 45, 600]))
histories = st.dictionaries(
    st.integers(0, 60).map(lambda n: START + timedelta(days=n)), totals, max_size=45
)
todays = st.integers(-3, 70).map(lambda n: START + timedelta(days=n))


def days_of(pattern: str, start: date = START) -> dict[date, DayTotal]:
    """``"CC.C"``: C a counted day, ``.`` a day with some study below the goal, ``_`` none."""
    out = {}
    for i, ch in enumerate(pattern):
        if ch == "C":
            out[start + timedelta(days=i)] = DayTotal(GOAL, GOAL)
        elif ch == ".":
            out[start + timedelta(days=i)] = DayTotal(10, GOAL)
    return out


def streak(pattern: str, today_offset: int | None = None) -> StreakState:
    today = START + timedelta(days=len(pattern) - 1 if today_offset is None else today_offset)
    return rule.evaluate(days_of(pattern), today)[0]


def test_consecutive_counted_days_make_the_streak() -> None:
    assert streak("CCC").run == 3
    assert streak("CC.CC").run == 2  # . is missed: no freeze yet, the run restarts


def test_an_empty_today_does_not_break_the_streak_until_it_ends() -> None:
    assert streak("CCC_").run == 3  # today (the last day) is still open
    assert streak("CCC", today_offset=4).run == 0  # yesterday was missed and closed


def test_the_seventh_counted_day_earns_a_freeze_that_bridges_a_missed_day() -> None:
    assert streak("CCCCCC").freezes == 0
    assert streak("CCCCCCC").freezes == 1
    state = streak("CCCCCCC_C")
    assert (state.run, state.freezes) == (8, 0)  # the frozen day bridges, it does not add


def test_at_most_two_freezes_are_held() -> None:
    assert streak("C" * 21).freezes == 2
    assert streak("C" * 70).freezes == 2


def test_a_missed_day_without_freezes_ends_the_streak() -> None:
    state = streak("CCCCCCC__C")
    assert (state.run, state.freezes, state.longest) == (1, 0, 7)


def test_two_freezes_bridge_two_missed_days_but_not_three() -> None:
    assert streak("C" * 14 + "__C").run == 15
    assert streak("C" * 14 + "___C").run == 1


def test_history_marks_frozen_and_breaking_days() -> None:
    _, outcomes = rule.evaluate(days_of("CCCCCCC_CC__C"), START + timedelta(days=12))
    marks = "".join(
        "F" if o.frozen else "B" if o.broke else "C" if o.counted else "-" for o in outcomes
    )
    assert marks == "CCCCCCCFCCB-C"
    assert [o.day for o in outcomes if o.frozen] == [START + timedelta(days=7)]
    assert [o.day for o in outcomes if o.broke] == [START + timedelta(days=10)]
    assert [o.day for o in outcomes if o.freeze_earned] == [START + timedelta(days=6)]
    assert outcomes[-1].is_open
    assert outcomes[-1].streak == 1


def test_each_day_is_judged_by_its_own_goal() -> None:
    days = {START: DayTotal(30, 30), START + timedelta(days=1): DayTotal(30, 45)}
    state, outcomes = rule.evaluate(days, START + timedelta(days=1))
    assert [o.counted for o in outcomes] == [True, False]
    assert state.run == 1  # today is open: below its 45-minute goal, the streak stands


@pytest.mark.parametrize(
    ("before", "after", "milestone"),
    [(6, 7, 7), (0, 7, 7), (29, 30, 30), (7, 8, None), (6, 31, 30), (364, 365, 365), (8, 7, None)],
)
def test_a_milestone_is_reached_when_the_streak_passes_it(
    before: int, after: int, milestone: int | None
) -> None:
    assert rule.milestone_reached(before, after) == milestone


@given(days=histories, today=todays)
def test_the_streak_is_never_negative_and_freezes_never_exceed_two(
    days: dict[date, DayTotal], today: date
) -> None:
    state, outcomes = rule.evaluate(days, today)
    assert 0 <= state.run <= state.longest
    assert 0 <= state.freezes <= rule.MAX_FREEZES
    assert state.run <= sum(1 for t in days.values() if t.counted)
    assert all(0 <= o.freezes <= rule.MAX_FREEZES and o.streak >= 0 for o in outcomes)


@given(days=histories, today=todays)
def test_the_stored_snapshot_gives_the_same_streak_as_the_full_history(
    days: dict[date, DayTotal], today: date
) -> None:
    assert rule.project(rule.snapshot_of(days), today) == rule.evaluate(days, today)[0]


@given(days=histories, today=todays)
def test_the_snapshot_bounds_every_streak_it_can_show(
    days: dict[date, DayTotal], today: date
) -> None:
    assert rule.project(rule.snapshot_of(days), today).run <= rule.streak_upper_bound(
        rule.snapshot_of(days)
    )


@given(days=histories, day=st.integers(0, 60), minutes=st.integers(0, 1440), today=todays)
def test_changing_the_latest_day_in_place_matches_a_rebuild(
    days: dict[date, DayTotal], day: int, minutes: int, today: date
) -> None:
    changed = START + timedelta(days=day)
    snapshot = rule.snapshot_of(days)
    if not rule.can_record(snapshot, changed):
        return
    updated = {**days, changed: DayTotal(minutes, GOAL)}
    assert rule.record(snapshot, changed, updated[changed]) == rule.snapshot_of(updated)
    assert (
        rule.project(rule.record(snapshot, changed, updated[changed]), today)
        == (rule.evaluate(updated, today)[0])
    )


@given(days=histories, day=st.integers(0, 60), today=todays)
def test_a_counted_day_never_lowers_the_streak(
    days: dict[date, DayTotal], day: int, today: date
) -> None:
    changed = START + timedelta(days=day)
    # Days the member has reached; a later one (after moving west) becomes their today.
    assume(changed <= max([today, *days]))
    before = rule.evaluate(days, today)[0]
    after = rule.evaluate({**days, changed: DayTotal(GOAL, GOAL)}, today)[0]
    assert after.run >= before.run
    assert after.longest >= before.longest


@given(
    state=st.builds(StreakState, st.integers(0, 400), st.just(400), st.integers(0, 2)),
    missed=st.integers(0, 6),
)
def test_missing_days_at_once_equals_missing_them_one_by_one(
    state: StreakState, missed: int
) -> None:
    stepwise = state
    for _ in range(missed):
        stepwise = rule.miss_day(stepwise)[0]
    assert rule.miss_days(state, missed) == stepwise


sessions = st.lists(
    st.tuples(
        st.datetimes(datetime(2026, 3, 20), datetime(2026, 4, 10), timezones=st.just(UTC))
        | st.datetimes(datetime(2026, 10, 20), datetime(2026, 11, 5), timezones=st.just(UTC)),
        st.integers(1, 14 * 60),
    ),
    max_size=25,
)
zone_names = st.sampled_from(
    ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
)


@given(study=sessions, tz=zone_names, goal=st.sampled_from([5, 30, 120]))
def test_sessions_across_zones_and_dst_pile_up_into_valid_days(
    study: list[tuple[datetime, int]], tz: str, goal: int
) -> None:
    days: dict[date, DayTotal] = {}
    logged = credited = 0
    for start, minutes in study:
        for piece in split_by_local_day(start, start + timedelta(minutes=minutes), tz):
            current = days.get(piece.day, DayTotal(0, goal)).minutes
            room = day_capacity(piece.day, tz) - current
            days[piece.day] = DayTotal(current + min(room, piece.minutes), goal)
            logged += piece.minutes
            credited += min(room, piece.minutes)
    assert credited <= logged == sum(m for _, m in study)
    assert all(0 <= t.minutes <= 1440 for t in days.values())
    assert sum(t.minutes for t in days.values()) == credited
    for start, _ in study[:3]:
        today = local_day(start, tz) + timedelta(days=1)
        state = rule.evaluate(days, today)[0]
        assert state == rule.project(rule.snapshot_of(days), today)
        assert 0 <= state.run <= len(days)
        assert state.freezes <= 2
