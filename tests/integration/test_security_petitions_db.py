"""Petitions on SQLite and PostgreSQL: a petition's whole course with a history row and an
event per step (ids and codes, never a name or a phone), an illegal step refused with nothing
changed, the overdue filter, the statistics and the group-petition count, and another street
seeing none of it."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from services.security import petitions
from services.security.models import OutboxMessage
from services.security.models.petitions import Petition, PetitionStep
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope

COMMUNITY = "350502001001"
GRID = COMMUNITY + "001"
OTHER_COMMUNITY = "350502001002"
TODAY = date(2026, 6, 30)
WORKER = CallerContext("worker", ("community_worker",), COMMUNITY)
GRID_WORKER = CallerContext("gridder", ("grid_worker",), GRID)
STREET_ADMIN = CallerContext("admin-a", ("street_admin",), "350502001")
STREET_B_ADMIN = CallerContext("admin-b", ("street_admin",), "350502002")
SYSTEM_KEY = CallerContext("petition-system", ("integration",), "350502")
AUDITOR = CallerContext("auditor", ("auditor",), "350502")


def as_caller(db, caller, fn, *args, **kwargs):
    with db.transaction("security", caller) as uow:
        return fn(uow, *args, **kwargs)


def events(db, prefix="security.petition_"):
    with db.session_factory() as session:
        return [(m.event_type, m.envelope["data"]) for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.event_type.startswith(prefix))
            .order_by(OutboxMessage.id))]


def count(db, model):
    with db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def register(db, caller=WORKER, place=GRID, level="grid", days_ago=0, **extra):
    payload = {"org_code": place, "channel": "visit", "petitioners": 1, "subject": "小区路灯不亮",
               "petitioner_name": "林某某", "petitioner_phone": "13812345678",
               "registered_on": (TODAY - timedelta(days=days_ago)).isoformat(), **extra}
    return as_caller(db, caller, petitions.register, payload, {"code": place, "level": level},
                     TODAY)


def step(db, petition_id, action, caller=WORKER, today=TODAY, **extra):
    return as_caller(db, caller, petitions.transition, petition_id, {"action": action, **extra},
                     today)


def test_a_petition_registered_accepted_extended_answered_reviewed_and_closed(
        security_service_db):
    db = security_service_db
    shown = register(db, days_ago=100)
    assert (shown["status"], shown["group"], shown["petitioner_phone"]) == (
        "registered", False, "138****5678")
    assert shown["community_code"] == COMMUNITY and shown["org_code"] == GRID
    assert shown["deadlines"]["accept_by"] == "2026-04-06"
    assert shown["allowed_actions"] == ["accept", "decline"]
    pid = shown["id"]
    on = TODAY - timedelta(days=95)
    accepted = step(db, pid, "accept", on=on.isoformat())
    assert accepted["deadlines"]["answer_by"] == (on + timedelta(days=60)).isoformat()
    extended = step(db, pid, "extend", on=(on + timedelta(days=50)).isoformat(),
                    until=(on + timedelta(days=80)).isoformat(), reason="需多部门会商")
    assert extended["deadlines"]["current"] == (on + timedelta(days=80)).isoformat()
    assert extended["allowed_actions"] == ["answer"]
    answered = step(db, pid, "answer", on=(on + timedelta(days=70)).isoformat(),
                    text="已协调供电所维修路灯")
    assert answered["answered_on_time"] is True and answered["deadlines"]["overdue"] is False
    requested = step(db, pid, "request_review", on=(on + timedelta(days=75)).isoformat())
    assert requested["status"] == "review_requested"
    reviewed = step(db, pid, "review", text="复查：维持原办理意见")
    closed = step(db, pid, "close")
    assert (reviewed["status"], closed["status"], closed["allowed_actions"]) == (
        "reviewed", "closed", [])
    assert [(h["step"], h["status_from"], h["status_to"]) for h in closed["history"]] == [
        ("registered", None, "registered"), ("accepted", "registered", "accepted"),
        ("extended", "accepted", "accepted"), ("answered", "accepted", "answered"),
        ("review_requested", "answered", "review_requested"),
        ("reviewed", "review_requested", "reviewed"), ("closed", "reviewed", "closed")]

    emitted = events(db)
    assert [t for t, _ in emitted] == [
        "security.petition_registered", "security.petition_accepted",
        "security.petition_extended", "security.petition_answered",
        "security.petition_review_requested", "security.petition_reviewed",
        "security.petition_closed"]
    for _, data in emitted:
        assert data["petition_id"] == pid and data["org_code"] == GRID
        assert data["group"] is False and data["petitioners"] == 1
        assert "林某某" not in str(data) and "5678" not in str(data)


def test_an_illegal_step_is_409_naming_the_allowed_ones_and_changes_nothing(
        security_service_db):
    db = security_service_db
    pid = register(db)["id"]
    before = (count(db, PetitionStep), len(events(db)))
    with pytest.raises(Conflict) as refused:
        step(db, pid, "answer", text="x")
    assert refused.value.field == "action" and "accept, decline" in str(refused.value)
    with pytest.raises(InvalidInput) as no_reason:
        step(db, pid, "decline")
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput) as future:
        step(db, pid, "accept", on=(TODAY + timedelta(days=1)).isoformat())
    assert future.value.field == "on"
    assert (count(db, PetitionStep), len(events(db))) == before
    step(db, pid, "accept")
    step(db, pid, "extend", until=(TODAY + timedelta(days=70)).isoformat(), reason="复杂")
    with pytest.raises(Conflict) as twice:
        step(db, pid, "extend", until=(TODAY + timedelta(days=75)).isoformat(), reason="再延")
    assert "allowed: answer" in str(twice.value)


def test_registering_refuses_bad_input_and_who_may_not(security_service_db):
    db = security_service_db
    with pytest.raises(InvalidInput) as phone:
        register(db, petitioner_phone="12345")
    assert phone.value.field == "petitioner_phone"
    with pytest.raises(InvalidInput) as blank:
        register(db, subject="   ")
    assert blank.value.field == "subject"
    with pytest.raises(InvalidInput) as street:
        register(db, place="350502001", level="street", caller=STREET_ADMIN)
    assert street.value.field == "org_code"
    with pytest.raises(OutOfScope):
        register(db, place=OTHER_COMMUNITY, level="community")
    with pytest.raises(Forbidden):
        register(db, caller=GRID_WORKER)
    assert count(db, Petition) == 0
    assert register(db, caller=SYSTEM_KEY, petitioners=6)["group"] is True  # integration may


def test_the_overdue_filter_the_stats_and_another_street(security_service_db):
    db = security_service_db
    late_to_accept = register(db, days_ago=20)["id"]
    on_time = register(db, days_ago=10)["id"]
    group = register(db, days_ago=90, petitioners=8, channel="letter")["id"]
    step(db, group, "accept", on=(TODAY - timedelta(days=85)).isoformat())  # answer by -25 days
    answered_late = register(db, days_ago=100, place=COMMUNITY, level="community")["id"]
    step(db, answered_late, "accept", on=(TODAY - timedelta(days=99)).isoformat())
    step(db, answered_late, "answer", text="已办理")  # 99 days after acceptance

    def ids(caller=WORKER, **query):
        page = as_caller(db, caller, petitions.list_petitions, query, TODAY)
        return [p["id"] for p in page["items"]]

    assert ids(overdue="true") == [late_to_accept, group]
    assert ids(overdue="false") == [on_time, answered_late]
    assert ids(group="true") == [group]
    assert ids(channel="letter", status="accepted") == [group]
    assert ids(caller=GRID_WORKER) == [late_to_accept, on_time, group]  # the grid's own
    assert ids(caller=AUDITOR, code=COMMUNITY, limit=1) == [late_to_accept]
    assert ids(caller=STREET_B_ADMIN) == []
    with pytest.raises(OutOfScope):
        ids(caller=STREET_B_ADMIN, code=COMMUNITY)
    with pytest.raises(NotFound):
        as_caller(db, STREET_B_ADMIN, petitions.get_petition, group)
    with pytest.raises(NotFound):
        step(db, group, "answer", caller=STREET_B_ADMIN, text="x")

    stats = as_caller(db, AUDITOR, petitions.stats, {"area": "350502001"}, TODAY)
    assert {k: stats[k] for k in ("registered", "accepted", "answered_on_time", "answered_late",
                                  "overdue_now", "group_petitions", "group_petitions_target",
                                  "on_time_rate")} == {
        "registered": 4, "accepted": 2, "answered_on_time": 0, "answered_late": 1,
        "overdue_now": 2, "group_petitions": 1, "group_petitions_target": 0, "on_time_rate": 0.0}
    with db.transaction("security") as uow:
        assert petitions.group_petition_count(uow, COMMUNITY, TODAY - timedelta(days=90),
                                              TODAY) == 1
        assert petitions.group_petition_count(uow, COMMUNITY, TODAY - timedelta(days=89),
                                              TODAY) == 0
        assert petitions.group_petition_count(uow, "350502002", date(2026, 1, 1), TODAY) == 0
    with pytest.raises(OutOfScope):
        as_caller(db, STREET_B_ADMIN, petitions.stats, {"area": COMMUNITY}, TODAY)


def test_the_demo_petitions_cover_every_status_and_a_second_run_adds_nothing(
        security_service_db):
    from services.security import demo_petitions

    db = security_service_db
    with db.transaction("security") as uow:
        assert demo_petitions.seed(uow, {}, TODAY) == {"petition": 15, "petition_step": 46}
    with db.transaction("security") as uow:
        assert demo_petitions.seed(uow, {}, TODAY) == {}
    page = as_caller(db, AUDITOR, petitions.list_petitions, {"limit": 200}, TODAY)
    assert {p["status"] for p in page["items"]} == {
        "registered", "accepted", "declined", "answered", "review_requested", "reviewed",
        "closed"}
    assert {p["community_code"] for p in page["items"]} == {COMMUNITY, OTHER_COMMUNITY}
    assert sum(p["deadlines"]["overdue"] for p in page["items"]) == 2
    assert sum(p["group"] for p in page["items"]) == 1
    assert all("林" not in str(data) for _, data in events(db))
