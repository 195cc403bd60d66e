"""The /streak calendar picture: a year of study as a contribution-style heatmap (PNG).

Drawn for Discord's dark theme: empty days are a muted grey, days with some study shade
from dim to bright green by minutes, and days that reached the goal get a light outline so
they read at a glance even for members who study a lot every day.
"""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFont

from bot.services.streak_history import Calendar

CELL = 13
GAP = 3
LEFT = 34
TOP = 46
BOTTOM = 34
BACKGROUND = (43, 45, 49)
EMPTY = (58, 61, 68)
TEXT = (219, 222, 225)
MUTED = (148, 155, 164)
GOAL_OUTLINE = (235, 255, 235)
GREENS = [(14, 68, 41), (0, 109, 50), (38, 166, 65), (57, 211, 83)]


def _shade(minutes: int, goal: int) -> tuple[int, int, int]:
    if minutes <= 0:
        return EMPTY
    if minutes < goal:
        return GREENS[0] if minutes < goal / 2 else GREENS[1]
    return GREENS[2] if minutes < goal * 2 else GREENS[3]


def render_calendar(calendar: Calendar, member_name: str) -> bytes:
    """A PNG of the calendar's days (oldest first), one column per week starting Monday."""
    days = list(calendar.days)
    first = days[0].day
    start = first - timedelta(days=first.weekday())
    weeks = (days[-1].day - start).days // 7 + 1
    width = LEFT + weeks * (CELL + GAP) + 12
    height = TOP + 7 * (CELL + GAP) + BOTTOM
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12)
    small = ImageFont.load_default(size=10)

    hours = calendar.total_minutes / 60
    title = (
        f"{member_name} · {days[0].day:%d %b %Y} - {days[-1].day:%d %b %Y} · "
        f"{calendar.counted_days} days at goal · {hours:,.0f} h"
    )
    draw.text((LEFT, 8), title, fill=TEXT, font=font)

    for row, label in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        draw.text((4, TOP + row * (CELL + GAP)), label, fill=MUTED, font=small)

    last_month = None
    for item in days:
        column = (item.day - start).days // 7
        row = item.day.weekday()
        x = LEFT + column * (CELL + GAP)
        y = TOP + row * (CELL + GAP)
        if item.day.month != last_month:  # label a month above its first week
            draw.text((x, TOP - 16), f"{item.day:%b}", fill=MUTED, font=small)
            last_month = item.day.month
        box = (x, y, x + CELL - 1, y + CELL - 1)
        draw.rounded_rectangle(box, radius=2, fill=_shade(item.minutes, calendar.goal_minutes))
        if item.counted:
            draw.rounded_rectangle(box, radius=2, outline=GOAL_OUTLINE, width=1)

    legend_y = height - BOTTOM + 10
    draw.text((LEFT, legend_y), "less", fill=MUTED, font=small)
    for i, colour in enumerate([EMPTY, *GREENS]):
        x = LEFT + 28 + i * (CELL + GAP)
        draw.rounded_rectangle(
            (x, legend_y, x + CELL - 1, legend_y + CELL - 1), radius=2, fill=colour
        )
    draw.text(
        (LEFT + 28 + 5 * (CELL + GAP) + 2, legend_y),
        "more · outlined: goal reached",
        fill=MUTED,
        font=small,
    )

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
