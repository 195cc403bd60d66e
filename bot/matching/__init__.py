"""Pure matching algorithms: mentor assignment and study-group formation.

Nothing here touches the database or Discord: services hand in plain profiles and ids and get
dataclasses back, so the algorithms can be tested for optimality and benchmarked on their own.
"""

from bot.matching.groups import FormedGroup, GroupFormation, form_groups, group_sizes
from bot.matching.mentors import (
    MentorAssignment,
    MentorChoice,
    MentorPair,
    assign_mentors,
    best_mentor,
)
from bot.matching.scoring import (
    LEVELS,
    MatchProfile,
    explain_pair,
    hours_apart,
    level_gap,
    level_index,
    pair_score,
    shared_interests,
    utc_offset_minutes,
    waking_overlap_hours,
)

__all__ = [
    "LEVELS",
    "FormedGroup",
    "GroupFormation",
    "MatchProfile",
    "MentorAssignment",
    "MentorChoice",
    "MentorPair",
    "assign_mentors",
    "best_mentor",
    "explain_pair",
    "form_groups",
    "group_sizes",
    "hours_apart",
    "level_gap",
    "level_index",
    "pair_score",
    "shared_interests",
    "utc_offset_minutes",
    "waking_overlap_hours",
]
