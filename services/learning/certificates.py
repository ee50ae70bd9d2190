"""Completion and certificates: completing the enrolments whose attendance reached the course's
threshold, verifying a certificate (public), listing them (within scope).

Completion runs inside the sign-in that changed the attendance, under the course row's lock, so
two sign-ins at once cannot both complete an enrolment; the unique constraint on
``certificates.enrolment_id`` stands behind that.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from services.learning.domain import attendance as rules
from services.learning.models import Course, CourseSession, Enrolment, School
from services.learning.models.attendance import Attendance, Certificate
from services.learning.schemas.attendance import (
    CertificateListQuerySchema,
    CertificateSchema,
    CertificateVerificationSchema,
)
from shared.context import require_caller, require_scope
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.pagination import after_id, page_of
from shared.personal_data import mask_name
from shared.validation import load

ATTENDED = ("present", "late")  # the statuses whose session's hours go on the certificate
COMMUNITY_CODE_LENGTH = 12

_certificate_schema = CertificateSchema()
_verification_schema = CertificateVerificationSchema()


def countable_sessions(uow: UnitOfWork, course_id: int) -> list[CourseSession]:
    return list(uow.session.scalars(select(CourseSession).where(
        CourseSession.course_id == course_id, CourseSession.status != "cancelled")))


def attendance_by_enrolment(uow: UnitOfWork, session_ids: list[int],
                            enrolment_ids: list[int]) -> dict[int, list[Attendance]]:
    found: dict[int, list[Attendance]] = {enrolment_id: [] for enrolment_id in enrolment_ids}
    if session_ids and enrolment_ids:
        for row in uow.session.scalars(select(Attendance).where(
                Attendance.enrolment_id.in_(enrolment_ids),
                Attendance.session_id.in_(session_ids))):
            found[row.enrolment_id].append(row)
    return found


def complete_where_due(uow: UnitOfWork, course: Course, enrolment_ids: list[int],
                       now: datetime) -> list[Certificate]:
    """Complete each of these enrolments whose weighted rate now meets the threshold, issuing
    its certificate. The caller holds the course row's lock."""
    sessions = countable_sessions(uow, course.id)
    hours_of = {s.id: (s.ends_at - s.starts_at).total_seconds() / 3600 for s in sessions}
    records = attendance_by_enrolment(uow, list(hours_of), enrolment_ids)
    enrolments = list(uow.session.scalars(select(Enrolment).where(
        Enrolment.id.in_(enrolment_ids), Enrolment.status == "enrolled").order_by(Enrolment.id)))
    issued = []
    for enrolment in enrolments:
        rows = records[enrolment.id]
        rate = rules.attendance_rate([row.status for row in rows], len(sessions),
                                     course.attendance_weights)
        if not rules.completes(enrolment.status, rate, course.completion_threshold):
            continue
        hours = sum(hours_of[row.session_id] for row in rows if row.status in ATTENDED)
        issued.append(issue(uow, course, enrolment, rate, hours, now))
    return issued


def issue(uow: UnitOfWork, course: Course, enrolment: Enrolment, rate: float, hours: float,
          now: datetime) -> Certificate:
    """Complete the enrolment and issue its certificate; emit what assessments score."""
    school = uow.session.get(School, course.school_id)
    certificate = Certificate(
        course_id=course.id, enrolment_id=enrolment.id, resident_id=enrolment.resident_id,
        org_code=course.org_code, holder_name=enrolment.resident_name,
        course_title=course.title, school_name=school.name, hours=round(hours, 2),
        attendance_rate=rules.shown_rate(rate), issued_at=now)
    uow.session.add(certificate)
    uow.session.flush()  # the id is the number's sequence
    issued_on = rules.local_date(now)
    certificate.number = rules.certificate_number(course.org_code, issued_on.year, certificate.id)
    enrolment.status, enrolment.completed_at, enrolment.updated_at = "completed", now, now
    uow.session.flush()
    uow.emit("learning.course_completed", {
        "resident_id": enrolment.resident_id, "enrolment_id": enrolment.id,
        "course_id": course.id, "category": course.category, "format": course.format,
        "org_code": course.org_code,
        "community_code": enrolment.grid_code[:COMMUNITY_CODE_LENGTH],
        "attendance_rate": certificate.attendance_rate,
        "completed_on": issued_on.isoformat(), "certificate_number": certificate.number},
        org_code=course.org_code)
    uow.emit("learning.certificate_issued", {
        "certificate_number": certificate.number, "certificate_id": certificate.id,
        "resident_id": enrolment.resident_id, "enrolment_id": enrolment.id,
        "course_id": course.id, "org_code": course.org_code,
        "attendance_rate": certificate.attendance_rate, "hours": certificate.hours,
        "issued_on": issued_on.isoformat()}, org_code=course.org_code)
    return certificate


# --- reading -------------------------------------------------------------------------------------

def render_certificate(certificate: Certificate) -> dict:
    return _certificate_schema.dump({
        "id": certificate.id, "number": certificate.number, "course_id": certificate.course_id,
        "enrolment_id": certificate.enrolment_id, "resident_id": certificate.resident_id,
        "org_code": certificate.org_code, "holder_name": certificate.holder_name,
        "course_title": certificate.course_title, "school_name": certificate.school_name,
        "hours": certificate.hours, "attendance_rate": certificate.attendance_rate,
        "issued_at": certificate.issued_at, "revoked_at": certificate.revoked_at})


def verify(uow: UnitOfWork, number) -> dict:
    """What anyone may know of a certificate by its number: no caller is needed. A malformed
    number (a mistyped one fails its check character) and an unknown one are both 404."""
    reason = rules.malformed_reason(number)
    if reason:
        raise NotFound(f"number: {reason}", field="number")
    normalised = rules.normalise_number(number)
    certificate = uow.session.scalar(select(Certificate).where(Certificate.number == normalised))
    if certificate is None:
        raise NotFound(f"number: no certificate has the number {normalised}", field="number")
    return _verification_schema.dump({
        "number": certificate.number, "valid": certificate.revoked_at is None,
        "course_title": certificate.course_title, "school_name": certificate.school_name,
        "holder_name": mask_name(certificate.holder_name),
        "issued_on": rules.local_date(certificate.issued_at),
        "revoked_on": rules.local_date(certificate.revoked_at) if certificate.revoked_at else None,
        "attendance_rate": certificate.attendance_rate, "hours": certificate.hours})


def list_certificates(uow: UnitOfWork, query_args: dict) -> dict:
    """Certificates of the courses in the caller's scope and of the residents in it (a
    community worker sees their residents' certificates of the street school), oldest first."""
    args = load(CertificateListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = (select(Certificate).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
             .where(or_(Certificate.org_code.like(f"{caller.scope}%"),
                        Enrolment.grid_code.like(f"{caller.scope}%"))))
    if args["resident_id"]:
        query = query.where(Certificate.resident_id == args["resident_id"])
    if args["course_id"]:
        query = query.where(Certificate.course_id == args["course_id"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Certificate.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Certificate.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda certificate: certificate.id, render=render_certificate)

