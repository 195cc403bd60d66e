"""Discord adapters: one cog per area, thin — parse options, call a service, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord.ext import commands

if TYPE_CHECKING:
    from bot.app import CohortBot


def build_cogs(bot: CohortBot) -> list[commands.Cog]:
    """Every cog, with the services it needs handed in."""
    from cogs.config import ConfigCog
    from cogs.events import EventsCog
    from cogs.groups import GroupsCog
    from cogs.help import HelpCog
    from cogs.mentor import MentorCog
    from cogs.privacy import PrivacyCog
    from cogs.profile import ProfileCog
    from cogs.stats import StatsCog
    from cogs.streak import StreakCog
    from cogs.study import StudyCog

    s = bot.services
    return [
        HelpCog(bot),
        ConfigCog(bot, s.config, s.taxonomy),
        ProfileCog(bot, s.profiles, s.taxonomy, s.clock),
        PrivacyCog(bot, s.privacy),
        StudyCog(bot),
        StreakCog(bot),
        EventsCog(bot, s),
        GroupsCog(bot),
        MentorCog(bot),
        StatsCog(bot),
    ]


def dynamic_items() -> list[type[Any]]:
    """Persistent buttons, registered so they work on messages sent before a restart."""
    from cogs.views.events import ReviewButton, RsvpButton
    from cogs.views.groups import CreateGroupsButton
    from cogs.views.mentor import FeedbackButton, MatchSendButton, OfferButton
    from cogs.views.privacy import EraseButton, KeepButton

    return [
        EraseButton,
        KeepButton,
        RsvpButton,
        ReviewButton,
        CreateGroupsButton,
        OfferButton,
        FeedbackButton,
        MatchSendButton,
    ]
