"""Schools, venues, teachers, courses and sessions through the real gateway: a school to a
course with sixteen sessions; a venue or teacher clash is a 409 naming the session; a held
session of a volunteer teacher credits the volunteer's hours in membership, through the broker;
bad input is a problem naming the field and changes nothing; another street sees none of it."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_B1,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
)
from tests.e2e.test_volunteers_api import add_resident, walk
from tests.support import wait_for

pytestmark = pytest.mark.broker

SCHOOLS, VENUES, TEACHERS = "/api/v1/schools", "/api/v1/venues", "/api/v1/teachers"
COURSES, SESSIONS = "/api/v1/courses", "/api/v1/sessions"
SATURDAY = datetime(2027, 3, 6, 1, 0, tzinfo=timezone.utc)  # 09:00 in Quanzhou


def at(hours: float) -> str:
    return (SATURDAY + timedelta(hours=hours)).isoformat()


def post(api, url, body, headers, status=201):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def learning_counts(learning_db) -> dict:
    from services.learning.models import (
        Course,
        CourseSession,
        OutboxMessage,
        School,
        Teacher,
        Venue,
    )

    with learning_db.session_factory() as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in (School, Venue, Teacher, Course, CourseSession, OutboxMessage)}
        counts["course_rows"] = sorted(tuple(row) for row in session.execute(select(
            Course.id, Course.title, Course.capacity, Course.status)))
        counts["session_rows"] = sorted(tuple(row) for row in session.execute(select(
            CourseSession.id, CourseSession.starts_at, CourseSession.ends_at,
            CourseSession.venue_id, CourseSession.status)))
    return counts


def course_body(school_id, teacher_id, **extra) -> dict:
    now = datetime.now(timezone.utc)
    return {"school_id": school_id, "title": "太极拳入门", "category": "health",
            "target_group": "elderly", "format": "long_course", "teacher_id": teacher_id,
            "capacity": 30, "enrol_opens_at": (now - timedelta(days=1)).isoformat(),
            "enrol_closes_at": (now + timedelta(days=14)).isoformat(),
            "eligibility": {"age_min": 60}, **extra}


@pytest.fixture
def street_a(api, auth, seeded):
    """STREET_A's school, venue, volunteer teacher and a course, made through the API."""
    admin = auth("street_admin", STREET_A)
    school = post(api, SCHOOLS, {"org_code": COMMUNITY_A1, "name": "西关社区学校",
                                 "kind": "community_school", "address": "三牌楼路58号",
                                 "founded_on": "2001-11-01", "opening_hours": "周末上课"}, admin)
    venue = post(api, VENUES, {"school_id": school["id"], "name": "一号教室",
                               "address": "三牌楼路58号", "capacity": 40}, admin)
    resident = add_resident(seeded, f"{COMMUNITY_A1}001", name="林老师")
    volunteer = post(api, "/api/v1/volunteers", {"resident_id": resident, "skills": ["太极"]},
                     auth("community_worker", COMMUNITY_A1))
    teacher = post(api, TEACHERS, {"kind": "volunteer", "volunteer_id": volunteer["id"]}, admin)
    course = post(api, COURSES, course_body(school["id"], teacher["id"]), admin)
    return {"admin": admin, "school": school, "venue": venue, "volunteer": volunteer,
            "teacher": teacher, "course": course}


