"""Members interacting with the bot: the engine combining commands and components.

See :mod:`bot.emulator.engine` for dispatching and waiting,
:mod:`bot.emulator.slash` for slash commands and autocomplete, and
:mod:`bot.emulator.clicks` for buttons, selects and modals.
"""

from __future__ import annotations

from .clicks import ComponentActions
from .replies import Reply
from .slash import SlashCommands


class InteractionEngine(SlashCommands, ComponentActions):
    """Everything a member can do to reach the bot, plus the records of what happened."""


__all__ = ["InteractionEngine", "Reply"]
