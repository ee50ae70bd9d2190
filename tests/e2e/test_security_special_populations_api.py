"""Special populations through the real gateway: a security officer opens a supervision file for
a resident, visits, re-screens, closes it as reintegrated, reads the per-community summary (the
helper's phone always masked, events on the broker with ids and codes only); every other role is
refused on every supervision route (403) and so sees nothing; another street's officer gets 404;
floating-population checks and the check rate per community; bad input names its field."""
from datetime import date
from itertools import count

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
)
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

FILES = "/api/v1/supervision-files"
FLOATING = "/api/v1/floating-checks"
NON_SECURITY = ("district_admin", "street_admin", "community_worker", "grid_worker", "auditor",
                "integration")
_numbers = count(9000)


def add_resident(membership_db, grid_code, name="张某", residence="registered",
                 supervised=False) -> int:
    """A resident row written directly (the residents' use cases are another area's); a
    supervised one carries membership's restricted released_prisoner flag."""
    from services.membership.models.residents import Resident, ResidentFlag

    number = next(_numbers)
    with membership_db.transaction("membership") as uow:
        resident = Resident(
            name=name, gender="male", birth_date=date(1980, 3, 8),
            id_number_hash=f"{number:064x}", id_number_sealed="sealed",
            id_number_masked="3505**********0000", phone=None, address="西关路8号",
            grid_code=grid_code, household_id=None, residence=residence, status="active")
        uow.session.add(resident)
        uow.session.flush()
        if supervised:
            uow.session.add(ResidentFlag(resident_id=resident.id, flag="released_prisoner",
                                         set_on=date(2025, 12, 1), set_reason="刑满释放",
                                         set_by="officer"))
        return resident.id


def post(api, url, body, headers, status=201):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def file_body(resident_id, **extra):
    return {"resident_id": resident_id, "category": "released_prisoner",
            "released_on": "2025-12-01", "opened_on": "2026-01-01", "risk_level": "high",
            "helper": {"name": "陈志明", "phone": "13905951234", "relation": "worker"}, **extra}


def security_counts(security_db) -> dict:
    from services.security.models import OutboxMessage
    from services.security.models.special_populations import (
        FloatingCheck,
        SupervisionFile,
        SupervisionScreening,
        SupervisionVisit,
    )

    with security_db.session_factory() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (SupervisionFile, SupervisionVisit, SupervisionScreening, FloatingCheck,
                          OutboxMessage)}


def test_a_supervision_file_from_opening_to_reintegration(api, auth, seeded, security_db,
                                                          platform_config):
    officer = auth("security_officer", STREET_A)
    resident = add_resident(seeded, f"{COMMUNITY_A1}001", supervised=True)
    tap = BrokerTap(platform_config["AMQP_URI"], exchange="security.events",
                    routing_key="security.supervision_file_opened")
    try:
        response = api.post(FILES, json=file_body(resident), headers=officer)
        assert response.status_code == 201, response.text
        opened = response.json()
        assert response.headers["Location"] == f"{FILES}/{opened['id']}"
        seen = wait_for(lambda: tap.drain())
    finally:
        tap.close()
    assert seen[0]["data"] == {"supervision_file_id": opened["id"], "resident_id": resident,
                               "org_code": f"{COMMUNITY_A1}001", "category": "released_prisoner",
                               "risk_level": "high", "opened_on": "2026-01-01"}
    assert "张某" not in str(seen)
    assert opened["resident_name"] == "张某" and opened["visit_every_days"] == 7
    assert opened["helper"]["phone"] == "139****1234"
    assert "id_number" not in opened

    file_url = f"{FILES}/{opened['id']}"
    assert_problem(api.post(FILES, json=file_body(resident), headers=officer), 409,
                   field="resident_id")
    visit = post(api, f"{file_url}/visits", {"visited_on": date.today().isoformat(),
                                              "visitor": "陈志明", "outcome": "stable"}, officer)
    assert visit["file"]["visit_overdue"] is False
    screening = post(api, f"{file_url}/screenings", {"screened_on": date.today().isoformat(),
                                                      "risk_level": "medium"}, officer)
    assert (screening["file"]["risk_level"], screening["file"]["visit_every_days"]) == (
        "medium", 14)
    patched = api.patch(file_url, json={"helper": {"name": "林秀英", "phone": "0595-22881234",
                                                   "relation": "volunteer"}}, headers=officer)
    assert patched.status_code == 200, patched.text
    assert patched.json()["helper"]["phone"] == "0595-****1234"
    shown = api.get(file_url, headers=officer).json()
    assert shown["helper"] == {"name": "林秀英", "phone": "0595-****1234",
                               "relation": "volunteer"}

    listed = api.get(FILES, params={"code": COMMUNITY_A1, "status": "open"}, headers=officer)
    assert [f["id"] for f in listed.json()["items"]] == [opened["id"]]
    assert listed.json()["items"][0]["helper"]["phone"] == "0595-****1234"
    assert api.get(FILES, params={"overdue_visit": "true"}, headers=officer).json()["items"] == []
    history = api.get(f"{file_url}/visits", headers=officer).json()
    assert [v["visitor"] for v in history["items"]] == ["陈志明"]
    history = api.get(f"{file_url}/screenings", headers=officer).json()
    assert [s["risk_level"] for s in history["items"]] == ["medium"]

    closed = post(api, f"{file_url}/closure", {"reason": "reintegrated",
                                                "closed_on": date.today().isoformat()},
                  officer, status=200)
    assert closed["status"] == "closed" and closed["closure_reason"] == "reintegrated"
    summary = api.get(f"{FILES}/summary", params={"code": STREET_A}, headers=officer)
    assert summary.status_code == 200, summary.text
    assert summary.json()["items"] == [{"community_code": COMMUNITY_A1, "open": 0, "overdue": 0,
                                        "reintegrated_this_year": 1}]

    # another street's officer: 404 on the file, nothing in lists and counts, 403 on its code
    officer_b = auth("security_officer", STREET_B)
    for method, url, body in (("GET", file_url, None), ("PATCH", file_url, {"visit_every_days": 3}),
                              ("POST", f"{file_url}/visits", {"visited_on": "2026-01-02",
                                                              "visitor": "x",
                                                              "outcome": "stable"})):
        assert_problem(api.request(method, url, json=body, headers=officer_b), 404, field="id")
    assert api.get(FILES, headers=officer_b).json()["items"] == []
    assert api.get(f"{FILES}/summary", headers=officer_b).json()["items"] == []
    assert_problem(api.get(FILES, params={"code": STREET_A}, headers=officer_b), 403,
                   field="code")
    assert_problem(api.post(FILES, json=file_body(resident), headers=officer_b), 404,
                   field="resident_id")