def test_school_to_course_to_sixteen_sessions(api, auth, street_a, learning_db):
    admin, school, course = street_a["admin"], street_a["school"], street_a["course"]
    assert school == {**school, "org_code": COMMUNITY_A1, "kind": "community_school",
                      "founded_on": "2001-11-01", "parent_id": None}
    branch = api.post(SCHOOLS, json={"org_code": COMMUNITY_A1, "name": "西关分校",
                                     "kind": "branch_school", "parent_id": school["id"],
                                     "address": "西关路8号"}, headers=admin)
    assert branch.status_code == 201 and branch.headers["Location"] == (
        f"{SCHOOLS}/{branch.json()['id']}")
    assert street_a["teacher"] == {**street_a["teacher"], "kind": "volunteer", "name": "林老师",
                                   "volunteer_id": street_a["volunteer"]["id"],
                                   "org_code": COMMUNITY_A1}
    assert course == {**course, "school_name": "西关社区学校", "org_code": COMMUNITY_A1,
                      "capacity": 30, "seats_taken": 0, "seats_left": 30, "waitlist_length": 0,
                      "session_count": 0, "enrolment_open": True, "status": "open",
                      "eligibility": {"age_min": 60}, "confirm_hours": 48,
                      "completion_threshold": 0.75,
                      "attendance_weights": {"present": 1.0, "late": 0.75, "excused": 0.5,
                                             "absent": 0.0},
                      "teacher": {"id": street_a["teacher"]["id"], "kind": "volunteer",
                                  "name": "林老师",
                                  "volunteer_id": street_a["volunteer"]["id"]}}

    # eight weeks, Saturday and Tuesday, 09:00–11:00: sixteen sessions at once
    days = [week * 7 + day for week in range(8) for day in (0, 3)]
    batch = post(api, f"{COURSES}/{course['id']}/sessions", {"sessions": [
        {"venue_id": street_a["venue"]["id"], "starts_at": at(24 * d), "ends_at": at(24 * d + 2),
         "topic": f"第{n + 1}课"} for n, d in enumerate(days)]}, admin)
    assert len(batch["items"]) == 16 and batch["items"][0]["hours"] == 2.0
    listed = walk(api, f"{COURSES}/{course['id']}/sessions", auth("auditor", STREET_A), limit=5)
    assert [s["topic"] for s in listed] == [f"第{n + 1}课" for n in range(16)]
    assert [s["starts_at"] for s in listed] == sorted(s["starts_at"] for s in listed)
    shown = api.get(f"{COURSES}/{course['id']}", headers=auth("grid_worker",
                                                               f"{COMMUNITY_A1}001")).json()
    assert shown["session_count"] == 16

    one = api.get(f"{SESSIONS}/{listed[0]['id']}", headers=admin).json()
    assert one["venue"]["name"] == "一号教室" and one["course_title"] == "太极拳入门"
    moved = api.patch(f"{SESSIONS}/{one['id']}", json={"starts_at": at(-2), "ends_at": at(0)},
                      headers=admin)
    assert moved.status_code == 200 and moved.json()["ends_at"] == at(0), moved.text
    cancelled = post(api, f"{SESSIONS}/{listed[1]['id']}/cancellation", {"reason": "台风"},
                     admin, status=200)
    assert cancelled["status"] == "cancelled"

    patched = api.patch(f"{COURSES}/{course['id']}", json={"capacity": 35, "title": "太极拳"},
                        headers=admin)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["capacity"], patched.json()["session_count"]) == (35, 15)
    filtered = walk(api, COURSES, auth("auditor", DISTRICT), category="health",
                    open_for_enrolment="true", code=STREET_A)
    assert [c["id"] for c in filtered] == [course["id"]]
    assert walk(api, COURSES, auth("auditor", DISTRICT), category="law") == []

    from services.learning.models import OutboxMessage

    with learning_db.session_factory() as session:
        kinds = list(session.scalars(select(OutboxMessage.event_type)))
    assert kinds.count("learning.course_created") == 1
    assert kinds.count("learning.session_scheduled") == 17  # sixteen and one move
    assert kinds.count("learning.session_cancelled") == 1


