"""Tickets through the real gateway, with membership and tickets behind it: the whole closed loop
ending in the callback, its events observed on the broker, the catalogue, scope and roles, bad
input (problem+json naming the field, nothing changed)."""

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
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

TICKETS = "/api/v1/tickets"
CATEGORIES = "/api/v1/ticket-categories"
GRID_A1 = f"{COMMUNITY_A1}001"
GRID_B1 = f"{COMMUNITY_B1}001"


@pytest.fixture
def tap(platform_config):
    broker = BrokerTap(platform_config["AMQP_URI"])
    yield broker
    broker.close()


def ticket_counts(tickets_db) -> dict:
    from services.tickets.models import (
        OutboxMessage,
        Ticket,
        TicketAttachment,
        TicketCategory,
        TicketTransition,
    )

    with tickets_db.session_factory() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Ticket, TicketTransition, TicketAttachment, TicketCategory,
                              OutboxMessage)}


def new_ticket(**overrides) -> dict:
    body = {"category_code": "sewer_overflow", "description": "小区门口下水道外溢",
            "channel": "hotline", "reporter": {"name": "陈阿姨", "phone": "13812345678"},
            "location": {"grid_code": GRID_A1, "address": "西关路1号", "lat": 24.9, "lon": 118.6},
            "attributes": {"severity": "overflow"},
            "attachments": [{"url": "https://img.example/sewer.jpg", "sha256": "ab" * 32,
                             "media_type": "image/jpeg"}]}
    body.update(overrides)
    return body


def post(api, url, body, headers, status=200):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def test_a_full_lifecycle_ending_in_a_rating_with_its_events_on_the_broker(
        api, auth, seeded, tap):
    from tests.e2e.test_volunteers_api import add_resident, enrol

    worker = auth("community_worker", COMMUNITY_A1)
    grid_worker = auth("grid_worker", GRID_A1)
    volunteer = enrol(api, worker, add_resident(seeded, GRID_A1))["id"]

    created = api.post(TICKETS, json=new_ticket(), headers=worker)
    assert created.status_code == 201, created.text
    ticket = created.json()
    url = f"{TICKETS}/{ticket['id']}"
    assert created.headers["Location"] == url
    assert ticket["status"] == "submitted" and ticket["reporter"]["phone"] == "138****5678"
    assert ticket["location"]["community_code"] == COMMUNITY_A1
    assert ticket["location"]["street_code"] == STREET_A

    steps = [(worker, {"action": "accept", "comment": "已受理"}, "accepted"),
             (worker, {"action": "dispatch",
                       "assignee": {"kind": "volunteer", "ref": str(volunteer)}}, "dispatched"),
             (grid_worker, {"action": "sign_for"}, "signed_for"),
             (grid_worker, {"action": "start"}, "in_progress"),
             (auth("street_admin", STREET_A), {"action": "remind", "comment": "请尽快"},
              "in_progress"),
             (grid_worker, {"action": "resolve", "comment": "已疏通", "hours": 2.5}, "resolved")]
    for headers, body, status in steps:
        assert post(api, url + "/transitions", body, headers)["status"] == status, body

    rated = post(api, url + "/rating", {"rating": 5, "comment": "很及时"}, worker)
    assert (rated["status"], rated["rating"], rated["satisfied"]) == ("closed", 5, True)
    assert_problem(api.post(url + "/rating", json={"rating": 4}, headers=worker), 409,
                   field="rating")

    history = api.get(url + "/transitions", headers=auth("auditor", STREET_A)).json()["items"]
    assert [h["action"] for h in history] == [
        "submit", "accept", "dispatch", "sign_for", "start", "remind", "resolve", "rate",
        "close"]
    assert history[3]["actor"] == "test-grid_worker"

    expected = ["tickets.ticket_submitted", "tickets.ticket_accepted",
                "tickets.ticket_dispatched", "tickets.ticket_signed_for",
                "tickets.ticket_started", "tickets.ticket_reminded", "tickets.ticket_resolved",
                "tickets.volunteer_hours_earned", "tickets.ticket_rated",
                "tickets.ticket_closed"]
    seen = wait_for(lambda: (lambda s: s if len(s) >= len(expected) else None)(tap.drain()))
    assert sorted(e["type"] for e in seen) == sorted(expected)
    lifecycle = sorted((e for e in seen if e["type"] != "tickets.volunteer_hours_earned"),
                       key=lambda e: e["data"]["seq"])
    assert [e["type"] for e in lifecycle] == [t for t in expected
                                              if t != "tickets.volunteer_hours_earned"]
    assert all(e["org_code"] == GRID_A1 and e["data"]["ticket_id"] == ticket["id"]
               for e in lifecycle)
    resolved = next(e for e in seen if e["type"] == "tickets.ticket_resolved")
    assert resolved["data"]["on_time"] is True
    assert resolved["data"]["assignee"] == {"kind": "volunteer", "ref": str(volunteer)}
    rating = next(e for e in seen if e["type"] == "tickets.ticket_rated")
    assert (rating["data"]["rating"], rating["data"]["satisfied"]) == (5, True)
    assert rating["actor"] == "test-community_worker"

    # membership credits the volunteer's hours from the event
    hours = f"/api/v1/volunteers/{volunteer}/hours"
    page = wait_for(lambda: (lambda p: p if p.get("items") else None)(
        api.get(hours, headers=worker).json()))
    assert page["balance_hours"] == 2.5
    assert page["items"][0]["source_type"] == "ticket"


