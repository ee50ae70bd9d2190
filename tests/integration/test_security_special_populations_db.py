"""Special populations on SQLite and PostgreSQL: a supervision file opened for a resident in
scope (one open file each), visits and re-screenings moving the due dates (a screening changes
the cadence), overdue filters, closure, the per-community summary; every other role refused
before anything is read; another street's officer gets 404; floating checks and the check rate;
the demo seeds once."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from services.security import demo_special_populations, special_populations
from services.security.models import OutboxMessage
from services.security.models.special_populations import (
    FloatingCheck,
    SupervisionFile,
    SupervisionVisit,
)
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound

TODAY = date(2026, 6, 1)
COMMUNITY = "350502001001"
GRID = COMMUNITY + "001"
OFFICER = CallerContext("officer", ("security_officer",), "350502001")
OFFICER_B = CallerContext("officer-b", ("security_officer",), "350502002")
OTHERS = [CallerContext(f"x-{role}", (role,), "350502")
          for role in ("district_admin", "street_admin", "community_worker", "grid_worker",
                       "auditor", "integration")]
WORKER = CallerContext("worker", ("community_worker",), COMMUNITY)
AUDITOR = CallerContext("auditor", ("auditor",), "350502")
RESIDENT = {"id": 11, "name": "张某", "grid_code": GRID, "residence": "registered",
            "status": "active", "flags": [{"flag": "released_prisoner"}]}


def as_caller(db, caller, fn, *args, **kwargs):
    with db.transaction("security", caller) as uow:
        return fn(uow, *args, **kwargs)


def count(db, model):
    with db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def events(db, event_type):
    with db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope).where(
            OutboxMessage.event_type == event_type).order_by(OutboxMessage.id)))


def open_file(db, resident=RESIDENT, **extra):
    payload = {"resident_id": resident["id"], "category": "released_prisoner",
               "released_on": "2025-12-01", "opened_on": "2026-01-01", "risk_level": "high",
               "helper": {"name": "陈志明", "phone": "13905951234", "relation": "worker"},
               **extra}
    return as_caller(db, OFFICER, special_populations.open_file, payload, resident, TODAY)


def test_a_file_its_visits_screenings_and_closure(security_service_db):
    db = security_service_db
    shown = open_file(db)
    assert (shown["visit_every_days"], shown["next_visit_due"], shown["next_screening_due"]) == (
        7, "2026-01-08", "2026-04-01")
    assert shown["helper"] == {"name": "陈志明", "phone": "139****1234", "relation": "worker"}
    assert shown["visit_overdue"] and shown["screening_overdue"]
    assert shown["resident_name"] == "张某" and shown["org_code"] == GRID
    with pytest.raises(Conflict) as twice:
        open_file(db)
    assert twice.value.field == "resident_id"

    visited = as_caller(db, OFFICER, special_populations.record_visit, shown["id"], {
        "visited_on": "2026-05-28", "visitor": "陈志明", "outcome": "stable"}, TODAY)
    assert visited["file"]["next_visit_due"] == "2026-06-04"
    assert not visited["file"]["visit_overdue"]
    not_met = as_caller(db, OFFICER, special_populations.record_visit, shown["id"], {
        "visited_on": "2026-05-30", "visitor": "陈志明", "outcome": "not_met"}, TODAY)
    assert not_met["file"]["last_visited_on"] == "2026-05-28"
    screened = as_caller(db, OFFICER, special_populations.record_screening, shown["id"], {
        "screened_on": "2026-05-29", "risk_level": "low"}, TODAY)
    assert screened["file"]["risk_level"] == "low"
    assert screened["file"]["visit_every_days"] == 30
    assert screened["file"]["next_visit_due"] == "2026-06-27"
    assert screened["file"]["next_screening_due"] == "2026-08-27"
    patched = as_caller(db, OFFICER, special_populations.update_file, shown["id"],
                        {"visit_every_days": 10}, TODAY)
    assert (patched["visit_every_days"], patched["visit_every_days_overridden"],
            patched["next_visit_due"]) == (10, True, "2026-06-07")

    with pytest.raises(InvalidInput) as future:
        as_caller(db, OFFICER, special_populations.record_visit, shown["id"], {
            "visited_on": "2026-06-02", "visitor": "陈志明", "outcome": "stable"}, TODAY)
    assert future.value.field == "visited_on"
    closed = as_caller(db, OFFICER, special_populations.close_file, shown["id"],
                       {"reason": "reintegrated", "closed_on": "2026-05-31"}, TODAY)
    assert closed["status"] == "closed" and not closed["visit_overdue"]
    with pytest.raises(Conflict):
        as_caller(db, OFFICER, special_populations.record_visit, shown["id"], {
            "visited_on": "2026-05-31", "visitor": "陈志明", "outcome": "stable"}, TODAY)
    assert count(db, SupervisionVisit) == 2
    visits = as_caller(db, OFFICER, special_populations.list_visits, shown["id"], {"limit": 1})
    assert [v["outcome"] for v in visits["items"]] == ["stable"] and visits["next_cursor"]
    screenings = as_caller(db, OFFICER, special_populations.list_screenings, shown["id"], {})
    assert [s["risk_level"] for s in screenings["items"]] == ["low"]
    for name in ("security.supervision_file_opened", "security.supervision_visit_recorded",
                 "security.supervision_file_closed"):
        for envelope in events(db, name):
            assert "name" not in str(envelope["data"]) and "张某" not in str(envelope)
    assert len(events(db, "security.supervision_visit_recorded")) == 2
    again = open_file(db)  # closed: a new file may be opened
    assert again["id"] != shown["id"]


def test_lists_filters_and_the_summary(security_service_db):
    db = security_service_db
    first = open_file(db)
    second = open_file(db, {**RESIDENT, "id": 12, "grid_code": "350502001002001"},
                       risk_level="low", opened_on="2026-05-20")
    third = open_file(db, {**RESIDENT, "id": 13}, risk_level="low", opened_on="2026-01-02")
    as_caller(db, OFFICER, special_populations.close_file, third["id"],
              {"reason": "reintegrated", "closed_on": "2026-03-01"}, TODAY)

    def ids(**query):
        page = as_caller(db, OFFICER, special_populations.list_files, query, TODAY)
        return [f["id"] for f in page["items"]]

    assert ids() == [first["id"], second["id"], third["id"]]
    assert ids(status="open") == [first["id"], second["id"]]
    assert ids(overdue_visit="true") == [first["id"]]
    assert ids(overdue_visit="false") == [second["id"], third["id"]]
    assert ids(overdue_screening="true") == [first["id"]]
    assert ids(code=COMMUNITY) == [first["id"], third["id"]]
    page = as_caller(db, OFFICER, special_populations.list_files, {"limit": 2}, TODAY)
    assert page["next_cursor"]
    rest = as_caller(db, OFFICER, special_populations.list_files,
                     {"cursor": page["next_cursor"]}, TODAY)
    assert [f["id"] for f in rest["items"]] == [third["id"]]

    summary = as_caller(db, OFFICER, special_populations.summary, {}, TODAY)
    assert summary["items"] == [
        {"community_code": COMMUNITY, "open": 1, "overdue": 1, "reintegrated_this_year": 1},
        {"community_code": "350502001002", "open": 1, "overdue": 0,
         "reintegrated_this_year": 0}]
    assert as_caller(db, OFFICER_B, special_populations.summary, {}, TODAY)["items"] == []
    assert as_caller(db, OFFICER_B, special_populations.list_files, {}, TODAY)["items"] == []
    for fn, args in ((special_populations.get_file, (first["id"],)),
                     (special_populations.record_visit, (first["id"], {
                         "visited_on": "2026-05-30", "visitor": "x", "outcome": "stable"})),
                     (special_populations.close_file, (first["id"], {
                         "reason": "deceased", "closed_on": "2026-05-30"}))):
        with pytest.raises(NotFound):
            as_caller(db, OFFICER_B, fn, *args)


@pytest.mark.parametrize("caller", OTHERS, ids=lambda c: c.roles[0])
def test_every_other_role_is_refused_before_anything_is_read(security_service_db, caller):
    db = security_service_db
    shown = open_file(db)
    calls = [(special_populations.list_files, ({},)),
             (special_populations.summary, ({},)),
             (special_populations.get_file, (shown["id"],)),
             (special_populations.get_file, (999,)),
             (special_populations.list_visits, (shown["id"], {})),
             (special_populations.list_screenings, (shown["id"], {})),
             (special_populations.update_file, (shown["id"], {"visit_every_days": 3})),
             (special_populations.record_visit, (shown["id"], {
                 "visited_on": "2026-05-30", "visitor": "x", "outcome": "stable"})),
             (special_populations.record_screening, (shown["id"], {
                 "screened_on": "2026-05-30", "risk_level": "low"})),
             (special_populations.close_file, (shown["id"], {
                 "reason": "reintegrated", "closed_on": "2026-05-30"})),
             (special_populations.open_file, ({"resident_id": 12}, {**RESIDENT, "id": 12}))]
    for fn, args in calls:
        with pytest.raises(Forbidden) as refused:
            as_caller(db, caller, fn, *args)
        assert type(refused.value) is Forbidden
    assert count(db, SupervisionFile) == 1 and count(db, SupervisionVisit) == 0


def test_opening_needs_a_resident_in_scope_and_sane_input(security_service_db):
    db = security_service_db
    with pytest.raises(NotFound) as elsewhere:
        as_caller(db, OFFICER_B, special_populations.open_file, {
            "resident_id": 11, "category": "released_prisoner", "released_on": "2025-01-01",
            "risk_level": "low", "helper": {"name": "x", "relation": "family"}}, RESIDENT, TODAY)
    assert elsewhere.value.field == "resident_id"
    for bad, field in (({"risk_level": "extreme"}, "risk_level"),
                       ({"category": "other"}, "category"),
                       ({"helper": {"name": "x", "relation": "friend"}}, "helper.relation"),
                       ({"helper": {"name": "x", "phone": "12345", "relation": "family"}},
                        "helper.phone"),
                       ({"supervision_until": "2025-01-01"}, "supervision_until"),
                       ({"visit_every_days": 0}, "visit_every_days")):
        with pytest.raises(InvalidInput) as refused:
            open_file(db, **bad)
        assert refused.value.field == field
    with pytest.raises(InvalidInput) as moved:
        open_file(db, {**RESIDENT, "status": "moved_out"})
    assert moved.value.field == "resident_id"
    with pytest.raises(InvalidInput) as unflagged:
        open_file(db, {**RESIDENT, "flags": [{"flag": "disabled"}]})
    assert unflagged.value.field == "resident_id" and "released_prisoner" in str(unflagged.value)
    assert count(db, SupervisionFile) == 0 and count(db, OutboxMessage) == 0


def test_floating_checks_and_the_check_rate(security_service_db):
    db = security_service_db
    floating = [{"id": n, "name": f"流动{n}", "grid_code": GRID if n < 14 else
                 "350502001002001", "residence": "floating", "status": "active"}
                for n in range(10, 16)]
    for person, day in zip(floating[:3], ("2026-02-01", "2026-03-01", "2025-12-01"), strict=True):
        as_caller(db, WORKER, special_populations.record_floating_check, {
            "resident_id": person["id"], "checked_on": day, "checker": "网格员",
            "result": "registered"}, person, TODAY)
    as_caller(db, WORKER, special_populations.record_floating_check, {  # checked twice
        "resident_id": 10, "checked_on": "2026-04-01", "checker": "网格员",
        "result": "registered"}, floating[0], TODAY)
    with pytest.raises(InvalidInput) as registered:
        as_caller(db, WORKER, special_populations.record_floating_check, {
            "resident_id": 11, "checked_on": "2026-04-01", "checker": "网格员",
            "result": "registered"}, {**floating[1], "residence": "registered"}, TODAY)
    assert registered.value.field == "resident_id"
    with pytest.raises(Forbidden):
        as_caller(db, AUDITOR, special_populations.record_floating_check, {
            "resident_id": 10, "checked_on": "2026-04-01", "checker": "x",
            "result": "registered"}, floating[0], TODAY)
    assert count(db, FloatingCheck) == 4
    report = as_caller(db, AUDITOR, special_populations.rate_report,
                       {"code": "350502001", "from": "2026-01-01", "to": "2026-06-01"},
                       [{"id": p["id"], "grid_code": p["grid_code"]} for p in floating], TODAY)
    assert report["items"] == [
        {"community_code": COMMUNITY, "floating_residents": 4, "checked": 2, "rate": 0.5,
         "target": 1.0, "met": False},
        {"community_code": "350502001002", "floating_residents": 2, "checked": 0, "rate": 0.0,
         "target": 1.0, "met": False}]
    listed = as_caller(db, AUDITOR, special_populations.list_floating_checks,
                       {"from": "2026-01-01"})
    assert [c["resident_id"] for c in listed["items"]] == [10, 11, 10]
    with pytest.raises(InvalidInput) as backwards:
        as_caller(db, AUDITOR, special_populations.rate_report,
                  {"from": "2026-05-01", "to": "2026-01-01"}, [], TODAY)
    assert backwards.value.field == "to"
    assert len(events(db, "security.floating_check_recorded")) == 4


def test_the_demo_seeds_once(security_service_db):
    db = security_service_db
    residents = [{"id": n, "name": f"居民{n}", "grid_code": GRID, "birth_date": date(1980, 1, 1),
                  "flags": ["floating"] if n % 3 == 0 else ["released_prisoner"] if n < 10
                  else []} for n in range(1, 31)]
    directory = {COMMUNITY: {"residents": residents, "volunteers": [], "branches": []}}
    with db.transaction("security", None) as uow:
        created = demo_special_populations.seed(uow, directory, TODAY)
    assert created["supervision_file"] == 6 and created["supervision_visit"] > 0
    assert created["floating_check"] == 5
    with db.transaction("security", None) as uow:
        assert demo_special_populations.seed(uow, directory, TODAY) == {}
    summary = as_caller(db, OFFICER, special_populations.summary, {}, TODAY)
    assert summary["items"] == [{"community_code": COMMUNITY, "open": 3, "overdue": 1,
                                 "reintegrated_this_year": 3}]
    overdue = as_caller(db, OFFICER, special_populations.list_files,
                        {"overdue_visit": "true"}, TODAY)
    assert len(overdue["items"]) == 1
    assert TODAY - timedelta(days=1) >= date.fromisoformat(overdue["items"][0]["next_visit_due"])
