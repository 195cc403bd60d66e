"""Cohort: a Discord bot for communities of people learning machine learning."""

__version__ = "0.1.0"
