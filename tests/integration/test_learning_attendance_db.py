"""Attendance, completion and certificates on SQLite and PostgreSQL: a sign-in stored all or
nothing, corrections, the weighted rate over every non-cancelled session, completion exactly
once (also when sign-ins race), certificates verified publicly and listed within scope."""
import pytest
from sqlalchemy import func, select

from services.learning import attendance, certificates
from services.learning.domain import attendance as rules
from services.learning.models import Course, CourseSession, Enrolment, OutboxMessage
from services.learning.models.attendance import Attendance, Certificate
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from tests.learning_support import (
    COMMUNITY,
    make_course,
    make_enrolment,
    make_school,
    make_session,
    make_teacher,
    make_venue,
)

WORKER = CallerContext("worker-a1", ("community_worker",), COMMUNITY)
STREET_A = CallerContext("street-a", ("street_admin",), "350502001")
STREET_B = CallerContext("street-b", ("street_admin",), "350502002")
AUDITOR = CallerContext("auditor", ("auditor",), "350502")


def build(db, sessions=4, residents=(101, 102, 103), school_name="西关社区学校", **course_values):
    """A course of ``sessions`` past sessions and the residents enrolled on it."""
    with db.transaction("learning") as uow:
        school = make_school(uow, name=school_name)
        teacher = make_teacher(uow)
        venue = make_venue(uow, school, name=f"{school_name}教室")
        course = make_course(uow, school, teacher, **course_values)
        session_ids = [make_session(uow, course, venue, starts_in_hours=-24 * (sessions - n) - 2).id
                       for n in range(sessions)]
        enrolments = {resident: make_enrolment(uow, course, resident).id for resident in residents}
        return course.id, session_ids, enrolments


def sign_in(db, session_id, records, caller=WORKER):
    with db.transaction("learning", caller) as uow:
        return attendance.record_attendance(uow, session_id, {"records": records})


def everyone(enrolments, status="present", only=None):
    return [{"enrolment_id": enrolment_id, "status": status}
            for resident, enrolment_id in enrolments.items() if only is None or resident in only]


def rows(db, model):
    with db.session_factory() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def events(db, event_type):
    with db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope).where(
            OutboxMessage.event_type == event_type).order_by(OutboxMessage.id)))


def enrolment_status(db, enrolment_id):
    with db.session_factory() as session:
        return session.get(Enrolment, enrolment_id).status


def as_caller(db, caller, fn, *args):
    """``fn`` for ``caller`` (None: nobody, as on the public certificate route)."""
    uow = db.unit_of_work("learning", caller)
    try:
        result = fn(uow, *args)
    except BaseException:
        uow.rollback()
        raise
    uow.commit()
    return result


def test_a_sign_in_stores_each_status_and_marks_the_session_held(learning_service_db):
    db = learning_service_db
    course_id, sessions, enrolments = build(db)
    result = sign_in(db, sessions[0], [
        {"enrolment_id": enrolments[101], "status": "present"},
        {"resident_id": 102, "status": "late", "note": "  公交晚点 "},
        {"enrolment_id": enrolments[103], "status": "absent"}])
    assert (result["recorded"], result["corrected"], result["completed"]) == (3, 0, [])
    assert result["counts"] == {"present": 1, "late": 1, "excused": 0, "absent": 1}
    assert result["session_status"] == "held"
    assert [(line["resident_id"], line["status"], line["note"]) for line in result["records"]] == [
        (101, "present", None), (102, "late", "公交晚点"), (103, "absent", None)]
    with db.session_factory() as session:
        held = session.get(CourseSession, sessions[0])
        assert held.status == "held" and held.held_at is not None
    (recorded,) = events(db, "learning.attendance_recorded")
    assert recorded["data"]["counts"] == result["counts"]
    assert recorded["data"]["course_id"] == course_id and recorded["org_code"] == COMMUNITY
    assert len(events(db, "learning.session_held")) == 1


