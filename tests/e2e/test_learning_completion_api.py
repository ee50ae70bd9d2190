"""Completion to certificate to points-ready event, end to end: a course of four sessions built
through the gateway, three residents on it, classes signed in through the API; the resident
who reached 75% completes, their certificate is verified by anyone without signing in, and
``learning.course_completed`` and ``learning.certificate_issued`` go out on the broker. Also:
bad sheets (problem+json naming the row's field, nothing stored), scope (another street's
session is 404), roles, and certificate numbers that are malformed or unknown (404, never 500)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_B1, DISTRICT, STREET_A, STREET_B, assert_problem
from tests.e2e.test_volunteers_api import add_resident
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

GRID = f"{COMMUNITY_A1}001"
CERTIFICATES = "/api/v1/certificates"


def attendance_url(session_id):
    return f"/api/v1/sessions/{session_id}/attendance"


@pytest.fixture
def tap(platform_config):
    broker = BrokerTap(platform_config["AMQP_URI"], exchange="learning.events",
                       routing_key="learning.#")
    yield broker
    broker.close()


def created(response):
    assert response.status_code == 201, response.text
    return response.json()


def build_course(api, auth, membership_db, names=("张三明", "王五", "欧阳娜娜")):
    """School, teacher, venue, a course and its four past sessions, and the residents' seats,
    all through the API (the residents are rows in membership)."""
    worker = auth("community_worker", COMMUNITY_A1)
    school = created(api.post("/api/v1/schools", headers=worker, json={
        "org_code": COMMUNITY_A1, "name": "西关社区学校", "kind": "community_school",
        "address": "三牌楼路58号"}))
    teacher = created(api.post("/api/v1/teachers", headers=worker, json={
        "kind": "hired", "name": "林老师", "org_code": COMMUNITY_A1}))
    venue = created(api.post("/api/v1/venues", headers=worker, json={
        "school_id": school["id"], "name": "电脑教室", "address": "三牌楼路58号",
        "capacity": 30}))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    course = created(api.post("/api/v1/courses", headers=worker, json={
        "school_id": school["id"], "title": "老年人智能手机班", "category": "computing",
        "format": "long_course", "teacher_id": teacher["id"], "capacity": 20,
        "enrol_opens_at": (now - timedelta(days=30)).isoformat(),
        "enrol_closes_at": (now + timedelta(days=5)).isoformat()}))
    sessions = []
    for n in range(4):
        starts = now - timedelta(days=4 - n, hours=3)
        sessions.append(created(api.post(f"/api/v1/courses/{course['id']}/sessions",
                                         headers=worker, json={
            "venue_id": venue["id"], "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(), "topic": f"第{n + 1}课"}))["id"])
    residents = [add_resident(membership_db, GRID, name) for name in names]
    enrolments = []
    for resident in residents:
        enrolment = created(api.post(f"/api/v1/courses/{course['id']}/enrolments",
                                     headers=worker, json={"resident_id": resident}))
        assert enrolment["status"] == "enrolled", enrolment
        enrolments.append(enrolment["id"])
    return course, sessions, residents, enrolments


@pytest.fixture
def course_with_class(api, auth, seeded):
    return build_course(api, auth, seeded)


def learning_counts(learning_db) -> dict:
    from services.learning.models import Attendance, Certificate, Enrolment, OutboxMessage

    with learning_db.session_factory() as session:
        counts = {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                  for m in (Attendance, Certificate, OutboxMessage)}
        counts["completed"] = session.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.status == "completed"))
    return counts


def sign_in(api, auth, session_id, records, scope=COMMUNITY_A1, role="community_worker"):
    return api.post(attendance_url(session_id), json={"records": records},
                    headers=auth(role, scope))


def test_completion_to_certificate_to_points_ready_event_through_the_broker(
        api, auth, course_with_class, tap):
    course, sessions, (zhang, wang, ouyang), _ = course_with_class
    worker = auth("community_worker", COMMUNITY_A1)
    volunteer = created(api.post("/api/v1/volunteers", headers=worker,
                                 json={"resident_id": zhang, "skills": ["理发"]}))
    # 张三明 present throughout · 王五 present, late, absent (1.75 of 4) · 欧阳娜娜 absent twice
    sheets = [
        [(zhang, "present"), (wang, "present"), (ouyang, "present")],
        [(zhang, "present"), (wang, "late"), (ouyang, "absent")],
        [(zhang, "present"), (wang, "absent"), (ouyang, "absent")],
    ]
    results = []
    for session_id, sheet in zip(sessions, sheets, strict=False):
        response = sign_in(api, auth, session_id, [{"resident_id": resident, "status": status}
                                                   for resident, status in sheet])
        assert response.status_code == 200, response.text
        results.append(response.json())
    assert [r["completed"] for r in results[:2]] == [[], []]
    (done,) = results[2]["completed"]
    assert (done["resident_id"], done["attendance_rate"]) == (zhang, 0.75)  # 3 of 4: exactly 75%
    assert results[2]["session_status"] == "held"
    number = done["certificate_number"]

    # anyone verifies it, without signing in; the name is masked
    shown = api.get(f"{CERTIFICATES}/{number}")
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["valid"] is True and body["number"] == number
    assert (body["course_title"], body["school_name"], body["holder_name"]) == (
        "老年人智能手机班", "西关社区学校", "张*明")
    assert body["attendance_rate"] == 0.75 and body["hours"] == 6.0
    assert "张三明" not in shown.text and "resident_id" not in body

    # the points-ready event and the certificate on the broker
    def seen(kind):
        return [e for e in tap.drain() if e["type"] == kind]

    (completed,) = wait_for(lambda: seen("learning.course_completed"))
    assert completed["data"]["resident_id"] == zhang
    assert completed["data"]["certificate_number"] == number
    assert (completed["data"]["category"], completed["data"]["format"]) == ("computing",
                                                                            "long_course")
    assert completed["data"]["community_code"] == COMMUNITY_A1
    assert completed["org_code"] == COMMUNITY_A1 and completed["data"]["attendance_rate"] == 0.75
    (issued,) = wait_for(lambda: seen("learning.certificate_issued"))
    assert issued["data"]["certificate_number"] == number
    assert len(wait_for(lambda: seen("learning.attendance_recorded")
                        if len(seen("learning.attendance_recorded")) == 3 else None)) == 3

    # 张三明 volunteers: membership records what they learned
    skills = wait_for(lambda: (lambda shown: shown if "computing" in shown else None)(
        api.get(f"/api/v1/volunteers/{volunteer['id']}", headers=worker).json()["skills"]))
    assert skills == ["理发", "computing"]

    # the last class: 王五 stays under the threshold (2.75 of 4), 张三明 is not completed twice
    last = sign_in(api, auth, sessions[3], [{"resident_id": zhang, "status": "present"},
                                            {"resident_id": wang, "status": "present"}])
    assert last.status_code == 200 and last.json()["completed"] == []
    listed = api.get(CERTIFICATES, params={"course_id": course["id"]},
                     headers=auth("auditor", DISTRICT)).json()
    assert [(c["resident_id"], c["number"]) for c in listed["items"]] == [(zhang, number)]
    assert listed["items"][0]["holder_name"] == "张三明"  # within scope: as enrolled
    roster = api.get(attendance_url(sessions[2]), headers=auth("grid_worker", COMMUNITY_A1)).json()
    assert [(line["resident_id"], line["enrolment_status"], line["status"])
            for line in roster["items"]] == [(zhang, "completed", "present"),
                                             (wang, "enrolled", "absent"),
                                             (ouyang, "enrolled", "absent")]
    tap.drain(quiet_seconds=0.5)
    assert len(seen("learning.course_completed")) == 1
    assert len(seen("learning.certificate_issued")) == 1


@pytest.mark.parametrize("records, field", [
    ([{"resident_id": "R0", "status": "present"}], "records.0.resident_id"),
    ([{"resident_id": "R0", "status": "present"}, {"resident_id": "R1", "status": "asleep"}],
     "records.1.status"),
    ([{"resident_id": "R0", "status": "present"}, {"status": "present"}],
     "records.1.enrolment_id"),
    ([{"resident_id": "R0", "status": "present"}, {"resident_id": 999999, "status": "late"}],
     "records.1.resident_id"),
    ([{"resident_id": "R0", "status": "present"}, {"resident_id": "R0", "status": "late"}],
     "records.1.resident_id"),
    ([{"resident_id": "R0", "status": "present"}, {"enrolment_id": -1, "status": "late"}],
     "records.1.enrolment_id"),
    ("everyone came", "records"),
    ([], "records"),
    ([{"resident_id": "R0", "status": "present"}] * 21, "records"),  # a course of 20 seats
    ([{"resident_id": "R0", "status": "present"}] * 1001, "records"),
])
def test_one_bad_row_refuses_the_sheet_and_nothing_is_stored(
        api, auth, course_with_class, learning_db, records, field):
    _, sessions, residents, _ = course_with_class
    if isinstance(records, list):
        records = [{key: (residents[int(value[1:])] if isinstance(value, str)
                          and value.startswith("R") else value) for key, value in row.items()}
                   for row in records]
    if field == "records.0.resident_id":
        records[0]["resident_id"] = "二号"
    before = learning_counts(learning_db)
    response = sign_in(api, auth, sessions[0], records)
    assert_problem(response, 422, field=field)
    assert learning_counts(learning_db) == before
    roster = api.get(attendance_url(sessions[0]), headers=auth("auditor", DISTRICT)).json()
    assert {line["status"] for line in roster["items"]} == {None}


def test_a_body_that_is_not_a_sheet_is_refused(api, auth, course_with_class, learning_db):
    _, sessions, _, _ = course_with_class
    before = learning_counts(learning_db)
    response = api.post(attendance_url(sessions[0]), data="{not json",
                        headers={**auth("community_worker", COMMUNITY_A1),
                                 "Content-Type": "application/json"})
    assert_problem(response, 400)
    response = api.post(attendance_url(sessions[0]), json=["records"],
                        headers=auth("community_worker", COMMUNITY_A1))
    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)
    assert learning_counts(learning_db) == before


def test_another_streets_session_is_not_found_and_roles_are_checked(
        api, auth, course_with_class, learning_db):
    _, sessions, residents, _ = course_with_class
    before = learning_counts(learning_db)
    sheet = [{"resident_id": residents[0], "status": "present"}]
    for role, scope in (("street_admin", STREET_B), ("community_worker", COMMUNITY_B1)):
        assert_problem(sign_in(api, auth, sessions[0], sheet, scope=scope, role=role), 404,
                       field="id")
        assert_problem(api.get(attendance_url(sessions[0]), headers=auth(role, scope)), 404,
                       field="id")
    assert_problem(sign_in(api, auth, 99999, sheet, scope=STREET_A, role="street_admin"), 404)
    assert_problem(sign_in(api, auth, sessions[0], sheet, scope=DISTRICT, role="auditor"), 403)
    assert_problem(sign_in(api, auth, sessions[0], sheet, scope=GRID, role="grid_worker"), 403)
    assert_problem(api.post(attendance_url(sessions[0]), json={"records": sheet}), 401)
    assert_problem(api.get(attendance_url(sessions[0])), 401)
    assert_problem(api.get(CERTIFICATES), 401)
    assert learning_counts(learning_db) == before
    # the street that holds it signs in
    assert sign_in(api, auth, sessions[0], sheet, scope=STREET_A,
                   role="street_admin").status_code == 200


def test_a_cancelled_or_far_future_session_takes_no_attendance(
        api, auth, course_with_class, learning_db):
    from services.learning.models import CourseSession

    course, sessions, residents, _ = course_with_class
    with learning_db.transaction("learning") as uow:
        uow.session.get(CourseSession, sessions[1]).status = "cancelled"
        later = uow.session.get(CourseSession, sessions[3])
        later.starts_at += timedelta(days=10)
        later.ends_at += timedelta(days=10)
    before = learning_counts(learning_db)
    sheet = [{"resident_id": residents[0], "status": "present"}]
    assert_problem(sign_in(api, auth, sessions[1], sheet), 409, field="session")
    body = assert_problem(sign_in(api, auth, sessions[3], sheet), 409, field="session")
    assert "an hour before" in body["detail"]
    assert learning_counts(learning_db) == before


def test_the_roster_is_paginated(api, auth, course_with_class):
    _, sessions, residents, _ = course_with_class
    sign_in(api, auth, sessions[0], [{"resident_id": residents[1], "status": "excused"}])
    headers = auth("community_worker", COMMUNITY_A1)
    first = api.get(attendance_url(sessions[0]), params={"limit": 2}, headers=headers).json()
    rest = api.get(attendance_url(sessions[0]), params={"cursor": first["next_cursor"]},
                   headers=headers).json()
    assert rest["next_cursor"] is None
    assert [(line["resident_id"], line["status"]) for line in first["items"] + rest["items"]] == [
        (residents[0], None), (residents[1], "excused"), (residents[2], None)]
    assert_problem(api.get(attendance_url(sessions[0]), params={"limit": 0}, headers=headers),
                   422, field="limit")


@pytest.mark.parametrize("number", [
    "LX-350502-2026-000001-0", "LX-350502-2026-000001", "nonsense", "x" * 300,
    "LX-３５０５０２-2026-000001-0", "%00", "LX-350502-2026-000001-%E2%98%83", "..",
])
def test_a_malformed_or_unknown_certificate_number_is_404_not_500(api, seeded, number):
    response = api.get(f"{CERTIFICATES}/{number}")
    assert response.status_code == 404, response.text
    if response.headers["Content-Type"].startswith("application/problem+json"):
        assert_problem(response, 404)


def test_a_mistyped_number_is_told_apart_from_an_unknown_one(api, auth, course_with_class):
    from services.learning.domain.attendance import certificate_number

    _, sessions, residents, _ = course_with_class
    response = sign_in(api, auth, sessions[0], [{"resident_id": r, "status": "present"}
                                                for r in residents])
    assert response.json()["completed"] == []
    unknown = certificate_number("350502", 2026, 424242)
    body = assert_problem(api.get(f"{CERTIFICATES}/{unknown}"), 404, field="number")
    assert "no certificate" in body["detail"]
    digit = unknown[-3]
    typo = unknown[:-3] + ("1" if digit != "1" else "2") + unknown[-2:]
    body = assert_problem(api.get(f"{CERTIFICATES}/{typo}"), 404, field="number")
    assert "mistyped" in body["detail"]
