"""Courses and sessions on SQLite and PostgreSQL: overlapping bookings of one venue (or one
teacher) fired at once, each in its own transaction — exactly one wins; a batch is all or none;
back to back is fine, a cancelled session frees its slot; a held session is marked once and
emits its events (the volunteer's hours included) once; capacity changes."""
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from eventlet import patcher
from sqlalchemy import select

from services.learning import courses
from services.learning.models import Base, CourseSession, Enrolment, OutboxMessage
from shared.context import CallerContext
from shared.db import ServiceDatabase
from shared.errors import Conflict, InvalidInput, NotFound
from tests.learning_support import (
    COMMUNITY,
    make_course,
    make_enrolment,
    make_school,
    make_teacher,
    make_venue,
)

WORKER = CallerContext("worker", ("community_worker",), COMMUNITY)
ELSEWHERE = CallerContext("other", ("street_admin",), "350502002")
AUDITOR = CallerContext("auditor", ("auditor",), "350502")
MONDAY = datetime(2027, 3, 8, 11, 0, tzinfo=timezone.utc)  # 19:00 in Quanzhou
CONTENDERS = 10
real_threading = patcher.original("threading")


def at(hours: float) -> str:
    return (MONDAY + timedelta(hours=hours)).isoformat()


def slot(venue_id, starts=0.0, hours=2.0, **extra) -> dict:
    return {"venue_id": venue_id, "starts_at": at(starts), "ends_at": at(starts + hours), **extra}


def setup_rows(db, teachers=1, venue_capacity=40, volunteer_id=None):
    """A school, a venue and a course per teacher (ids, so they cross transactions)."""
    with db.transaction("learning") as uow:
        school = make_school(uow)
        venue = make_venue(uow, school, capacity=venue_capacity)
        course_ids, teacher_ids = [], []
        for n in range(teachers):
            teacher = make_teacher(uow, name=f"老师{n}",
                                   **({"kind": "volunteer", "volunteer_id": volunteer_id + n}
                                      if volunteer_id else {}))
            course = make_course(uow, school, teacher, title=f"课程{n}")
            teacher_ids.append(teacher.id)
            course_ids.append(course.id)
        return {"school": school.id, "venue": venue.id, "courses": course_ids,
                "teachers": teacher_ids}


def schedule(db, course_id, payload, caller=WORKER):
    with db.transaction("learning", caller) as uow:
        return courses.schedule_sessions(uow, course_id, payload)


def sessions(db) -> list[CourseSession]:
    with db.session_factory() as session:
        return list(session.scalars(select(CourseSession).order_by(CourseSession.id)))


def outbox(db, event_type) -> list[dict]:
    with db.session_factory() as session:
        return [envelope["data"] for envelope in session.scalars(
            select(OutboxMessage.envelope).where(OutboxMessage.event_type == event_type)
            .order_by(OutboxMessage.id))]


