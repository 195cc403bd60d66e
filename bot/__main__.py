"""Command line: `cohort` (or `python -m bot`) runs the bot; `migrate`, `sandbox` and more.

Failures a person can fix (no token, a rejected token, a missing intent, a bad database URL)
end with one sentence saying what to do and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys

# Matching uses numpy; a multi-threaded BLAS would fight the event loop for the machine's
# cores (measured 4-6x slower on 2 cores under load). Set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from pydantic import ValidationError

from bot.settings import Settings

log = logging.getLogger("bot")

NO_TOKEN = (
    "DISCORD_TOKEN is not set. Create a bot application in the Discord Developer Portal, "
    "copy its token, and put DISCORD_TOKEN=<token> in the environment or in a .env file "
    "(see .env.example). To try Cohort without a token, run: python -m bot sandbox"
)
BAD_TOKEN = (
    "Discord rejected DISCORD_TOKEN. Reset the token in the Developer Portal "
    "(your application → Bot → Reset Token) and update .env."
)
NO_INTENTS = (
    "Discord refused the Server Members intent. Turn it on in the Developer Portal "
    "(your application → Bot → Privileged Gateway Intents → Server Members Intent)."
)


class Fatal(Exception):
    """An error that ends the process with one sentence for the operator."""


class _RedactToken(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._secret and self._secret in message:
            record.msg = message.replace(self._secret, "[token]")
            record.args = None
        return True


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    if settings.discord_token is not None:
        handler.addFilter(_RedactToken(settings.discord_token.get_secret_value()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    quiet = max(logging.WARNING, root.level)
    logging.getLogger("alembic").setLevel(quiet)


async def _migrate(settings: Settings) -> str | None:
    from bot import migrate
    from bot.db import Database

    db = Database(settings.database_url)
    try:
        await migrate.upgrade(db.engine)
        return await migrate.current_revision(db.engine)
    finally:
        await db.dispose()


def _point_discord_at(base_url: str) -> None:
    """Send REST and gateway traffic to ``base_url`` (the local emulator) instead of Discord."""
    import discord
    import yarl

    base = yarl.URL(base_url)
    discord.http.Route.BASE = str(base / "api" / "v10")
    scheme = "wss" if base.scheme == "https" else "ws"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base.with_scheme(scheme) / "gateway" / ""
    log.warning("talking to %s instead of Discord (COHORT_DISCORD_URL)", base_url)


async def _run(settings: Settings) -> None:
    import discord

    from bot import migrate
    from bot.app import CohortBot
    from bot.container import Services
    from bot.db import Database

    if settings.discord_token is None:
        raise Fatal(NO_TOKEN)
    if settings.cohort_discord_url:
        _point_discord_at(settings.cohort_discord_url)
    db = Database(settings.database_url)
    try:
        await migrate.upgrade(db.engine)
        bot = CohortBot(Services.build(db), dev_guild_id=settings.cohort_dev_guild)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, lambda s=sig: _stop(bot, s))
        async with bot:
            try:
                await bot.start(settings.discord_token.get_secret_value())
            except discord.LoginFailure:
                raise Fatal(BAD_TOKEN) from None
            except discord.PrivilegedIntentsRequired:
                raise Fatal(NO_INTENTS) from None
    finally:
        await db.dispose()
        log.info("stopped")


_closing: set[asyncio.Task[None]] = set()


def _stop(bot: object, sig: signal.Signals) -> None:
    log.info("received %s, shutting down", sig.name)
    task = asyncio.ensure_future(bot.close())  # type: ignore[attr-defined]
    _closing.add(task)
    task.add_done_callback(_closing.discard)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cohort", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (default)")
    sub.add_parser("migrate", help="apply database migrations and exit")
    sandbox = sub.add_parser("sandbox", help="try Cohort against a local Discord emulator")
    sandbox.add_argument(
        "--database-url", help="where the sandbox keeps its data (default: a temporary file)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        print(f"cohort: invalid setting {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return 2
    configure_logging(settings)
    try:
        if args.command == "migrate":
            revision = asyncio.run(_migrate(settings))
            print(f"Database is at revision {revision}.")
        elif args.command == "sandbox":
            from bot.sandbox import run_sandbox

            return asyncio.run(run_sandbox(args.database_url))
        else:
            asyncio.run(_run(settings))
    except Fatal as error:
        print(f"cohort: {error}", file=sys.stderr)
        return 1 if "rejected" in str(error) or "refused" in str(error) else 2
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        print(f"cohort: cannot reach the database or Discord: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
