"""Wiring: builds every service once, from a database and a clock."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.services.audit import AuditService
from bot.services.config import ConfigService
from bot.services.events import EventService
from bot.services.events_feeds import EventFeedService
from bot.services.events_ics import EventCalendarService
from bot.services.events_reminders import EventReminderService
from bot.services.events_review import EventReviewService
from bot.services.events_rsvp import RsvpService
from bot.services.group_formation import GroupFormationService
from bot.services.groups import GroupService
from bot.services.mentors import MentorService
from bot.services.mentorship import MentorshipService
from bot.services.privacy import PrivacyService
from bot.services.profiles import ProfileService
from bot.services.stats import StatsService
from bot.services.streak_reminders import ReminderService
from bot.services.streak_timers import TimerService
from bot.services.streaks import StreakService
from bot.services.taxonomy import TaxonomyService
from bot.services.voice import VoiceTrackingService


@dataclass
class Services:
    db: Database
    clock: Clock
    config: ConfigService
    taxonomy: TaxonomyService
    profiles: ProfileService
    privacy: PrivacyService
    stats: StatsService
    audit: AuditService
    streaks: StreakService
    timers: TimerService
    voice: VoiceTrackingService
    reminders: ReminderService
    events: EventService
    rsvps: RsvpService
    event_reminders: EventReminderService
    event_calendar: EventCalendarService
    event_feeds: EventFeedService
    event_review: EventReviewService
    groups: GroupService
    formation: GroupFormationService
    mentors: MentorService
    mentorship: MentorshipService

    @classmethod
    def build(cls, db: Database, clock: Clock | None = None) -> Services:
        clock = clock or SystemClock()
        config = ConfigService(db, clock)
        taxonomy = TaxonomyService(db, clock, config)
        profiles = ProfileService(db, clock, config, taxonomy)
        return cls(
            db=db,
            clock=clock,
            config=config,
            taxonomy=taxonomy,
            profiles=profiles,
            privacy=PrivacyService(db),
            stats=StatsService(db, clock, config),
            audit=AuditService(db),
            streaks=StreakService(db, clock, config, profiles),
            timers=TimerService(db, clock, config, profiles),
            voice=VoiceTrackingService(db, clock, config, profiles),
            reminders=ReminderService(db, clock, config, profiles),
            events=EventService(db, clock, config, profiles),
            rsvps=RsvpService(db, clock, config),
            event_reminders=EventReminderService(db, clock),
            event_calendar=EventCalendarService(db, clock, config),
            event_feeds=EventFeedService(db, clock, config),
            event_review=EventReviewService(db, clock, config),
            groups=GroupService(db, clock, config, taxonomy),
            formation=GroupFormationService(db, clock, config),
            mentors=MentorService(db, clock, config, taxonomy),
            mentorship=MentorshipService(db, clock, config, taxonomy, profiles),
        )
