"""Words and embeds for study streaks; shared by /study, /streak and the sweeps."""

from __future__ import annotations

from collections.abc import Callable

import discord

from bot.services.streak_board import BoardEntry
from bot.services.streak_history import History
from bot.services.streak_store import DayCredit, StreakSummary
from bot.services.streaks import Leaderboard
from cogs.common import COLOUR

FIRE = "🔥"


def days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def progress_bar(minutes: int, goal: int, width: int = 12) -> str:
    filled = min(width, round(width * minutes / goal)) if goal else width
    return "▰" * filled + "▱" * (width - filled)


def today_line(summary: StreakSummary) -> str:
    if summary.today_counted:
        return f"Today: {summary.today_minutes}/{summary.goal_minutes} min ✅ the day counts"
    return (
        f"Today: {summary.today_minutes}/{summary.goal_minutes} min "
        f"{progress_bar(summary.today_minutes, summary.goal_minutes)} "
        f"— {summary.minutes_to_goal} min to go"
    )


def streak_line(summary: StreakSummary) -> str:
    line = f"{FIRE} Streak: {days(summary.current)} · longest {days(summary.longest)}"
    freezes = f" · ❄️ {summary.freezes} freeze" + ("" if summary.freezes == 1 else "s")
    return line + freezes


def credit_lines(credits: tuple[DayCredit, ...] | list[DayCredit]) -> list[str]:
    """What a log did to each day; minutes that did not fit are said, never hidden."""
    lines = []
    for credit in credits:
        mark = "✅" if credit.counted else "·"
        line = f"{credit.day:%a %d %b}: +{credit.credited} min → {credit.total} min {mark}"
        if credit.clipped:
            line += f" ({credit.clipped} min did not fit: a day holds at most 24 h)"
        lines.append(line)
    return lines


def summary_embed(summary: StreakSummary, name: str) -> discord.Embed:
    embed = discord.Embed(title=f"{name}'s study streak", colour=COLOUR)
    embed.add_field(name="Current streak", value=days(summary.current), inline=True)
    embed.add_field(name="Longest streak", value=days(summary.longest), inline=True)
    freezes = f"{summary.freezes} of 2"
    if summary.days_to_next_freeze is not None and summary.freezes < 2:
        freezes += f" (next after {days(summary.days_to_next_freeze)} at goal)"
    embed.add_field(name="Freezes held", value=freezes, inline=True)
    embed.add_field(name="Today", value=today_line(summary).removeprefix("Today: "), inline=False)
    if summary.next_milestone:
        embed.set_footer(
            text=f"Next milestone: {summary.next_milestone} days · days count in {summary.timezone}"
        )
    else:
        embed.set_footer(text=f"Days count in {summary.timezone}")
    return embed


def history_embed(history: History, name: str) -> discord.Embed:
    lines = []
    for day in history.days:
        if day.is_open:
            mark = "✅ counted" if day.counted else "⏳ open"
        elif day.counted:
            mark = "✅ counted"
        elif day.frozen:
            mark = "❄️ freeze used"
        elif day.broke:
            mark = "💔 streak ended"
        else:
            mark = "—"
        line = f"`{day.day:%a %Y-%m-%d}` {day.minutes:>4} min {mark}"
        if day.freeze_earned:
            line += " · earned a freeze"
        if day.streak:
            line += f" · {FIRE}{day.streak}"
        for fix in day.corrections:
            who = f" by <@{fix.moderator_id}>" if fix.moderator_id else ""
            line += f"\n  ✏️ {fix.minutes:+d} min{who}: {fix.reason}"
        lines.append(line)
    embed = discord.Embed(
        title=f"{name}: the last {days(len(history.days))}",
        description="\n".join(lines)[:4000],
        colour=COLOUR,
    )
    embed.set_footer(text=f"{streak_line(history.streak)} · days count in {history.timezone}")
    return embed


def leaderboard_embed(board: Leaderboard) -> discord.Embed:
    titles = {"week": "this week", "month": "this month", "all": "all time"}
    embed = discord.Embed(title=f"Study leaderboard — {titles[board.period]}", colour=COLOUR)
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}

    def rows(entries: tuple[BoardEntry, ...], unit: Callable[[int], str]) -> str:
        if not entries:
            return "Nobody yet — be the first!"
        return "\n".join(
            f"{medals.get(e.rank, f'{e.rank}.')} <@{e.user_id}> — {unit(e.value)}" for e in entries
        )

    minutes = rows(board.by_minutes, lambda n: f"{n} min")
    embed.add_field(name="Minutes studied", value=minutes[:1024], inline=True)
    embed.add_field(name="Current streak", value=rows(board.by_streak, days)[:1024], inline=True)
    if board.since is not None:
        embed.set_footer(text=f"Since {board.since:%a %d %b %Y}")
    return embed
