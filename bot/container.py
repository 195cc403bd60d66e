"""Wiring: builds every service once, from a database and a clock."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.services.audit import AuditService
from bot.services.config import ConfigService
from bot.services.privacy import PrivacyService
from bot.services.profiles import ProfileService
from bot.services.taxonomy import TaxonomyService


@dataclass
class Services:
    db: Database
    clock: Clock
    config: ConfigService
    taxonomy: TaxonomyService
    profiles: ProfileService
    privacy: PrivacyService
    audit: AuditService

    @classmethod
    def build(cls, db: Database, clock: Clock | None = None) -> Services:
        clock = clock or SystemClock()
        config = ConfigService(db, clock)
        taxonomy = TaxonomyService(db, clock, config)
        return cls(
            db=db,
            clock=clock,
            config=config,
            taxonomy=taxonomy,
            profiles=ProfileService(db, clock, config, taxonomy),
            privacy=PrivacyService(db),
            audit=AuditService(db),
        )
