"""/config and /interests: moderators set the bot up for their server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.reminders import describe_minutes
from bot.domain.timezones import autocomplete_timezones
from bot.errors import InvalidInput
from bot.services.config import ConfigService, GuildConfig
from bot.services.taxonomy import TaxonomyService
from cogs.common import COLOUR, missing_permissions, moderator_only, post_modlog, respond

if TYPE_CHECKING:
    from bot.app import CohortBot

SETTING_HELP = {
    "announcements": "where hackathons and meetups are announced",
    "milestones": "where streak milestones are celebrated",
    "mod-log": "where every configuration change is logged",
    "study-groups": "category for study-group channels",
    "mentorship": "category for mentorship channels",
    "mentor": "given to members who opt in as mentors",
    "event-ping": "pinged for new events; members opt in with /event subscribe",
    "moderator": "may use moderator commands without Manage Server",
}


async def timezone_autocomplete(
    _: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=n, value=n) for n in autocomplete_timezones(current)]


class ConfigCog(commands.Cog):
    config = app_commands.Group(
        name="config",
        description="Moderators: configure Cohort for this server",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: CohortBot, settings: ConfigService, taxonomy: TaxonomyService) -> None:
        self.bot = bot
        self.settings = settings
        self.taxonomy = taxonomy

    async def _done(
        self, interaction: discord.Interaction, summary: str, *notes: str | None
    ) -> None:
        """Reply to the moderator and mirror the change to the mod-log."""
        assert interaction.guild is not None
        warning = await post_modlog(self.bot, interaction.guild, interaction.user, summary)
        lines = [summary, *(n for n in notes if n), *([f"⚠️ {warning}"] if warning else [])]
        await respond(interaction, "\n".join(lines))

    @config.command(name="show", description="All settings of this server, with what each does")
    @moderator_only()
    async def config_show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        cfg = await self.settings.get(interaction.guild_id)
        await respond(interaction, embed=render_config(cfg))

    @config.command(
        name="channel", description="Where announcements, milestones and the audit log go"
    )
    @app_commands.describe(purpose="What the channel is for", channel="A text channel")
    @moderator_only()
    async def config_channel(
        self,
        interaction: discord.Interaction,
        purpose: Literal["announcements", "milestones", "mod-log"],
        channel: discord.TextChannel,
    ) -> None:
        assert interaction.guild is not None
        change = await self.settings.set_channel(
            interaction.guild.id, interaction.user.id, purpose, channel.id
        )
        note = None
        perms = channel.permissions_for(interaction.guild.me)
        if not (perms.view_channel and perms.send_messages and perms.embed_links):
            missing = missing_permissions(channel, interaction.guild.me)
            note = f"⚠️ I can't post in {channel.mention} yet: {missing}."
        await self._done(interaction, change.summary, note)

    @config.command(
        name="category", description="Where the bot creates study-group and mentorship channels"
    )
    @app_commands.describe(purpose="What the channels are for", category="A category")
    @moderator_only()
    async def config_category(
        self,
        interaction: discord.Interaction,
        purpose: Literal["study-groups", "mentorship"],
        category: discord.CategoryChannel,
    ) -> None:
        assert interaction.guild is not None
        change = await self.settings.set_category(
            interaction.guild.id, interaction.user.id, purpose, category.id
        )
        note = None
        if not category.permissions_for(interaction.guild.me).manage_channels:
            note = (
                f"⚠️ I can't create channels in {category.mention} yet: I'm missing Manage Channels."
            )
        await self._done(interaction, change.summary, note)

    @config.command(name="role", description="Mentor role, event-ping role, or moderator role")
    @app_commands.describe(purpose="What the role is for", role="A role")
    @moderator_only()
    async def config_role(
        self,
        interaction: discord.Interaction,
        purpose: Literal["mentor", "event-ping", "moderator"],
        role: discord.Role,
    ) -> None:
        assert interaction.guild is not None
        if role.is_default():
            raise InvalidInput("@everyone can't be used here; pick or create a real role.")
        if role.managed:
            raise InvalidInput(
                f"{role.mention} belongs to an integration or bot; pick another role."
            )
        change = await self.settings.set_role(
            interaction.guild.id, interaction.user.id, purpose, role.id
        )
        note = None
        # discord.py's is_assignable() checks the role hierarchy only, not Manage Roles.
        me = interaction.guild.me
        can_give = role.is_assignable() and me.guild_permissions.manage_roles
        if purpose != "moderator" and not can_give:
            note = (
                f"⚠️ I can't give {role.mention} to members yet: I need Manage Roles, "
                "and my own role must be above it in Server Settings → Roles."
            )
        await self._done(interaction, change.summary, note)

    @config.command(name="streak", description="Minutes of study that make a day count")
    @app_commands.describe(goal_minutes="Minutes per day (5–600, default 30)")
    @moderator_only()
    async def config_streak(
        self, interaction: discord.Interaction, goal_minutes: app_commands.Range[int, 5, 600]
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.settings.set_streak_goal(
            interaction.guild_id, interaction.user.id, goal_minutes
        )
        await self._done(interaction, change.summary)

    @config.command(name="timezone", description="The server's default timezone (default UTC)")
    @app_commands.describe(timezone="An IANA timezone such as Europe/Berlin")
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @moderator_only()
    async def config_timezone(self, interaction: discord.Interaction, timezone: str) -> None:
        assert interaction.guild_id is not None
        change = await self.settings.set_timezone(
            interaction.guild_id, interaction.user.id, timezone
        )
        await self._done(interaction, change.summary)

    @config.command(name="groups", description="Target size of auto-formed study groups")
    @app_commands.describe(
        size="Members per group (2–12, default 4)",
        schedule="Also form groups from the pool every week (default: off)",
    )
    @moderator_only()
    async def config_groups(
        self,
        interaction: discord.Interaction,
        size: app_commands.Range[int, 2, 12],
        schedule: Literal["off", "weekly"] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.settings.set_group_size(
            interaction.guild_id, interaction.user.id, size, schedule
        )
        await self._done(interaction, change.summary)

    @config.command(name="mentorship", description="How long a mentor has to answer an offer")
    @app_commands.describe(response_hours="Hours (1–336, default 48)")
    @moderator_only()
    async def config_mentorship(
        self, interaction: discord.Interaction, response_hours: app_commands.Range[int, 1, 336]
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.settings.set_response_hours(
            interaction.guild_id, interaction.user.id, response_hours
        )
        await self._done(interaction, change.summary)

    @config.command(name="reminders", description="When event reminders are posted")
    @app_commands.describe(offsets="Minutes before an event, comma-separated (default 1440,60)")
    @moderator_only()
    async def config_reminders(
        self, interaction: discord.Interaction, offsets: app_commands.Range[str, 1, 100]
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.settings.set_reminder_offsets(
            interaction.guild_id, interaction.user.id, offsets
        )
        await self._done(interaction, change.summary)

    @config.command(name="module", description="Turn a part of the bot on or off for this server")
    @app_commands.describe(module="Which part", enabled="On or off")
    @moderator_only()
    async def config_module(
        self,
        interaction: discord.Interaction,
        module: Literal["groups", "mentorship", "streaks", "events"],
        enabled: bool,
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.settings.set_module(
            interaction.guild_id, interaction.user.id, module, enabled
        )
        await self._done(interaction, change.summary)

    @config.command(name="voice", description="Count time in a voice channel as study time")
    @app_commands.describe(channel="A voice channel", tracked="Whether time there counts")
    @moderator_only()
    async def config_voice(
        self, interaction: discord.Interaction, channel: discord.VoiceChannel, tracked: bool
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.settings.set_voice_tracked(
            interaction.guild_id, interaction.user.id, channel.id, tracked
        )
        if change.changed:
            await self._done(interaction, change.summary)
        else:
            await respond(interaction, change.summary)

    @config.command(
        name="interest-add", description="Add an interest (with aliases) to the server's taxonomy"
    )
    @app_commands.describe(tag="The interest, e.g. pytorch", aliases="Other names, comma-separated")
    @moderator_only()
    async def config_interest_add(
        self,
        interaction: discord.Interaction,
        tag: app_commands.Range[str, 1, 50],
        aliases: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.taxonomy.add(interaction.guild_id, interaction.user.id, tag, aliases)
        await self._done(interaction, change.summary)

    @config.command(name="interest-remove", description="Remove an interest from the taxonomy")
    @app_commands.describe(tag="The interest to remove")
    @moderator_only()
    async def config_interest_remove(
        self, interaction: discord.Interaction, tag: app_commands.Range[str, 1, 50]
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.taxonomy.remove(interaction.guild_id, interaction.user.id, tag)
        await self._done(interaction, change.summary)

    @config_interest_remove.autocomplete("tag")
    async def _tag_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        taxonomy = await self.taxonomy.get(interaction.guild_id)
        needle = current.strip().casefold()
        tags = [
            i.tag
            for i in taxonomy.interests
            if needle in i.tag or any(needle in a for a in i.aliases)
        ]
        return [app_commands.Choice(name=t, value=t) for t in tags[:25]]

    @app_commands.command(
        name="interests", description="The server's interest taxonomy with aliases"
    )
    @app_commands.guild_only()
    async def interests(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        taxonomy = await self.taxonomy.get(interaction.guild_id)
        if not taxonomy.interests:
            await respond(
                interaction,
                "This server has no interests yet. "
                "Moderators add them with `/config interest-add`.",
            )
            return
        lines = [
            f"**{i.tag}**" + (f" — also: {', '.join(i.aliases)}" if i.aliases else "")
            for i in taxonomy.interests
        ]
        embed = discord.Embed(
            title="Interests in this server", description="\n".join(lines)[:4000], colour=COLOUR
        )
        embed.set_footer(text="Use them in /profile set interests: e.g. nlp, python")
        await respond(interaction, embed=embed)


def _channel(value: int | None) -> str:
    return f"<#{value}>" if value else "not set"


def render_config(cfg: GuildConfig) -> discord.Embed:
    embed = discord.Embed(title="Cohort settings for this server", colour=COLOUR)
    embed.add_field(
        name="Channels",
        value="\n".join(
            f"**{p}**: {_channel(v)} — {SETTING_HELP[p]}" for p, v in cfg.channels.items()
        ),
        inline=False,
    )
    embed.add_field(
        name="Categories",
        value="\n".join(
            f"**{p}**: {_channel(v)} — {SETTING_HELP[p]}" for p, v in cfg.categories.items()
        ),
        inline=False,
    )
    embed.add_field(
        name="Roles",
        value="\n".join(
            f"**{p}**: {f'<@&{v}>' if v else 'not set'} — {SETTING_HELP[p]}"
            for p, v in cfg.roles.items()
        ),
        inline=False,
    )
    voice = ", ".join(f"<#{c}>" for c in sorted(cfg.tracked_voice_channels)) or "none"
    embed.add_field(
        name="Study and groups",
        value=(
            f"**streak goal**: {cfg.streak_goal_minutes} min — a day counts at this much study\n"
            f"**timezone**: {cfg.timezone} — default for members without one\n"
            f"**group size**: {cfg.group_size} — target size of auto-formed groups\n"
            f"**group formation**: {cfg.group_form_schedule} — weekly forms groups from the pool\n"
            f"**tracked voice**: {voice} — time there counts as study"
        ),
        inline=False,
    )
    offsets = ", ".join(describe_minutes(m) for m in cfg.reminder_offsets)
    embed.add_field(
        name="Mentorship and events",
        value=(
            f"**response time**: {cfg.mentorship_response_hours} h — "
            "before an offer moves to the next mentor\n"
            f"**event reminders**: {offsets} before the start"
        ),
        inline=False,
    )
    embed.add_field(
        name="Modules",
        value=" · ".join(f"{m}: {'on' if on else 'off'}" for m, on in cfg.modules.items()),
        inline=False,
    )
    embed.set_footer(text="Change them with /config <setting>. Every change is audited.")
    return embed
