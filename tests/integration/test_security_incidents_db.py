"""Incidents and grid workers on SQLite and PostgreSQL: the closed loop with a transition row
and an outbox event per step, escalation of a major incident at once and of a serious one when
overdue (once), self-verification refused, the dispute window, the work list, the zero-target
counts, and another street sees none of it."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from services.security import grids, incidents
from services.security.models import OutboxMessage
from services.security.models.incidents import Incident, IncidentTransition
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope

COMMUNITY = "350502001001"
GRID = COMMUNITY + "001"
GRID_NODE = {"code": GRID, "level": "grid", "name": "西关一网格"}
REPORTER = CallerContext("gw-li", ("grid_worker",), GRID)
HANDLER = CallerContext("unit-police", ("community_worker",), COMMUNITY)
MANAGER = CallerContext("manager-wang", ("community_worker",), COMMUNITY)
STREET_B = CallerContext("admin-b", ("street_admin",), "350502002")
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def as_caller(db, caller, fn, *args, **kwargs):
    with db.transaction("security", caller) as uow:
        return fn(uow, *args, **kwargs)


def events(db, event_type=None):
    with db.session_factory() as session:
        query = select(OutboxMessage.envelope).order_by(OutboxMessage.id)
        if event_type:
            query = query.where(OutboxMessage.event_type == event_type)
        return list(session.scalars(query))


def count(db, model):
    with db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def report(db, caller=REPORTER, **extra):
    payload = {"kind": "theft", "severity": "general", "grid_code": GRID,
               "description": "电动车被盗", "reporter_kind": "grid_worker", **extra}
    return as_caller(db, caller, incidents.report_incident, payload, GRID_NODE)


def step(db, caller, incident_id, action, **extra):
    return as_caller(db, caller, incidents.take_step, incident_id, {"action": action, **extra})


def run_to_fed_back(db, incident_id):
    step(db, MANAGER, incident_id, "file")
    step(db, MANAGER, incident_id, "dispatch", assignee={"kind": "unit", "ref": "西关派出所"})
    step(db, HANDLER, incident_id, "start")
    step(db, HANDLER, incident_id, "handled", result="追回车辆")
    return step(db, HANDLER, incident_id, "feedback")


def test_the_closed_loop_records_each_step_and_emits_its_event(security_service_db):
    db = security_service_db
    incident = report(db)
    assert incident["status"] == "reported" and incident["level"] == "yellow"
    assert incident["allowed_actions"] == ["file", "dismiss"]
    run_to_fed_back(db, incident["id"])
    step(db, MANAGER, incident["id"], "verify")
    step(db, MANAGER, incident["id"], "close")
    done = step(db, MANAGER, incident["id"], "evaluate", rating=5)
    assert done["status"] == "closed" and done["rating"] == 5 and done["verified_by"] == "manager-wang"
    assert [t["action"] for t in done["history"]] == [
        "report", "file", "dispatch", "start", "handled", "feedback", "verify", "close", "evaluate"]
    assert done["history"][0]["from_status"] is None
    assert done["assignee"] == {"kind": "unit", "ref": "西关派出所"}
    types = [e["type"] for e in events(db)]
    assert types == ["security.incident_" + name for name in (
        "reported", "filed", "dispatched", "started", "handled", "fed_back", "verified",
        "closed", "evaluated")]
    assert all("description" not in e["data"] for e in events(db))
    with pytest.raises(Conflict, match="already evaluated"):
        step(db, MANAGER, incident["id"], "evaluate", rating=3)


def test_an_illegal_step_is_refused_naming_the_allowed_and_changes_nothing(security_service_db):
    db = security_service_db
    incident = report(db)
    with pytest.raises(Conflict, match="allowed from reported: file, dismiss") as raised:
        step(db, MANAGER, incident["id"], "close")
    assert raised.value.field == "action"
    with pytest.raises(InvalidInput):
        step(db, MANAGER, incident["id"], "dispatch")  # no assignee
    assert count(db, IncidentTransition) == 1 and len(events(db)) == 1


def test_self_verification_is_refused(security_service_db):
    db = security_service_db
    incident = report(db)
    run_to_fed_back(db, incident["id"])
    handler_as_manager = CallerContext("unit-police", ("community_worker",), COMMUNITY)
    with pytest.raises(Conflict, match="may not verify their own") as raised:
        step(db, handler_as_manager, incident["id"], "verify")
    assert raised.value.field == "action"
    back = step(db, MANAGER, incident["id"], "reject_verification", comment="现场仍有隐患")
    assert back["status"] == "in_progress"


def test_verification_needs_a_manager(security_service_db):
    db = security_service_db
    incident = report(db)
    run_to_fed_back(db, incident["id"])
    with pytest.raises(Forbidden):
        step(db, CallerContext("gw-zhang", ("grid_worker",), GRID), incident["id"], "verify")


def test_a_major_incident_goes_to_the_street_at_once(security_service_db):
    db = security_service_db
    incident = report(db, kind="mass_incident", severity="major")
    assert incident["level"] == "red" and incident["escalated_to"] == "street"
    assert [t["action"] for t in incident["history"]] == ["report", "escalated"]
    [escalated] = events(db, "security.incident_escalated")
    assert escalated["data"]["escalated_to"] == "street"
    assert escalated["data"]["street_code"] == "350502001"
    assert escalated["data"]["reason"] == "major"


def test_a_serious_incident_escalates_once_when_overdue_unhandled(security_service_db):
    db = security_service_db
    serious = report(db, severity="serious")
    general = report(db, severity="general")
    due = datetime.fromisoformat(serious["due_at"])
    assert due - datetime.fromisoformat(serious["reported_at"]) == timedelta(hours=2)
    assert as_caller(db, CallerContext.system(), incidents.escalate_overdue, due) == 0
    later = due + timedelta(minutes=5)
    assert as_caller(db, CallerContext.system(), incidents.escalate_overdue, later) == 1
    assert as_caller(db, CallerContext.system(), incidents.escalate_overdue, later) == 0
    shown = as_caller(db, MANAGER, incidents.get_incident, serious["id"])
    assert shown["escalated_to"] == "street"
    [escalated] = events(db, "security.incident_escalated")
    assert escalated["data"]["incident_id"] == serious["id"]
    assert escalated["data"]["reason"] == "overdue"
    assert as_caller(db, MANAGER, incidents.get_incident, general["id"])["escalated_to"] is None


def test_the_reporter_disputes_a_closure_within_seven_days(security_service_db):
    db = security_service_db
    incident = report(db)
    run_to_fed_back(db, incident["id"])
    step(db, MANAGER, incident["id"], "verify")
    closed = step(db, MANAGER, incident["id"], "close")
    with pytest.raises(Forbidden):
        step(db, CallerContext("gw-other", ("grid_worker",), GRID), incident["id"], "dispute",
             comment="没有处理")
    disputed = step(db, REPORTER, incident["id"], "dispute", comment="车没有追回")
    assert disputed["status"] == "in_progress" and disputed["disputed"] is True
    assert len(events(db, "security.incident_disputed")) == 1
    step(db, HANDLER, incident["id"], "handled", result="再次处置")
    step(db, HANDLER, incident["id"], "feedback")
    step(db, MANAGER, incident["id"], "verify")
    step(db, MANAGER, incident["id"], "close")
    late = datetime.fromisoformat(closed["closed_at"]) + timedelta(days=30)
    with pytest.raises(Conflict, match="within 7 days"):
        as_caller(db, REPORTER, incidents.take_step, incident["id"],
                  {"action": "dispute", "comment": "again"}, at=late)


def test_grid_workers_and_their_work_list(security_service_db):
    db = security_service_db
    assigned = as_caller(db, MANAGER, grids.assign, GRID, {
        "worker_id": "gw-li", "name": "李网格", "phone": "13812345678", "since": "2026-01-01"},
        GRID_NODE)
    assert assigned["phone"] == "138****5678" and assigned["current"] is True
    with pytest.raises(Conflict):
        as_caller(db, MANAGER, grids.assign, GRID, {
            "worker_id": "gw-li", "name": "李网格", "since": "2026-02-01"}, GRID_NODE)
    with pytest.raises(InvalidInput, match="phone"):
        as_caller(db, MANAGER, grids.assign, GRID, {
            "worker_id": "gw-x", "name": "X", "phone": "12", "since": "2026-02-01"}, GRID_NODE)
    with pytest.raises(InvalidInput, match="grid_code"):
        as_caller(db, MANAGER, grids.assign, COMMUNITY + "009", {
            "worker_id": "gw-x", "name": "X", "since": "2026-02-01"},
            {"code": COMMUNITY, "level": "community"})
    open_one = report(db)
    closed_one = report(db)
    step(db, MANAGER, closed_one["id"], "dismiss", comment="不属实")
    mine = as_caller(db, REPORTER, incidents.list_incidents, {"mine": "true"})
    assert [i["id"] for i in mine["items"]] == [open_one["id"]]
    listed = as_caller(db, MANAGER, incidents.work_list, "gw-li", {})
    assert [i["id"] for i in listed["items"]] == [open_one["id"]]
    with pytest.raises(NotFound):
        as_caller(db, STREET_B, incidents.work_list, "gw-li", {})
    ended = as_caller(db, MANAGER, grids.unassign, GRID, assigned["id"], {})
    assert ended["current"] is False
    assert as_caller(db, REPORTER, incidents.list_incidents, {"mine": "true"})["items"] == []
    assert [e["type"] for e in events(db) if "grid_worker" in e["type"]] == [
        "security.grid_worker_assigned", "security.grid_worker_unassigned"]
    assert all("name" not in e["data"] and "phone" not in e["data"] for e in events(db))


def test_zero_target_counts_per_community(security_service_db):
    db = security_service_db
    report(db, kind="mass_incident", severity="major")
    report(db, kind="group_petition", severity="serious")
    report(db, kind="theft")
    today = date.today()
    result = as_caller(db, MANAGER, incidents.indicators,
                       {"area": COMMUNITY, "from": str(today - timedelta(days=1)),
                        "to": str(today + timedelta(days=1))}, [COMMUNITY, "350502001002"])
    assert result["mass_incidents"] == 1 and result["group_petitions"] == 1
    assert result["met"] is False and result["target"] == 0
    assert result["communities"] == [
        {"community_code": COMMUNITY, "mass_incidents": 1, "group_petitions": 1, "target": 0,
         "met": False}]
    street = as_caller(db, CallerContext("admin-a", ("street_admin",), "350502001"),
                       incidents.indicators, {"area": "350502001", "from": str(today),
                                              "to": str(today)}, [COMMUNITY, "350502001002"])
    assert [c["met"] for c in street["communities"]] == [False, True]
    with pytest.raises(OutOfScope):
        as_caller(db, STREET_B, incidents.indicators,
                  {"area": "350502001", "from": str(today), "to": str(today)}, [])


def test_another_street_sees_nothing(security_service_db):
    db = security_service_db
    incident = report(db)
    assert as_caller(db, STREET_B, incidents.list_incidents, {})["items"] == []
    with pytest.raises(NotFound):
        as_caller(db, STREET_B, incidents.get_incident, incident["id"])
    with pytest.raises(NotFound):
        step(db, STREET_B, incident["id"], "file")
    with pytest.raises(OutOfScope):
        report(db, caller=STREET_B)
    with db.session_factory() as session:
        assert session.get(Incident, incident["id"]).status == "reported"


def test_the_overdue_filter(security_service_db):
    db = security_service_db
    with db.transaction("security", REPORTER) as uow:
        old = incidents.open_incident(uow, {
            "kind": "flood", "severity": "general", "grid_code": GRID, "description": "水浸",
            "reporter_kind": "patrol"}, source_type="patrol_finding", source_id=12,
            at=T0)
    fresh = report(db)
    overdue = as_caller(db, MANAGER, incidents.list_incidents, {"overdue": "true"})
    assert [i["id"] for i in overdue["items"]] == [old["id"]]
    assert overdue["items"][0]["overdue"] is True
    assert overdue["items"][0]["source_type"] == "patrol_finding"
    assert overdue["items"][0]["source_id"] == "12"
    on_time = as_caller(db, MANAGER, incidents.list_incidents, {"overdue": "false"})
    assert [i["id"] for i in on_time["items"]] == [fresh["id"]]
    [reported] = [e for e in events(db, "security.incident_reported")
                  if e["data"]["incident_id"] == old["id"]]
    assert reported["data"]["source_type"] == "patrol_finding"


def test_open_incident_checks_what_another_area_passes(security_service_db):
    db = security_service_db
    with pytest.raises(InvalidInput, match="severity"):
        with db.transaction("security", REPORTER) as uow:
            incidents.open_incident(uow, {"kind": "theft", "severity": "awful", "grid_code": GRID,
                                          "description": "x", "reporter_kind": "patrol"})
    assert count(db, Incident) == 0


def test_the_demo_covers_every_status_once(security_service_db):
    from collections import Counter

    from services.security import demo_incidents

    db = security_service_db
    made = as_caller(db, CallerContext.system(), demo_incidents.seed, {}, date.today())
    assert made["grid_workers"] == 6 and made["incidents"] == 40
    assert as_caller(db, CallerContext.system(), demo_incidents.seed, {}, date.today()) == {}
    with db.session_factory() as session:
        rows = list(session.scalars(select(Incident)))
    statuses = Counter(row.status for row in rows)
    assert set(statuses) == {"reported", "filed", "dispatched", "in_progress", "handled",
                             "fed_back", "verified", "closed", "dismissed"}
    assert any(r.severity == "major" and r.escalated_to == "street" for r in rows)
    assert sum(r.disputed for r in rows) == 1
    assert {r.grid_code[:12] for r in rows} == {"350502001001", "350502001002"}
    xiguan = CallerContext("cw", ("community_worker",), "350502001001")
    assert as_caller(db, xiguan, incidents.list_incidents, {"overdue": "true"})["items"]


def test_registered_group_petitions_count_against_the_zero_target(security_service_db):
    from tests.integration.test_security_petitions_db import register

    db = security_service_db
    register(db, petitioners=8)  # 集体访: five or more people, registered on 2026-06-30
    register(db, petitioners=2)
    result = as_caller(db, MANAGER, incidents.indicators,
                       {"area": COMMUNITY, "from": "2026-06-01", "to": "2026-07-31"}, [COMMUNITY])
    assert result["group_petitions"] == 1 and result["mass_incidents"] == 0
    assert result["met"] is False
