"""Which time in voice counts as study: the rule, kept apart from Discord and the database.

Time counts while a member is in a voice channel the server tracks (``/config voice``),
except:

- bots never count;
- a member who is deafened (self- or server-deafened) *and* has no other person (bots do
  not count as company) in the channel does not count: that is someone who left Discord
  open and walked away. Deafened with others present still counts: people deafen to focus
  in a silent study room while their camera or presence keeps the group going.

Muting alone never matters; studying silently is the point of a study room.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VoiceMember:
    """Someone in a voice channel, as the Discord adapter sees them."""

    user_id: int
    is_bot: bool = False
    deafened: bool = False


def counts_in_voice(*, tracked: bool, is_bot: bool, deafened: bool, others: int) -> bool:
    """Whether one member's time counts; ``others`` is how many other people are there."""
    if not tracked or is_bot:
        return False
    return not (deafened and others == 0)


def counting_members(members: Iterable[VoiceMember | int], *, tracked: bool) -> frozenset[int]:
    """The members of one channel whose time counts (a bare id is a present, hearing person)."""
    people = [m if isinstance(m, VoiceMember) else VoiceMember(m) for m in members]
    humans = [m for m in people if not m.is_bot]
    return frozenset(
        m.user_id
        for m in humans
        if counts_in_voice(
            tracked=tracked, is_bot=m.is_bot, deafened=m.deafened, others=len(humans) - 1
        )
    )