def test_posting_again_corrects_and_keeps_who_changed_it(learning_service_db):
    db = learning_service_db
    _, sessions, enrolments = build(db)
    sign_in(db, sessions[0], everyone(enrolments, "absent"))
    again = sign_in(db, sessions[0], [{"resident_id": 101, "status": "present"},
                                      {"resident_id": 102, "status": "absent"}], caller=STREET_A)
    assert (again["recorded"], again["corrected"]) == (2, 1)
    assert again["counts"] == {"present": 1, "late": 0, "excused": 0, "absent": 2}
    stored = {row.resident_id: row for row in rows(db, Attendance)}
    assert len(stored) == 3
    assert (stored[101].status, stored[101].corrections) == ("present", 1)
    assert (stored[101].first_recorded_by, stored[101].recorded_by) == ("worker-a1", "street-a")
    assert (stored[102].corrections, stored[102].recorded_by) == (0, "worker-a1")  # unchanged
    # the session was marked held once
    assert len(events(db, "learning.session_held")) == 1


def test_completion_at_exactly_the_threshold_issues_one_certificate(learning_service_db):
    db = learning_service_db
    course_id, sessions, enrolments = build(db)
    # 101: present at 3 of 4 (75%) · 102: present at 2, late at 1 (68.75%) · 103: 2 of 4
    sign_in(db, sessions[0], everyone(enrolments))
    sign_in(db, sessions[1], everyone(enrolments))
    result = sign_in(db, sessions[2], [
        {"resident_id": 101, "status": "present"}, {"resident_id": 102, "status": "late"},
        {"resident_id": 103, "status": "absent"}])
    (completed,) = result["completed"]
    assert (completed["resident_id"], completed["attendance_rate"]) == (101, 0.75)
    assert enrolment_status(db, enrolments[101]) == "completed"
    assert enrolment_status(db, enrolments[102]) == "enrolled"
    (certificate,) = rows(db, Certificate)
    assert certificate.number == completed["certificate_number"]
    assert rules.malformed_reason(certificate.number) is None
    assert certificate.number.startswith("LX-350502-")
    assert (certificate.holder_name, certificate.course_title, certificate.school_name) == (
        "居民101", "太极拳入门", "西关社区学校")
    assert certificate.hours == 6.0  # three two-hour sessions attended
    with db.session_factory() as session:
        course = session.get(Course, course_id)
        assert session.get(Enrolment, enrolments[101]).completed_at is not None
        assert course.seats_taken == 3  # a completed enrolment keeps its seat
    (done,) = events(db, "learning.course_completed")
    assert done["data"] == {
        "resident_id": 101, "enrolment_id": enrolments[101], "course_id": course_id,
        "category": "health", "format": "long_course", "org_code": COMMUNITY,
        "community_code": COMMUNITY, "attendance_rate": 0.75,
        "completed_on": rules.local_date(certificate.issued_at).isoformat(),
        "certificate_number": certificate.number}
    (issued,) = events(db, "learning.certificate_issued")
    assert issued["data"]["certificate_number"] == certificate.number
    assert "holder_name" not in issued["data"] and "resident_name" not in done["data"]

    # the last session: 102 reaches 93.75%; 101 corrected to absent keeps their certificate
    last = sign_in(db, sessions[3], [{"resident_id": 101, "status": "absent"},
                                     {"resident_id": 102, "status": "present"}])
    assert [c["resident_id"] for c in last["completed"]] == [102]
    again = sign_in(db, sessions[3], [{"resident_id": 101, "status": "present"}])
    assert again["completed"] == [] and again["corrected"] == 1
    assert [c.resident_id for c in rows(db, Certificate)] == [101, 102]
    assert len(events(db, "learning.course_completed")) == 2
    assert enrolment_status(db, enrolments[103]) == "enrolled"


def test_a_cancelled_session_counts_neither_way(learning_service_db):
    db = learning_service_db
    _, sessions, enrolments = build(db, residents=(101,))
    with db.transaction("learning") as uow:
        uow.session.get(CourseSession, sessions[3]).status = "cancelled"
    sign_in(db, sessions[0], everyone(enrolments))
    result = sign_in(db, sessions[1], everyone(enrolments))
    assert result["completed"] == []  # 2 of 3
    result = sign_in(db, sessions[2], everyone(enrolments, "late"))  # (1 + 1 + 0.75) / 3
    assert [c["attendance_rate"] for c in result["completed"]] == [pytest.approx(0.9167)]
    with pytest.raises(Conflict) as refused:
        sign_in(db, sessions[3], everyone(enrolments))
    assert refused.value.field == "session"