def race(db, attempts) -> list:
    """Run every ``(course_id, payload)`` booking at once, each in its own transaction; the
    outcome of each: the session booked, or the refusal.

    PostgreSQL: green threads over one pool (pg8000 yields while it waits on a lock). SQLite's
    driver waits for the write lock inside C, which would stall every green thread of the
    process, so there each contender is a real thread with an engine of its own.
    """
    outcomes: list = [None] * len(attempts)

    def attempt(index, database):
        course_id, payload = attempts[index]
        try:
            outcomes[index] = schedule(database, course_id, payload)
        except (Conflict, InvalidInput) as error:
            outcomes[index] = error

    if db.engine.dialect.name == "postgresql":
        start = eventlet.event.Event()

        def green(index):
            start.wait()
            attempt(index, db)

        threads = [eventlet.spawn(green, i) for i in range(len(attempts))]
        eventlet.sleep(0)
        start.send()
        for thread in threads:
            thread.wait()
        return outcomes

    databases = [ServiceDatabase(Base, db.url) for _ in attempts]
    barrier = real_threading.Barrier(len(attempts))

    def real(index):
        barrier.wait()
        attempt(index, databases[index])

    threads = [real_threading.Thread(target=real, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for database in databases:
        database.dispose()
    return outcomes


def test_overlapping_bookings_of_one_venue_at_once_exactly_one_wins(learning_service_db):
    db = learning_service_db
    rows = setup_rows(db, teachers=CONTENDERS)
    # ten courses, ten teachers, one room: every slot overlaps every other
    outcomes = race(db, [(course_id, slot(rows["venue"], starts=n * 0.1))
                         for n, course_id in enumerate(rows["courses"])])
    won = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if not isinstance(o, dict)]
    assert len(won) == 1, outcomes
    assert len(refused) == CONTENDERS - 1
    for error in refused:
        assert isinstance(error, Conflict) and error.field == "venue_id", error
        assert error.errors["clash"]["session_id"] == won[0]["id"]
        assert won[0]["course_title"] in error.detail
    assert [s.id for s in sessions(db)] == [won[0]["id"]]
    assert len(outbox(db, "learning.session_scheduled")) == 1


def test_overlapping_bookings_of_one_teacher_at_once_exactly_one_wins(learning_service_db):
    db = learning_service_db
    rows = setup_rows(db)
    with db.transaction("learning") as uow:
        venues = [make_venue(uow, name=f"教室{n}").id for n in range(CONTENDERS)]
    course = rows["courses"][0]
    outcomes = race(db, [(course, slot(venue, starts=n * 0.1))
                         for n, venue in enumerate(venues)])
    won = [o for o in outcomes if isinstance(o, dict)]
    assert len(won) == 1, outcomes
    assert all(isinstance(o, Conflict) and o.field == "teacher"
               for o in outcomes if not isinstance(o, dict)), outcomes
    assert len(sessions(db)) == 1


def test_back_to_back_is_fine_a_clash_names_the_session_and_cancelling_frees_the_slot(
        learning_service_db):
    db = learning_service_db
    rows = setup_rows(db, teachers=2)
    first, second = rows["courses"]
    booked = schedule(db, first, slot(rows["venue"], 0, 2, topic="第一课"))
    assert (booked["status"], booked["topic"], booked["hours"]) == ("scheduled", "第一课", 2.0)
    schedule(db, second, slot(rows["venue"], 2, 1))  # starts when the first ends
    schedule(db, second, slot(rows["venue"], -1, 1))  # ends when the first starts
    with pytest.raises(Conflict) as clash:
        schedule(db, second, slot(rows["venue"], 1.5, 1))
    assert clash.value.field == "venue_id"
    assert clash.value.errors["clash"] == {"session_id": booked["id"], "course_title": "课程0",
                                           "starts_at": at(0), "ends_at": at(2)}
    assert f"session {booked['id']}" in clash.value.detail and "课程0" in clash.value.detail

    with db.transaction("learning", WORKER) as uow:
        courses.cancel_session(uow, booked["id"], {"reason": "老师生病"})
    again = schedule(db, second, slot(rows["venue"], 0.5, 1))
    assert again["venue"]["id"] == rows["venue"]
    cancelled = outbox(db, "learning.session_cancelled")
    assert [(e["session_id"], e["reason"]) for e in cancelled] == [(booked["id"], "老师生病")]
    with pytest.raises(Conflict) as twice:
        with db.transaction("learning", WORKER) as uow:
            courses.cancel_session(uow, booked["id"], {"reason": "again"})
    assert twice.value.field == "status"


def test_rescheduling_is_checked_like_a_booking_but_not_against_itself(learning_service_db):
    db = learning_service_db
    rows = setup_rows(db, teachers=2)
    first = schedule(db, rows["courses"][0], slot(rows["venue"], 0, 2))
    second = schedule(db, rows["courses"][1], slot(rows["venue"], 3, 2))
    with db.transaction("learning", WORKER) as uow:  # overlapping its own old slot is fine
        moved = courses.reschedule_session(uow, first["id"], {"starts_at": at(1),
                                                             "ends_at": at(3)})
    assert (moved["starts_at"], moved["ends_at"]) == (at(1), at(3))
    with pytest.raises(Conflict) as clash:
        with db.transaction("learning", WORKER) as uow:
            courses.reschedule_session(uow, first["id"], {"ends_at": at(4)})
    assert clash.value.field == "venue_id"
    assert clash.value.errors["clash"]["session_id"] == second["id"]
    with pytest.raises(InvalidInput) as backwards:
        with db.transaction("learning", WORKER) as uow:
            courses.reschedule_session(uow, first["id"], {"ends_at": at(0.5)})
    assert backwards.value.field == "ends_at"
    moves = outbox(db, "learning.session_scheduled")
    assert [m["rescheduled"] for m in moves] == [False, False, True]


def test_a_batch_is_booked_all_or_none(learning_service_db):
    db = learning_service_db
    rows = setup_rows(db, teachers=2)
    course, other = rows["courses"]
    taken = schedule(db, other, slot(rows["venue"], 24 * 14, 2))
    twice_a_week = [slot(rows["venue"], 24 * day, 2, topic=f"第{n + 1}课")
                    for n, day in enumerate(d + week * 7 for week in range(8) for d in (0, 3))]
    assert len(twice_a_week) == 16
    with pytest.raises(Conflict) as clash:  # the fifth (week 3, Monday) clashes
        schedule(db, course, {"sessions": twice_a_week})
    assert clash.value.field == "sessions.4.venue_id"
    assert clash.value.errors["clash"]["session_id"] == taken["id"]
    assert [s.id for s in sessions(db)] == [taken["id"]]

    with pytest.raises(Conflict) as itself:  # two of the batch overlap each other
        schedule(db, course, {"sessions": [slot(rows["venue"], 0), slot(rows["venue"], 1)]})
    assert itself.value.field == "sessions.1.venue_id"
    with pytest.raises(InvalidInput) as bad:
        schedule(db, course, {"sessions": [slot(rows["venue"], 0), slot(rows["venue"], 5, -1)]})
    assert bad.value.field == "sessions.1.ends_at"
    with pytest.raises(InvalidInput) as too_many:
        schedule(db, course, {"sessions": [slot(rows["venue"], 3 * n) for n in range(61)]})
    assert too_many.value.field == "sessions"
    assert len(sessions(db)) == 1

    booked = schedule(db, course, {"sessions": twice_a_week[:4]})
    assert [s["topic"] for s in booked["items"]] == ["第1课", "第2课", "第3课", "第4课"]
    assert len(outbox(db, "learning.session_scheduled")) == 5


def test_a_venue_smaller_than_the_course_and_a_venue_out_of_scope_are_refused(
        learning_service_db):
    db = learning_service_db
    rows = setup_rows(db, venue_capacity=10)  # the course seats 20
    with pytest.raises(InvalidInput) as small:
        schedule(db, rows["courses"][0], slot(rows["venue"]))
    assert small.value.field == "venue_id"
    with db.transaction("learning") as uow:
        elsewhere = make_venue(uow, org_code="350502002001", name="浮桥教室").id
    with pytest.raises(NotFound) as hidden:
        schedule(db, rows["courses"][0], slot(elsewhere))
    assert hidden.value.field == "venue_id"
    with pytest.raises(NotFound):
        schedule(db, rows["courses"][0], slot(elsewhere), caller=ELSEWHERE)
    assert sessions(db) == []


def held(db, session_id, course_id, when):
    with db.transaction("learning") as uow:
        session = uow.session.get(CourseSession, session_id)
        course = uow.session.get(courses.Course, course_id)
        return courses.mark_session_held(uow, session, course, when)


def test_a_held_session_is_marked_once_and_a_volunteer_teacher_earns_its_hours_once(
        learning_service_db):
    db = learning_service_db
    rows = setup_rows(db, volunteer_id=77)
    course = rows["courses"][0]
    booked = schedule(db, course, slot(rows["venue"], 0, 1.5))
    when = MONDAY + timedelta(hours=1)
    assert held(db, booked["id"], course, when) is True
    assert held(db, booked["id"], course, when + timedelta(hours=1)) is False
    (session,) = sessions(db)
    assert (session.status, session.held_at) == ("held", when)
    (event,) = outbox(db, "learning.session_held")
    assert event == {**event, "session_id": booked["id"], "course_id": course,
                     "venue_id": rows["venue"], "teacher_id": rows["teachers"][0],
                     "teacher_kind": "volunteer", "volunteer_id": 77, "hours": 1.5,
                     "org_code": COMMUNITY}
    (earned,) = outbox(db, "learning.volunteer_hours_earned")
    assert earned == {**earned, "volunteer_id": 77, "hours": 1.5, "source_type": "class",
                      "source_id": str(booked["id"]), "org_code": COMMUNITY,
                      "activity_date": "2027-03-08"}
    # a held session is history: neither moved nor cancelled
    for change in (lambda uow: courses.reschedule_session(uow, booked["id"], {"ends_at": at(3)}),
                   lambda uow: courses.cancel_session(uow, booked["id"], {"reason": "x"})):
        with pytest.raises(Conflict) as refused:
            with db.transaction("learning", WORKER) as uow:
                change(uow)
        assert refused.value.field == "status"


def test_a_hired_teachers_session_earns_no_hours_and_a_cancelled_one_cannot_be_held(
        learning_service_db):
    db = learning_service_db
    rows = setup_rows(db)
    course = rows["courses"][0]
    first = schedule(db, course, slot(rows["venue"], 0, 2))
    second = schedule(db, course, slot(rows["venue"], 24, 2))
    assert held(db, first["id"], course, MONDAY) is True
    assert len(outbox(db, "learning.session_held")) == 1
    assert outbox(db, "learning.volunteer_hours_earned") == []
    with db.transaction("learning", WORKER) as uow:
        courses.cancel_session(uow, second["id"], {"reason": "停电"})
    with pytest.raises(Conflict):
        held(db, second["id"], course, MONDAY)


def test_capacity_never_below_the_seats_taken_and_a_raise_promotes_the_waitlist(
        learning_service_db):
    db = learning_service_db
    with db.transaction("learning") as uow:
        course = make_course(uow, capacity=2)
        for resident in (1, 2):
            make_enrolment(uow, course, resident)
        waiting = [make_enrolment(uow, course, resident, status="waitlisted").id
                   for resident in (3, 4, 5)]
        course_id = course.id
    with db.transaction("learning", WORKER) as uow:
        shown = courses.get_course(uow, course_id)
    assert (shown["seats_taken"], shown["seats_left"], shown["waitlist_length"]) == (2, 0, 3)
    with pytest.raises(Conflict) as below:
        with db.transaction("learning", WORKER) as uow:
            courses.update_course(uow, course_id, {"capacity": 1})
    assert below.value.field == "capacity"
    with db.transaction("learning", WORKER) as uow:
        raised = courses.update_course(uow, course_id, {"capacity": 4, "title": "太极拳进阶"})
    assert (raised["capacity"], raised["title"]) == (4, "太极拳进阶")
    assert (raised["seats_taken"], raised["waitlist_length"]) == (4, 1)
    with db.session_factory() as session:
        statuses = dict(session.execute(select(Enrolment.id, Enrolment.status).where(
            Enrolment.id.in_(waiting))).all())
    assert [statuses[i] for i in waiting] == ["offered", "offered", "waitlisted"]


def test_cancelling_a_course_cancels_its_scheduled_sessions_and_scope_hides_it(
        learning_service_db):
    db = learning_service_db
    rows = setup_rows(db)
    course = rows["courses"][0]
    booked = schedule(db, course, {"sessions": [slot(rows["venue"], 0), slot(rows["venue"], 24)]})
    with pytest.raises(NotFound):
        with db.transaction("learning", ELSEWHERE) as uow:
            courses.cancel_course(uow, course, {"reason": "报名人数不足"})
    with db.transaction("learning", AUDITOR) as uow:
        assert courses.get_course(uow, course)["session_count"] == 2
    with db.transaction("learning", WORKER) as uow:
        cancelled = courses.cancel_course(uow, course, {"reason": "报名人数不足"})
    assert (cancelled["status"], cancelled["session_count"]) == ("cancelled", 0)
    assert {s.status for s in sessions(db)} == {"cancelled"}
    (event,) = outbox(db, "learning.course_cancelled")
    assert event["cancelled_session_ids"] == [s["id"] for s in booked["items"]]
    with pytest.raises(Conflict) as closed:
        schedule(db, course, slot(rows["venue"], 48))
    assert closed.value.field == "status"


def test_the_bookings_lock_is_held_until_the_transaction_ends(learning_service_db):
    """The second of two overlapping bookings waits for the first to commit, then sees it."""
    db = learning_service_db
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers are serialised by the database lock itself")
    rows = setup_rows(db, teachers=2)
    first = db.unit_of_work("learning", WORKER)
    courses.schedule_sessions(first, rows["courses"][0], slot(rows["venue"], 0))
    outcome = {}

    def second():
        try:
            schedule(db, rows["courses"][1], slot(rows["venue"], 1))
            outcome["second"] = "booked"
        except Conflict as error:
            outcome["second"] = error.field

    thread = eventlet.spawn(second)
    eventlet.sleep(0.3)  # the second waits on the venue's lock
    assert outcome == {}
    first.commit()
    thread.wait()
    assert outcome == {"second": "venue_id"}
    assert len(sessions(db)) == 1


def test_a_course_cannot_outgrow_its_booked_venue_nor_the_venue_shrink_below_it(
        learning_service_db):
    from services.learning import schools

    db = learning_service_db
    rows = setup_rows(db, venue_capacity=25)  # the course seats 20
    course = rows["courses"][0]
    booked = schedule(db, course, slot(rows["venue"]))
    for change, call in (
            ({"capacity": 26}, lambda uow, c: courses.update_course(uow, course, c)),
            ({"capacity": 19}, lambda uow, c: schools.update_venue(uow, rows["venue"], c))):
        with pytest.raises(Conflict) as refused:
            with db.transaction("learning", WORKER) as uow:
                call(uow, change)
        assert refused.value.field == "capacity"
    with db.transaction("learning", WORKER) as uow:
        assert courses.update_course(uow, course, {"capacity": 25})["capacity"] == 25
    with db.transaction("learning", WORKER) as uow:  # once the session is gone, it may shrink
        courses.cancel_session(uow, booked["id"], {"reason": "换教室"})
        assert schools.update_venue(uow, rows["venue"], {"capacity": 10})["capacity"] == 10
