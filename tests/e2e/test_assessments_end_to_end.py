"""Assessments end to end: the work of four services, done through the real gateway, moves the
right scorecards by the right amounts, and replaying every event from the start yields the same
scorecards.

A street drafts a monthly community scheme (+2 per ticket resolved on time, −5 per SLA breach,
+1 per volunteer hour, +3 per mediation agreement, +2 per course completed, −10 per mass
incident) and the district approves it (the admission gate 准入). Tickets are resolved (and one
breaches its SLA, marked by the tickets service's own clock), a patrol is walked, residents
complete a course, mediations close and incidents are reported — each by the workers who would,
through the gateway, with assessments running beside the other services. Then:

- each community's scorecard shows exactly the expected total and per-indicator lines, the
  street's ranking is in the expected order, and every ledger entry names the event that caused
  it (the events seen on the broker);
- every event assessments received, delivered again by the broker, moves nothing;
- the replay check (recomputing every scorecard from the received events) finds no difference;
- a second scheme with the same rules, submitted before the events but approved only after
  them, counted nothing while it waited and, once approved, shows the same scorecards.
"""
from __future__ import annotations

import logging
from collections import Counter

import eventlet
import pytest

from services.assessments.domain.catalogue import SCORABLE_EVENTS
from services.assessments.domain.scoring import period_key
from tests.assessments_support import (
    PRODUCER_EXCHANGES,
    breached,
    china_today,
    close_mediation,
    complete_course,
    complete_patrol_shift,
    file_ticket,
    make_overdue,
    report_incident,
    republish,
    resolve_tickets_on_time,
    sent,
    work_ticket_to_resolved,
)
from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, COMMUNITY_B1, DISTRICT, STREET_A
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

SCHEMES = "/api/v1/assessment-schemes"
SCORECARDS = "/api/v1/scorecards"
RANKINGS = "/api/v1/rankings"
LEDGER = "/api/v1/points-ledger"
ON_TIME_TICKETS = 3

INDICATORS = [
    {"code": "tickets", "name": "工单办理", "source": "events"},
    {"code": "volunteering", "name": "志愿服务", "source": "events"},
    {"code": "mediation", "name": "矛盾调解", "source": "events"},
    {"code": "learning", "name": "社区教育", "source": "events"},
    {"code": "safety", "name": "平安建设", "source": "events"},
]
RULES = [
    {"indicator": "tickets", "event_type": "tickets.ticket_resolved",
     "subject_field": "community_code", "points": 2,
     "conditions": [{"field": "on_time", "op": "eq", "value": True}]},
    {"indicator": "tickets", "event_type": "tickets.ticket_sla_breached",
     "subject_field": "community_code", "points": -5},
    {"indicator": "volunteering", "event_type": "security.volunteer_hours_earned",
     "subject_field": "org_code", "points": 1, "per_field": "hours"},
    {"indicator": "mediation", "event_type": "security.mediation_closed",
     "subject_field": "community_code", "points": 3,
     "conditions": [{"field": "outcome", "op": "eq", "value": "agreement"}]},
    {"indicator": "learning", "event_type": "learning.course_completed",
     "subject_field": "community_code", "points": 2},
    {"indicator": "safety", "event_type": "security.incident_reported",
     "subject_field": "community_code", "points": -10,
     "conditions": [{"field": "kind", "op": "eq", "value": "mass_incident"}]},
]


@pytest.fixture
def platform_config(platform_config):
    """The tickets service's SLA clock ticks every 0.2 s (instead of every minute), so a ticket
    past its due time is marked breached while the test watches."""
    return {**platform_config, "TICKETS_SLA_CLOCK": {"interval_seconds": 0.2}}


@pytest.fixture
def taps(platform_config):
    """What the producers really put on the broker (assessments consumes from these)."""
    opened = [BrokerTap(platform_config["AMQP_URI"], exchange, exchange.split(".")[0] + ".#")
              for exchange in PRODUCER_EXCHANGES]
    yield opened
    for tap in opened:
        tap.close()


