"""The SLA clock on the broker with two tickets services running, and the at-risk list and the
three rates (JSON and SVG) through the real gateway."""
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    COMMUNITY_B1,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
)
from tests.integration.test_tickets_sla import add_category, add_ticket
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

HOUR = timedelta(hours=1)
CST = timezone(timedelta(hours=8))
AT_RISK = "/api/v1/tickets/at-risk"
RATES = "/api/v1/ticket-rates"
CLOCK_EVENTS = ("tickets.ticket_sla_breached", "tickets.ticket_due_soon")


@pytest.fixture
def tap(platform_config):
    tap = BrokerTap(platform_config["AMQP_URI"])
    yield tap
    tap.close()


def test_two_tickets_services_announce_each_breach_and_reminder_once_on_the_broker(
        container_factory, platform_config, tap):
    """Two instances of the tickets service, their clocks ticking every 50 ms on the same
    database: every breached ticket reaches the broker exactly once, every reminder too."""
    from services.tickets.service import TicketsService
    from shared.db import Database

    config = {**platform_config,
              "TICKETS_SLA_CLOCK": {"interval_seconds": 0.05, "batch_size": 3}}
    containers = [container_factory(TicketsService, config) for _ in range(2)]
    for container in containers:
        container.start()
    database = next(d for d in containers[0].dependencies if isinstance(d, Database)).database
    add_category(database)
    now = datetime.now(timezone.utc)
    communities = (COMMUNITY_A1, COMMUNITY_A2, COMMUNITY_B1)
    late = [add_ticket(database, community=communities[n % 3], due_at=now - n * HOUR / 60)
            for n in range(1, 41)]
    soon = [add_ticket(database, due_at=now + HOUR + n * HOUR / 60) for n in range(10)]
    spared = [add_ticket(database, status="resolved", due_at=now - HOUR),
              add_ticket(database, due_at=now + 9 * HOUR)]

    from services.tickets.models import OutboxMessage, Ticket

    def all_marked_and_sent():
        with database.session_factory() as session:
            unmarked = session.scalar(select(func.count()).select_from(Ticket).where(
                Ticket.id.in_(late), Ticket.sla_breached_at.is_(None)))
            unreminded = session.scalar(select(func.count()).select_from(Ticket).where(
                Ticket.id.in_(soon), Ticket.due_soon_reminded_at.is_(None)))
            unsent = session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.published_at.is_(None)))
        return unmarked == unreminded == unsent == 0

    wait_for(all_marked_and_sent)
    seen = tap.drain(quiet_seconds=1.5)
    per_ticket = Counter((event["type"], event["data"]["ticket_id"]) for event in seen)
    assert per_ticket == Counter({**{("tickets.ticket_sla_breached", t): 1 for t in late},
                                  **{("tickets.ticket_due_soon", t): 1 for t in soon}})
    assert not {t for _, t in per_ticket} & set(spared)
    breach = next(e for e in seen if e["type"] == "tickets.ticket_sla_breached")
    assert breach["actor"] == "system" and breach["data"]["breached_at"]


# --- through the gateway ------------------------------------------------------------------------

@pytest.fixture
def sla_db(seeded, tickets_db):
    add_category(tickets_db)
    return tickets_db


def test_the_at_risk_list_through_the_gateway(api, auth, sla_db):
    now = datetime.now(timezone.utc)
    overdue = add_ticket(sla_db, due_at=now - HOUR)
    soon = add_ticket(sla_db, community=COMMUNITY_A2, due_at=now + 2 * HOUR)
    add_ticket(sla_db, community=COMMUNITY_B1, due_at=now - HOUR)
    add_ticket(sla_db, due_at=now + 48 * HOUR)
    from services.tickets import sla

    sla.run_clock(lambda: sla_db.transaction("tickets"))  # one tick of the clock

    response = api.get(AT_RISK, params={"within_hours": 4},
                       headers=auth("street_admin", STREET_A))
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(t["id"], t["risk"]) for t in items] == [(overdue, "breached"), (soon, "due_soon")]
    assert items[1]["due_soon_reminded_at"] is not None  # 2 h of a 10 h SLA left: reminded
    one = api.get(AT_RISK, params={"area": COMMUNITY_A2}, headers=auth("grid_worker",
                                                                       COMMUNITY_A2 + "001"))
    assert_problem(one, 403, field="area", slug="out-of-scope")
    mine = api.get(AT_RISK, headers=auth("grid_worker", COMMUNITY_A2 + "001"))
    assert [t["id"] for t in mine.json()["items"]] == [soon]
    assert_problem(api.get(AT_RISK, params={"area": STREET_B},
                           headers=auth("street_admin", STREET_A)), 403, field="area")
    assert_problem(api.get(AT_RISK, params={"within_hours": "soon"},
                           headers=auth("street_admin", STREET_A)), 422, field="within_hours")
    assert_problem(api.get(AT_RISK, params={"risk": "doomed"},
                           headers=auth("street_admin", STREET_A)), 422, field="risk")
    assert_problem(api.get(AT_RISK), 401)


