"""Interaction latency through the emulator: the real bot, 100 concurrent interactions.

DESIGN.md's target: at 100 concurrent interactions, the p99 of `/study log` stays within 2x
of a bare `/help` measured in the same run, and every acknowledgement is far below Discord's
3 s deadline. Figures are printed as a table with ratios against `/help`, the in-process
baseline.

Run: .venv/bin/python bench/bench_interactions.py [--rounds 5] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable

import discord

from bot import migrate
from bot.app import CohortBot
from bot.container import Services
from bot.db import Database
from bot.emulator import DiscordEmulator, Member, loopback_only, run_client

Scenario = Callable[[Member, int], Awaitable[object]]

SCENARIOS: dict[str, Scenario] = {
    "/help": lambda m, i: m.run("/help"),
    "/interests": lambda m, i: m.run("/interests"),
    "/profile show": lambda m, i: m.run("/profile show"),
    "/profile set (write)": lambda m, i: m.run(
        "/profile set",
        interests="nlp, python" if i % 2 else "computer vision",
        timezone="Europe/Berlin",
    ),
    "/study log (write)": lambda m, i: m.run("/study log", minutes=1 + i % 5),
    "/study status": lambda m, i: m.run("/study status"),
    "/config streak (moderator write)": lambda m, i: m.run(
        "/config streak", goal_minutes=20 + i % 30
    ),
}


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


async def _burst(members: list[Member], scenario: Scenario) -> list[float]:
    async def timed(member: Member, i: int) -> float:
        start = time.perf_counter()
        await scenario(member, i)
        return (time.perf_counter() - start) * 1000

    return list(await asyncio.gather(*(timed(m, i) for i, m in enumerate(members))))


async def main(rounds: int, concurrency: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp, loopback_only():
        db = Database(database_url or f"sqlite+aiosqlite:///{tmp}/bench.db")
        await migrate.upgrade(db.engine)
        emu = DiscordEmulator()
        await emu.start()
        guild = emu.create_guild("Bench")
        mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
        members = [guild.add_member(f"m{i}", roles=[mods]) for i in range(concurrency)]
        bot = CohortBot(Services.build(db), guild_ready_timeout=0.05)
        results: dict[str, list[float]] = {name: [] for name in SCENARIOS}
        async with run_client(emu, bot):
            for scenario in SCENARIOS.values():  # warm caches and code paths
                await _burst(members[:5], scenario)
            for _ in range(rounds):
                for name, scenario in SCENARIOS.items():  # interleaved, so drift hits all alike
                    results[name] += await _burst(members, scenario)
        await emu.stop()
        await db.dispose()

    base_p99 = _p99(results["/help"])
    backend = "SQLite" if database_url is None else database_url.split(":")[0]
    print(f"\n{concurrency} concurrent interactions x {rounds} rounds (ms, loopback, {backend})")
    header = f"{'command':34} {'p50':>7} {'p99':>7} {'max':>7} {'p99 / help p99':>15}"
    print(header)
    print("-" * len(header))
    for name, values in results.items():
        p99 = _p99(values)
        print(
            f"{name:34} {statistics.median(values):7.1f} {p99:7.1f} {max(values):7.1f} "
            f"{p99 / base_p99:14.2f}x"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument(
        "--database-url", help="an empty, migratable database (default: a temporary SQLite file)"
    )
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.concurrency, args.database_url))
