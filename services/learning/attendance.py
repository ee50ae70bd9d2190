"""Attendance use cases: a class's bulk sign-in (which may complete enrolments) and the roster.

A sign-in is all or nothing: the sheet is checked row by row (a bad row is a 422 naming
``records.<n>.<field>``) before anything is stored. It takes the course row's lock first, so
sign-ins of one course — of the same session or of two — run one after the other: the rate of
an enrolment is computed from every committed status, and completion happens once. A session
outside the caller's scope is answered like one that does not exist (404).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from services.learning import certificates, courses
from services.learning.domain import attendance as rules
from services.learning.domain.catalogue import MANAGER_ROLES, SIGNS_IN
from services.learning.models import Course, CourseSession, Enrolment
from services.learning.models.attendance import Attendance
from services.learning.schemas.attendance import (
    AttendanceResultSchema,
    AttendanceSheetSchema,
    RosterLineSchema,
    RosterQuerySchema,
)
from shared.context import require_caller, require_role
from shared.db import UnitOfWork
from shared.errors import InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import is_row_id
from shared.pagination import after_id, page_of
from shared.validation import load

_result_schema = AttendanceResultSchema()
_line_schema = RosterLineSchema()


def _lock_course_of_session(uow: UnitOfWork, session_id: int) -> None:
    """The lock of the session's course, taken before anything it protects is read (a
    session's course never changes, so finding it first reads nothing stale)."""
    course_id = uow.session.scalar(select(CourseSession.course_id).where(
        CourseSession.id == session_id))
    if course_id is not None:
        courses.lock_course(uow, course_id)


def visible_session(uow: UnitOfWork, session_id, field: str = "id") -> tuple[CourseSession, Course]:
    """The session and its course, if the course lies in the caller's scope; else 404."""
    caller = require_caller(uow.caller)
    missing = NotFound(f"{field}: no session {session_id} in your scope", field=field)
    if not is_row_id(session_id):
        raise missing
    row = uow.session.execute(
        select(CourseSession, Course).join(Course, Course.id == CourseSession.course_id)
        .where(CourseSession.id == session_id).execution_options(populate_existing=True)).first()
    if row is None or not caller.can_see(row[1].org_code):
        raise missing
    return row[0], row[1]


def _line(enrolment: Enrolment, record: Attendance | None) -> dict:
    return {
        "enrolment_id": enrolment.id, "resident_id": enrolment.resident_id,
        "resident_name": enrolment.resident_name, "enrolment_status": enrolment.status,
        "status": record.status if record else None, "note": record.note if record else None,
        "corrections": record.corrections if record else None,
        "recorded_by": record.recorded_by if record else None,
        "recorded_at": record.recorded_at if record else None}


def _seat_holders(uow: UnitOfWork, course_id: int, rows: list[dict]) -> list[Enrolment]:
    """The enrolment each row names, in order; a row naming no seat on the course is refused."""
    enrolment_ids = [row["enrolment_id"] for row in rows if row["enrolment_id"] is not None]
    resident_ids = [row["resident_id"] for row in rows if row["resident_id"] is not None]
    found = list(uow.session.scalars(select(Enrolment).where(
        Enrolment.course_id == course_id,
        or_(Enrolment.id.in_(enrolment_ids), Enrolment.resident_id.in_(resident_ids)))))
    by_id = {e.id: e for e in found}
    by_resident = {e.resident_id: e for e in found}
    holders = []
    for index, row in enumerate(rows):
        key = "enrolment_id" if row["enrolment_id"] is not None else "resident_id"
        enrolment = (by_id if key == "enrolment_id" else by_resident).get(row[key])
        if enrolment is None or enrolment.status not in SIGNS_IN:
            standing = f" (the enrolment is {enrolment.status})" if enrolment else ""
            raise InvalidInput(f"records.{index}.{key}: {key} {row[key]} holds no seat on this "
                               f"course{standing}", field=f"records.{index}.{key}")
        holders.append(enrolment)
    rules.check_unique_rows([("enrolment_id" if row["enrolment_id"] is not None else "resident_id",
                              enrolment.id) for row, enrolment in zip(rows, holders, strict=True)])
    return holders


def record_attendance(uow: UnitOfWork, session_id: int, payload: dict,
                      now: datetime | None = None) -> dict:
    """Store (or correct) the sheet's statuses; the first sign-in marks the session held; each
    enrolment signed in whose rate now meets the threshold completes with a certificate."""
    data = load(AttendanceSheetSchema, payload)
    caller = require_caller(uow.caller)
    require_role(caller, *MANAGER_ROLES)
    now = now or utcnow()
    if is_row_id(session_id):  # the lock first: everything after reads what it protects
        _lock_course_of_session(uow, session_id)
    session, course = visible_session(uow, session_id)
    rules.check_sign_in(session.status, session.starts_at, now, course.status)
    rows = data["records"]
    rules.check_sheet_size(len(rows), course.capacity)
    holders = _seat_holders(uow, course.id, rows)
    existing = {record.enrolment_id: record for record in uow.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id,
                                 Attendance.enrolment_id.in_([e.id for e in holders])))}
    corrected = 0
    for row, enrolment in zip(rows, holders, strict=True):
        note = (row["note"] or "").strip() or None
        record = existing.get(enrolment.id)
        if record is None:
            record = Attendance(session_id=session.id, enrolment_id=enrolment.id,
                                course_id=course.id, resident_id=enrolment.resident_id,
                                status=row["status"], note=note, corrections=0,
                                first_recorded_by=caller.actor, recorded_by=caller.actor,
                                recorded_at=now, created_at=now)
            uow.session.add(record)
            existing[enrolment.id] = record
        elif (record.status, record.note) != (row["status"], note):
            corrected += record.status != row["status"]
            record.status, record.note, record.corrections = row["status"], note, record.corrections + 1
            record.recorded_by, record.recorded_at = caller.actor, now
    uow.session.flush()
    if session.status != "held":
        courses.mark_session_held(uow, session, course, now)
    counts = rules.status_counts(list(uow.session.scalars(
        select(Attendance.status).where(Attendance.session_id == session.id))))
    uow.emit("learning.attendance_recorded", {
        "session_id": session.id, "course_id": course.id, "org_code": course.org_code,
        "counts": counts, "recorded": len(rows), "corrected": corrected}, org_code=course.org_code)
    issued = certificates.complete_where_due(uow, course, [e.id for e in holders], now)
    return _result_schema.dump({
        "session_id": session.id, "course_id": course.id, "session_status": session.status,
        "recorded": len(rows), "corrected": corrected, "counts": counts,
        "records": [_line(e, existing[e.id]) for e in holders],
        "completed": [{"enrolment_id": c.enrolment_id, "resident_id": c.resident_id,
                       "attendance_rate": c.attendance_rate, "certificate_number": c.number}
                      for c in issued]})


def roster(uow: UnitOfWork, session_id: int, query_args: dict) -> dict:
    """Every resident who may be signed in to the session, with their status or null."""
    args = load(RosterQuerySchema, query_args)
    session, course = visible_session(uow, session_id)
    query = (select(Enrolment, Attendance)
             .outerjoin(Attendance, and_(Attendance.enrolment_id == Enrolment.id,
                                         Attendance.session_id == session.id))
             .where(Enrolment.course_id == course.id, Enrolment.status.in_(SIGNS_IN)))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Enrolment.id > after)
    limit = args["limit"]
    rows = list(uow.session.execute(query.order_by(Enrolment.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda row: row[0].id,
                   render=lambda row: _line_schema.dump(_line(row[0], row[1])))
