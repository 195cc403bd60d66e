"""All tables. Importing this package registers every model on ``Base.metadata``."""

from bot.models.base import Base
from bot.models.events import Event, EventFeed, EventFeedItem, EventReminder, EventRsvp
from bot.models.groups import (
    GroupMember,
    GroupPair,
    GroupPoolEntry,
    GroupProposal,
    GroupProposalSeat,
    GroupProposalSlot,
    StudyGroup,
)
from bot.models.guild import AuditEntry, GuildSettings, Interest, InterestAlias, TrackedVoiceChannel
from bot.models.mentorship import (
    Mentor,
    MentorInterest,
    MentorOffer,
    Mentorship,
    MentorshipFeedback,
    MentorshipRequest,
)
from bot.models.profile import MemberInterest, MemberProfile
from bot.models.streaks import (
    StreakMilestone,
    StreakReminder,
    StreakStateRow,
    StudyDay,
    StudyPeriodTotal,
    StudySession,
    StudyTimer,
    VoiceSession,
)

__all__ = [
    "AuditEntry",
    "Base",
    "Event",
    "EventFeed",
    "EventFeedItem",
    "EventReminder",
    "EventRsvp",
    "GroupMember",
    "GroupPair",
    "GroupPoolEntry",
    "GroupProposal",
    "GroupProposalSeat",
    "GroupProposalSlot",
    "GuildSettings",
    "Interest",
    "InterestAlias",
    "MemberInterest",
    "MemberProfile",
    "Mentor",
    "MentorInterest",
    "MentorOffer",
    "Mentorship",
    "MentorshipFeedback",
    "MentorshipRequest",
    "StreakMilestone",
    "StreakReminder",
    "StreakStateRow",
    "StudyDay",
    "StudyGroup",
    "StudyPeriodTotal",
    "StudySession",
    "StudyTimer",
    "TrackedVoiceChannel",
    "VoiceSession",
]
