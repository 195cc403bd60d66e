"""`cohort sandbox`: try Cohort with no Discord token.

It starts the local Discord emulator with a demo server, runs the real bot against it (the
same wiring as production, a fresh SQLite database), plays a scripted tour through the
commands, and prints what each member would see. Feature areas add their own scenes to
``TOUR``.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bot import migrate
from bot.app import CohortBot
from bot.container import Services
from bot.db import Database
from bot.emulator import (
    Channel,
    CommandUnavailable,
    DiscordEmulator,
    Guild,
    Member,
    Message,
    Reply,
    loopback_only,
    run_client,
)

Out = Callable[[str], None]


@dataclass
class Demo:
    emu: DiscordEmulator
    guild: Guild
    maya: Member
    alice: Member
    bob: Member
    chen: Member
    general: Channel
    announcements: Channel
    milestones: Channel
    mod_log: Channel
    study_groups: Channel
    mentorship: Channel
    study_hall: Channel


def build_demo(emu: DiscordEmulator) -> Demo:
    guild = emu.create_guild("ML Learners")
    mods = guild.create_role("Moderators", permissions=discord.Permissions(manage_guild=True))
    return Demo(
        emu=emu,
        guild=guild,
        maya=guild.add_member("maya", roles=[mods]),
        alice=guild.add_member("alice"),
        bob=guild.add_member("bob"),
        chen=guild.add_member("chen", dms_open=False),
        general=guild.general,
        announcements=guild.create_text_channel("announcements"),
        milestones=guild.create_text_channel("milestones"),
        mod_log=guild.create_text_channel("mod-log"),
        study_groups=guild.create_category("Study Groups"),
        mentorship=guild.create_category("Mentorship"),
        study_hall=guild.create_voice_channel("Study Hall"),
    )


class Transcript:
    """Renders what Discord shows as plain text: mentions by name, embeds, buttons, files."""

    def __init__(self, demo: Demo, out: Out) -> None:
        self.demo = demo
        self.out = out

    def humanize(self, text: str) -> str:
        guild = self.demo.guild

        def channel(m: re.Match[str]) -> str:
            return "#" + _name(lambda: guild.channel(int(m[1])).name, m[0])

        def role(m: re.Match[str]) -> str:
            return "@" + _name(lambda: guild.role(int(m[1])).name, m[0])

        def user(m: re.Match[str]) -> str:
            return "@" + _name(lambda: guild.member(int(m[1])).name, m[0])

        text = re.sub(r"<#(\d+)>", channel, text)
        text = re.sub(r"<@&(\d+)>", role, text)
        text = re.sub(r"<@!?(\d+)>", user, text)
        text = re.sub(r"<t:(\d+)(?::([A-Za-z]))?>", _timestamp, text)
        return text.replace("**", "")

    def scene(self, title: str) -> None:
        self.out(f"\n── {title} " + "─" * max(4, 60 - len(title)))

    def command(self, member: Member, command: str, options: dict[str, Any]) -> None:
        shown = " ".join(f"{k}:{_option_text(v)}" for k, v in options.items())
        self.out(f"\n{member.name} ▸ {command} {shown}".rstrip())

    def note(self, text: str) -> None:
        self.out(f"  ({text})")

    def reply(self, reply: Reply, member: Member) -> None:
        who = f"only {member.name} sees this" if reply.ephemeral else "everyone sees this"
        self.out(f"  Cohort ({who}):")
        if reply.message is not None:
            self.message_body(reply.message, indent="    ")
        for followup in reply.followups:
            if followup is not reply.message:
                self.message_body(followup, indent="    ")

    def channel_post(self, message: Message) -> None:
        self.out(f"  #{message.channel.name} · {message.author.username}:")
        self.message_body(message, indent="    ")

    def dm(self, member: Member, message: Message) -> None:
        self.out(f"  DM to {member.name} · {message.author.username}:")
        self.message_body(message, indent="    ")

    def message_body(self, message: Message, indent: str) -> None:
        for line in self.humanize(message.text).splitlines():
            self.out(f"{indent}{line}")
        for file in message.files:
            self.out(f"{indent}📎 {file.filename} ({len(file.content):,} bytes)")
        if message.buttons:
            self.out(indent + " ".join(f"[{label}]" for label in message.buttons))


def _timestamp(match: re.Match[str]) -> str:
    """A Discord timestamp as a viewer in UTC would see it (relative ones as "in 3 days")."""
    moment = datetime.fromtimestamp(int(match[1]), UTC)
    if match[2] != "R":
        return f"{moment:%a %d %b %Y %H:%M} UTC"
    seconds = (moment - datetime.now(UTC)).total_seconds()
    if abs(seconds) < 45:
        return "a few seconds ago" if seconds < 0 else "in a few seconds"
    amount, unit = abs(seconds), "seconds"
    for size, name in ((86_400, "days"), (3_600, "hours"), (60, "minutes")):
        if abs(seconds) >= size:
            amount, unit = abs(seconds) / size, name
            break
    shown = f"{round(amount)} {unit}"
    return f"in {shown}" if seconds >= 0 else f"{shown} ago"


def _name(lookup: Callable[[], str], fallback: str) -> str:
    try:
        return lookup()
    except (KeyError, LookupError, ValueError):
        return fallback


def _option_text(value: Any) -> str:
    name = getattr(value, "name", None)
    if name is not None and not isinstance(value, str | int | bool):
        return f"#{name}" if isinstance(value, Channel) else str(name)
    text = str(value)
    return f'"{text}"' if " " in text or "," in text else text


class Tour:
    def __init__(self, demo: Demo, out: Out) -> None:
        self.demo = demo
        self.t = Transcript(demo, out)

    async def run(self, who: Member, command: str, /, **options: Any) -> Reply:
        self.t.command(who, command, options)
        reply = await who.run(command, **options)
        if reply.deferred:
            await reply.wait_final()
        self.t.reply(reply, who)
        return reply

    async def posted(self, channel: Channel, contains: str) -> None:
        message = await channel.wait_for_message(lambda m: contains in m.text)
        self.t.channel_post(message)

    async def play(self) -> None:
        for scene in TOUR:
            await scene(self)


async def scene_welcome(tour: Tour) -> None:
    d = tour.demo
    tour.t.scene("A member asks what Cohort does")
    await tour.run(d.alice, "/help")


async def scene_moderator_setup(tour: Tour) -> None:
    d = tour.demo
    tour.t.scene("A moderator sets the server up")
    await tour.run(d.maya, "/config channel", purpose="mod-log", channel=d.mod_log)
    await tour.run(d.maya, "/config channel", purpose="milestones", channel=d.milestones)
    await tour.run(d.maya, "/config timezone", timezone="Europe/Berlin")
    await tour.posted(d.mod_log, "Europe/Berlin")
    await tour.run(d.maya, "/config interest-add", tag="pytorch", aliases="torch")
    await tour.run(d.maya, "/config show")


async def scene_members_cannot_configure(tour: Tour) -> None:
    d = tour.demo
    tour.t.scene("A member tries a moderator command")
    tour.t.command(d.bob, "/config streak", {"goal_minutes": 5})
    try:
        await d.bob.run("/config streak", goal_minutes=5)
    except CommandUnavailable:
        tour.t.note("Discord does not even show /config to bob")
    tour.t.note("an admin overrides Discord's command permissions; the bot checks again")
    reply = await d.bob.run("/config streak", goal_minutes=5, enforce_permissions=False)
    tour.t.reply(reply, d.bob)


async def scene_profiles(tour: Tour) -> None:
    d = tour.demo
    tour.t.scene("Members set their profiles")
    await tour.run(d.alice, "/interests")
    await tour.run(d.alice, "/profile set", interests="nlpp, torch")
    await tour.run(
        d.alice, "/profile set", interests="nlp, torch", timezone="Europe/Berlin", level="beginner"
    )
    await tour.run(
        d.bob, "/profile set", interests="computer vision, python", timezone="Asia/Kolkata"
    )
    await tour.run(d.bob, "/profile show", member=d.alice)


async def scene_privacy(tour: Tour) -> None:
    d = tour.demo
    tour.t.scene("A member takes their data, then thinks about erasing it")
    await tour.run(d.alice, "/privacy export")
    ask = await tour.run(d.alice, "/privacy delete")
    tour.t.note("alice presses [Keep my data]")
    kept = await ask.click("Keep my data")
    tour.t.reply(kept, d.alice)


async def scene_events(tour: Tour) -> None:
    """A meetup with two seats: RSVPs, the waitlist moving up, and a reminder a day before."""
    from datetime import UTC, timedelta
    from zoneinfo import ZoneInfo

    d = tour.demo
    tour.t.scene("A moderator announces a meetup; members answer")
    await tour.run(d.maya, "/config channel", purpose="announcements", channel=d.announcements)
    start = (d.emu.now() + timedelta(days=3)).astimezone(ZoneInfo("Europe/Berlin"))
    created = await tour.run(
        d.maya,
        "/event create",
        kind="meetup",
        title="Paper club: Attention Is All You Need",
        start=f"{start:%Y-%m-%d} 18:30",
        location="ML Lab, room 4",
        capacity=2,
    )
    assert "Announced" in created.text, created.text
    post = d.announcements.last_message
    for member, label in ((d.alice, "Going"), (d.bob, "Going"), (d.chen, "Going")):
        tour.t.note(f"{member.name} presses [{label}]")
        clicked = await (await post.click(label, by=member)).wait_done()
        for note in clicked.followups:
            tour.t.out(f"  Cohort (only {member.name} sees this): {tour.t.humanize(note.text)}")
    tour.t.note("alice can't make it after all and presses [Not going]")
    await (await post.click("Not going", by=d.alice)).wait_done()
    await tour.posted(d.announcements, "seat opened up")
    tour.t.channel_post(post)
    tour.t.note("the sandbox skips ahead to a day before the meetup: the reminder goes out")
    bot = d.emu.probe.client
    due = start.replace(hour=18, minute=30).astimezone(UTC) - timedelta(days=1)
    await bot.get_cog("EventsCog").run_due(now=due)
    await tour.posted(d.announcements, "⏰")
    await tour.run(d.bob, "/event info", event="Paper club")


async def scene_streaks(tour: Tour) -> None:
    d = tour.demo
    tour.t.scene("Daily study streaks")
    await tour.run(d.alice, "/study log", minutes=20, topic="attention is all you need")
    await tour.run(d.alice, "/study log", minutes=15)
    await tour.run(d.alice, "/study log", minutes=30, day="2020-01-01")
    await tour.run(d.alice, "/streak show")
    await tour.run(d.bob, "/streak remind", time="21:00")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    await tour.run(
        d.maya, "/streak adjust", member=d.bob, day=yesterday, minutes=30, reason="studied offline"
    )
    await tour.run(d.bob, "/streak history", days=3)
    await tour.run(d.chen, "/streak leaderboard")
    await tour.run(d.alice, "/streak calendar")


async def scene_groups(tour: Tour) -> None:
    d = tour.demo
    tour.t.scene("A study group starts, and the pool forms more")
    await tour.run(d.maya, "/config category", purpose="study-groups", category=d.study_groups)
    await tour.run(d.alice, "/group create", name="Transformers Club", topic="nlp", capacity=3)
    await tour.run(d.bob, "/group join", group="Transformers Club")
    await tour.posted(d.guild.channel("transformers-club"), "joined")
    await tour.run(d.chen, "/group find")
    await tour.run(
        d.chen, "/profile set", interests="computer vision, python", timezone="Asia/Singapore"
    )
    await tour.run(d.maya, "/profile set", interests="nlp, llms", timezone="America/New_York")
    for member in (d.alice, d.bob, d.chen, d.maya):
        await tour.run(member, "/group find")
    await tour.run(d.maya, "/config groups", size=2)
    preview = await tour.run(d.maya, "/group form")
    tour.t.note("maya presses [Create these groups]")
    created = await preview.click("Create these groups")
    await created.wait_done()
    for followup in created.followups:
        tour.t.message_body(followup, indent="    ")
    dm = await d.alice.wait_for_dm(lambda m: "new study group" in m.text)
    tour.t.note("alice's DMs")
    tour.t.message_body(dm, indent="    ")
    tour.t.note("chen's DMs are closed: the welcome in the group channel tells him instead")
    await tour.posted(d.guild.channel("computer-vision-group-1"), "You were grouped")
    await tour.run(d.chen, "/group list")


async def scene_mentorship(tour: Tour) -> None:
    d = tour.demo
    tour.t.scene("A mentee asks for a mentor; the offer is accepted")
    await tour.run(d.maya, "/config category", purpose="mentorship", category=d.mentorship)
    await tour.run(d.bob, "/mentor optin", interests="nlp, pytorch", capacity=2, bio="NLP engineer")
    await tour.run(d.alice, "/mentor list")
    await tour.run(d.alice, "/mentor request", interests="nlp, torch", goal="fine-tune a model")
    offer = await d.bob.wait_for_dm(lambda m: "Accept" in m.buttons)
    tour.t.dm(d.bob, offer)
    tour.t.note("bob presses [Accept]")
    await offer.click("Accept")
    told = await d.alice.wait_for_dm(lambda m: "accepted your mentor request" in m.text)
    tour.t.dm(d.alice, told)
    room = next(c for c in d.guild.channels if c.name.startswith("mentor-"))
    await tour.posted(room, "Welcome")
    await tour.run(d.alice, "/mentor status")


async def scene_stats(tour: Tour) -> None:
    tour.t.scene("A moderator looks at how the server is doing")
    await tour.run(tour.demo.maya, "/stats")


TOUR: list[Callable[[Tour], Awaitable[None]]] = [
    scene_welcome,
    scene_moderator_setup,
    scene_members_cannot_configure,
    scene_profiles,
    scene_streaks,
    scene_mentorship,
    scene_events,
    scene_groups,
    scene_stats,
    scene_privacy,
]


async def run_sandbox(database_url: str | None = None, out: Out = print) -> int:
    """Play the tour; returns the process exit code."""
    if logging.getLogger().level < logging.WARNING:
        logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="cohort-sandbox-") as tmp, loopback_only():
        db = Database(database_url or f"sqlite+aiosqlite:///{tmp}/sandbox.db")
        await migrate.upgrade(db.engine)
        emu = DiscordEmulator()
        await emu.start()
        try:
            demo = build_demo(emu)
            bot = CohortBot(Services.build(db), guild_ready_timeout=0.05)
            out(
                "Cohort sandbox: the real bot against a local Discord emulator "
                "(nothing leaves this machine).\n"
                f"Server {demo.guild.name!r}: maya (moderator), alice, bob, chen (DMs closed)."
            )
            async with run_client(emu, bot):
                await Tour(demo, out).play()
            emu.assert_no_unknown_routes()
            out("\nEnd of the tour. Run `cohort` with DISCORD_TOKEN set to use Cohort for real.")
        finally:
            await emu.stop()
            await db.dispose()
    return 0