def seen_on_broker(taps) -> list[dict]:
    return [envelope for tap in taps for envelope in tap.drain()]


def scorable(envelopes: list[dict]) -> list[dict]:
    """The envelopes of the event types assessments listens to."""
    return [envelope for envelope in envelopes if envelope["type"] in SCORABLE_EVENTS]


# --- the scheme through the gateway ------------------------------------------------------------

def draft_scheme(api, headers, name: str, counts_from) -> dict:
    return sent(api.post(SCHEMES, headers=headers, json={
        "name": name, "department": "江南街道办事处", "subject_kind": "community",
        "period": "month", "org_code": STREET_A, "counts_from": counts_from.isoformat(),
        "star_thresholds": [0, 10], "bottom_n": 1,
        "indicators": INDICATORS, "rules": RULES}))


def submit(api, headers, scheme: dict) -> dict:
    return sent(api.post(f"{SCHEMES}/{scheme['id']}/submission", headers=headers, json={}), 200)


def approve(api, headers, scheme: dict) -> dict:
    return sent(api.post(f"{SCHEMES}/{scheme['id']}/approval", headers=headers,
                         json={"note": "区考核领导小组同意"}), 200)


# --- reading the figures back -----------------------------------------------------------------

def hundredths(points: float) -> int:
    """The API shows points as numbers with two decimals; the test counts in hundredths."""
    return round(points * 100)


