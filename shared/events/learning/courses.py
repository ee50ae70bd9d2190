"""Course and session events: a course created or cancelled, a session scheduled (or moved),
cancelled, held. None carries a resident; a teacher is named by id (and a volunteer teacher by
membership's volunteer id). ``org_code`` is the school's street or community.

A held session of a volunteer teacher also emits ``learning.volunteer_hours_earned``
(``shared/events/volunteer_hours.py``, source_type ``class``, source_id the session id).
"""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
TEACHER_KIND = validate.OneOf(["volunteer", "hired"])


@event_type("learning.course_created",
            "A course was created at a school (category, target group, format, capacity, "
            "enrolment window). Consumers: none yet.")
class CourseCreated(Schema):
    course_id = fields.Integer(required=True)
    school_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    title = fields.String(required=True)
    category = fields.String(required=True)
    target_group = fields.String(allow_none=True, load_default=None)
    format = fields.String(required=True)
    teacher_id = fields.Integer(required=True)
    capacity = fields.Integer(required=True)
    enrol_opens_at = fields.AwareDateTime(required=True)
    enrol_closes_at = fields.AwareDateTime(required=True)


@event_type("learning.course_cancelled",
            "A course was cancelled (`reason`); its sessions still scheduled were cancelled with "
            "it (`cancelled_session_ids`, no separate learning.session_cancelled for them). "
            "Consumers: none yet.")
class CourseCancelled(Schema):
    course_id = fields.Integer(required=True)
    school_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    title = fields.String(required=True)
    reason = fields.String(required=True)
    cancelled_session_ids = fields.List(fields.Integer(), required=True)


class _SessionFacts(Schema):
    course_id = fields.Integer(required=True)
    session_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    venue_id = fields.Integer(required=True)
    teacher_id = fields.Integer(required=True)
    teacher_kind = fields.String(required=True, validate=TEACHER_KIND)
    volunteer_id = fields.Integer(allow_none=True, load_default=None)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)


@event_type("learning.session_scheduled",
            "A session of a course was scheduled in a venue with a teacher, or moved "
            "(`rescheduled: true`; the new time, venue and teacher). No venue or teacher is "
            "double-booked. Consumers: none yet.")
class SessionScheduled(_SessionFacts):
    topic = fields.String(allow_none=True, load_default=None)
    rescheduled = fields.Boolean(required=True)


@event_type("learning.session_cancelled",
            "A scheduled session was cancelled (`reason`): its venue and teacher are free "
            "again. Consumers: none yet.")
class SessionCancelled(_SessionFacts):
    reason = fields.String(required=True)


@event_type("learning.session_held",
            "A session took place: attendance was first taken for it. `hours` is its length "
            "(two decimals, at most 24). When the teacher is a volunteer, "
            "learning.volunteer_hours_earned follows for the same session. Consumers: none yet "
            "(assessments later).")
class SessionHeld(_SessionFacts):
    held_at = fields.AwareDateTime(required=True)
    hours = fields.Float(required=True)
