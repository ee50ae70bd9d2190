"""Periodic work in a service (the tickets SLA clock, learning's offer clock): a nameko timer
whose interval is read from the service's config when it starts, and the dependency its worker
uses to open fresh transactions — one per batch or per row, as the system, each commit that
emitted waking the outbox relay.

A clock's settings live under one nameko config key (``linli service NAME --config FILE``)::

    TICKETS_SLA_CLOCK: {interval_seconds: 60, batch_size: 100}

Every instance of a service runs its clock; the work itself must be safe to run twice at once.
"""
from __future__ import annotations

from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from shared.context import CallerContext
from shared.db import Database


def clock_settings(config: dict, key: str, *, interval_seconds: float = 60.0,
                   batch_size: int = 100, seconds_alone: bool = False) -> dict:
    """The mapping under ``key`` with ``interval_seconds`` and ``batch_size`` checked and
    defaulted (other keys are the caller's to check); with ``seconds_alone`` a bare number is
    the interval."""
    given = config.get(key)
    if given is None:
        given = {}
    elif seconds_alone and isinstance(given, (int, float)) and not isinstance(given, bool):
        given = {"interval_seconds": given}
    if not isinstance(given, dict):
        raise ValueError(f"{key} must be {'seconds or ' if seconds_alone else ''}a mapping, "
                         f"not {given!r}")
    settings = {**given, "interval_seconds": float(given.get("interval_seconds", interval_seconds)),
                "batch_size": int(given.get("batch_size", batch_size))}
    if settings["interval_seconds"] <= 0 or settings["batch_size"] < 1:
        raise ValueError(f"{key}: interval_seconds and batch_size must be positive")
    return settings


class ConfiguredTimer(Timer):
    """nameko's timer, its interval taken from ``settings(config)`` when the service starts."""

    def __init__(self, interval, eager=False, settings=None, **kwargs):
        super().__init__(interval, eager=eager, **kwargs)
        self.settings = settings

    def setup(self):
        super().setup()
        self.interval = self.settings(self.container.config)["interval_seconds"]


class ClockRun:
    """What a clock's worker gets: the clock's settings, and fresh units of work on the
    service's database (each one transaction, committed at the end of its block)."""

    def __init__(self, provider: Database, settings: dict, correlation_id: str | None):
        self._provider = provider
        self.settings = settings
        self._correlation_id = correlation_id

    def transaction(self):
        relay = self._provider.relay
        return self._provider.database.transaction(
            self._provider.container.service_name, CallerContext.system(self._correlation_id),
            on_commit=relay.wake if relay else None)


class Clock(DependencyProvider):
    """A service attribute (``sla_clock = Clock(clock_config)``) giving a timer's worker a
    ``ClockRun``; ``settings`` reads the clock's settings from the nameko config."""

    def __init__(self, settings):
        self.read_settings = settings

    def setup(self):
        self.settings = self.read_settings(self.container.config)

    def get_dependency(self, worker_ctx):
        database = next(d for d in self.container.dependencies if isinstance(d, Database))
        return ClockRun(database, self.settings, worker_ctx.context_data.get("correlation_id"))
