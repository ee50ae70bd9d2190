"""SLA entrypoints: the clock's timer, the at-risk dashboard and the rates. Nothing else.

The clock is configured by the nameko config key ``TICKETS_SLA_CLOCK`` (a ``linli service
tickets --config FILE`` YAML file may set it, with ``${VAR:default}`` substitutions)::

    TICKETS_SLA_CLOCK: {interval_seconds: 60, due_soon_share: 0.8, batch_size: 100}

Every instance of the service runs the clock; each ticket is still reminded and marked once.
"""
from __future__ import annotations

import logging

from services.tickets import rates, sla
from services.tickets.domain import sla as rules
from shared.clock import Clock, ConfiguredTimer, clock_settings
from shared.entrypoints import rpc

log = logging.getLogger(__name__)
CONFIG_KEY = "TICKETS_SLA_CLOCK"


def clock_config(config: dict) -> dict:
    """The clock's settings from a nameko config (defaults where it says nothing)."""
    settings = clock_settings(config, CONFIG_KEY, interval_seconds=rules.DEFAULT_INTERVAL_SECONDS,
                              batch_size=rules.DEFAULT_BATCH_SIZE)
    return {"interval_seconds": settings["interval_seconds"],
            "batch_size": settings["batch_size"],
            "due_soon_share": rules.check_share(
                float(settings.get("due_soon_share", rules.DEFAULT_DUE_SOON_SHARE)))}


class SlaEntrypoints:
    sla_clock = Clock(clock_config)

    @ConfiguredTimer.decorator(interval=rules.DEFAULT_INTERVAL_SECONDS, eager=True,
                               settings=clock_config)
    def sla_clock_tick(self) -> dict:
        done = sla.run_clock(self.sla_clock.transaction,
                             share=self.sla_clock.settings["due_soon_share"],
                             batch_size=self.sla_clock.settings["batch_size"])
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
