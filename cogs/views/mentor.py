"""Persistent mentorship buttons: Accept/Decline on offers, feedback after an ending, and the
moderator's "Send offers" under a /mentor match preview.

Each carries its record id in the custom_id, so it keeps working after a restart. Who may press
it is decided by the service from the record (the offered mentor, the pair's two members), not
by who can see the message: an offer posted in the log channel is visible to others.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from cogs.common import NotModerator, bot_of, is_moderator
from cogs.errors import SafeCallback

if TYPE_CHECKING:
    from cogs.mentor import MentorCog


def _cog(interaction: discord.Interaction) -> MentorCog:
    cog = bot_of(interaction).get_cog("MentorCog")
    assert cog is not None, "the mentor cog is loaded with every bot"
    return cog  # type: ignore[return-value]


class OfferButton(
    SafeCallback,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"mentor-offer:(?P<action>accept|decline):(?P<offer_id>\d+)",
):
    def __init__(self, action: str, offer_id: int) -> None:
        self.action = action
        self.offer_id = offer_id
        accept = action == "accept"
        super().__init__(
            discord.ui.Button(
                label="Accept" if accept else "Decline",
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
                custom_id=f"mentor-offer:{action}:{offer_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> OfferButton:
        return cls(match["action"], int(match["offer_id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        if self.action == "accept":
            await _cog(interaction).accept_offer(interaction, self.offer_id)
        else:
            await _cog(interaction).decline_offer(interaction, self.offer_id)


def offer_view(offer_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(OfferButton("accept", offer_id))
    view.add_item(OfferButton("decline", offer_id))
    return view


class FeedbackButton(
    SafeCallback,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"mentor-feedback:(?P<answer>yes|no):(?P<mentorship_id>\d+)",
):
    def __init__(self, answer: str, mentorship_id: int) -> None:
        self.answer = answer
        self.mentorship_id = mentorship_id
        super().__init__(
            discord.ui.Button(
                label="Yes, it helped" if answer == "yes" else "Not really",
                style=discord.ButtonStyle.success
                if answer == "yes"
                else discord.ButtonStyle.secondary,
                custom_id=f"mentor-feedback:{answer}:{mentorship_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> FeedbackButton:
        return cls(match["answer"], int(match["mentorship_id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        helped = self.answer == "yes"
        await bot_of(interaction).services.mentorship.feedback(
            self.mentorship_id, interaction.user.id, helped
        )
        thanks = "Thank you! Glad it helped." if helped else "Thank you for telling us."
        await interaction.response.edit_message(content=thanks, view=None)


def feedback_view(mentorship_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton("yes", mentorship_id))
    view.add_item(FeedbackButton("no", mentorship_id))
    return view


class MatchSendButton(
    SafeCallback,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"mentor-match:send:(?P<guild_id>\d+)",
):
    def __init__(self, guild_id: int) -> None:
        self.guild_id = guild_id
        super().__init__(
            discord.ui.Button(
                label="Send offers",
                style=discord.ButtonStyle.primary,
                custom_id=f"mentor-match:send:{guild_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> MatchSendButton:
        return cls(int(match["guild_id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id != self.guild_id or not await is_moderator(interaction):
            raise NotModerator()
        await _cog(interaction).send_match(interaction)


def match_view(guild_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(MatchSendButton(guild_id))
    return view