def test_bad_input_names_the_field_and_changes_nothing(api, auth, seeded, security_db):
    officer = auth("security_officer", STREET_A)
    resident = add_resident(seeded, f"{COMMUNITY_A1}001", supervised=True)
    opened = post(api, FILES, file_body(resident), officer)
    before = security_counts(security_db)
    file_url = f"{FILES}/{opened['id']}"
    for url, body, field in (
            (FILES, file_body(resident, risk_level="extreme"), "risk_level"),
            (FILES, file_body(resident, helper={"name": "x", "phone": "12", "relation": "worker"}),
             "helper.phone"),
            (FILES, file_body(resident, released_on="not a date"), "released_on"),
            (FILES, file_body(resident, supervision_until="2020-01-01"), "supervision_until"),
            (FILES, {**file_body(resident), "resident_id": "7"}, "resident_id"),
            (f"{file_url}/visits", {"visited_on": "2099-01-01", "visitor": "x",
                                    "outcome": "stable"}, "visited_on"),
            (f"{file_url}/visits", {"visited_on": "2026-02-01", "visitor": "x",
                                    "outcome": "fine"}, "outcome"),
            (f"{file_url}/screenings", {"screened_on": "2026-02-01", "risk_level": "none"},
             "risk_level"),
            (f"{file_url}/closure", {"reason": "escaped", "closed_on": "2026-02-01"}, "reason"),
            (f"{file_url}/closure", {"reason": "reintegrated", "closed_on": "2025-01-01"},
             "closed_on"),
            (FLOATING, {"resident_id": resident, "checked_on": "2026-02-01", "checker": "x",
                        "result": "registered"}, "resident_id"),
            (FLOATING, {"resident_id": resident, "checked_on": "2026-02-01", "checker": "x",
                        "result": "maybe"}, "result")):
        assert_problem(api.post(url, json=body, headers=officer), 422, field=field)
    assert_problem(api.post(FILES, json=file_body(999999), headers=officer), 404,
                   field="resident_id")
    unflagged = add_resident(seeded, f"{COMMUNITY_A1}002", "李某")
    assert_problem(api.post(FILES, json=file_body(unflagged), headers=officer), 422,
                   field="resident_id")
    assert_problem(api.get(FILES, params={"overdue_visit": "perhaps"}, headers=officer), 422,
                   field="overdue_visit")
    assert_problem(api.get(FILES, params={"cursor": "zzz"}, headers=officer), 422, field="cursor")
    assert_problem(api.get(f"{FLOATING}/rates", params={"from": "2026-05-01", "to": "2026-01-01"},
                           headers=officer), 422, field="to")
    assert_problem(api.patch(file_url, json={}, headers=officer), 422, field="body")
    assert security_counts(security_db) == before


