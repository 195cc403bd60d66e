"""Errors meant for a person: services raise them, the command tree shows them ephemerally."""

from __future__ import annotations


class UserError(Exception):
    """A request that cannot be done; the message says why and what to do instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(UserError):
    """An option's value is malformed or out of range."""


class NotFound(UserError):
    """The thing the member named does not exist in this server."""


class Conflict(UserError):
    """The request clashes with the current state (already exists, already full...)."""


class PermissionDenied(UserError):
    """The member may not do this."""


class ModuleDisabled(UserError):
    """A moderator has turned this part of the bot off for the server."""