def test_an_unsatisfied_callback_reopens_escalation_keeps_the_first_unit_accountable(
        api, auth, seeded):
    from tests.e2e.test_volunteers_api import add_resident

    worker = auth("community_worker", COMMUNITY_A1)
    street = auth("street_admin", STREET_A)
    resident = add_resident(seeded, GRID_A1, name="林大爷")
    ticket = post(api, TICKETS, new_ticket(category_code="complaint", attributes={},
                                           reporter={"resident_id": resident}), worker, 201)
    assert ticket["reporter"]["resident_id"] == resident
    assert ticket["reporter"]["name"] == "林大爷"
    url = f"{TICKETS}/{ticket['id']}/transitions"
    for body in [{"action": "accept"},
                 {"action": "dispatch", "assignee": {"kind": "grid_worker", "ref": "li"}},
                 {"action": "sign_for"}, {"action": "start"}, {"action": "resolve"}]:
        post(api, url, body, worker)
    reopened = post(api, f"{TICKETS}/{ticket['id']}/rating", {"rating": 2}, worker)
    assert (reopened["status"], reopened["reopen_count"], reopened["satisfied"]) == (
        "accepted", 1, False)
    escalated = post(api, url, {"action": "escalate", "comment": "需街道协调"}, worker)
    assert (escalated["level"], escalated["responsible_code"],
            escalated["accountable_code"]) == ("street", STREET_A, COMMUNITY_A1)
    refused = assert_problem(api.post(url, json={"action": "dispatch", "assignee": {
        "kind": "community_worker", "ref": "x"}}, headers=worker), 403, field="action")
    assert STREET_A in refused["detail"]
    post(api, url, {"action": "dispatch", "assignee": {"kind": "community_worker",
                                                       "ref": "street-office"}}, street)
    illegal = assert_problem(api.post(url, json={"action": "resolve"}, headers=street), 409,
                             field="action")
    assert "allowed from dispatched" in illegal["detail"] and "sign_for" in illegal["detail"]


def test_the_category_catalogue(api, auth, seeded):
    reader = auth("auditor", STREET_A)
    page = api.get(CATEGORIES, params={"limit": 20}, headers=reader).json()
    codes = [c["code"] for c in page["items"]]
    assert {"sewer_overflow", "certificate_stamping", "neighbour_dispute", "home_visit"} <= set(
        codes)
    sewer = api.get(f"{CATEGORIES}/sewer_overflow", headers=reader).json()
    assert sewer["attributes"][0]["code"] == "severity" and sewer["sla_hours"] == 24
    assert_problem(api.get(f"{CATEGORIES}/nothing", headers=reader), 404, field="category")

    admin = auth("district_admin", DISTRICT)
    body = {"code": "pet_nuisance", "name": "宠物扰民", "group": "environment",
            "sla_hours": 48, "response_hours": 4}
    assert_problem(api.post(CATEGORIES, json=body, headers=auth("street_admin", STREET_A)), 403)
    created = api.post(CATEGORIES, json=body, headers=admin)
    assert created.status_code == 201 and created.headers["Location"].endswith("/pet_nuisance")
    assert_problem(api.post(CATEGORIES, json=body, headers=admin), 409, field="code")
    assert_problem(api.post(CATEGORIES, json={**body, "code": "x2", "attributes": [
        {"code": "k", "description": "K", "datatype": "singlevaluelist"}]}, headers=admin),
        422, field="attributes.0.values")
    changed = api.patch(f"{CATEGORIES}/pet_nuisance", json={"sla_hours": 24}, headers=admin)
    assert changed.status_code == 200 and changed.json()["sla_hours"] == 24
    assert_problem(api.patch(f"{CATEGORIES}/pet_nuisance", json={"sla_hours": 0},
                             headers=admin), 422, field="sla_hours")


