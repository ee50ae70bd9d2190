"""Mediation 人民调解 through the real gateway: a dispute ticket becomes exactly one mediation case
(even when its event is delivered twice, or sent again for the same ticket), its sessions and
outcome are recorded, and the outcome reaches the ticket's history; cases opened by hand, bad
input (problem+json naming the field, nothing changed), roles and scope."""
from datetime import datetime, timezone

import pytest
from kombu import Connection, Exchange
from sqlalchemy import func, select

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
)
from tests.e2e.test_volunteers_api import add_resident
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

CASES = "/api/v1/mediation-cases"
TICKETS = "/api/v1/tickets"
GRID = f"{COMMUNITY_A1}001"


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def new_case(**overrides) -> dict:
    body = {"community_code": COMMUNITY_A2, "dispute_type": "family",
            "summary": "兄弟分家产生矛盾",
            "parties": [{"name": "李大哥", "role": "applicant", "phone": "13912345678"},
                        {"name": "李二弟", "role": "respondent"}],
            "mediator": {"name": "黄调解员", "kind": "peoples_mediator"}}
    body.update(overrides)
    return body


def security_rows(security_db, model) -> int:
    with security_db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def outbox(db, model, event_type) -> list[dict]:
    with db.session_factory() as session:
        return list(session.scalars(select(model.envelope).where(
            model.event_type == event_type).order_by(model.id)))


def inbox_deliveries(security_db) -> int:
    from services.security.models import InboxEntry

    with security_db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(InboxEntry).where(
            InboxEntry.consumer == "security.mediation_case_on_dispute"))


def republish(amqp_uri, envelope):
    with Connection(amqp_uri) as connection:
        exchange = Exchange("tickets.events", type="topic", durable=True)
        connection.Producer().publish(envelope, exchange=exchange, routing_key=envelope["type"],
                                      declare=[exchange], serializer="json", delivery_mode=2)


def cases_of_ticket(api, auth, ticket_id) -> list[dict]:
    response = api.get(CASES, params={"ticket_id": ticket_id}, headers=auth("auditor", DISTRICT))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_dispute_ticket_becomes_exactly_one_case_and_its_outcome_reaches_the_ticket(
        api, auth, seeded, tickets_db, security_db, platform_config):
    from services.security.models import OutboxMessage as SecurityOutbox
    from services.security.models.mediation import MediationCase
    from services.tickets.models import OutboxMessage as TicketsOutbox

    worker = auth("community_worker", COMMUNITY_A1)
    resident = add_resident(seeded, GRID)
    tap = BrokerTap(platform_config["AMQP_URI"], "security.events", "security.#")
    try:
        created = api.post(TICKETS, headers=worker, json={
            "category_code": "neighbour_dispute", "description": "楼上漏水，协商不成",
            "channel": "walk_in", "reporter": {"resident_id": resident},
            "location": {"grid_code": GRID, "address": "西关路8号"},
            "attributes": {"dispute_kind": "leak", "parties": 2}})
        assert created.status_code == 201, created.text
        ticket = created.json()
        (case,) = wait_for(lambda: cases_of_ticket(api, auth, ticket["id"]))
        assert (case["dispute_type"], case["status"], case["grid_code"]) == (
            "neighbour", "open", GRID)

        # the broker delivers tickets' event again, and a second event for the same ticket
        # arrives: still one case
        (reported,) = [e for e in outbox(tickets_db, TicketsOutbox, "tickets.dispute_reported")
                       if e["data"]["ticket_id"] == ticket["id"]]
        republish(platform_config["AMQP_URI"], reported)
        republish(platform_config["AMQP_URI"], {**reported, "event_id": reported["event_id"][:-4]
                                                + "ffff"})
        wait_for(lambda: inbox_deliveries(security_db) == 2)
        assert [c["id"] for c in cases_of_ticket(api, auth, ticket["id"])] == [case["id"]]
        assert security_rows(security_db, MediationCase) == 1

        url = f"{CASES}/{case['id']}"
        shown = api.get(url, headers=worker).json()
        assert shown["ticket_id"] == ticket["id"] and shown["summary"] == "楼上漏水，协商不成"
        assert [(p["role"], p["resident_id"], p["phone"]) for p in shown["parties"]] == [
            ("applicant", resident, None)]

        session = api.post(url + "/sessions", headers=auth("grid_worker", GRID), json={
            "held_on": today(), "notes": "双方到场，查看漏水点", "attendees": ["网格员小林"]})
        assert session.status_code == 201, session.text
        closed = api.post(url + "/outcome", headers=worker, json={
            "outcome": "agreement", "agreement_text": "楼上三日内修复防水层，赔偿天花板修缮费800元",
            "closed_on": today()})
        assert closed.status_code == 200, closed.text
        assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "agreement")

        # the outcome reaches the ticket's history; its status does not move
        def mediation_step():
            steps = api.get(f"{TICKETS}/{ticket['id']}/transitions", headers=worker).json()
            return [s for s in steps["items"] if s["action"] == "mediation_outcome"]

        (step,) = wait_for(mediation_step)
        assert step["details"] == {"outcome": "agreement", "case_id": case["id"]}
        assert step["from_status"] == step["to_status"] == "submitted"
        assert api.get(f"{TICKETS}/{ticket['id']}", headers=worker).json()["status"] == "submitted"
        (recorded,) = wait_for(lambda: outbox(tickets_db, TicketsOutbox,
                                              "tickets.ticket_mediation_recorded"))
        assert recorded["data"]["case_id"] == case["id"]

        # closing twice, or another session, is refused and changes nothing
        assert_problem(api.post(url + "/outcome", headers=worker, json={
            "outcome": "failed", "closed_on": today()}), 409, field="status")
        assert_problem(api.post(url + "/sessions", headers=worker, json={
            "held_on": today(), "notes": "再谈"}), 409, field="status")
        (closed_event,) = outbox(security_db, SecurityOutbox, "security.mediation_closed")
        assert closed_event["data"]["ticket_id"] == ticket["id"]
        on_broker = wait_for(lambda: [e for e in tap.drain()
                                      if e["type"] == "security.mediation_closed"] or None)
        assert on_broker[0]["data"]["outcome"] == "agreement"
        assert "name" not in str(on_broker[0]["data"]) and "李" not in str(on_broker[0]["data"])
    finally:
        tap.close()


