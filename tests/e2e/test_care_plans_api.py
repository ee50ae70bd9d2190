"""Care plans through the real gateway: a vulnerable flag set in membership opens exactly one
plan in tickets (even when the event is delivered twice), visits are recorded, missed visits
are listed, the flag cleared closes the plan; scope, roles and bad input (problem+json naming
the field, nothing changed)."""
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from kombu import Connection, Exchange
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_B1, DISTRICT, assert_problem, outbox_events
from tests.e2e.test_volunteers_api import add_resident
from tests.support import wait_for

pytestmark = pytest.mark.broker

PLANS = "/api/v1/care-plans"
GRID = f"{COMMUNITY_A1}001"


def set_flag(api, auth, resident_id, flag, scope=COMMUNITY_A1):
    response = api.post(f"/api/v1/residents/{resident_id}/flags",
                        json={"flag": flag, "reason": "走访核实"},
                        headers=auth("community_worker", scope))
    assert response.status_code in (200, 201), response.text
    return response


def plans_of(api, auth, resident_id, scope=DISTRICT):
    response = api.get(PLANS, params={"resident_id": resident_id},
                       headers=auth("auditor", scope))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def counts(tickets_db) -> dict:
    from services.tickets.models import CarePlan, CareScheduleLine, CareVisit, OutboxMessage

    with tickets_db.session_factory() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (CarePlan, CareScheduleLine, CareVisit, OutboxMessage)}


def tickets_events(tickets_db, event_type):
    from services.tickets.models import OutboxMessage

    with tickets_db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope).where(
            OutboxMessage.event_type == event_type).order_by(OutboxMessage.id)))


def republish(amqp_uri, envelope):
    with Connection(amqp_uri) as connection:
        exchange = Exchange("membership.events", type="topic", durable=True)
        connection.Producer().publish(envelope, exchange=exchange, routing_key=envelope["type"],
                                      declare=[exchange], serializer="json", delivery_mode=2)


def backdate(tickets_db, plan_id, days):
    """Pretend the plan started ``days`` ago (the schedule moves with it)."""
    from services.tickets.models import CarePlan, CareScheduleLine

    with tickets_db.session_factory.begin() as session:
        plan = session.get(CarePlan, plan_id)
        plan.starts_on -= timedelta(days=days)
        for line in session.scalars(select(CareScheduleLine).where(
                CareScheduleLine.plan_id == plan_id)):
            line.next_due_on -= timedelta(days=days)


@pytest.fixture
def flagged_plan(api, auth, seeded, tickets_db, platform_config):
    """A resident flagged elderly_living_alone through the API, and the plan tickets opened."""
    resident = add_resident(seeded, GRID)
    set_flag(api, auth, resident, "elderly_living_alone")
    (plan,) = wait_for(lambda: plans_of(api, auth, resident))
    return resident, plan


def test_a_flag_set_in_membership_opens_exactly_one_plan_even_when_delivered_twice(
        api, auth, seeded, tickets_db, platform_config, flagged_plan):
    resident, plan = flagged_plan
    assert (plan["resident_id"], plan["flag"], plan["status"]) == (
        resident, "elderly_living_alone", "open")
    assert (plan["grid_code"], plan["community_code"]) == (GRID, COMMUNITY_A1)
    assert {line["kind"] for line in plan["schedule"]} == {"home_visit", "phone_call",
                                                          "neighbour_visit"}
    assert plan["missed"] == []
    # the broker delivers membership's event again: nothing new
    (envelope,) = [e for e in outbox_events(seeded, "membership.resident_flagged")
                   if e["data"]["resident_id"] == resident]
    republish(platform_config["AMQP_URI"], envelope)
    republish(platform_config["AMQP_URI"], envelope)
    # a non-care flag opens nothing; another care flag opens a second plan
    set_flag(api, auth, resident, "laid_off")
    set_flag(api, auth, resident, "chronically_ill")
    wait_for(lambda: len(plans_of(api, auth, resident)) == 2)
    eventlet.sleep(0.5)
    assert sorted(p["flag"] for p in plans_of(api, auth, resident)) == [
        "chronically_ill", "elderly_living_alone"]
    opened = tickets_events(tickets_db, "tickets.care_plan_opened")
    assert [e["data"]["flag"] for e in opened] == ["elderly_living_alone", "chronically_ill"]