def test_a_venue_or_teacher_clash_is_a_409_naming_the_session(api, auth, street_a, learning_db):
    admin, course, venue = street_a["admin"], street_a["course"], street_a["venue"]
    booked = post(api, f"{COURSES}/{course['id']}/sessions",
                  {"venue_id": venue["id"], "starts_at": at(0), "ends_at": at(2)}, admin)
    hired = post(api, TEACHERS, {"kind": "hired", "name": "王老师", "org_code": COMMUNITY_A1},
                 admin)
    other = post(api, COURSES, course_body(street_a["school"]["id"], hired["id"],
                                           title="智能手机课", category="computing"), admin)

    clash = api.post(f"{COURSES}/{other['id']}/sessions", headers=admin, json={
        "venue_id": venue["id"], "starts_at": at(1), "ends_at": at(3)})
    problem = assert_problem(clash, 409, field="venue_id", slug="conflict")
    assert f"session {booked['id']}" in problem["detail"] and "太极拳入门" in problem["detail"]
    # (values in a problem's ``errors`` travel over RPC as text)
    assert problem["errors"]["clash"] == {"session_id": str(booked["id"]),
                                          "course_title": "太极拳入门",
                                          "starts_at": at(0), "ends_at": at(2)}

    room = post(api, VENUES, {"org_code": COMMUNITY_A1, "name": "活动中心",
                              "address": "方浜中路199弄14号", "capacity": 60}, admin)
    before = learning_counts(learning_db)
    busy = api.post(f"{COURSES}/{course['id']}/sessions", headers=admin, json={
        "venue_id": room["id"], "starts_at": at(1.5), "ends_at": at(3)})
    problem = assert_problem(busy, 409, field="teacher")
    assert problem["errors"]["clash"]["session_id"] == str(booked["id"])
    assert learning_counts(learning_db) == before

    # back to back in the same room is fine
    post(api, f"{COURSES}/{other['id']}/sessions",
         {"venue_id": venue["id"], "starts_at": at(2), "ends_at": at(3)}, admin)