def test_a_course_threshold_and_weights_are_its_own(learning_service_db):
    db = learning_service_db
    _, sessions, enrolments = build(db, sessions=2, residents=(101,), completion_threshold=0.5,
                                    attendance_weights={"excused": 1.0, "late": 1.0})
    result = sign_in(db, sessions[0], everyone(enrolments, "excused"))
    assert [c["attendance_rate"] for c in result["completed"]] == [0.5]


def test_sign_in_opens_an_hour_before_the_session(learning_service_db):
    db = learning_service_db
    with db.transaction("learning") as uow:
        course = make_course(uow)
        soon = make_session(uow, course, starts_in_hours=0.5).id
        later = make_session(uow, course, make_venue(uow, name="二号教室"), starts_in_hours=26).id
        enrolment = make_enrolment(uow, course, 101).id
    with pytest.raises(Conflict) as refused:
        sign_in(db, later, [{"enrolment_id": enrolment, "status": "present"}])
    assert refused.value.field == "session"
    assert sign_in(db, soon, [{"enrolment_id": enrolment, "status": "present"}])["recorded"] == 1


@pytest.mark.parametrize("records, field", [
    ([{"resident_id": 101, "status": "present"}, {"resident_id": 102, "status": "asleep"}],
     "records.1.status"),
    ([{"resident_id": 101, "status": "present"}, {"status": "present"}], "records.1.enrolment_id"),
    ([{"resident_id": 101, "enrolment_id": 1, "status": "present"}], "records.0.enrolment_id"),
    ([{"resident_id": 101, "status": "present"}, {"resident_id": 999, "status": "present"}],
     "records.1.resident_id"),
    ([{"resident_id": 101, "status": "present"}, {"resident_id": 104, "status": "present"}],
     "records.1.resident_id"),  # waitlisted: no seat
    ([{"resident_id": 101, "status": "present"}, {"resident_id": 105, "status": "present"}],
     "records.1.resident_id"),  # withdrawn
    ([{"resident_id": 101, "status": "present"}, {"resident_id": 101, "status": "late"}],
     "records.1.resident_id"),
    ([{"resident_id": 101, "status": "present", "note": "x" * 201}], "records.0.note"),
    ([], "records"),
])
def test_a_bad_row_refuses_the_whole_sheet(learning_service_db, records, field):
    db = learning_service_db
    _, sessions, enrolments = build(db, residents=(101, 102))
    with db.transaction("learning") as uow:
        course = uow.session.get(Course, uow.session.get(CourseSession, sessions[0]).course_id)
        make_enrolment(uow, course, 104, status="waitlisted")
        make_enrolment(uow, course, 105, status="withdrawn")
    with pytest.raises(InvalidInput) as refused:
        sign_in(db, sessions[0], records)
    assert refused.value.field == field, refused.value.detail
    assert rows(db, Attendance) == []
    assert events(db, "learning.attendance_recorded") == []
    with db.session_factory() as session:
        assert session.get(CourseSession, sessions[0]).status == "scheduled"


def test_another_courses_enrolment_is_not_a_seat_here(learning_service_db):
    db = learning_service_db
    _, sessions, _ = build(db, residents=(101,))
    _, _, others = build(db, residents=(201,), school_name="市民学校", title="八段锦")
    with pytest.raises(InvalidInput) as refused:
        sign_in(db, sessions[0], [{"enrolment_id": others[201], "status": "present"}])
    assert refused.value.field == "records.0.enrolment_id"


def test_scope_and_roles(learning_service_db):
    db = learning_service_db
    _, sessions, enrolments = build(db)
    for caller in (STREET_B, CallerContext("w", ("community_worker",), "350502001002")):
        with pytest.raises(NotFound) as hidden:
            sign_in(db, sessions[0], everyone(enrolments), caller=caller)
        assert hidden.value.field == "id"
        with pytest.raises(NotFound):
            as_caller(db, caller, attendance.roster, sessions[0], {})
    with pytest.raises(Forbidden):
        sign_in(db, sessions[0], everyone(enrolments), caller=AUDITOR)
    with pytest.raises(NotFound):
        sign_in(db, 10**6, everyone(enrolments))
    with pytest.raises(NotFound):
        sign_in(db, True, everyone(enrolments))
    with pytest.raises(NotAuthenticated):
        as_caller(db, None, attendance.roster, sessions[0], {})
    assert rows(db, Attendance) == []
    # reading: any role within scope
    assert len(as_caller(db, AUDITOR, attendance.roster, sessions[0], {})["items"]) == 3