def test_visits_missed_visits_and_closing(api, auth, seeded, tickets_db, flagged_plan):
    resident, plan = flagged_plan
    worker = auth("grid_worker", GRID)
    backdate(tickets_db, plan["id"], 40)
    shown = api.get(f"{PLANS}/{plan['id']}", headers=worker).json()
    assert sorted(shown["missed"]) == ["home_visit", "neighbour_visit", "phone_call"]
    missed = api.get(PLANS, params={"missed": "true", "community": COMMUNITY_A1},
                     headers=auth("community_worker", COMMUNITY_A1)).json()
    assert [p["id"] for p in missed["items"]] == [plan["id"]]

    today = datetime.now(timezone.utc).date()
    for kind in ("home_visit", "phone_call"):
        response = api.post(f"{PLANS}/{plan['id']}/visits", headers=worker, json={
            "kind": kind, "visited_on": today.isoformat(), "visitor": "网格员小林",
            "outcome": "well", "notes": "老人精神不错"})
        assert response.status_code == 201, response.text
    body = response.json()
    assert body["visit"]["kind"] == "phone_call" and body["visit"]["recorded_by"]
    assert body["care_plan"]["missed"] == ["neighbour_visit"]
    assert body["care_plan"]["visit_count"] == 2
    api.post(f"{PLANS}/{plan['id']}/visits", headers=worker,
             json={"kind": "neighbour_visit", "visitor": "邻居王阿姨"})
    assert api.get(PLANS, params={"missed": "true"},
                   headers=worker).json()["items"] == []
    visits = api.get(f"{PLANS}/{plan['id']}/visits", headers=worker).json()["items"]
    assert [v["kind"] for v in visits] == ["neighbour_visit", "phone_call", "home_visit"]
    recorded = tickets_events(tickets_db, "tickets.care_visit_recorded")
    assert len(recorded) == 3 and all(e["data"]["resident_id"] == resident for e in recorded)

    # the flag cleared in membership closes the plan; no more visits
    cleared = api.delete(f"/api/v1/residents/{resident}/flags/elderly_living_alone",
                         json={"reason": "已入住养老院"},
                         headers=auth("community_worker", COMMUNITY_A1))
    assert cleared.status_code == 200, cleared.text
    wait_for(lambda: plans_of(api, auth, resident)[0]["status"] == "closed")
    assert_problem(api.post(f"{PLANS}/{plan['id']}/visits", headers=worker,
                            json={"kind": "phone_call", "visitor": "x"}), 409, "status")
    assert len(tickets_events(tickets_db, "tickets.care_plan_closed")) == 1


def test_scope_roles_and_bad_input(api, auth, seeded, tickets_db, flagged_plan):
    _resident, plan = flagged_plan
    url = f"{PLANS}/{plan['id']}"
    elsewhere = auth("community_worker", COMMUNITY_B1)
    assert_problem(api.get(url, headers=elsewhere), 404, "id")
    assert api.get(PLANS, headers=elsewhere).json()["items"] == []
    assert_problem(api.get(PLANS, params={"community": COMMUNITY_A1}, headers=elsewhere),
                   403, "community")
    assert_problem(api.get(PLANS), 401)
    before = counts(tickets_db)
    good = {"kind": "phone_call", "visitor": "小林"}
    assert_problem(api.post(url + "/visits", json=good, headers=elsewhere), 404, "id")
    assert_problem(api.post(url + "/visits", json=good, headers=auth("auditor", DISTRICT)), 403)
    assert_problem(api.post(f"{PLANS}/999999/visits", json=good,
                            headers=auth("community_worker", COMMUNITY_A1)), 404, "id")
    worker = auth("community_worker", COMMUNITY_A1)
    tomorrow = (datetime.now(timezone.utc).date() + timedelta(days=2)).isoformat()
    for body, status, field in (
            ({**good, "kind": "visit"}, 422, "kind"),
            ({"kind": "phone_call"}, 422, "visitor"),
            ({**good, "visitor": " "}, 422, "visitor"),
            ({**good, "visitor": "x" * 101}, 422, "visitor"),
            ({**good, "visited_on": tomorrow}, 422, "visited_on"),
            ({**good, "visited_on": "2020-01-01"}, 422, "visited_on"),
            ({**good, "visited_on": "yesterday"}, 422, "visited_on"),
            ({**good, "outcome": "ok"}, 422, "outcome"),
            ({**good, "notes": "\u0000"}, 422, "notes"),
            ({**good, "extra": 1}, 422, "extra"),
            ([], 400, "body")):
        assert_problem(api.post(url + "/visits", json=body, headers=worker), status, field)
    assert_problem(api.post(url + "/visits", data="{", headers={
        **worker, "Content-Type": "application/json"}), 400, "body")
    for query, field in (({"missed": "perhaps"}, "missed"), ({"flag": "veteran"}, "flag"),
                         ({"community": "35"}, "community"), ({"limit": "1000"}, "limit"),
                         ({"cursor": "%%%"}, "cursor"), ({"resident_id": "-1"}, "resident_id")):
        assert_problem(api.get(PLANS, params=query, headers=worker), 422, field)
    assert counts(tickets_db) == before