def test_forged_cursors_are_refused_never_a_server_error(api, auth, sla_db):
    from shared.pagination import encode_cursor

    headers = auth("district_admin", DISTRICT)
    for cursor in ("0001-01-01T00:00:00+01:00|1", "2026-01-01T00:00:00|1",
                   "2026-01-01T00:00:00+00:00|0", "2026-01-01T00:00:00+00:00|99999999999",
                   "12", "x|y|z", "%%%", "WzEyXQ", "WyJhIl0", "WzEyLDEzXQ"):
        for given in (cursor, encode_cursor(cursor)):
            assert_problem(api.get(AT_RISK, params={"cursor": given}, headers=headers), 422,
                           field="cursor")
        if not cursor.isdigit():
            assert_problem(api.get(RATES, params={"cursor": encode_cursor(cursor),
                                                  "group_by": "street"}, headers=headers),
                           422, field="cursor")
    assert_problem(api.get(RATES, params={"cursor": encode_cursor(12), "group_by": "street"},
                           headers=headers), 422, field="cursor")


def test_the_breach_shows_in_the_tickets_history(api, auth, sla_db):
    now = datetime.now(timezone.utc)
    ticket_id = add_ticket(sla_db, due_at=now - HOUR)
    from services.tickets import sla

    sla.run_clock(lambda: sla_db.transaction("tickets"))
    history = api.get(f"/api/v1/tickets/{ticket_id}/transitions",
                      headers=auth("community_worker", COMMUNITY_A1))
    assert history.status_code == 200, history.text
    assert [(t["action"], t["actor"]) for t in history.json()["items"]] == [
        ("sla_breached", "system")]


def test_the_three_rates_through_the_gateway_with_a_picture(api, auth, sla_db):
    day = datetime(2025, 3, 10, 9, tzinfo=CST)
    for community, accepted, satisfied in ((COMMUNITY_A1, True, True),
                                           (COMMUNITY_A1, False, None),
                                           (COMMUNITY_A2, True, False),
                                           (COMMUNITY_B1, True, True)):
        add_ticket(sla_db, community=community, created_at=day, due_at=day + 10 * HOUR,
                   accepted_at=day + HOUR if accepted else None,
                   status="closed" if satisfied is not None else "submitted",
                   resolved_at=day + 5 * HOUR if satisfied is not None else None,
                   satisfied=satisfied, rating=None if satisfied is None else 5 if satisfied else 1,
                   rated_at=day + 6 * HOUR if satisfied is not None else None)
    march = {"from": "2025-03-01", "to": "2025-03-31"}
    response = api.get(RATES, params={**march, "group_by": "community"},
                       headers=auth("street_admin", STREET_A))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["area"] == STREET_A and body["timezone"] == "UTC+08:00"
    assert body["total"]["response"] == {"numerator": 2, "denominator": 3, "pending": 0,
                                         "rate": 0.6667}
    assert body["total"]["resolution"]["rate"] == 0.6667
    assert body["total"]["satisfaction"] == {"numerator": 1, "denominator": 2, "pending": 0,
                                             "rate": 0.5, "target": 0.8, "target_met": False}
    assert [(row["code"], row["satisfaction"]["target_met"]) for row in body["items"]] == [
        (COMMUNITY_A1, True), (COMMUNITY_A2, False)]

    district = api.get(RATES, params={**march, "group_by": "street", "area": DISTRICT},
                       headers=auth("district_admin", DISTRICT)).json()
    assert [row["code"] for row in district["items"]] == [STREET_A, STREET_B]

    chart = api.get(RATES + ".svg", params={**march, "group_by": "community"},
                    headers=auth("street_admin", STREET_A))
    assert chart.status_code == 200
    assert chart.headers["Content-Type"].startswith("image/svg+xml")
    svg = ET.fromstring(chart.content)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert COMMUNITY_A1 in text and COMMUNITY_A2 in text and "66.7% (2/3)" in text
    assert "satisfaction target 80%" in text
    bars = svg.findall("{http://www.w3.org/2000/svg}rect")
    assert len(bars) == 1 + 3 * 3  # the background, then three bars for each of three rows

    empty = api.get(RATES + ".svg", params={"from": "2024-01-01", "to": "2024-01-31"},
                    headers=auth("street_admin", STREET_A))
    assert empty.status_code == 200 and b"no data" in empty.content


