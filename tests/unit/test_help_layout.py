"""/help stays within Discord's embed limits however many commands the bot grows."""

from __future__ import annotations

from cogs.help import EMBED_BUDGET, _chunks, _embed


def test_fields_are_split_under_1024_characters_without_cutting_a_line() -> None:
    lines = [f"`/group cmd{i}` — " + "d" * 90 for i in range(30)]
    chunks = _chunks(lines)
    assert len(chunks) > 1
    assert all(len(c) <= 1024 for c in chunks)
    assert "\n".join(chunks).splitlines() == lines


def test_a_long_help_drops_descriptions_to_stay_under_6000_characters() -> None:
    by_root = {
        f"area{a}": [
            (f"`/area{a} command{i}`", "a description of moderate length " * 3) for i in range(9)
        ]
        for a in range(9)
    }
    full = _embed(by_root, with_descriptions=True)
    assert len(full) > EMBED_BUDGET
    short = _embed(by_root, with_descriptions=False)
    assert len(short) <= EMBED_BUDGET
    assert "`/area8 command8`" in "".join(f.value or "" for f in short.fields)