def test_a_life_event_opens_a_visit_ticket(api, auth, seeded, tickets_db):
    resident = add_resident(seeded, GRID, name="黄阿嬷")
    worker = auth("grid_worker", GRID)
    response = api.post("/api/v1/life-events", headers=worker, json={
        "kind": "death", "resident_id": resident, "grid_code": GRID, "notes": "老伴过世，需慰问"})
    assert response.status_code == 201, response.text
    body = response.json()
    ticket_id = body["life_event"]["ticket_id"]
    assert response.headers["Location"] == f"/api/v1/tickets/{ticket_id}"
    assert body["life_event"]["kind"] == "death" and body["life_event"]["resident_id"] == resident
    ticket = api.get(f"/api/v1/tickets/{ticket_id}", headers=worker)
    assert ticket.status_code == 200, ticket.text
    ticket = ticket.json()
    assert (ticket["category_code"], ticket["channel"], ticket["status"], ticket["priority"]) \
        == ("home_visit", "visit", "submitted", "high")
    assert "老伴过世" in ticket["description"]
    assert len(tickets_events(tickets_db, "tickets.life_event_recorded")) == 1
    before = counts(tickets_db)
    for body, status, field in (
            ({"kind": "party", "grid_code": GRID}, 422, "kind"),
            ({"kind": "wedding", "grid_code": f"{COMMUNITY_A1}009"}, 422, "grid_code"),
            ({"kind": "wedding", "grid_code": f"{COMMUNITY_B1}001"}, 403, "grid_code"),
            ({"kind": "wedding", "grid_code": GRID, "resident_id": 999999}, 404, "resident_id"),
            ({"kind": "wedding", "grid_code": f"{COMMUNITY_A1}002", "resident_id": resident},
             422, "grid_code")):
        assert_problem(api.post("/api/v1/life-events", json=body,
                                headers=auth("community_worker", COMMUNITY_A1)), status, field)
    assert_problem(api.post("/api/v1/life-events", json={"kind": "wedding", "grid_code": GRID},
                            headers=auth("auditor", DISTRICT)), 403)
    assert counts(tickets_db) == before


def test_the_plan_follows_the_resident_who_moves(api, auth, seeded, tickets_db, flagged_plan):
    resident, plan = flagged_plan
    worker = auth("community_worker", "350502001")
    other_grid = f"{COMMUNITY_A1}002"
    response = api.post(f"/api/v1/residents/{resident}/moves", headers=worker,
                        json={"kind": "within", "to_grid_code": other_grid, "address": "西街9号"})
    assert response.status_code in (200, 201), response.text
    wait_for(lambda: plans_of(api, auth, resident)[0]["grid_code"] == other_grid)
    response = api.post(f"/api/v1/residents/{resident}/moves", headers=worker,
                        json={"kind": "out", "reason": "迁往外地"})
    assert response.status_code in (200, 201), response.text
    closed = wait_for(lambda: [p for p in plans_of(api, auth, resident)
                               if p["status"] == "closed"])
    assert closed[0]["close_reason"] == "moved out"
