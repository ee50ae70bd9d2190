"""Enrolment entrypoints: the RPCs the gateway calls, membership's laid_off flag, and the offer
clock. Thin: membership is asked here, the use cases get plain dicts.

The offer clock is configured by the nameko config key ``LEARNING_OFFER_CLOCK``: seconds
between ticks (default 60), or a mapping ``{interval_seconds: 60, batch_size: 100}``. Every
instance of the service runs it; each course's lapsed offers are handled once, under its lock.
"""
from __future__ import annotations

import logging

from services.learning import enrolments, offers
from services.learning.domain import enrolments as rules
from shared import membership as asked
from shared.clock import Clock, ConfiguredTimer, clock_settings
from shared.entrypoints import handles, rpc

log = logging.getLogger(__name__)
CONFIG_KEY = "LEARNING_OFFER_CLOCK"
DEFAULT_INTERVAL_SECONDS = 60.0
DEFAULT_BATCH_SIZE = 100


def clock_config(config: dict) -> dict:
    """The offer clock's settings from a nameko config (defaults where it says nothing)."""
    settings = clock_settings(config, CONFIG_KEY, interval_seconds=DEFAULT_INTERVAL_SECONDS,
                              batch_size=DEFAULT_BATCH_SIZE, seconds_alone=True)
    return {"interval_seconds": settings["interval_seconds"],
            "batch_size": settings["batch_size"]}


def _party_member(membership, resident_id: int, required: bool) -> bool | None:
    if not required:
        return None
    return rules.is_party_member(asked.party_memberships(membership, resident_id))


class EnrolmentEntrypoints:
    offer_clock = Clock(clock_config)

    @ConfiguredTimer.decorator(interval=DEFAULT_INTERVAL_SECONDS, eager=True,
                               settings=clock_config)
    def enrolment_offer_clock_tick(self) -> dict:
        done = enrolments.run_offer_clock(self.offer_clock.transaction,
                                          batch_size=self.offer_clock.settings["batch_size"])
        if done["expired"]:
            log.info("offer clock", extra={"expired": len(done["expired"]),
                                           "offered": len(done["offered"])})
        return done

    @rpc
    def enrolments_create(self, course_id: int, payload: dict) -> dict:
        data, needs_party = enrolments.check_enrolment(self.db, course_id, payload)
        resident = asked.resident(self.membership, data["resident_id"])
        party_member = _party_member(self.membership, data["resident_id"], needs_party)
        return enrolments.enrol(self.db, course_id, payload, enrolments.resident_facts(resident),
                                party_member)

    @rpc
    def enrolments_list_for_course(self, course_id: int, query: dict) -> dict:
        return enrolments.list_course_enrolments(self.db, course_id, query)

    @rpc
    def enrolments_list(self, query: dict) -> dict:
        return enrolments.list_enrolments(self.db, query)

    @rpc
    def enrolments_get(self, enrolment_id: int) -> dict:
        return enrolments.get_enrolment(self.db, enrolment_id)

    @rpc
    def enrolments_withdraw(self, enrolment_id: int) -> dict:
        return enrolments.withdraw(self.db, enrolment_id)

    @rpc
    def enrolments_confirm(self, enrolment_id: int) -> dict:
        return enrolments.confirm(self.db, enrolment_id)

    # A resident flagged laid_off is offered the next re-employment course of their community.
    @handles("membership.resident_flagged")
    def course_offer_on_flagged(self, event: dict) -> dict:
        return offers.offer_from_event(self.db, event)

    # A merged-away community's grids got new codes: enrolments and offers follow.
    @handles("membership.communities_merged")
    def enrolments_follow_merge(self, event: dict) -> dict:
        return enrolments.follow_merge(self.db, event["data"])

    @rpc
    def course_offers_list(self, query: dict) -> dict:
        return offers.list_offers(self.db, query)

    @rpc
    def course_offers_get(self, offer_id: int) -> dict:
        return offers.get_offer(self.db, offer_id)

    @rpc
    def course_offers_accept(self, offer_id: int) -> dict:
        resident_id, needs_party = offers.check_answer(self.db, offer_id)
        resident = asked.resident(self.membership, resident_id)
        party_member = _party_member(self.membership, resident_id, needs_party)
        return offers.accept(self.db, offer_id, enrolments.resident_facts(resident), party_member)

    @rpc
    def course_offers_decline(self, offer_id: int) -> dict:
        return offers.decline(self.db, offer_id)
