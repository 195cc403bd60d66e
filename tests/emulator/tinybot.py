"""A tiny discord.py bot exercising what Cohort needs from Discord, and its test server.

``start_env`` starts an emulator, builds a small study community (a moderator,
members, one with closed DMs, a voice channel), connects the bot with
``run_client`` and yields an :class:`Env`.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.emulator import DiscordEmulator, Guild, Member, run_client


class Tree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        # Check failures get an answer (the bot's own permission check); anything else is a
        # bug: log it and do not answer.
        if isinstance(error, app_commands.CheckFailure):
            await interaction.response.send_message(f"denied: {error}", ephemeral=True)
            return
        await super().on_error(interaction, error)


class Going(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rsvp:(?P<event>\d+)"):
    """A persistent RSVP button: survives restarts because its state is in the custom_id."""

    def __init__(self, event: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Going", custom_id=f"rsvp:{event}", style=discord.ButtonStyle.green
            )
        )
        self.event = event

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> Going:
        return cls(int(match["event"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"going to {self.event}: {interaction.user.name}", ephemeral=True
        )


class SignupView(discord.ui.View):
    def __init__(self, owner_id: int) -> None:
        super().__init__(timeout=60)
        self.owner_id = owner_id
        self.add_item(Going(7))
        self.add_item(discord.ui.Button(label="Docs", url="https://example.invalid/docs"))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id and interaction.data.get("custom_id") == "accept":  # type: ignore[union-attr]
            await interaction.response.send_message("not your signup", ephemeral=True)
            return False
        return True

    @discord.ui.button(label="Accept", custom_id="accept", style=discord.ButtonStyle.primary)
    async def accept(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.edit_message(
            content=f"accepted by {interaction.user.name}", view=None
        )

    @discord.ui.button(label="Later", custom_id="later")
    async def later(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="maybe later")


class PickView(discord.ui.View):
    @discord.ui.select(
        placeholder="Pick topics",
        custom_id="topics",
        min_values=1,
        max_values=2,
        options=[
            discord.SelectOption(label="NLP", value="nlp"),
            discord.SelectOption(label="Vision", value="cv"),
            discord.SelectOption(label="RL", value="rl"),
        ],
    )
    async def topics(
        self, interaction: discord.Interaction, select: discord.ui.Select[Any]
    ) -> None:
        await interaction.response.edit_message(
            content=f"picked {','.join(select.values)}", view=None
        )

    @discord.ui.select(cls=discord.ui.UserSelect, placeholder="Pick a buddy", custom_id="buddy")
    async def buddy(
        self, interaction: discord.Interaction, select: discord.ui.UserSelect[Any]
    ) -> None:
        await interaction.response.send_message(f"buddy {select.values[0].name}")


class Feedback(discord.ui.Modal, title="Feedback"):
    topic = discord.ui.TextInput(label="Topic", custom_id="topic", max_length=20)
    details = discord.ui.TextInput(
        label="Details", custom_id="details", style=discord.TextStyle.paragraph, required=False
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"thanks for {self.topic.value}|{self.details.value}", ephemeral=True
        )


class DMView(discord.ui.View):
    @discord.ui.button(label="Confirm", custom_id="dm-confirm")
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.edit_message(content="confirmed", view=None)


TIMEZONES = ["Europe/Berlin", "Europe/Paris", "America/New_York", "Asia/Tokyo"]


def build_bot(guild_id: int, intents: discord.Intents | None = None) -> commands.Bot:
    """A small bot exercising what Cohort needs from Discord."""
    bot = commands.Bot(
        command_prefix="!", intents=intents or _intents(), tree_cls=Tree, guild_ready_timeout=0.05
    )
    tree = bot.tree
    bot.seen_messages = []  # type: ignore[attr-defined]
    guild_obj = discord.Object(guild_id)

    async def setup_hook() -> None:
        bot.add_dynamic_items(Going)
        await tree.sync()
        await tree.sync(guild=guild_obj)

    bot.setup_hook = setup_hook  # type: ignore[method-assign]

    bot.seen_reactions = []  # type: ignore[attr-defined]

    @bot.event
    async def on_message(message: discord.Message) -> None:
        bot.seen_messages.append(message)  # type: ignore[attr-defined]

    @bot.event
    async def on_raw_reaction_add(payload: discord.RawReactionActionEvent) -> None:
        bot.seen_reactions.append((payload.user_id, str(payload.emoji)))  # type: ignore[attr-defined]

    @tree.command(description="Is the bot alive?")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @tree.command(name="help", description="How to use the bot")
    @app_commands.allowed_contexts(guilds=True, dms=True)
    async def help_(interaction: discord.Interaction) -> None:
        where = "dm" if interaction.guild is None else "guild"
        await interaction.response.send_message(f"help in {where} for {interaction.user.name}")

    @tree.command(description="Only in the test guild", guild=guild_obj)
    async def local(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"local {interaction.data.get('guild_id')}")  # type: ignore[union-attr]

    profile = app_commands.Group(name="profile", description="Your learner profile")
    tree.add_command(profile)

    @profile.command(name="set", description="Set your profile")
    @app_commands.describe(timezone="Your timezone", level="Your level", hours="Hours per week")
    @app_commands.choices(
        level=[
            app_commands.Choice(name="Beginner", value="beginner"),
            app_commands.Choice(name="Advanced", value="advanced"),
        ]
    )
    async def profile_set(
        interaction: discord.Interaction,
        timezone: str,
        level: app_commands.Choice[str],
        hours: app_commands.Range[int, 1, 40] = 5,
        public: bool = True,
        nickname: app_commands.Range[str, 2, 10] | None = None,
    ) -> None:
        if timezone not in TIMEZONES:
            await interaction.response.send_message(f"unknown timezone {timezone}", ephemeral=True)
            return
        await interaction.response.send_message(
            f"{interaction.user.name}: {timezone} {level.value} {hours}h "
            f"public={public} nick={nickname}",
            ephemeral=not public,
        )

    @profile_set.autocomplete("timezone")
    async def tz_complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=tz, value=tz)
            for tz in TIMEZONES
            if current.lower() in tz.lower()
        ][:25]

    admin = app_commands.Group(
        name="admin",
        description="Admin tools",
        default_permissions=discord.Permissions(manage_guild=True),
    )
    tree.add_command(admin)
    config = app_commands.Group(name="config", description="Settings", parent=admin)

    @config.command(name="show", description="Show settings")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def config_show(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("settings: ok", ephemeral=True)

    @tree.command(description="Describe things")
    async def inspect(
        interaction: discord.Interaction,
        user: discord.Member,
        channel: discord.TextChannel,
        role: discord.Role,
        ratio: app_commands.Range[float, 0.0, 1.0] = 0.5,
        who: discord.Member | discord.Role | None = None,
    ) -> None:
        perms = channel.permissions_for(interaction.user)  # type: ignore[arg-type]
        await interaction.response.send_message(
            f"user={user.name} roles={[r.name for r in user.roles[1:]]} "
            f"channel={channel.name} role={role.name} "
            f"ratio={ratio} who={getattr(who, 'name', None)} send={perms.send_messages}"
        )

    @tree.command(description="Sign up")
    @app_commands.guild_only()
    async def signup(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Sign up?", view=SignupView(interaction.user.id))

    @tree.command(description="Pick topics")
    async def pick(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pick", view=PickView(), ephemeral=True)

    @tree.command(description="Give feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @tree.command(description="Think, then answer")
    async def slow(interaction: discord.Interaction, ephemeral: bool = False) -> None:
        await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        await interaction.followup.send("done thinking", ephemeral=True)

    @tree.command(description="Defer, edit, follow up, delete")
    async def lifecycle(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        await interaction.edit_original_response(content="step 1")
        extra = await interaction.followup.send("extra", ephemeral=True, wait=True)
        await extra.edit(content="extra edited")
        gone = await interaction.followup.send("temporary", wait=True)
        await gone.delete()

    @tree.command(description="Send a file")
    async def report(interaction: discord.Interaction) -> None:
        data = io.BytesIO(b"name,hours\nalice,5\n")
        embed = discord.Embed(title="Weekly report", description="Attached").add_field(
            name="rows", value="1"
        )
        await interaction.response.send_message(
            "here", file=discord.File(data, filename="report.csv"), embed=embed
        )

    @tree.command(description="Set up a study space")
    async def setup(interaction: discord.Interaction, name: str) -> None:
        guild = interaction.guild
        assert guild is not None
        assert isinstance(interaction.user, discord.Member)
        await interaction.response.defer(thinking=True)
        role = await guild.create_role(name=f"{name} learners", mentionable=True)
        # The bot must keep access to a private category it creates.
        category = await guild.create_category(
            name,
            overwrites={
                guild.default_role: discord.PermissionOverwrite(view_channel=False),
                role: discord.PermissionOverwrite(view_channel=True),
                guild.me: discord.PermissionOverwrite(view_channel=True),
            },
        )
        text = await guild.create_text_channel(f"{name} chat", category=category, topic="talk")
        voice = await guild.create_voice_channel(f"{name} hall", category=category)
        await interaction.user.add_roles(role)
        member = guild.get_member(interaction.user.id)
        has_role = member is not None and role in member.roles
        await interaction.followup.send(
            f"made {category.name}/{text.name}/{voice.name} role={has_role}"
        )

    @tree.command(description="Schedule a session")
    async def session(
        interaction: discord.Interaction, title: str, hours_from_now: int = 2
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        voice = discord.utils.get(guild.voice_channels, name="Study Hall")
        start = discord.utils.utcnow() + timedelta(hours=hours_from_now)
        try:
            event = await guild.create_scheduled_event(
                name=title,
                start_time=start,
                channel=voice,
                entity_type=discord.EntityType.voice,
                privacy_level=discord.PrivacyLevel.guild_only,
            )
        except discord.HTTPException as error:
            await interaction.response.send_message(f"failed {error.status} {error.code}")
            return
        announce = await interaction.channel.send(
            f"New session: {title}", view=discord.ui.View().add_item(Going(event.id))
        )  # type: ignore[union-attr]
        thread = await announce.create_thread(name=f"{title} chat")
        await interaction.response.send_message(
            f"event {event.id} thread {thread.id} "
            f"cached={guild.get_scheduled_event(event.id) is not None}"
        )

    @tree.command(description="DM someone")
    async def dm(interaction: discord.Interaction, user: discord.Member) -> None:
        try:
            await user.send("Welcome to the study group", view=DMView())
        except discord.Forbidden as error:
            await interaction.response.send_message(f"forbidden {error.code}", ephemeral=True)
            return
        await interaction.response.send_message("sent", ephemeral=True)

    @tree.command(description="Post in a channel")
    async def post(
        interaction: discord.Interaction, channel: discord.TextChannel, text: str
    ) -> None:
        target = interaction.guild.get_channel(channel.id)  # type: ignore[union-attr]
        try:
            await target.send(text)  # type: ignore[union-attr]
        except discord.Forbidden as error:
            await interaction.response.send_message(f"forbidden {error.code}")
            return
        except discord.HTTPException as error:
            await interaction.response.send_message(f"http {error.status} {error.code}")
            return
        await interaction.response.send_message("posted")

    @tree.command(name="import", description="Import a file")
    async def import_(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        await interaction.response.send_message(
            f"{file.filename} {file.size} bytes {data.decode()}"
        )

    @tree.command(description="Repeat text")
    async def echo(interaction: discord.Interaction, text: str, loud: bool = False) -> None:
        mentions = discord.AllowedMentions.all() if loud else discord.AllowedMentions.none()
        await interaction.response.send_message(text, allowed_mentions=mentions)

    @tree.command(description="Always fails")
    async def boom(interaction: discord.Interaction) -> None:
        raise RuntimeError("kaboom")

    @tree.command(description="Never answers")
    async def silent(interaction: discord.Interaction) -> None:
        return None

    return bot


def _intents() -> discord.Intents:
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return intents


@dataclass
class Env:
    """One connected bot and a guild populated like a small study community."""

    emu: DiscordEmulator
    bot: commands.Bot
    guild: Guild
    mod: Member
    alice: Member
    bob: Member
    carol: Member


@contextlib.asynccontextmanager
async def start_env(make_bot: Callable[[int], commands.Bot] = build_bot) -> AsyncIterator[Env]:
    """An emulator with a small community and a connected bot; fails on unknown routes at exit."""
    emu = DiscordEmulator()
    await emu.start()
    guild = emu.create_guild("ML Learners")
    mods = guild.create_role("Moderators", permissions=discord.Permissions(manage_guild=True))
    mod = guild.add_member("mod", roles=[mods])
    alice = guild.add_member("alice")
    bob = guild.add_member("bob")
    carol = guild.add_member("carol", dms_open=False)
    guild.create_voice_channel("Study Hall")
    bot = make_bot(guild.id)
    try:
        async with run_client(emu, bot):
            yield Env(emu, bot, guild, mod, alice, bob, carol)
    finally:
        await emu.stop()
    emu.assert_no_unknown_routes()