def test_other_streets_tickets_are_out_of_reach(api, auth, seeded, make_api_key):
    worker = auth("community_worker", COMMUNITY_A1)
    ticket = post(api, TICKETS, new_ticket(), worker, 201)
    url = f"{TICKETS}/{ticket['id']}"
    other = auth("street_admin", STREET_B)
    assert_problem(api.get(url, headers=other), 404, field="id")
    assert_problem(api.get(url + "/transitions", headers=other), 404, field="id")
    assert_problem(api.post(url + "/transitions", json={"action": "accept"}, headers=other),
                   404, field="id")
    assert_problem(api.post(url + "/rating", json={"rating": 5}, headers=other), 404, field="id")
    assert api.get(TICKETS, headers=other).json()["items"] == []
    assert_problem(api.get(TICKETS, params={"community": COMMUNITY_A1}, headers=other), 403,
                   field="community")
    assert_problem(api.post(TICKETS, json=new_ticket(), headers=other), 403,
                   field="location.grid_code")
    neighbour = auth("community_worker", COMMUNITY_A2)
    assert_problem(api.get(url, headers=neighbour), 404, field="id")
    _, key = make_api_key(scope=DISTRICT)
    filed = post(api, TICKETS, new_ticket(channel="district_system", location={
        "grid_code": GRID_B1}), {"X-API-Key": key}, 201)
    assert filed["created_by"] and filed["location"]["street_code"] == STREET_B
    assert [t["id"] for t in api.get(TICKETS, headers=other).json()["items"]] == [filed["id"]]
    assert [t["id"] for t in api.get(TICKETS, headers=auth("auditor", STREET_A)).json()[
        "items"]] == [ticket["id"]]
    assert api.get(url, headers=auth("auditor", DISTRICT)).status_code == 200


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(api, auth, seeded,
                                                                   tickets_db):
    worker = auth("community_worker", COMMUNITY_A1)
    ticket = post(api, TICKETS, new_ticket(), worker, 201)
    url = f"{TICKETS}/{ticket['id']}"
    before = ticket_counts(tickets_db)
    for body, status, field in [
        (new_ticket(location={"grid_code": f"{COMMUNITY_A1}999"}), 422, "location.grid_code"),
        (new_ticket(location={"grid_code": COMMUNITY_A1 + "0"}), 422, "location.grid_code"),
        (new_ticket(location={"address": "x"}), 422, "location.grid_code"),
        (new_ticket(location={"grid_code": GRID_A1, "lat": 24.9}), 422, "location.lat"),
        (new_ticket(category_code="unicorns"), 422, "category_code"),
        (new_ticket(attributes={}), 422, "attributes.severity"),
        (new_ticket(attributes={"severity": "biblical"}), 422, "attributes.severity"),
        (new_ticket(channel="fax"), 422, "channel"),
        (new_ticket(priority="yesterday"), 422, "priority"),
        (new_ticket(description=""), 422, "description"),
        (new_ticket(reporter={"resident_id": 999999}), 404, "reporter.resident_id"),
        (new_ticket(reporter={"phone": "call me"}), 422, "reporter.phone"),
        (new_ticket(attachments=[{"url": "ftp://x"}]), 422, "attachments.0.url"),
        (new_ticket(attachments=[{"url": "https://x.example/a", "sha256": "12"}]), 422,
         "attachments.0.sha256"),
    ]:
        assert_problem(api.post(TICKETS, json=body, headers=worker), status, field=field)
    assert_problem(api.post(TICKETS, data="{", headers={**worker, "Content-Type":
                                                      "application/json"}), 400, field="body")
    assert_problem(api.post(TICKETS, json=new_ticket(), headers=auth("auditor", STREET_A)), 403)
    for body, status, field in [
        ({"action": "teleport"}, 422, "action"),
        ({"action": "start"}, 409, "action"),
        ({"action": "reject"}, 422, "reason"),
        ({"action": "accept", "hours": 1}, 422, "hours"),
        ({"action": "accept", "assignee": {"kind": "robot", "ref": "r2"}}, 422, "assignee.kind"),
        ({}, 422, "action"),
    ]:
        assert_problem(api.post(url + "/transitions", json=body, headers=worker), status,
                       field=field)
    assert_problem(api.post(url + "/transitions", json={"action": "accept"},
                            headers=auth("auditor", STREET_A)), 403)
    for body, field in [({"rating": 6}, "rating"), ({"rating": "5"}, "rating"), ({}, "rating")]:
        assert_problem(api.post(url + "/rating", json=body, headers=worker), 422, field=field)
    assert_problem(api.post(url + "/rating", json={"rating": 5}, headers=worker), 409,
                   field="rating")
    assert_problem(api.get(f"{TICKETS}/999999", headers=worker), 404, field="id")
    assert_problem(api.post(f"{TICKETS}/999999/transitions", json={"action": "accept"},
                            headers=worker), 404, field="id")
    for params, field in [({"status": "lost"}, "status"), ({"overdue": "maybe"}, "overdue"),
                          ({"cursor": "zzz"}, "cursor"), ({"limit": 0}, "limit"),
                          ({"channel": "fax"}, "channel")]:
        assert_problem(api.get(TICKETS, params=params, headers=worker), 422, field=field)
    assert ticket_counts(tickets_db) == before
    assert api.get(url, headers=worker).json()["status"] == "submitted"
