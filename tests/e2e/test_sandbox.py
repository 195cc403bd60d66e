"""`cohort sandbox` plays its tour against the emulator and shows what members see."""

from __future__ import annotations

from bot.sandbox import run_sandbox


async def test_the_sandbox_tour_shows_each_member_what_they_would_see() -> None:
    lines: list[str] = []
    assert await run_sandbox(out=lines.append) == 0
    transcript = "\n".join(lines)
    assert "alice ▸ /help" in transcript
    assert "#mod-log · Cohort:" in transcript
    assert 'Unknown interest "nlpp". Did you mean nlp?' in transcript
    assert "Only moderators can do this" in transcript
    assert "Interests: natural language processing, pytorch" in transcript
    assert "[Erase my data] [Keep my data]" in transcript
    assert "DM to bob · Cohort:" in transcript
    assert "[Accept] [Decline]" in transcript
    assert "#mentor-bob-alice · Cohort:" in transcript
    assert "End of the tour" in transcript
    # mentions are shown by name, as Discord would render them
    assert "<#" not in transcript
    assert "<@" not in transcript