def test_a_case_by_hand_with_masked_phones_and_its_list(api, auth, seeded):
    worker = auth("community_worker", COMMUNITY_A2)
    created = api.post(CASES, headers=worker, json=new_case())
    assert created.status_code == 201, created.text
    case = created.json()
    assert created.headers["Location"] == f"{CASES}/{case['id']}"
    assert case["parties"][0]["phone"] == "139****5678" and case["ticket_id"] is None
    assert case["mediator"] == {"name": "黄调解员", "kind": "peoples_mediator"}
    page = api.get(CASES, params={"dispute_type": "family", "status": "open", "limit": 1},
                   headers=auth("auditor", STREET_A)).json()
    assert [c["id"] for c in page["items"]] == [case["id"]]
    failed = api.post(f"{CASES}/{case['id']}/outcome", headers=worker,
                      json={"outcome": "referred_to_court", "closed_on": today()})
    assert failed.status_code == 200 and failed.json()["agreement_text"] is None


@pytest.mark.parametrize("overrides, status, field", [
    ({"dispute_type": "theft"}, 422, "dispute_type"),
    ({"parties": []}, 422, "parties"),
    ({"parties": [{"name": "甲", "role": "applicant"}, {"name": "乙", "role": "bystander"}]},
     422, "parties.1.role"),
    ({"parties": [{"name": "甲", "role": "applicant", "phone": "555"},
                  {"name": "乙", "role": "respondent"}]}, 422, "parties.0.phone"),
    ({"grid_code": "350502001002009"}, 422, "grid_code"),
    ({"grid_code": "350502001001001"}, 422, "grid_code"),
    ({"mediator": {"name": "黄"}}, 422, "mediator.kind"),
    ({"summary": None}, 422, "summary"),
])
def test_bad_input_names_the_field_and_changes_nothing(api, auth, seeded, security_db,
                                                       overrides, status, field):
    from services.security.models.mediation import MediationCase

    response = api.post(CASES, headers=auth("community_worker", COMMUNITY_A2),
                        json=new_case(**overrides))
    assert_problem(response, status, field=field)
    assert security_rows(security_db, MediationCase) == 0


def test_roles_and_scope(api, auth, seeded):
    worker = auth("community_worker", COMMUNITY_A2)
    case = api.post(CASES, headers=worker, json=new_case()).json()
    url = f"{CASES}/{case['id']}"
    assert_problem(api.post(CASES, headers=auth("grid_worker", f"{COMMUNITY_A2}001"),
                            json=new_case()), 403)
    assert_problem(api.post(CASES, headers=auth("auditor", STREET_A), json=new_case()), 403)
    assert_problem(api.post(CASES, headers=auth("street_admin", STREET_B), json=new_case()),
                   403, field="community_code")
    other = auth("street_admin", STREET_B)
    assert_problem(api.get(url, headers=other), 404, field="id")
    assert_problem(api.post(url + "/sessions", headers=other,
                            json={"held_on": today(), "notes": "x"}), 404, field="id")
    assert_problem(api.post(url + "/outcome", headers=other,
                            json={"outcome": "failed", "closed_on": today()}), 404, field="id")
    assert api.get(CASES, headers=other).json()["items"] == []
    assert_problem(api.get(CASES, params={"code": COMMUNITY_A2}, headers=other), 403,
                   field="code")
    assert_problem(api.get(f"{CASES}/999999", headers=worker), 404, field="id")
    assert_problem(api.post(url + "/sessions", headers=worker,
                            json={"held_on": "2099-01-01", "notes": "x"}), 422, field="held_on")
    assert_problem(api.post(url + "/outcome", headers=worker,
                            json={"outcome": "agreement", "closed_on": today()}),
                   422, field="agreement_text")
