"""Bad input to every grid-worker, incident, mediation and petition route, driven by the gateway's
OpenAPI document with the battery of tests/e2e/test_learning_bad_input.py (wrong ids in the
path, bodies that are not objects, fields of the wrong type or out of range, unstorable text,
impossible dates, forged cursors): the answer is always a 4xx application/problem+json, never a
5xx."""
import pytest

from tests.e2e import test_learning_bad_input as battery
from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, DISTRICT, assert_problem
from tests.e2e.test_security_incidents_api import GRID, INCIDENTS, WORKERS, post
from tests.e2e.test_security_mediation_api import CASES, new_case
from tests.e2e.test_security_petitions_api import PETITION, PETITIONS

pytestmark = pytest.mark.broker

WORKER = "gw-li"


@pytest.fixture
def admin(auth):
    return auth("district_admin", DISTRICT)


@pytest.fixture
def security_areas(monkeypatch):
    """The security areas in the battery. Their paths carry a grid code (the gateway checks it
    as a territory: a valid one lets the request through to the service), an assignment id (sent
    as the battery's ``{id}``) and a worker's principal (sent as its ``{number}``: free text)."""
    monkeypatch.setitem(battery.AREAS, "grids and incidents",
                        ("grids", "grid-workers", "incidents", "incident-indicators"))
    monkeypatch.setitem(battery.AREAS, "mediation", ("mediation-cases",))
    monkeypatch.setitem(battery.AREAS, "petitions", ("petitions", "petition-stats"))
    monkeypatch.setattr(battery, "LAST", (*battery.LAST, "outcome"))
    documented = battery.learning_operations

    def operations(api, area):
        found = []
        for method, path, operation, components in documented(api, area):
            if path.startswith("/api/v1/grids/") and "/workers" not in path:
                continue  # membership's grids: not this battery's
            path = (path.replace("{code}", GRID).replace("{assignment_id}", "{id}")
                    .replace("{worker_id}", "{number}"))
            found.append((method, path, operation, components))
        return sorted(found, key=lambda op: op[0] == "DELETE")  # unassigning ends something

    monkeypatch.setattr(battery, "learning_operations", operations)


def test_grid_workers_and_incidents_refuse_bad_input(api, admin, seeded, security_areas):
    assignment = post(api, WORKERS, {"worker_id": WORKER, "name": "李网格", "phone": "13812345678",
                                     "since": "2026-01-01"}, admin)
    incident = post(api, INCIDENTS, {"kind": "theft", "severity": "general", "grid_code": GRID,
                                     "description": "电动车被盗", "reporter_kind": "resident"},
                    admin)
    post(api, f"{INCIDENTS}/{incident['id']}/transitions", {"action": "file"}, admin, 200)
    rows = {"certificate_number": WORKER,
            "ids": {"unassign_grid_worker": assignment["id"], "incidents": incident["id"]}}
    bases = {
        "assign_grid_worker": {"worker_id": "gw-wang", "name": "王网格", "phone": "13912345678",
                               "since": "2026-01-01", "until": "2026-12-31"},
        "report_incident": {"kind": "theft", "severity": "general", "level": "yellow",
                            "grid_code": GRID, "address": "西关社区3号楼", "description": "被盗",
                            "reporter_kind": "resident", "reporter_ref": "r1",
                            "occurred_at": "2026-01-01T10:00:00+08:00"},
        "step_incident": {"action": "dispatch", "assignee": {"kind": "unit", "ref": "江南派出所"},
                          "comment": "派单"},
    }
    battery.send_battery(api, admin, "grids and incidents", rows, bases)
    # a principal in the path meets no schema: text no database stores is still refused by name
    assert_problem(api.get("/api/v1/grid-workers/gw%00li/work-list", headers=admin), 422,
                   field="worker_id")


def test_mediation_refuses_bad_input(api, admin, seeded, security_areas):
    case = post(api, CASES, new_case(), admin)
    rows = {"certificate_number": "x", "ids": {"mediation-cases": case["id"]}}
    bases = {
        "create_mediation_case": new_case(community_code=None, grid_code=GRID,
                                          opened_on="2026-01-05"),
        "record_mediation_session": {"held_on": battery.TODAY, "notes": "双方到场",
                                     "attendees": ["李大哥", "李二弟"]},
        "record_mediation_outcome": {"outcome": "agreement", "agreement_text": "平分家产",
                                     "closed_on": battery.TODAY},
    }
    assert case["community_code"] == COMMUNITY_A2
    battery.send_battery(api, admin, "mediation", rows, bases)


def test_petitions_refuse_bad_input(api, admin, seeded, security_areas):
    petition = post(api, PETITIONS, PETITION, admin, 201)
    rows = {"certificate_number": "x", "ids": {"petitions": petition["id"]}}
    bases = {
        "register_petition": {**PETITION, "org_code": COMMUNITY_A1, "registered_on": "2026-01-05"},
        "petition_transition": {"action": "accept", "reason": "属本级受理", "text": "意见",
                                "on": battery.TODAY},
    }
    battery.send_battery(api, admin, "petitions", rows, bases)
