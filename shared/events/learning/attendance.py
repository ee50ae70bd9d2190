"""Attendance and completion events: a class signed in, a course completed (what assessments
turn into points), a certificate issued. None carries a resident's name: consumers identify the
resident by ``resident_id`` and ask membership for what they may see."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
COMMUNITY = validate.Regexp(r"^\d{12}$")
RATE = validate.Range(min=0, max=1)
NUMBER = validate.Regexp(r"^LX-\d{6}-\d{4}-\d{6,10}-[0-9A-Z]$")


class StatusCounts(Schema):
    present = fields.Integer(required=True)
    late = fields.Integer(required=True)
    excused = fields.Integer(required=True)
    absent = fields.Integer(required=True)


@event_type("learning.attendance_recorded",
            "Attendance was taken (or corrected) for a session of a course: `counts` are the "
            "session's statuses after this sign-in, `recorded` the rows posted, `corrected` "
            "those that changed an earlier status. The first sign-in of a session also marks "
            "it held (`learning.session_held`).")
class AttendanceRecorded(Schema):
    session_id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    counts = fields.Nested(StatusCounts, required=True)
    recorded = fields.Integer(required=True)
    corrected = fields.Integer(required=True)


@event_type("learning.course_completed",
            "A resident completed a course: their weighted attendance rate reached the course's "
            "threshold (default 75%, counted over every non-cancelled session of the course). "
            "Once per enrolment. Points-ready for assessments: the resident, the course's "
            "category and format, the school's territory (`org_code`) and the resident's "
            "community, the rate, the day, the certificate number. Membership adds the "
            "course's category to the skills of a resident who is a volunteer.",
            consumers=("assessments", "membership"))
class CourseCompleted(Schema):
    resident_id = fields.Integer(required=True)
    enrolment_id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    category = fields.String(required=True)
    format = fields.String(required=True)
    org_code = fields.String(required=True, validate=CODE, metadata={
        "description": "the territory of the course's school"})
    community_code = fields.String(required=True, validate=COMMUNITY, metadata={
        "description": "the resident's community, at enrolment"})
    attendance_rate = fields.Float(required=True, validate=RATE)
    completed_on = fields.Date(required=True, metadata={"description": "the day, China time"})
    certificate_number = fields.String(required=True, validate=NUMBER)


@event_type("learning.certificate_issued",
            "A certificate was issued for a completed course; anyone can verify its number at "
            "GET /api/v1/certificates/{number} (the holder's name shown masked).")
class CertificateIssued(Schema):
    certificate_number = fields.String(required=True, validate=NUMBER)
    certificate_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    enrolment_id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    attendance_rate = fields.Float(required=True, validate=RATE)
    hours = fields.Float(required=True)
    issued_on = fields.Date(required=True, metadata={"description": "the day, China time"})