def test_a_held_session_credits_the_volunteer_teachers_hours(api, auth, street_a, learning_db):
    from services.learning import courses
    from services.learning.models import Course, CourseSession

    admin, course = street_a["admin"], street_a["course"]
    booked = post(api, f"{COURSES}/{course['id']}/sessions", {
        "venue_id": street_a["venue"]["id"], "starts_at": at(0), "ends_at": at(1.5)}, admin)
    for _ in range(2):  # attendance taken twice: one hold, one credit
        with learning_db.transaction("learning") as uow:
            courses.mark_session_held(uow, uow.session.get(CourseSession, booked["id"]),
                                      uow.session.get(Course, course["id"]), SATURDAY)
    hours = f"/api/v1/volunteers/{street_a['volunteer']['id']}/hours"
    reader = auth("auditor", STREET_A)
    page = wait_for(lambda: (lambda p: p if p.get("items") else None)(
        api.get(hours, headers=reader).json()))
    assert page["balance_hours"] == 1.5
    assert [line["hours"] for line in page["items"]] == [1.5]
    assert api.get(f"{SESSIONS}/{booked['id']}", headers=reader).json()["status"] == "held"


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(api, auth, street_a,
                                                                    learning_db):
    admin, course = street_a["admin"], street_a["course"]
    school, teacher, venue = street_a["school"], street_a["teacher"], street_a["venue"]
    booked = post(api, f"{COURSES}/{course['id']}/sessions",
                  {"venue_id": venue["id"], "starts_at": at(0), "ends_at": at(2)}, admin)
    small = post(api, VENUES, {"org_code": COMMUNITY_A1, "name": "小会议室", "address": "x",
                               "capacity": 8}, admin)
    before = learning_counts(learning_db)
    sessions = f"{COURSES}/{course['id']}/sessions"
    cases = [
        ("POST", SCHOOLS, {"org_code": COMMUNITY_A1, "name": "x", "kind": "college",
                           "address": "x"}, 422, "kind"),
        ("POST", SCHOOLS, {"org_code": "350502001009", "name": "x", "kind": "party_school",
                           "address": "x"}, 422, "org_code"),
        ("POST", SCHOOLS, {"org_code": COMMUNITY_A1, "name": "x", "kind": "branch_school",
                           "address": "x"}, 422, "parent_id"),
        ("POST", SCHOOLS, {"org_code": COMMUNITY_A1, "name": "西关社区学校",
                           "kind": "community_school", "address": "x"}, 409, "name"),
        ("POST", SCHOOLS, {"org_code": COMMUNITY_B1, "name": "x", "kind": "party_school",
                           "address": "x"}, 403, "org_code"),
        ("POST", VENUES, {"org_code": COMMUNITY_A1, "name": "x", "address": "x",
                          "capacity": 0}, 422, "capacity"),
        ("POST", TEACHERS, {"kind": "volunteer", "volunteer_id": 999999}, 404, "volunteer_id"),
        ("POST", TEACHERS, {"kind": "volunteer",
                            "volunteer_id": street_a["volunteer"]["id"]}, 409, "volunteer_id"),
        ("POST", TEACHERS, {"kind": "hired"}, 422, "name"),
        ("POST", COURSES, course_body(school["id"], teacher["id"], category="magic"), 422,
         "category"),
        ("POST", COURSES, course_body(school["id"], teacher["id"],
                                      enrol_opens_at=at(10), enrol_closes_at=at(5)), 422,
         "enrol_closes_at"),
        ("POST", COURSES, course_body(school["id"], teacher["id"],
                                      eligibility={"age_min": 70, "age_max": 60}), 422,
         "eligibility.age_max"),
        ("POST", COURSES, course_body(school["id"], teacher["id"],
                                      eligibility={"community_code": COMMUNITY_B1}), 422,
         "eligibility.community_code"),
        ("POST", COURSES, course_body(school["id"], teacher["id"], completion_threshold=0), 422,
         "completion_threshold"),
        ("POST", COURSES, course_body(school["id"], teacher["id"],
                                      attendance_weights={"late": 1.5}), 422,
         "attendance_weights.late"),
        ("POST", COURSES, course_body(school["id"], teacher["id"], enrol_opens_at="2027-01-01T00:00"),
         422, "enrol_opens_at"),
        ("POST", COURSES, course_body(999999, teacher["id"]), 404, "school_id"),
        ("PATCH", f"{COURSES}/{course['id']}", {"capacity": 0}, 422, "capacity"),
        ("PATCH", f"{COURSES}/{course['id']}", {}, 422, "body"),
        ("POST", sessions, {"venue_id": venue["id"], "starts_at": at(5), "ends_at": at(4)}, 422,
         "ends_at"),
        ("POST", sessions, {"venue_id": small["id"], "starts_at": at(5), "ends_at": at(6)}, 422,
         "venue_id"),
        ("POST", sessions, {"venue_id": 999999, "starts_at": at(5), "ends_at": at(6)}, 404,
         "venue_id"),
        ("POST", sessions, {"sessions": [{"venue_id": venue["id"], "starts_at": at(5),
                                          "ends_at": at(6)},
                                         {"venue_id": venue["id"], "starts_at": at(1),
                                          "ends_at": at(3)}]}, 409, "sessions.1.venue_id"),
        ("POST", sessions, {"sessions": []}, 422, "sessions"),
        ("PATCH", f"{SESSIONS}/{booked['id']}", {"venue_id": small["id"]}, 422, "venue_id"),
        ("POST", f"{SESSIONS}/{booked['id']}/cancellation", {}, 422, "reason"),
        ("POST", f"{COURSES}/{course['id']}/finish", None, 409, "status"),
        ("GET", f"{COURSES}?cursor=notacursor", None, 422, "cursor"),
        ("GET", f"{sessions}?cursor=WyJ4Il0", None, 422, "cursor"),
        ("GET", f"{COURSES}?code={COMMUNITY_B1}", None, 403, "code"),
    ]
    failures = []
    for method, url, body, status, field in cases:
        response = api.request(method, url, json=body, headers=admin)
        try:
            assert_problem(response, status, field=field)
        except AssertionError as exc:
            failures.append(f"{method} {url} {body}: {exc}")
    assert not failures, "\n".join(failures)
    assert learning_counts(learning_db) == before