@pytest.mark.parametrize("role", NON_SECURITY)
def test_every_other_role_is_refused_on_every_supervision_route(api, auth, seeded, security_db,
                                                                 role):
    resident = add_resident(seeded, f"{COMMUNITY_A1}001", supervised=True)
    opened = post(api, FILES, file_body(resident), auth("security_officer", DISTRICT))
    before = security_counts(security_db)
    headers = auth(role, DISTRICT if role != "community_worker" else COMMUNITY_A1)
    file_url = f"{FILES}/{opened['id']}"
    routes = [("GET", FILES, None), ("GET", f"{FILES}?status=open", None),
              ("GET", f"{FILES}/summary", None), ("GET", f"{FILES}/summary?code={STREET_A}", None),
              ("POST", FILES, file_body(resident)),
              ("GET", file_url, None), ("GET", f"{FILES}/999999", None),
              ("PATCH", file_url, {"visit_every_days": 3}),
              ("POST", f"{file_url}/visits", {"visited_on": "2026-02-01", "visitor": "x",
                                              "outcome": "stable"}),
              ("GET", f"{file_url}/visits", None), ("GET", f"{file_url}/screenings", None),
              ("POST", f"{file_url}/screenings", {"screened_on": "2026-02-01",
                                                  "risk_level": "low"}),
              ("POST", f"{file_url}/closure", {"reason": "reintegrated",
                                               "closed_on": "2026-02-01"})]
    for method, url, body in routes:
        response = api.request(method, url, json=body, headers=headers)
        problem = assert_problem(response, 403, slug="forbidden")
        assert "张某" not in response.text and str(resident) not in problem["detail"]
    assert security_counts(security_db) == before


def test_floating_checks_and_the_check_rate(api, auth, seeded, security_db, platform_config):
    worker = auth("community_worker", COMMUNITY_A1)
    grid_worker = auth("grid_worker", f"{COMMUNITY_A1}001")
    floating_a1 = [add_resident(seeded, f"{COMMUNITY_A1}00{1 + n % 2}", f"流动{n}", "floating")
                   for n in range(4)]
    floating_a2 = [add_resident(seeded, f"{COMMUNITY_A2}001", f"流动A2{n}", "floating")
                   for n in range(2)]
    add_resident(seeded, f"{COMMUNITY_A1}001", "户籍居民")
    tap = BrokerTap(platform_config["AMQP_URI"], exchange="security.events",
                    routing_key="security.floating_check_recorded")
    try:
        checked = post(api, FLOATING, {"resident_id": floating_a1[0], "checked_on": "2026-02-01",
                                       "checker": "网格员小林", "result": "registered"},
                       grid_worker)
        assert checked["org_code"] == f"{COMMUNITY_A1}001" and checked["resident_name"] == "流动0"
        seen = wait_for(lambda: tap.drain())
    finally:
        tap.close()
    assert seen[0]["data"] == {"floating_check_id": checked["id"], "resident_id": floating_a1[0],
                               "org_code": f"{COMMUNITY_A1}001", "checked_on": "2026-02-01",
                               "result": "registered"}
    for resident, day in ((floating_a1[0], "2026-03-01"), (floating_a1[2], "2026-03-01"),
                          (floating_a1[3], "2025-06-01")):
        post(api, FLOATING, {"resident_id": resident, "checked_on": day, "checker": "社区民警",
                             "result": "unregistered_now_registered"}, worker)
    assert_problem(api.post(FLOATING, json={"resident_id": floating_a2[0],
                                            "checked_on": "2026-02-01", "checker": "x",
                                            "result": "registered"}, headers=worker),
                   404, field="resident_id")
    assert_problem(api.post(FLOATING, json={"resident_id": floating_a1[1],
                                            "checked_on": "2026-02-01", "checker": "x",
                                            "result": "registered"},
                            headers=auth("auditor", DISTRICT)), 403)

    auditor = auth("auditor", DISTRICT)
    rates = api.get(f"{FLOATING}/rates", params={"code": STREET_A, "from": "2026-01-01",
                                                 "to": "2026-12-31"}, headers=auditor)
    assert rates.status_code == 200, rates.text
    assert rates.json()["items"] == [
        {"community_code": COMMUNITY_A1, "floating_residents": 4, "checked": 2, "rate": 0.5,
         "target": 1.0, "met": False},
        {"community_code": COMMUNITY_A2, "floating_residents": 2, "checked": 0, "rate": 0.0,
         "target": 1.0, "met": False}]
    own = api.get(f"{FLOATING}/rates", params={"from": "2025-01-01", "to": "2026-12-31"},
                  headers=worker).json()
    assert own["items"] == [{"community_code": COMMUNITY_A1, "floating_residents": 4,
                             "checked": 3, "rate": 0.75, "target": 1.0, "met": False}]
    listed = api.get(FLOATING, params={"code": COMMUNITY_A1, "from": "2026-01-01"},
                     headers=auditor).json()
    assert len(listed["items"]) == 3
    assert api.get(FLOATING, headers=auth("auditor", STREET_B)).json()["items"] == []
    assert_problem(api.get(f"{FLOATING}/rates", params={"code": STREET_A},
                           headers=auth("street_admin", STREET_B)), 403, field="code")
