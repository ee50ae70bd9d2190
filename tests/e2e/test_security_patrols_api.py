"""Patrols through the real gateway: a team of membership volunteers with points, a shift
planned, walked and completed credits each member's hours in membership through the broker
(once, however often it is completed); a finding opens an incident reported by a patrol; bad
input is a problem naming the field and changes nothing; another street sees none of it."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, STREET_B, assert_problem
from tests.e2e.test_volunteers_api import add_resident, walk
from tests.support import wait_for

pytestmark = pytest.mark.broker

TEAMS, SHIFTS = "/api/v1/patrol-teams", "/api/v1/patrol-shifts"
GRID_A1 = f"{COMMUNITY_A1}001"
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def at(hours: float) -> str:
    return (NOW + timedelta(hours=hours)).isoformat()


def post(api, url, body, headers, status=201):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def patrol_counts(security_db) -> dict:
    from services.security.models import OutboxMessage
    from services.security.models.patrols import (
        PatrolCheckIn,
        PatrolFinding,
        PatrolPoint,
        PatrolShift,
        PatrolTeam,
        PatrolTeamMember,
    )
    with security_db.session_factory() as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in (PatrolTeam, PatrolTeamMember, PatrolPoint, PatrolShift,
                                PatrolCheckIn, PatrolFinding, OutboxMessage)}
        counts["shifts"] = sorted(tuple(row) for row in session.execute(
            select(PatrolShift.id, PatrolShift.status, PatrolShift.hours)))
    return counts


@pytest.fixture
def patrol(api, auth, seeded):
    """A security patrol team of COMMUNITY_A1 with a volunteer and two points, and a shift that
    began two hours ago, made through the API."""
    manager = auth("community_worker", COMMUNITY_A1)
    resident = add_resident(seeded, GRID_A1, name="王巡逻")
    volunteer = post(api, "/api/v1/volunteers", {"resident_id": resident, "skills": ["巡逻"]},
                     manager)
    team = post(api, TEAMS, {"org_code": COMMUNITY_A1, "name": "西关治安巡逻队",
                             "kind": "security_patrol"}, manager)
    member = post(api, f"{TEAMS}/{team['id']}/members", {"volunteer_id": volunteer["id"]},
                  manager)
    points = [post(api, f"{TEAMS}/{team['id']}/points",
                   {"name": name, "grid_code": GRID_A1, "address": address}, manager)
              for name, address in (("西关菜市场", "西街1号"), ("象峰巷口", "象峰巷12号"))]
    shift = post(api, SHIFTS, {"team_id": team["id"], "starts_at": at(-2), "ends_at": at(1),
                               "route": "菜市场—象峰巷", "point_ids": [p["id"] for p in points]},
                 manager)
    return {"manager": manager, "volunteer": volunteer, "team": team, "member": member,
            "points": points, "shift": shift}


def test_a_completed_shift_credits_the_volunteers_hours(api, auth, patrol, security_db):
    manager, shift, points = patrol["manager"], patrol["shift"], patrol["points"]
    volunteer = patrol["volunteer"]
    assert patrol["member"] == {**patrol["member"], "volunteer_id": volunteer["id"],
                                "name": "王巡逻", "community_code": COMMUNITY_A1}
    assert shift == {**shift, "status": "planned", "planned_hours": 3.0, "hours": None,
                     "members": [{"volunteer_id": volunteer["id"], "name": "王巡逻",
                                  "hours": None}]}
    grid_worker = auth("grid_worker", GRID_A1)
    post(api, f"{SHIFTS}/{shift['id']}/check-ins", {"point_id": points[0]["id"],
                                                     "volunteer_id": volunteer["id"],
                                                     "at": at(-1.9)}, grid_worker)
    post(api, f"{SHIFTS}/{shift['id']}/check-ins", {"point_id": points[1]["id"], "at": at(0),
                                                     "note": "一切正常"}, grid_worker)
    done = post(api, f"{SHIFTS}/{shift['id']}/completion", {}, grid_worker, status=200)
    assert done["status"] == "completed" and done["hours"] == 1.9
    again = api.post(f"{SHIFTS}/{shift['id']}/completion", headers=manager)
    assert_problem(again, 409, field="status")
    hours = f"/api/v1/volunteers/{volunteer['id']}/hours"
    reader = auth("auditor", STREET_A)
    page = wait_for(lambda: (lambda p: p if p.get("items") else None)(
        api.get(hours, headers=reader).json()))
    assert page["balance_hours"] == 1.9
    assert [line["hours"] for line in page["items"]] == [1.9]
    shown = api.get(f"{SHIFTS}/{shift['id']}", headers=reader).json()
    assert [c["point_name"] for c in shown["check_ins"]] == ["西关菜市场", "象峰巷口"]
    listed = walk(api, SHIFTS, reader, status="completed", limit=1)
    assert [s["id"] for s in listed] == [shift["id"]]
    from services.security.models import OutboxMessage
    with security_db.session_factory() as session:
        kinds = list(session.scalars(select(OutboxMessage.event_type)))
    assert kinds.count("security.volunteer_hours_earned") == 1
    assert kinds.count("security.patrol_shift_completed") == 1
    assert kinds.count("security.patrol_checked_in") == 2


def test_a_finding_opens_an_incident(api, auth, patrol):
    shift, point = patrol["shift"], patrol["points"][1]
    now = post(api, f"{SHIFTS}/{shift['id']}/check-ins", {"point_id": point["id"]},
               auth("security_officer", STREET_A))  # at: default now
    assert abs(datetime.fromisoformat(now["at"]) - datetime.now(timezone.utc)) < timedelta(hours=1)
    found = post(api, f"{SHIFTS}/{shift['id']}/findings", {
        "kind": "fire_hazard", "severity": "general", "description": "楼道堆放杂物，堵塞通道",
        "point_id": point["id"]}, auth("grid_worker", GRID_A1))
    assert found["incident_id"] and found["grid_code"] == GRID_A1
    incident = api.get(f"/api/v1/incidents/{found['incident_id']}",
                       headers=auth("auditor", STREET_A))
    assert incident.status_code == 200, incident.text
    assert incident.json()["reporter_kind"] == "patrol"
    assert incident.json()["kind"] == "fire_hazard"


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(api, auth, patrol,
                                                                    security_db):
    manager, team, shift = patrol["manager"], patrol["team"], patrol["shift"]
    point = patrol["points"][0]
    before = patrol_counts(security_db)
    shifts_body = {"team_id": team["id"], "starts_at": at(0), "ends_at": at(2)}
    cases = [
        ("POST", TEAMS, {"org_code": COMMUNITY_A1, "name": "x", "kind": "army"}, 422, "kind"),
        ("POST", TEAMS, {"org_code": "350502", "name": "x", "kind": "security_patrol"}, 422,
         "org_code"),
        ("POST", TEAMS, {"org_code": COMMUNITY_A2, "name": "x", "kind": "security_patrol"}, 403,
         "org_code"),
        ("POST", TEAMS, {"org_code": COMMUNITY_A1, "name": "西关治安巡逻队",
                         "kind": "security_patrol"}, 409, "name"),
        ("POST", f"{TEAMS}/{team['id']}/members", {"volunteer_id": 999999}, 404, "volunteer_id"),
        ("POST", f"{TEAMS}/{team['id']}/members",
         {"volunteer_id": patrol["volunteer"]["id"]}, 409, "volunteer_id"),
        ("POST", f"{TEAMS}/{team['id']}/points", {"name": "x", "grid_code": GRID_A1[:-1] + "9"},
         422, "grid_code"),
        ("POST", f"{TEAMS}/{team['id']}/points", {"name": "x", "grid_code": "350502001002001"},
         422, "grid_code"),
        ("POST", SHIFTS, {**shifts_body, "ends_at": at(13)}, 422, "ends_at"),
        ("POST", SHIFTS, {**shifts_body, "ends_at": at(-1)}, 422, "ends_at"),
        ("POST", SHIFTS, {**shifts_body, "starts_at": "tomorrow"}, 422, "starts_at"),
        ("POST", SHIFTS, {**shifts_body, "volunteer_ids": [999]}, 422, "volunteer_ids.0"),
        ("POST", SHIFTS, {**shifts_body, "team_id": 999999}, 404, "team_id"),
        ("POST", f"{SHIFTS}/{shift['id']}/check-ins", {"point_id": point["id"], "at": at(-3)},
         422, "at"),
        ("POST", f"{SHIFTS}/{shift['id']}/check-ins", {"point_id": 999999}, 422, "point_id"),
        ("POST", f"{SHIFTS}/{shift['id']}/check-ins", {"point_id": "one"}, 422, "point_id"),
        ("POST", f"{SHIFTS}/{shift['id']}/findings", {"kind": "theft", "severity": "minor",
                                                      "description": "x"}, 422, "point_id"),
        ("POST", f"{SHIFTS}/{shift['id']}/findings", {"kind": "ufo", "severity": "minor",
                                                      "description": "x",
                                                      "point_id": point["id"]}, 422, "kind"),
        ("POST", f"{SHIFTS}/{shift['id']}/completion", {}, 409, "check_ins"),
        ("DELETE", f"{TEAMS}/{team['id']}/members/999999", None, 404, "volunteer_id"),
        ("GET", SHIFTS + "?cursor=bogus", None, 422, "cursor"),
    ]
    for method, url, body, status, field in cases:
        response = api.request(method, url, json=body, headers=manager)
        assert_problem(response, status, field=field)
    assert patrol_counts(security_db) == before
    refused = api.post(f"{SHIFTS}/{shift['id']}/check-ins", json={"point_id": point["id"]},
                       headers=auth("auditor", STREET_A))
    assert_problem(refused, 403)
    planned = api.post(SHIFTS, json=shifts_body, headers=auth("grid_worker", GRID_A1))
    assert_problem(planned, 403)
    assert patrol_counts(security_db) == before


def test_another_street_sees_none_of_it(api, auth, patrol, security_db):
    team, shift = patrol["team"], patrol["shift"]
    other = auth("street_admin", STREET_B)
    for url in (f"{TEAMS}/{team['id']}", f"{TEAMS}/{team['id']}/members",
                f"{TEAMS}/{team['id']}/points", f"{SHIFTS}/{shift['id']}"):
        assert_problem(api.get(url, headers=other), 404, field="id")
    before = patrol_counts(security_db)
    for url, body in ((f"{SHIFTS}/{shift['id']}/check-ins", {"point_id": patrol["points"][0]["id"]}),
                      (f"{SHIFTS}/{shift['id']}/completion", {}),
                      (f"{TEAMS}/{team['id']}/members", {"volunteer_id": patrol["volunteer"]["id"]})):
        assert_problem(api.post(url, json=body, headers=other), 404, field="id")
    assert_problem(api.delete(f"{TEAMS}/{team['id']}/members/{patrol['volunteer']['id']}",
                              headers=other), 404, field="id")
    assert walk(api, TEAMS, other) == [] and walk(api, SHIFTS, other) == []
    assert_problem(api.get(TEAMS, params={"code": STREET_A}, headers=other), 403, field="code")
    assert patrol_counts(security_db) == before
    # the street and the community's grid worker read it
    assert [t["id"] for t in walk(api, TEAMS, auth("auditor", STREET_A))] == [team["id"]]
    assert [s["id"] for s in walk(api, SHIFTS, auth("grid_worker", GRID_A1))] == [shift["id"]]
