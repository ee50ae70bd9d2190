"""Patrols on SQLite and PostgreSQL: a team with members and points, a shift planned, checked in
at its points, completed once — one ``security.volunteer_hours_earned`` per member, a second
completion is a 409 that emits nothing more —, a check-in outside the shift's window is refused
and stores nothing, a finding opens an incident reported by a patrol, and another street sees
none of it."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from services.security import patrols
from services.security.models import OutboxMessage
from services.security.models.patrols import PatrolCheckIn, PatrolShift, PatrolTeamMember
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound

STREET = "350502001"
COMMUNITY = "350502001001"
GRID = COMMUNITY + "001"
MANAGER = CallerContext("worker", ("community_worker",), COMMUNITY)
GRID_WORKER = CallerContext("grid", ("grid_worker",), GRID)
AUDITOR = CallerContext("auditor", ("auditor",), STREET)
STREET_B_ADMIN = CallerContext("admin-b", ("street_admin",), "350502002")
START = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)  # 20:00 in Quanzhou


def volunteer(volunteer_id, community=COMMUNITY, status="active"):
    return {"id": volunteer_id, "name": f"志愿者{volunteer_id}", "community_code": community,
            "status": status}


def as_caller(db, caller, fn, *args, **kwargs):
    with db.transaction("security", caller) as uow:
        return fn(uow, *args, **kwargs)


def events(db, event_type):
    with db.session_factory() as session:
        return [envelope["data"] for envelope in session.scalars(
            select(OutboxMessage.envelope).where(OutboxMessage.event_type == event_type)
            .order_by(OutboxMessage.id))]


def count(db, model):
    with db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def at(hours: float) -> str:
    return (START + timedelta(hours=hours)).isoformat()


@pytest.fixture
def team(security_service_db):
    db = security_service_db
    team = as_caller(db, MANAGER, patrols.create_team, {
        "org_code": COMMUNITY, "name": "西关治安巡逻队", "kind": "security_patrol"})
    for volunteer_id in (11, 12, 13):
        as_caller(db, MANAGER, patrols.add_member, team["id"], {"volunteer_id": volunteer_id},
                  volunteer(volunteer_id))
    points = [as_caller(db, MANAGER, patrols.add_point, team["id"], {
        "name": name, "grid_code": GRID, "address": address}, {"code": GRID, "level": "grid"})
        for name, address in (("西关菜市场", "西街1号"), ("象峰巷口", "象峰巷12号"))]
    return {**team, "points": points}


def plan(db, team, **extra):
    return as_caller(db, MANAGER, patrols.plan_shift, {
        "team_id": team["id"], "starts_at": at(0), "ends_at": at(3), "route": "菜市场—象峰巷",
        "point_ids": [p["id"] for p in team["points"]], **extra})


def test_a_completed_shift_credits_each_member_once(security_service_db, team):
    db = security_service_db
    shift = plan(db, team)
    assert shift["status"] == "planned" and shift["planned_hours"] == 3.0
    assert [m["volunteer_id"] for m in shift["members"]] == [11, 12, 13]
    assert [p["name"] for p in shift["points"]] == ["西关菜市场", "象峰巷口"]
    for point, hours in ((team["points"][0], 0.1), (team["points"][1], 2.6)):
        as_caller(db, GRID_WORKER, patrols.check_in, shift["id"], {
            "point_id": point["id"], "volunteer_id": 11, "at": at(hours), "note": "正常"})
    done = as_caller(db, GRID_WORKER, patrols.complete_shift, shift["id"], {},
                     now=START + timedelta(hours=3))
    assert done["status"] == "completed" and done["hours"] == 2.5  # walked 20:06 – 22:36
    assert [m["hours"] for m in done["members"]] == [2.5, 2.5, 2.5]
    assert len(done["check_ins"]) == 2 and done["check_in_count"] == 2
    credited = events(db, "security.volunteer_hours_earned")
    assert credited == [{"volunteer_id": v, "hours": 2.5, "activity_date": "2026-11-20",
                         "source_type": "patrol", "source_id": str(shift["id"]),
                         "org_code": COMMUNITY, "description": "巡逻：西关治安巡逻队"}
                        for v in (11, 12, 13)]
    with pytest.raises(Conflict) as again:
        as_caller(db, MANAGER, patrols.complete_shift, shift["id"], {},
                  now=START + timedelta(hours=4))
    assert again.value.field == "status"
    assert len(events(db, "security.volunteer_hours_earned")) == 3
    assert len(events(db, "security.patrol_shift_completed")) == 1
    with pytest.raises(Conflict):  # nor more check-ins
        as_caller(db, GRID_WORKER, patrols.check_in, shift["id"], {
            "point_id": team["points"][0]["id"], "at": at(1)})
    assert [e["shift_id"] for e in events(db, "security.patrol_shift_planned")] == [shift["id"]]
    assert len(events(db, "security.patrol_checked_in")) == 2


def test_one_check_in_credits_the_planned_length_and_none_refuses(security_service_db, team):
    db = security_service_db
    shift = plan(db, team, volunteer_ids=[12])
    with pytest.raises(Conflict) as nobody:
        as_caller(db, MANAGER, patrols.complete_shift, shift["id"], {}, now=START + timedelta(hours=3))
    assert nobody.value.field == "check_ins"
    as_caller(db, MANAGER, patrols.check_in, shift["id"], {"point_id": team["points"][0]["id"],
                                                          "at": at(1)})
    with pytest.raises(Conflict) as early:
        as_caller(db, MANAGER, patrols.complete_shift, shift["id"], {}, now=START - timedelta(hours=1))
    assert early.value.field == "status"
    done = as_caller(db, MANAGER, patrols.complete_shift, shift["id"], {},
                     now=START + timedelta(hours=3))
    assert done["hours"] == 3.0
    assert [e["volunteer_id"] for e in events(db, "security.volunteer_hours_earned")] == [12]


def test_a_check_in_outside_the_window_or_the_team_is_refused(security_service_db, team):
    db = security_service_db
    shift = plan(db, team)
    other = as_caller(db, MANAGER, patrols.create_team, {
        "org_code": COMMUNITY, "name": "西关党员志愿巡逻队", "kind": "party_member_patrol"})
    foreign = as_caller(db, MANAGER, patrols.add_point, other["id"], {
        "name": "别处", "grid_code": GRID}, {"code": GRID, "level": "grid"})
    point = team["points"][0]["id"]
    cases = [({"point_id": point, "at": at(-0.6)}, "at"),
             ({"point_id": point, "at": at(3.6)}, "at"),
             ({"point_id": foreign["id"], "at": at(1)}, "point_id"),
             ({"point_id": point, "volunteer_id": 99, "at": at(1)}, "volunteer_id"),
             ({"point_id": point, "at": "yesterday"}, "at")]
    for body, field in cases:
        with pytest.raises(InvalidInput) as refused:
            as_caller(db, GRID_WORKER, patrols.check_in, shift["id"], body)
        assert refused.value.field == field, body
    assert count(db, PatrolCheckIn) == 0
    assert events(db, "security.patrol_checked_in") == []
    fine = as_caller(db, GRID_WORKER, patrols.check_in, shift["id"], {"point_id": point,
                                                                      "at": at(-0.5)})
    assert fine["point_name"] == "西关菜市场"


def test_planning_and_team_rules(security_service_db, team):
    db = security_service_db
    for body, field in (({"ends_at": at(13)}, "ends_at"), ({"ends_at": at(-1)}, "ends_at"),
                        ({"volunteer_ids": [99]}, "volunteer_ids.0"),
                        ({"point_ids": [team["points"][0]["id"]] * 2}, "point_ids.1")):
        with pytest.raises(InvalidInput) as refused:
            plan(db, team, **body)
        assert refused.value.field == field
    with pytest.raises(Forbidden):
        as_caller(db, GRID_WORKER, patrols.plan_shift, {"team_id": team["id"],
                                                        "starts_at": at(0), "ends_at": at(1)})
    with pytest.raises(Conflict):
        as_caller(db, MANAGER, patrols.add_member, team["id"], {"volunteer_id": 11},
                  volunteer(11))
    with pytest.raises(InvalidInput) as elsewhere:
        as_caller(db, MANAGER, patrols.add_member, team["id"], {"volunteer_id": 21},
                  volunteer(21, "350502001002"))
    assert elsewhere.value.field == "volunteer_id"
    with pytest.raises(InvalidInput) as outside:
        as_caller(db, MANAGER, patrols.check_point_create, team["id"],
                  {"name": "x", "grid_code": "350502001002001"})
    assert outside.value.field == "grid_code"
    removed = as_caller(db, MANAGER, patrols.remove_member, team["id"], 13)
    assert removed["volunteer_id"] == 13 and count(db, PatrolTeamMember) == 2
    assert [m["volunteer_id"] for m in plan(db, team)["members"]] == [11, 12]
    members = as_caller(db, AUDITOR, patrols.list_members, team["id"], {"limit": 1})
    assert len(members["items"]) == 1 and members["next_cursor"]


def test_a_finding_opens_an_incident(security_service_db, team):
    pytest.importorskip("services.security.incidents")
    db = security_service_db
    shift = plan(db, team)
    found = as_caller(db, GRID_WORKER, patrols.report_finding, shift["id"], {
        "kind": "fire_hazard", "severity": "general", "description": "楼道堆放杂物",
        "point_id": team["points"][1]["id"]})
    assert found["incident_id"] and found["grid_code"] == GRID
    reported = events(db, "security.incident_reported")
    assert len(reported) == 1
    assert events(db, "security.patrol_finding_reported")[0]["incident_id"] == found["incident_id"]
    with pytest.raises(InvalidInput) as nowhere:
        as_caller(db, GRID_WORKER, patrols.report_finding, shift["id"], {
            "kind": "theft", "severity": "minor", "description": "x"})
    assert nowhere.value.field == "point_id"
    shown = as_caller(db, AUDITOR, patrols.get_shift, shift["id"])
    assert shown["finding_count"] == 1 and shown["findings"][0]["kind"] == "fire_hazard"


def test_another_street_sees_none_of_it(security_service_db, team):
    db = security_service_db
    shift = plan(db, team)
    for fn, args in ((patrols.get_team, (team["id"],)), (patrols.get_shift, (shift["id"],)),
                     (patrols.list_members, (team["id"], {}))):
        with pytest.raises(NotFound):
            as_caller(db, STREET_B_ADMIN, fn, *args)
    with pytest.raises(NotFound):
        as_caller(db, STREET_B_ADMIN, patrols.check_in, shift["id"], {
            "point_id": team["points"][0]["id"], "at": at(1)})
    assert as_caller(db, STREET_B_ADMIN, patrols.list_teams, {})["items"] == []
    assert as_caller(db, STREET_B_ADMIN, patrols.list_shifts, {})["items"] == []
    assert [t["id"] for t in as_caller(db, AUDITOR, patrols.list_teams, {})["items"]] == [
        team["id"]]
    # a grid worker of the community reads the community's team and shift
    assert as_caller(db, GRID_WORKER, patrols.list_shifts, {})["items"][0]["id"] == shift["id"]
    with db.session_factory() as session:
        assert session.get(PatrolShift, shift["id"]).status == "planned"


def test_the_demo_seeds_once(security_service_db):
    from datetime import date

    from services.security import demo_patrols

    db = security_service_db
    directory = {code: {"volunteers": [{"id": base + n, "resident_id": base + n,
                                        "name": f"志愿者{n}"} for n in range(8)]}
                 for code, base in (("350502001001", 100), ("350502001002", 200))}
    with db.transaction("security") as uow:
        created = demo_patrols.seed(uow, directory, date(2026, 11, 30))
    assert created == {"patrol_team": 2, "patrol_member": 10, "patrol_point": 6,
                       "patrol_shift": 14, "patrol_check_in": 36, "patrol_finding": 2,
                       "patrol_shift_completed": 12}
    credited = events(db, "security.volunteer_hours_earned")
    assert len(credited) == 6 * 4 + 6 * 6 and {e["hours"] for e in credited} == {2.5}
    assert len({(e["source_id"], e["volunteer_id"]) for e in credited}) == len(credited)
    assert [e["incident_id"] is not None for e in
            events(db, "security.patrol_finding_reported")] == [True, True]
    with db.transaction("security") as uow:
        assert demo_patrols.seed(uow, directory, date(2026, 11, 30)) == {}
    with db.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(PatrolShift).where(
            PatrolShift.status == "planned")) == 2