def test_rates_refused_across_streets_and_for_bad_input_as_problems(api, auth, sla_db):
    street_a = auth("street_admin", STREET_A)
    for path in (RATES, RATES + ".svg"):
        assert_problem(api.get(path, params={"area": STREET_B}, headers=street_a), 403,
                       field="area", slug="out-of-scope")
        assert_problem(api.get(path, params={"area": DISTRICT}, headers=street_a), 403,
                       field="area")
        assert_problem(api.get(path, params={"from": "2025-03-31", "to": "2025-03-01"},
                               headers=street_a), 422, field="to")
        assert_problem(api.get(path, params={"from": "yesterday"}, headers=street_a), 422,
                       field="from")
        assert_problem(api.get(path, params={"group_by": "grid"}, headers=street_a), 422,
                       field="group_by")
        assert_problem(api.get(path, params={"area": "35050200"}, headers=street_a), 422,
                       field="area")
        assert_problem(api.get(path, params={"group_by": "community", "cursor": "%%%"},
                               headers=street_a), 422, field="cursor")
        assert_problem(api.get(path, params={"from": "0001-01-01"}, headers=street_a), 422,
                       field="from")
        assert_problem(api.get(path), 401)
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {AT_RISK, RATES, RATES + ".svg"} <= set(paths)
    assert "group_by" in str(paths[RATES]["get"]["parameters"])


def test_a_ticket_through_its_lifecycle_counts_in_all_three_rates(api, auth, sla_db):
    """Created, accepted, handled, resolved and rated through the API: it is responded to in
    time, resolved on time and a satisfied callback."""
    worker = auth("community_worker", COMMUNITY_A1)
    created = api.post("/api/v1/tickets", headers=worker, json={
        "category_code": "t_sla", "description": "楼道灯坏了", "channel": "hotline",
        "location": {"grid_code": COMMUNITY_A1 + "001", "address": "西关路8号"}})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    for step in ({"action": "accept"},
                 {"action": "dispatch", "assignee": {"kind": "community_worker", "ref": "w1"}},
                 {"action": "sign_for"}, {"action": "start"}, {"action": "resolve"}):
        moved = api.post(f"/api/v1/tickets/{ticket_id}/transitions", headers=worker, json=step)
        assert moved.status_code == 200, (step, moved.text)
    rated = api.post(f"/api/v1/tickets/{ticket_id}/rating", headers=worker, json={"rating": 5})
    assert rated.status_code == 200, rated.text

    today = datetime.now(CST).date()
    period = {"from": (today - timedelta(days=1)).isoformat(),
              "to": (today + timedelta(days=1)).isoformat()}
    total = api.get(RATES, params={**period, "area": COMMUNITY_A1}, headers=worker).json()["total"]
    assert (total["response"]["numerator"], total["response"]["denominator"]) == (1, 1)
    assert (total["resolution"]["numerator"], total["resolution"]["denominator"]) == (1, 1)
    assert total["satisfaction"]["rate"] == 1.0 and total["satisfaction"]["target_met"] is True
    assert api.get(AT_RISK, headers=worker).json()["items"] == []  # resolved: off the clock