def walk(api, url, headers, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = sent(api.get(url, headers=headers,
                            params={**params, **({"cursor": cursor} if cursor else {})}), 200)
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def scorecards(api, headers, scheme: dict, period: str) -> dict[str, dict]:
    """The scheme's scorecards for the period, by subject, each as its detail (with lines)."""
    cards = walk(api, SCORECARDS, headers, scheme_id=scheme["id"], period_key=period)
    return {card["subject_ref"]: sent(api.get(f"{SCORECARDS}/{card['id']}", headers=headers), 200)
            for card in cards}


def figures(cards: dict[str, dict]) -> dict[str, tuple]:
    """{subject: (total, {indicator code: points on it})}, in hundredths."""
    return {subject: (hundredths(card["points"]),
                      {line["indicator"]: hundredths(line["points"]) for line in card["lines"]
                       if line["entry_count"]})
            for subject, card in cards.items()}


def settled(read, project, expected, timeout: float = 60):
    """``read()``, once ``project(read())`` is ``expected`` (events travel asynchronously);
    after ``timeout`` seconds, an assertion showing the difference."""
    def arrived():
        value = read()
        return (value,) if project(value) == expected else None

    try:
        return wait_for(arrived, timeout=timeout)[0]
    except eventlet.Timeout:
        assert project(read()) == expected
        raise


def entries_of(api, headers, card: dict) -> list[dict]:
    return walk(api, f"{SCORECARDS}/{card['id']}/entries", headers)


def ranking(api, headers, scheme: dict, period: str) -> list[tuple]:
    """(rank, community, points in hundredths, stars, bottom) down the street's ranking."""
    rows = walk(api, RANKINGS, headers, scheme_id=scheme["id"], period_key=period,
                within_code=STREET_A)
    return [(row["rank"], row["subject_ref"], hundredths(row["points"]), row["stars"],
             row["bottom"]) for row in rows]


def replay_check(api, headers, scheme: dict) -> dict:
    return sent(api.post(f"{LEDGER}/replay-checks", headers=headers,
                         json={"scheme_id": scheme["id"]}), 200)


def received_counts(api, headers) -> Counter:
    """How many events of each type assessments has received (its ingestion status)."""
    status = sent(api.get(f"{LEDGER}/status", headers=headers), 200)
    return Counter({row["type"]: row["received"] for row in status["types"] if row["received"]})


def expected_entries(envelopes: list[dict]) -> dict[str, list[tuple]]:
    """What each community's ledger must hold, from the events seen on the broker:
    (event type, event id, hundredths) per scoring event."""
    worth: dict[str, list[tuple]] = {}
    for envelope in envelopes:
        data, kind = envelope["data"], envelope["type"]
        community = (data.get("community_code") or data.get("org_code"))[:12]
        points = {
            "tickets.ticket_resolved": 200 if data.get("on_time") else None,
            "tickets.ticket_sla_breached": -500,
            "security.volunteer_hours_earned": round(data.get("hours", 0) * 100),
            "security.mediation_closed": 300 if data.get("outcome") == "agreement" else None,
            "learning.course_completed": 200,
            "security.incident_reported": -1000 if data.get("kind") == "mass_incident" else None,
        }.get(kind)  # no rule for the others
        if points is not None and community.startswith(STREET_A):
            worth.setdefault(community, []).append((kind, envelope["event_id"], points))
    return worth


def duplicates_ignored_by_assessments(caplog) -> set[str]:
    """The events assessments' handlers have been given again and dropped (their inbox knew
    them): the services run in this process, so their log is the test's."""
    return {record.event_id for record in caplog.records
            if record.getMessage() == "duplicate event ignored"
            and getattr(record, "consumer", "").startswith("assessments.")}


# --- the test ---------------------------------------------------------------------------------

def test_work_done_through_the_gateway_moves_the_right_scorecards_and_replays_to_the_same(
        api, auth, seeded, tickets_db, assessments_container, taps, platform_config, caplog):
    street = auth("street_admin", STREET_A)
    district = auth("district_admin", DISTRICT)
    reader = auth("auditor", STREET_A)
    today = china_today()
    period = period_key("month", today)
    first_of_month = today.replace(day=1)

    # the street drafts the scheme; the district lets it through the admission gate
    counted = draft_scheme(api, street, "社区月度考核", first_of_month)
    assert (counted["status"], counted["needs_approval"]) == ("draft", True)
    assert submit(api, street, counted)["status"] == "pending_approval"
    counted = approve(api, district, counted)
    assert counted["status"] == "active"
    # the same rules in a second scheme, waiting at the gate while the work is done
    waiting = draft_scheme(api, street, "社区月度考核（复核）", first_of_month)
    assert submit(api, street, waiting)["status"] == "pending_approval"

    # the work, through the gateway
    resolved = resolve_tickets_on_time(api, auth, COMMUNITY_A1, ON_TIME_TICKETS)
    late = file_ticket(api, auth, COMMUNITY_A2, "路灯不亮")
    make_overdue(tickets_db, late["id"])
    wait_for(lambda: breached(api, auth, late), timeout=60)  # the tickets service's own clock
    work_ticket_to_resolved(api, auth, late)  # resolved late: no points for it
    elsewhere = work_ticket_to_resolved(api, auth, file_ticket(api, auth, COMMUNITY_B1))
    complete_patrol_shift(api, auth, seeded, COMMUNITY_A1, 0.35)  # two volunteers
    complete_course(api, auth, seeded, COMMUNITY_A1)  # two residents complete it
    close_mediation(api, auth, COMMUNITY_A2, "agreement")
    close_mediation(api, auth, COMMUNITY_A2, "failed")  # no points
    report_incident(api, auth, COMMUNITY_A2, "mass_incident", "major")
    report_incident(api, auth, COMMUNITY_A2, "fire_hazard", "general")  # no points

    expected = {
        COMMUNITY_A1: (ON_TIME_TICKETS * 200 + 2 * 35 + 2 * 200,
                       {"tickets": ON_TIME_TICKETS * 200, "volunteering": 2 * 35,
                        "learning": 2 * 200}),
        COMMUNITY_A2: (-500 + 300 - 1000, {"tickets": -500, "mediation": 300, "safety": -1000}),
    }
    cards = settled(lambda: scorecards(api, reader, counted, period), figures, expected)
    assert COMMUNITY_B1 not in cards  # another street: outside the scheme

    # what went out on the broker (all of it: the events that score nothing may still be on
    # their way), and what each event is worth
    sent_kinds = Counter({"tickets.ticket_resolved": ON_TIME_TICKETS + 2,
                          "tickets.ticket_sla_breached": 1,
                          "security.patrol_shift_completed": 1,
                          "security.volunteer_hours_earned": 2,
                          "learning.course_completed": 2,
                          "security.mediation_closed": 2,
                          "security.incident_reported": 2})
    envelopes = settled(lambda: scorable(seen_on_broker(taps)),
                        lambda envelopes: Counter(e["type"] for e in envelopes), sent_kinds)
    on_time = {e["data"]["ticket_id"] for e in envelopes
               if e["type"] == "tickets.ticket_resolved" and e["data"]["on_time"]}
    assert on_time == {ticket["id"] for ticket in resolved} | {elsewhere["id"]}
    assert late["id"] not in on_time
    worth = expected_entries(envelopes)

    # each scorecard explained entry by entry: every entry names the event that caused it
    for subject, card in cards.items():
        entries = entries_of(api, reader, card)
        assert sorted((e["event_type"], e["event_id"], hundredths(e["points"]))
                      for e in entries) == sorted(worth[subject]), subject
        assert sum(hundredths(e["weighted_points"]) for e in entries) == hundredths(
            card["points"])
        assert {(e["source"], e["scheme_id"], e["subject_ref"], e["period_key"])
                for e in entries} == {("event", counted["id"], subject, period)}
        ledger = walk(api, LEDGER, reader, scheme_id=counted["id"], subject_ref=subject)
        assert sorted(e["id"] for e in ledger) == sorted(e["id"] for e in entries)
        explained = sent(api.get(f"{LEDGER}/{entries[0]['id']}", headers=reader), 200)
        assert explained["event"]["event_id"] == entries[0]["event_id"]
        assert explained["rule"]["event_type"] == entries[0]["event_type"]

    # the street's communities ranked: A1 (2★) above A2 (no star, the bottom one flagged)
    ranked = ranking(api, reader, counted, period)
    assert [(cards[c]["standing"]["rank"], cards[c]["stars"]) for c in (COMMUNITY_A1,
                                                                     COMMUNITY_A2)] == [
        (1, 2), (2, 0)]
    assert ranked == [(1, COMMUNITY_A1, expected[COMMUNITY_A1][0], 2, False),
                      (2, COMMUNITY_A2, expected[COMMUNITY_A2][0], 0, True)]

    # every event reached assessments; the waiting scheme counted none of them
    settled(lambda: received_counts(api, reader), lambda counts: counts, sent_kinds)
    assert scorecards(api, reader, waiting, period) == {}
    assert walk(api, LEDGER, reader, scheme_id=waiting["id"]) == []

    # (a) the broker delivers every event again: nothing moves (the same event never counts
    # twice); assessments says so for each before the figures are read again
    caplog.set_level(logging.INFO, logger="shared.entrypoints")
    republish(platform_config["AMQP_URI"], envelopes)
    again = {e["event_id"] for e in envelopes}
    wait_for(lambda: again <= duplicates_ignored_by_assessments(caplog), timeout=60)
    assert figures(scorecards(api, reader, counted, period)) == expected
    assert received_counts(api, reader) == sent_kinds
    for card in cards.values():
        assert len(entries_of(api, reader, card)) == card["entry_count"]

    # (b) replayed from the received events, the scorecards are the ones kept
    check = replay_check(api, reader, counted)
    assert check["differences"] == [], check
    assert check["events_replayed"] >= sum(len(rows) for rows in worth.values())
    assert check["scorecards_compared"] == len(expected)

    # (c) approved only now, the waiting scheme counts the events it waited through
    approved = approve(api, district, waiting)
    assert approved["status"] == "active"
    scoring_events = sum(len(rows) for rows in worth.values())
    assert (approved["rescored"]["entries_appended"],
            approved["rescored"]["corrections_appended"]) == (scoring_events, 0)
    assert figures(scorecards(api, reader, waiting, period)) == expected
    assert ranking(api, reader, waiting, period) == ranked
    assert replay_check(api, reader, waiting)["differences"] == []