def test_another_street_sees_and_changes_none_of_it(api, auth, street_a, learning_db):
    course, venue = street_a["course"], street_a["venue"]
    booked = post(api, f"{COURSES}/{course['id']}/sessions",
                  {"venue_id": venue["id"], "starts_at": at(0), "ends_at": at(2)},
                  street_a["admin"])
    other = auth("street_admin", STREET_B)
    b_school = post(api, SCHOOLS, {"org_code": STREET_B, "name": "浮桥市民学校",
                                   "kind": "citizens_school", "address": "浮桥街1号"}, other)
    before = learning_counts(learning_db)
    for method, url, body in [
            ("GET", f"{COURSES}/{course['id']}", None),
            ("PATCH", f"{COURSES}/{course['id']}", {"capacity": 50}),
            ("POST", f"{COURSES}/{course['id']}/cancellation", {"reason": "x"}),
            ("GET", f"{COURSES}/{course['id']}/sessions", None),
            ("POST", f"{COURSES}/{course['id']}/sessions",
             {"venue_id": venue["id"], "starts_at": at(5), "ends_at": at(6)}),
            ("GET", f"{SESSIONS}/{booked['id']}", None),
            ("PATCH", f"{SESSIONS}/{booked['id']}", {"topic": "x"}),
            ("POST", f"{SESSIONS}/{booked['id']}/cancellation", {"reason": "x"}),
            ("GET", f"{SCHOOLS}/{street_a['school']['id']}", None),
            ("PATCH", f"{SCHOOLS}/{street_a['school']['id']}", {"name": "x"}),
            ("GET", f"{VENUES}/{venue['id']}", None),
            ("GET", f"{TEACHERS}/{street_a['teacher']['id']}", None)]:
        assert_problem(api.request(method, url, json=body, headers=other), 404, field="id")
    # their course may not use STREET_A's school, teacher or venue
    assert_problem(api.post(COURSES, json=course_body(street_a["school"]["id"],
                                                      street_a["teacher"]["id"]),
                            headers=other), 404, field="school_id")
    assert_problem(api.post(COURSES, json=course_body(b_school["id"], street_a["teacher"]["id"]),
                            headers=other), 404, field="teacher_id")
    assert learning_counts(learning_db) == before
    for url in (COURSES, SCHOOLS, VENUES, TEACHERS):
        assert all(row["org_code"].startswith(STREET_B) for row in walk(api, url, other)), url
    assert walk(api, COURSES, other) == []
    # a community worker beneath the school reads it; readers cannot write
    assert [c["id"] for c in walk(api, COURSES, auth("grid_worker", f"{COMMUNITY_A1}001"))] == [
        course["id"]]
    for role in ("auditor", "grid_worker", "integration"):
        scope = f"{COMMUNITY_A1}001" if role == "grid_worker" else STREET_A
        assert_problem(api.patch(f"{COURSES}/{course['id']}", json={"capacity": 50},
                                 headers=auth(role, scope)), 403)


def test_the_street_school_is_read_from_its_communities_but_changed_only_from_the_street(
        api, auth, street_a):
    admin = street_a["admin"]
    school = post(api, SCHOOLS, {"org_code": STREET_A, "name": "江南街道社区学校",
                                 "kind": "community_school", "address": "西街58号"}, admin)
    venue = post(api, VENUES, {"school_id": school["id"], "name": "多功能厅", "address": "西街58号",
                               "capacity": 80}, admin)
    teacher = post(api, TEACHERS, {"kind": "hired", "name": "陈老师", "org_code": STREET_A}, admin)
    worker = auth("community_worker", COMMUNITY_A1)
    for url, row in ((SCHOOLS, school), (VENUES, venue), (TEACHERS, teacher)):
        assert row["id"] in [r["id"] for r in walk(api, url, worker)], url
        assert api.get(f"{url}/{row['id']}", headers=worker).json()["id"] == row["id"]
    assert_problem(api.patch(f"{SCHOOLS}/{school['id']}", json={"name": "x"}, headers=worker),
                   404, field="id")
    beside = auth("community_worker", COMMUNITY_B1)
    for url, row in ((SCHOOLS, school), (VENUES, venue), (TEACHERS, teacher)):
        assert row["id"] not in [r["id"] for r in walk(api, url, beside)], url
        assert_problem(api.get(f"{url}/{row['id']}", headers=beside), 404, field="id")