def test_the_roster_lists_every_seat_holder_with_a_status_or_null(learning_service_db):
    db = learning_service_db
    _, sessions, enrolments = build(db, residents=(101, 102, 103, 106, 107))
    with db.transaction("learning") as uow:
        uow.session.get(Enrolment, enrolments[107]).status = "withdrawn"
    sign_in(db, sessions[0], [{"resident_id": 101, "status": "late"}])
    seen, cursor = [], None
    while True:
        page = as_caller(db, WORKER, attendance.roster, sessions[0],
                         {"limit": 2, **({"cursor": cursor} if cursor else {})})
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [(line["resident_id"], line["status"]) for line in seen] == [
        (101, "late"), (102, None), (103, None), (106, None)]
    assert seen[0]["recorded_by"] == "worker-a1"
    with pytest.raises(InvalidInput) as refused:
        as_caller(db, WORKER, attendance.roster, sessions[0], {"cursor": "nonsense"})
    assert refused.value.field == "cursor"


def _race(db, sessions, enrolments, posts):
    """``posts`` sign-ins at once (real threads: SQLite's lock waits outside the GIL)."""
    import eventlet

    threading = eventlet.patcher.original("threading")
    outcomes, barrier = [], threading.Barrier(posts)

    def post(n):
        barrier.wait()
        unit = db.unit_of_work("learning", WORKER)
        try:
            result = attendance.record_attendance(unit, sessions[2 + n % 2], {
                "records": everyone(enrolments)})
            unit.commit()
            outcomes.append(len(result["completed"]))
        except Exception as exc:  # noqa: BLE001  (the test reports any failure)
            unit.rollback()
            outcomes.append(exc)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_sign_ins_at_once_complete_each_enrolment_exactly_once(learning_service_db):
    db = learning_service_db
    _, sessions, enrolments = build(db, residents=(101, 102))
    sign_in(db, sessions[0], everyone(enrolments))
    sign_in(db, sessions[1], everyone(enrolments))  # 2 of 4: one more session completes them
    outcomes = _race(db, sessions, enrolments, posts=6)
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert sorted(outcomes) == [0, 0, 0, 0, 0, 2]
    assert sorted(c.resident_id for c in rows(db, Certificate)) == [101, 102]
    assert len(events(db, "learning.course_completed")) == 2
    assert len(events(db, "learning.certificate_issued")) == 2
    with db.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Attendance)) == 2 * 4


def test_a_second_certificate_for_an_enrolment_is_refused_by_the_database(learning_service_db):
    db = learning_service_db
    _, sessions, enrolments = build(db, sessions=1, residents=(101,))
    sign_in(db, sessions[0], everyone(enrolments))
    (certificate,) = rows(db, Certificate)
    with pytest.raises(Conflict):
        with db.transaction("learning") as uow:
            uow.session.add(Certificate(
                number="LX-350502-2026-999999-0", course_id=certificate.course_id,
                enrolment_id=certificate.enrolment_id, resident_id=101, org_code=COMMUNITY,
                holder_name="x", course_title="x", school_name="x", hours=0,
                attendance_rate=1))


def test_anyone_verifies_a_certificate_and_sees_the_name_masked(learning_service_db):
    db = learning_service_db
    _, sessions, enrolments = build(db, sessions=1, residents=(101,))
    with db.transaction("learning") as uow:
        uow.session.get(Enrolment, enrolments[101]).resident_name = "张三明"
    (done,) = sign_in(db, sessions[0], everyone(enrolments))["completed"]
    number = done["certificate_number"]
    shown = as_caller(db, None, certificates.verify, number.lower())
    assert shown == {"number": number, "valid": True, "course_title": "太极拳入门",
                     "school_name": "西关社区学校", "holder_name": "张*明",
                     "issued_on": shown["issued_on"], "revoked_on": None,
                     "attendance_rate": 1.0, "hours": 2.0}
    typo = number[:-3] + ("0" if number[-3] != "0" else "1") + number[-2:]
    for wrong in (typo, "LX-350502-2026-000001", "nonsense", "LX-350502-2026-" + "9" * 10 + "-0"):
        with pytest.raises(NotFound) as missing:
            as_caller(db, None, certificates.verify, wrong)
        assert missing.value.field == "number"
    well_formed_unknown = rules.certificate_number("350502", 2026, 999999)
    with pytest.raises(NotFound) as missing:
        as_caller(db, None, certificates.verify, well_formed_unknown)
    assert "no certificate" in missing.value.detail


