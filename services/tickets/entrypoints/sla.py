"""SLA entrypoints: the clock's timer, the at-risk dashboard and the rates. Nothing else.

The clock is configured by the nameko config key ``TICKETS_SLA_CLOCK`` (a ``linli service
tickets --config FILE`` YAML file may set it, with ``${VAR:default}`` substitutions)::

    TICKETS_SLA_CLOCK: {interval_seconds: 60, due_soon_share: 0.8, batch_size: 100}

Every instance of the service runs the clock; each ticket is still reminded and marked once.
"""
from __future__ import annotations

import logging

from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from services.tickets import rates, sla
from services.tickets.domain import sla as rules
from shared.context import CallerContext
from shared.db import Database
from shared.entrypoints import rpc

log = logging.getLogger(__name__)
CONFIG_KEY = "TICKETS_SLA_CLOCK"


def clock_config(config: dict) -> dict:
    """The clock's settings from a nameko config (defaults where it says nothing)."""
    given = config.get(CONFIG_KEY) or {}
    if not isinstance(given, dict):
        raise ValueError(f"{CONFIG_KEY} must be a mapping, not {given!r}")
    interval = float(given.get("interval_seconds", rules.DEFAULT_INTERVAL_SECONDS))
    batch_size = int(given.get("batch_size", rules.DEFAULT_BATCH_SIZE))
    if interval <= 0 or batch_size < 1:
        raise ValueError(f"{CONFIG_KEY}: interval_seconds and batch_size must be positive")
    return {"interval_seconds": interval, "batch_size": batch_size,
            "due_soon_share": rules.check_share(
                float(given.get("due_soon_share", rules.DEFAULT_DUE_SOON_SHARE)))}


class ClockTimer(Timer):
    """nameko's timer, its interval read from ``TICKETS_SLA_CLOCK`` when the service starts."""

    def setup(self):
        super().setup()
        self.interval = clock_config(self.container.config)["interval_seconds"]


clock_timer = ClockTimer.decorator


class Clock:
    """What the clock's worker gets: its settings, and fresh units of work on the service's
    database (each one transaction, committed at the end of its block; each commit that
    emitted wakes the outbox relay)."""

    def __init__(self, provider: Database, settings: dict, correlation_id: str | None):
        self._provider = provider
        self.settings = settings
        self._correlation_id = correlation_id

    def transaction(self):
        relay = self._provider.relay
        return self._provider.database.transaction(
            self._provider.container.service_name, CallerContext.system(self._correlation_id),
            on_commit=relay.wake if relay else None)

    def tick(self) -> dict:
        return sla.run_clock(self.transaction, share=self.settings["due_soon_share"],
                             batch_size=self.settings["batch_size"])


class ClockProvider(DependencyProvider):
    def setup(self):
        self.settings = clock_config(self.container.config)

    def get_dependency(self, worker_ctx):
        database = next(d for d in self.container.dependencies if isinstance(d, Database))
        return Clock(database, self.settings, worker_ctx.context_data.get("correlation_id"))


class SlaEntrypoints:
    sla_clock = ClockProvider()

    @clock_timer(interval=rules.DEFAULT_INTERVAL_SECONDS, eager=True)
    def sla_clock_tick(self) -> dict:
        done = self.sla_clock.tick()
        if done["reminded"] or done["breached"]:
            log.info("SLA clock", extra={"reminded": len(done["reminded"]),
                                         "breached": len(done["breached"])})
        return done

    @rpc
    def sla_at_risk(self, query: dict) -> dict:
        return sla.list_at_risk(self.db, query)

    @rpc
    def sla_rates(self, query: dict) -> dict:
        return rates.ticket_rates(self.db, query)
