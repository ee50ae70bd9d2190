"""Incident entrypoints: the RPCs the gateway calls, and the incident clock. Membership is asked
here (the grid, the communities of an area); the use cases get plain dicts.

The incident clock escalates to the street every serious incident left unhandled past its due
time. It is configured by the nameko config key ``SECURITY_INCIDENT_CLOCK``: seconds between
ticks (default 60), or ``{interval_seconds: 60, batch_size: 100}``. Every instance runs it; each
incident is escalated once, under its row lock.
"""
from __future__ import annotations

import logging

from services.security import incidents
from shared import membership as asked
from shared.clock import Clock, ConfiguredTimer, clock_settings
from shared.entrypoints import rpc

log = logging.getLogger(__name__)
CONFIG_KEY = "SECURITY_INCIDENT_CLOCK"
DEFAULT_INTERVAL_SECONDS = 60.0
DEFAULT_BATCH_SIZE = 100


def clock_config(config: dict) -> dict:
    settings = clock_settings(config, CONFIG_KEY, interval_seconds=DEFAULT_INTERVAL_SECONDS,
                              batch_size=DEFAULT_BATCH_SIZE, seconds_alone=True)
    return {"interval_seconds": settings["interval_seconds"],
            "batch_size": settings["batch_size"]}


class IncidentEntrypoints:
    incident_clock = Clock(clock_config)

    @ConfiguredTimer.decorator(interval=DEFAULT_INTERVAL_SECONDS, eager=True,
                               settings=clock_config)
    def incident_clock_tick(self) -> int:
        with self.incident_clock.transaction() as uow:
            escalated = incidents.escalate_overdue(
                uow, limit=self.incident_clock.settings["batch_size"])
        if escalated:
            log.info("incident clock", extra={"escalated": escalated})
        return escalated

    @rpc
    def incidents_report(self, payload: dict) -> dict:
        data = incidents.check_report(self.db, payload)
        grid = asked.grid(self.membership, data["grid_code"])
        return incidents.report_incident(self.db, payload, grid)

    @rpc
    def incidents_list(self, query: dict) -> dict:
        return incidents.list_incidents(self.db, query)

    @rpc
    def incidents_get(self, incident_id: int) -> dict:
        return incidents.get_incident(self.db, incident_id)

    @rpc
    def incidents_transitions(self, incident_id: int, query: dict) -> dict:
        return incidents.list_transitions(self.db, incident_id, query)

    @rpc
    def incidents_step(self, incident_id: int, payload: dict) -> dict:
        return incidents.take_step(self.db, incident_id, payload)

    @rpc
    def incident_indicators(self, query: dict) -> dict:
        area = incidents.check_indicators(self.db, query)
        communities = asked.communities_within(self.membership, area)
        return incidents.indicators(self.db, query, communities)
