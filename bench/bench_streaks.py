"""Streak queries at scale: 10,000 members with a year of daily totals in one server.

Builds a temporary SQLite database through the real migrations, fills it with Core bulk
inserts (day totals, week/month/all-time totals and streak snapshots computed by the same
rule the bot uses), then times the leaderboard (minutes and streak boards for each period)
and one member's streak summary, history and calendar through the services. Target: each
under 50 ms. The two writes at the end (a log, and a correction of an old day that replays
the member's year) are shown for reference. Run:
``.venv/bin/python bench/bench_streaks.py [members] [days]``.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot import migrate
from bot.clock import FrozenClock
from bot.container import Services
from bot.db import Database
from bot.domain import streaks as rule
from bot.models import MemberProfile, StreakStateRow, StudyDay, StudyPeriodTotal
from bot.services.streak_board import minutes_board, period_start, streak_board
from bot.services.streak_store import period_keys

GUILD = 1
FIRST_MEMBER = 10**17
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "UTC")
GOAL = 30
RUNS = 40
TARGET_MS = 50.0


def member_days(rng: random.Random, days: int, today: date) -> dict[date, rule.DayTotal]:
    """A year of one member's habit: a few study nearly daily, most come and go."""
    habit = rng.uniform(0.97, 1.0) if rng.random() < 0.03 else rng.betavariate(2.0, 1.2)
    out = {}
    for back in range(days):
        if rng.random() < habit:
            # Most study days reach the goal; some are short sessions that do not count.
            if rng.random() < 0.85:
                minutes = min(1440, GOAL + int(rng.expovariate(1 / 40)))
            else:
                minutes = rng.randint(5, GOAL - 1)
            out[today - timedelta(days=back)] = rule.DayTotal(minutes, GOAL)
    return out


def build_rows(
    members: int, days: int, today: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(20260630)
    day_rows: list[dict[str, Any]] = []
    period_rows: list[dict[str, Any]] = []
    state_rows: list[dict[str, Any]] = []
    profile_rows: list[dict[str, Any]] = []
    for i in range(members):
        uid = FIRST_MEMBER + i
        totals = member_days(rng, days, today)
        periods: dict[tuple[str, date], int] = defaultdict(int)
        for day, total in totals.items():
            day_rows.append(
                {
                    "guild_id": GUILD,
                    "user_id": uid,
                    "day": day,
                    "minutes": total.minutes,
                    "goal_minutes": total.goal,
                    "updated_at": NOW,
                }
            )
            for key in period_keys(day):
                periods[key] += total.minutes
        period_rows += [
            {"guild_id": GUILD, "user_id": uid, "kind": k, "period_start": s, "minutes": m}
            for (k, s), m in periods.items()
        ]
        snap = rule.snapshot_of(totals)
        state_rows.append(
            {
                "guild_id": GUILD,
                "user_id": uid,
                "base_run": snap.base.run,
                "base_longest": snap.base.longest,
                "base_freezes": snap.base.freezes,
                "last_day": snap.last_day,
                "last_minutes": snap.last.minutes if snap.last else None,
                "last_goal": snap.last.goal if snap.last else None,
                "updated_at": NOW,
            }
        )
        if rng.random() < 0.7:
            profile_rows.append(
                {
                    "guild_id": GUILD,
                    "user_id": uid,
                    "timezone": rng.choice(ZONES),
                    "updated_at": NOW,
                }
            )
    return day_rows, period_rows, state_rows, profile_rows


async def bulk_insert(db: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 20_000):
        async with db.write() as session:
            await session.execute(insert(table), rows[start : start + 20_000])


async def timed(call: Callable[[], Awaitable[object]], runs: int = RUNS) -> tuple[float, float]:
    await call()  # warm caches (guild settings, SQLite pages) as a running bot has them
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def print_table(title: str, header: list[str], rows: list[list[object]]) -> None:
    cells = [header] + [[f"{c:.2f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for k, row in enumerate(cells):
        print(
            "  ".join(
                str(c).ljust(w) if j == 0 else str(c).rjust(w)
                for j, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if k == 0:
            print("  ".join("-" * w for w in widths))


async def main(members: int, days: int) -> None:
    today = NOW.date()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await migrate.upgrade(db.engine)
        services = Services.build(db, FrozenClock(NOW))
        await services.config.get(GUILD)

        started = time.perf_counter()
        day_rows, period_rows, state_rows, profile_rows = build_rows(members, days, today)
        computed = time.perf_counter() - started
        for table, rows in (
            (StudyDay, day_rows),
            (StudyPeriodTotal, period_rows),
            (StreakStateRow, state_rows),
            (MemberProfile, profile_rows),
        ):
            await bulk_insert(db, table, rows)
        loaded = time.perf_counter() - started - computed
        print(
            f"{members:,} members, {len(day_rows):,} daily totals over {days} days, "
            f"{len(period_rows):,} period totals; built in {computed:.1f} s, "
            f"inserted in {loaded:.1f} s"
        )

        sample = FIRST_MEMBER + members // 2
        rows: list[list[object]] = []

        async def board_part(kind: str, period: str) -> object:
            async with db.read() as session:
                if kind == "minutes":
                    start = period_start(period, today)
                    return await minutes_board(session, GUILD, period, start, 10)
                return await streak_board(session, GUILD, "UTC", NOW, 10)

        checks: list[tuple[str, Callable[[], Awaitable[object]]]] = []
        for period in ("week", "month", "all"):
            checks.append(
                (f"leaderboard {period}: minutes", lambda p=period: board_part("minutes", p))
            )
        checks.append(("leaderboard: current streak", lambda: board_part("streak", "week")))
        for period in ("week", "month", "all"):
            checks.append(
                (
                    f"/streak leaderboard {period} (both)",
                    lambda p=period: services.streaks.leaderboard(GUILD, p),
                )
            )
        checks += [
            ("/streak show (one member)", lambda: services.streaks.summary(GUILD, sample)),
            ("/study status (one member)", lambda: services.streaks.status(GUILD, sample)),
            ("/streak history 90 days", lambda: services.streaks.history(GUILD, sample, 90)),
            ("/streak calendar 365 days", lambda: services.streaks.calendar(GUILD, sample)),
            ("/study log 1 min (write)", lambda: services.streaks.log(GUILD, sample, 1)),
            ("/streak adjust, 200 days ago (replay)", lambda: adjust_old_day()),
        ]
        old_day = (today - timedelta(days=200)).isoformat()
        sign = [1]

        async def adjust_old_day() -> object:
            # +1 then -1 alternately: each changes a day long before the latest one, so the
            # member's snapshot is rebuilt from their whole year.
            sign[0] = -sign[0]
            return await services.streaks.adjust(GUILD, 1, sample, old_day, -sign[0], "bench")

        for name, call in checks:
            median, p95 = await timed(call)
            rows.append([name, median, p95, "yes" if p95 < TARGET_MS else "NO"])
        board = await services.streaks.leaderboard(GUILD, "week")
        top = board.by_streak[0].value if board.by_streak else 0
        print_table(
            f"Streak queries, SQLite, {RUNS} runs each (top streak {top} days)",
            ["query", "median ms", "p95 ms", f"< {TARGET_MS:.0f} ms"],
            rows,
        )
        await db.dispose()


if __name__ == "__main__":
    n_members = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    n_days = int(sys.argv[2]) if len(sys.argv) > 2 else 365
    asyncio.run(main(n_members, n_days))
