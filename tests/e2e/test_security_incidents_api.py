"""Incidents and grid workers through the real gateway: a grid worker assigned to a grid reports
a major mass incident (escalated to the street at once), it runs the closed loop to evaluation
with every step's event on the broker, the handler is refused verifying their own work, the
reporter disputes the closure, bad input is a 4xx naming the field and changes nothing, the
zero-target indicators count it, and another street sees none of it."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, STREET_B, assert_problem
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

INCIDENTS = "/api/v1/incidents"
GRID = COMMUNITY_A1 + "001"
WORKERS = f"/api/v1/grids/{GRID}/workers"


def post(api, url, body, headers, status=201):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def security_counts(security_db) -> dict:
    from services.security.models import OutboxMessage
    from services.security.models.incidents import (
        GridWorkerAssignment,
        Incident,
        IncidentTransition,
    )
    with security_db.session_factory() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Incident, IncidentTransition, GridWorkerAssignment, OutboxMessage)}


@pytest.fixture
def token(issue_token):
    def headers(role, scope, sub):
        return {"Authorization": f"Bearer {issue_token(role, scope, sub)}"}
    return headers


def test_the_closed_loop_with_escalation_end_to_end(api, token, seeded, security_db,
                                                     platform_config):
    manager = token("community_worker", COMMUNITY_A1, "cw-manager")
    handler = token("community_worker", COMMUNITY_A1, "unit-zhifa")
    worker = token("grid_worker", GRID, "gw-li")
    assigned = post(api, WORKERS, {"worker_id": "gw-li", "name": "李网格",
                                   "phone": "13812345678", "since": "2026-01-01"}, manager)
    assert assigned["phone"] == "138****5678"
    listed = api.get(WORKERS, headers=manager).json()["items"]
    assert [w["worker_id"] for w in listed] == ["gw-li"] and "13812345678" not in str(listed)

    tap = BrokerTap(platform_config["AMQP_URI"], exchange="security.events",
                    routing_key="security.#")
    try:
        incident = post(api, INCIDENTS, {
            "kind": "mass_incident", "severity": "major", "grid_code": GRID,
            "description": "数十人聚集", "address": "西关社区3号楼", "reporter_kind": "grid_worker"},
            worker)
        assert incident["level"] == "red" and incident["escalated_to"] == "street"
        assert [t["action"] for t in incident["history"]] == ["report", "escalated"]
        path = f"{INCIDENTS}/{incident['id']}/transitions"
        mine = api.get(INCIDENTS, params={"mine": "true"}, headers=worker).json()["items"]
        assert [i["id"] for i in mine] == [incident["id"]]
        work = api.get("/api/v1/grid-workers/gw-li/work-list", headers=manager)
        assert [i["id"] for i in work.json()["items"]] == [incident["id"]]

        post(api, path, {"action": "file"}, manager, 200)
        illegal = api.post(path, json={"action": "close"}, headers=manager)
        body = assert_problem(illegal, 409, field="action")
        assert "dispatch" in body["detail"]
        post(api, path, {"action": "dispatch",
                         "assignee": {"kind": "department", "ref": "江南派出所"}}, manager, 200)
        post(api, path, {"action": "start"}, handler, 200)
        post(api, path, {"action": "handled", "result": "人员已疏散"}, handler, 200)
        post(api, path, {"action": "feedback"}, handler, 200)
        refused = api.post(path, json={"action": "verify"}, headers=handler)
        assert "may not verify their own" in assert_problem(refused, 409, field="action")["detail"]
        post(api, path, {"action": "verify"}, manager, 200)
        post(api, path, {"action": "close"}, manager, 200)
        post(api, path, {"action": "evaluate", "rating": 5}, manager, 200)
        disputed = post(api, path, {"action": "dispute", "comment": "仍有人聚集"}, worker, 200)
        assert disputed["status"] == "in_progress" and disputed["disputed"] is True
        expected = ["security.incident_" + name for name in (
            "reported", "escalated", "filed", "dispatched", "started", "handled", "fed_back",
            "verified", "closed", "evaluated", "disputed")]
        wait_for(lambda: len(tap.drain()) >= len(expected))
        seen = [e for e in tap.drain(quiet_seconds=0.5) if e["type"].startswith(
            "security.incident_")]
    finally:
        tap.close()
    assert [e["type"] for e in seen] == expected
    assert seen[1]["data"]["escalated_to"] == "street"
    assert seen[1]["data"]["street_code"] == STREET_A
    assert all("description" not in e["data"] for e in seen)

    history = api.get(path, headers=manager).json()["items"]
    assert [t["action"] for t in history][-1] == "dispute" and len(history) == 11
    shown = api.get(f"{INCIDENTS}/{incident['id']}", headers=manager).json()
    assert "handled" in shown["allowed_actions"]

    today = date.today().isoformat()
    indicators = api.get("/api/v1/incident-indicators",
                         params={"area": STREET_A, "from": today, "to": today}, headers=manager)
    assert_problem(indicators, 403, field="area")  # a community worker asks about the street
    indicators = api.get("/api/v1/incident-indicators",
                         params={"area": STREET_A, "from": today, "to": today},
                         headers=token("street_admin", STREET_A, "admin-a"))
    assert indicators.status_code == 200, indicators.text
    result = indicators.json()
    assert result["mass_incidents"] == 1 and result["target"] == 0 and result["met"] is False
    assert [(c["community_code"], c["met"]) for c in result["communities"]] == [
        (COMMUNITY_A1, False), (COMMUNITY_A2, True)]


def test_bad_input_names_the_field_and_changes_nothing(api, token, seeded, security_db):
    manager = token("community_worker", COMMUNITY_A1, "cw-manager")
    good = {"kind": "theft", "severity": "general", "grid_code": GRID, "description": "被盗",
            "reporter_kind": "resident"}
    incident = post(api, INCIDENTS, good, manager)
    before = security_counts(security_db)
    for change, field in (({"kind": "robbery"}, "kind"), ({"severity": "huge"}, "severity"),
                          ({"level": "green"}, "level"), ({"grid_code": "12"}, "grid_code"),
                          ({"grid_code": COMMUNITY_A1 + "009"}, "grid_code"),
                          ({"description": ""}, "description"),
                          ({"reporter_kind": "alien"}, "reporter_kind"),
                          ({"occurred_at": "2026-01-01T10:00:00"}, "occurred_at")):
        assert_problem(api.post(INCIDENTS, json={**good, **change}, headers=manager), 422,
                       field=field)
    path = f"{INCIDENTS}/{incident['id']}/transitions"
    for body, field in (({"action": "fly"}, "action"), ({"action": "dispatch"}, "assignee"),
                        ({"action": "dispatch", "assignee": {"kind": "x", "ref": "a"}},
                         "assignee"), ({"action": "dismiss"}, "comment")):
        response = api.post(path, json=body, headers=manager)
        assert response.status_code == 422, response.text
        assert response.json()["field"].startswith(field), response.text
    assert_problem(api.post(path, json={"action": "verify"}, headers=manager), 409, field="action")
    assert_problem(api.post(WORKERS, json={"worker_id": "gw-x", "name": "X", "phone": "123",
                                           "since": "2026-01-01"}, headers=manager), 422,
                   field="phone")
    assert_problem(api.post(f"/api/v1/grids/{COMMUNITY_A1}009/workers", json={
        "worker_id": "gw-x", "name": "X", "since": "2026-01-01"}, headers=manager), 422,
        field="grid_code")
    assert_problem(api.get(INCIDENTS, params={"status": "lost"}, headers=manager), 422,
                   field="status")
    assert_problem(api.post(INCIDENTS, json=good, headers=token("auditor", STREET_A, "aud")), 403)
    assert security_counts(security_db) == before


def test_another_street_sees_nothing(api, token, seeded, security_db):
    manager = token("community_worker", COMMUNITY_A1, "cw-manager")
    incident = post(api, INCIDENTS, {"kind": "flood", "severity": "minor", "grid_code": GRID,
                                     "description": "水浸", "reporter_kind": "grid_worker"},
                    manager)
    assert incident["level"] == "blue"
    assigned = post(api, WORKERS, {"worker_id": "gw-li", "name": "李网格",
                                   "since": "2026-01-01"}, manager)
    other = token("street_admin", STREET_B, "admin-b")
    before = security_counts(security_db)
    assert api.get(INCIDENTS, headers=other).json()["items"] == []
    for url in (f"{INCIDENTS}/{incident['id']}", f"{INCIDENTS}/{incident['id']}/transitions",
                f"{INCIDENTS}/999999"):
        assert_problem(api.get(url, headers=other), 404)
    assert_problem(api.post(f"{INCIDENTS}/{incident['id']}/transitions", json={"action": "file"},
                            headers=other), 404)
    assert_problem(api.get(WORKERS, headers=other), 403, field="code")
    assert_problem(api.delete(f"{WORKERS}/{assigned['id']}", headers=other), 403, field="code")
    assert_problem(api.get("/api/v1/grid-workers/gw-li/work-list", headers=other), 404)
    assert_problem(api.post(INCIDENTS, json={"kind": "flood", "severity": "minor",
                                             "grid_code": GRID, "description": "x",
                                             "reporter_kind": "grid_worker"}, headers=other),
                   403, field="grid_code")
    assert api.get(INCIDENTS, params={"code": STREET_A}, headers=other).status_code == 403
    assert security_counts(security_db) == before
    ended = api.delete(f"{WORKERS}/{assigned['id']}", headers=manager)
    assert ended.status_code == 200 and ended.json()["current"] is False


JUNK = (None, 0, -1, 2**40, True, "", " ", "x" * 5000, [], {}, ["a"], {"a": 1}, "2026-13-45",
        "\u0000", "9" * 40)


def test_junk_in_every_field_is_never_a_server_error(api, token, seeded, security_db):
    manager = token("community_worker", COMMUNITY_A1, "cw-manager")
    good = {"kind": "theft", "severity": "general", "grid_code": GRID, "description": "被盗",
            "reporter_kind": "resident", "address": "1号楼", "reporter_ref": "r1",
            "occurred_at": "2026-01-01T10:00:00+08:00", "level": "red"}
    incident = post(api, INCIDENTS, good, manager)
    step = {"action": "dispatch", "assignee": {"kind": "unit", "ref": "a"}, "comment": "c",
            "result": "r", "rating": 3}
    worker = {"worker_id": "gw-x", "name": "X", "phone": "13812345678", "since": "2026-01-01",
              "until": "2026-12-31"}
    cases = [(INCIDENTS, good), (f"{INCIDENTS}/{incident['id']}/transitions", step),
             (WORKERS, worker)]
    for url, body in cases:
        for name in body:
            for value in JUNK:
                response = api.post(url, json={**body, name: value}, headers=manager)
                assert response.status_code < 500, (url, name, value, response.text)
    queries = {INCIDENTS: ("status", "kind", "severity", "level", "code", "overdue", "mine",
                           "cursor", "limit"),
               "/api/v1/incident-indicators": ("area", "from", "to"),
               WORKERS: ("current", "cursor", "limit"),
               "/api/v1/grid-workers/gw-li/work-list": ("cursor", "limit")}
    for url, names in queries.items():
        for name in names:
            for value in ("", "x" * 300, "-1", "99999999999999999999", "2026-02-30", "\u00e9"):
                response = api.get(url, params={name: value}, headers=manager)
                assert response.status_code < 500, (url, name, value, response.text)
    for url in (f"{INCIDENTS}/0", f"{INCIDENTS}/99999999999", f"{INCIDENTS}/x",
                "/api/v1/grid-workers/%20/work-list", f"{WORKERS}/99999999999"):
        assert api.get(url, headers=manager).status_code < 500
    assert api.delete(f"{WORKERS}/99999999999", headers=manager).status_code < 500
    assert api.delete(f"{WORKERS}/1?until=xx", headers=manager).status_code < 500
