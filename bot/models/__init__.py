"""All tables. Importing this package registers every model on ``Base.metadata``."""

from bot.models.base import Base
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
    "StudyPeriodTotal",
    "StudySession",
    "StudyTimer",
    "TrackedVoiceChannel",
    "VoiceSession",
]
