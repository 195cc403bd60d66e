"""Process settings, read from the environment and an optional `.env` file."""

from __future__ import annotations

import logging

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the process needs to start. The token is a SecretStr so it never prints."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = Field(default=None)
    database_url: str = "sqlite+aiosqlite:///cohort.db"
    cohort_dev_guild: int | None = None
    log_level: str = "INFO"
    # Development only: the base URL of a Discord-compatible server such as the local
    # emulator (e.g. http://127.0.0.1:8765). Unset in production.
    cohort_discord_url: str | None = None

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token_is_missing(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("cohort_dev_guild", mode="before")
    @classmethod
    def _blank_guild_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError(f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR; got {value!r}")
        return level
