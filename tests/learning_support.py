"""Rows of the learning service made directly, for tests of one area that need another's
records to exist (a course to enrol on, a session to sign in to) without going through its API.

Every function takes a ``UnitOfWork`` (``db.transaction("learning")``) and keyword overrides.
"""
from __future__ import annotations

from datetime import timedelta

from services.learning.models import Course, CourseSession, Enrolment, School, Teacher, Venue
from shared.events.outbox import utcnow

COMMUNITY = "350502001001"  # 西关社区 of the demo territory
GRID = COMMUNITY + "001"


def _add(uow, row):
    uow.session.add(row)
    uow.session.flush()
    return row


def make_school(uow, **values) -> School:
    return _add(uow, School(**{"org_code": COMMUNITY, "name": "西关社区学校",
                               "kind": "community_school", "address": "三牌楼路58号",
                               "created_by": "test", **values}))


def make_venue(uow, school: School | None = None, **values) -> Venue:
    return _add(uow, Venue(**{"org_code": school.org_code if school else COMMUNITY,
                              "school_id": school.id if school else None, "name": "一号教室",
                              "address": "三牌楼路58号", "capacity": 40, "created_by": "test",
                              **values}))


def make_teacher(uow, **values) -> Teacher:
    return _add(uow, Teacher(**{"org_code": COMMUNITY, "kind": "hired", "name": "王老师",
                                **values}))


def make_course(uow, school: School | None = None, teacher: Teacher | None = None,
                **values) -> Course:
    school = school or make_school(uow)
    teacher = teacher or make_teacher(uow)
    now = utcnow()
    return _add(uow, Course(**{"school_id": school.id, "org_code": school.org_code,
                               "title": "太极拳入门", "category": "health",
                               "format": "long_course", "teacher_id": teacher.id,
                               "capacity": 20, "enrol_opens_at": now - timedelta(days=1),
                               "enrol_closes_at": now + timedelta(days=14),
                               "confirm_hours": 48, "completion_threshold": 0.75,
                               "attendance_weights": {}, "eligibility": {},
                               "created_by": "test", **values}))


def make_session(uow, course: Course, venue: Venue | None = None, *, starts_in_hours: float = 24,
                 hours: float = 2, **values) -> CourseSession:
    venue = venue or make_venue(uow)
    starts = utcnow() + timedelta(hours=starts_in_hours)
    return _add(uow, CourseSession(**{"course_id": course.id, "venue_id": venue.id,
                                      "teacher_id": course.teacher_id, "starts_at": starts,
                                      "ends_at": starts + timedelta(hours=hours),
                                      "created_by": "test", **values}))


def make_enrolment(uow, course: Course, resident_id: int, status: str = "enrolled",
                   **values) -> Enrolment:
    queue_no = course.next_queue_no
    course.next_queue_no += 1
    if status in ("enrolled", "offered", "completed"):
        course.seats_taken += 1
    return _add(uow, Enrolment(**{"course_id": course.id, "resident_id": resident_id,
                                  "resident_name": f"居民{resident_id}",
                                  "grid_code": GRID, "status": status, "queue_no": queue_no,
                                  "created_by": "test", **values}))