def test_certificates_are_listed_within_scope(learning_service_db):
    db = learning_service_db
    course_id, sessions, enrolments = build(db, sessions=1, residents=(101, 102))
    sign_in(db, sessions[0], everyone(enrolments))
    listed = as_caller(db, AUDITOR, certificates.list_certificates, {"limit": 1})
    assert len(listed["items"]) == 1 and listed["next_cursor"]
    rest = as_caller(db, AUDITOR, certificates.list_certificates,
                     {"cursor": listed["next_cursor"]})
    assert [c["resident_id"] for c in listed["items"] + rest["items"]] == [101, 102]
    assert listed["items"][0]["holder_name"] == "居民101"  # in scope: the name as enrolled
    only = as_caller(db, WORKER, certificates.list_certificates,
                     {"resident_id": "102", "course_id": str(course_id)})
    assert [c["resident_id"] for c in only["items"]] == [102]
    assert as_caller(db, STREET_B, certificates.list_certificates, {})["items"] == []
    with pytest.raises(InvalidInput) as refused:
        as_caller(db, WORKER, certificates.list_certificates, {"resident_id": "abc"})
    assert refused.value.field == "resident_id"


# --- membership records the skill (learning.course_completed) ------------------------------------

def completed_event(resident_id, category="computing"):
    from shared.events.registry import make_envelope

    return make_envelope("learning.course_completed", {
        "resident_id": resident_id, "enrolment_id": 1, "course_id": 1, "category": category,
        "format": "long_course", "org_code": COMMUNITY, "community_code": COMMUNITY,
        "attendance_rate": 0.8, "completed_on": "2026-11-30",
        "certificate_number": rules.certificate_number("350502", 2026, 1)}, COMMUNITY, "worker")


def test_a_volunteer_who_completes_a_course_has_its_category_as_a_skill(service_db):
    from services.membership import volunteers
    from services.membership.models import OutboxMessage as MembershipOutbox
    from tests.e2e.conftest import seed_territory
    from tests.integration.test_volunteers import WORKER_A1, add_resident, call

    seed_territory(service_db)
    volunteer_resident = add_resident(service_db, f"{COMMUNITY}001", name="李四")
    other = add_resident(service_db, f"{COMMUNITY}001", name="王五")
    volunteer = call(service_db, WORKER_A1, volunteers.enrol_volunteer,
                     {"resident_id": volunteer_resident, "skills": ["理发"]})

    def apply(envelope):
        with service_db.transaction("membership") as uow:
            return volunteers.record_learned_skill(uow, envelope)

    assert apply(completed_event(volunteer_resident)) == {
        "volunteer_id": volunteer["id"], "action": "add_skill", "skill": "computing"}
    assert apply(completed_event(volunteer_resident))["action"] == "ignore"  # once
    assert apply(completed_event(other)) == {"volunteer_id": None, "action": "ignore"}
    shown = call(service_db, WORKER_A1, volunteers.get_volunteer, volunteer["id"])
    assert shown["skills"] == ["理发", "computing"]
    with service_db.session_factory() as session:
        updates = list(session.scalars(select(MembershipOutbox.envelope).where(
            MembershipOutbox.event_type == "membership.volunteer_updated")))
    assert [u["data"]["added_skills"] for u in updates] == [["computing"]]


def test_a_community_worker_lists_their_residents_certificates_of_the_street_school(
        learning_service_db):
    db = learning_service_db
    course_id, sessions, enrolments = build(db, sessions=1, residents=(501,),
                                            school_name="江南街道社区学校")
    with db.transaction("learning") as uow:  # a course of the street; the resident lives in 西关
        uow.session.get(Course, course_id).org_code = "350502001"
    sign_in(db, sessions[0], everyone(enrolments), caller=STREET_A)
    [number] = [c.number for c in rows(db, Certificate)]

    def listed(caller):
        page = as_caller(db, caller, certificates.list_certificates, {})
        return [item["number"] for item in page["items"]]

    assert listed(WORKER) == [number]  # their resident, though the course is the street's
    assert listed(STREET_A) == [number]
    assert listed(CallerContext("worker-a2", ("community_worker",), "350502001002")) == []
    assert listed(STREET_B) == []
