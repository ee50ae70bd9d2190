"""Courses and their sessions: RPC payloads and results (the gateway documents them)."""
from datetime import datetime, timezone

from marshmallow import Schema, fields, validate

from services.learning.domain.catalogue import (
    CATEGORIES,
    COURSE_STATUSES,
    DEFAULT_COMPLETION_THRESHOLD,
    DEFAULT_CONFIRM_HOURS,
    FORMATS,
    SESSION_STATUSES,
    TARGET_GROUPS,
    TEACHER_KINDS,
)
from services.learning.domain.courses import MAX_SESSIONS_AT_ONCE
from services.learning.schemas.schools import CAPACITY, CODE_PREFIX, ID
from shared.pagination import PageRequestSchema, page_schema

WEIGHT = validate.Range(min=0, max=1)
# A moment near year 1 or 9999 cannot be turned into UTC to be stored (nor an hour taken off it).
MOMENT = validate.Range(min=datetime(2000, 1, 1, tzinfo=timezone.utc),
                        max=datetime(2101, 1, 1, tzinfo=timezone.utc), max_inclusive=False,
                        error="must be a time from 2000 to 2100")
TITLE = validate.Length(min=1, max=100)
DESCRIPTION = validate.Length(max=2000)


class EligibilitySchema(Schema):
    age_min = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=0, max=120))
    age_max = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=0, max=120))
    party_member = fields.Boolean(load_default=None, allow_none=True,
                                  metadata={"description": "true: party members only"})
    laid_off = fields.Boolean(load_default=None, allow_none=True,
                              metadata={"description": "true: laid-off residents only"})
    community_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^\d{12}$", error="must be a community code of 12 digits"), metadata={
        "description": "residents of this community only (in the school's area)"})


class AttendanceWeightsSchema(Schema):
    present = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=WEIGHT,
                           metadata={"description": "always 1"})
    late = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=WEIGHT)
    excused = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=WEIGHT)
    absent = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=WEIGHT)


class CourseCreateSchema(Schema):
    school_id = fields.Integer(required=True, strict=True, validate=ID)
    title = fields.String(required=True, validate=TITLE)
    description = fields.String(load_default=None, allow_none=True, validate=DESCRIPTION)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES), metadata={
        "description": " / ".join(CATEGORIES)})
    target_group = fields.String(load_default=None, allow_none=True,
                                 validate=validate.OneOf(TARGET_GROUPS),
                                 metadata={"description": " / ".join(TARGET_GROUPS)})
    eligibility = fields.Nested(EligibilitySchema, load_default=None, allow_none=True, metadata={
        "description": "who may enrol, when the course requires it (omitted: anyone)"})
    format = fields.String(required=True, validate=validate.OneOf(FORMATS), metadata={
        "description": " / ".join(FORMATS)})
    teacher_id = fields.Integer(required=True, strict=True, validate=ID, metadata={
        "description": "a teacher of /api/v1/teachers (a volunteer or someone hired)"})
    capacity = fields.Integer(required=True, strict=True, validate=CAPACITY)
    enrol_opens_at = fields.AwareDateTime(required=True, validate=MOMENT)
    enrol_closes_at = fields.AwareDateTime(required=True, validate=MOMENT, metadata={
        "description": "after enrol_opens_at"})
    confirm_hours = fields.Integer(load_default=DEFAULT_CONFIRM_HOURS, strict=True,
                                   validate=validate.Range(min=1, max=720), metadata={
        "description": "how long a seat promoted from the waitlist is held for confirmation"})
    completion_threshold = fields.Float(
        load_default=DEFAULT_COMPLETION_THRESHOLD, allow_nan=False,
        validate=validate.Range(min=0, max=1, min_inclusive=False),
        metadata={"description": "the weighted share of sessions attended to complete (0 < t ≤ 1)"})
    attendance_weights = fields.Nested(AttendanceWeightsSchema, load_default=None,
                                       allow_none=True, metadata={
        "description": "override of the default weights (present 1, late 0.75, excused 0.5, "
                       "absent 0); present is always 1 and no status weighs more than a "
                       "fuller one"})
    permanent = fields.Boolean(load_default=False, metadata={"description": "常设课程"})
    brand = fields.Boolean(load_default=False, metadata={"description": "品牌课程"})


class CourseUpdateSchema(Schema):
    title = fields.String(validate=TITLE)
    description = fields.String(allow_none=True, validate=DESCRIPTION)
    capacity = fields.Integer(strict=True, validate=CAPACITY, metadata={
        "description": "never below the seats taken; raising it promotes the waitlist"})


class CourseCancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TeacherViewSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(TEACHER_KINDS))
    name = fields.String(required=True)
    volunteer_id = fields.Integer(allow_none=True)


class CourseSchema(Schema):
    id = fields.Integer(required=True)
    school_id = fields.Integer(required=True)
    school_name = fields.String(required=True)
    org_code = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True)
    category = fields.String(required=True)
    target_group = fields.String(allow_none=True)
    eligibility = fields.Dict(required=True)
    format = fields.String(required=True)
    teacher = fields.Nested(TeacherViewSchema, required=True)
    capacity = fields.Integer(required=True)
    seats_taken = fields.Integer(required=True)
    seats_left = fields.Integer(required=True)
    waitlist_length = fields.Integer(required=True)
    session_count = fields.Integer(required=True, metadata={
        "description": "sessions not cancelled"})
    enrol_opens_at = fields.DateTime(required=True)
    enrol_closes_at = fields.DateTime(required=True)
    enrolment_open = fields.Boolean(required=True, metadata={
        "description": "the course is open and its enrolment window is open now"})
    confirm_hours = fields.Integer(required=True)
    completion_threshold = fields.Float(required=True)
    attendance_weights = fields.Dict(required=True)
    permanent = fields.Boolean(required=True)
    brand = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(COURSE_STATUSES))
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CourseListQuerySchema(PageRequestSchema):
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    target_group = fields.String(load_default=None, validate=validate.OneOf(TARGET_GROUPS))
    format = fields.String(load_default=None, validate=validate.OneOf(FORMATS))
    school_id = fields.Integer(load_default=None, validate=ID)
    status = fields.String(load_default=None, validate=validate.OneOf(COURSE_STATUSES))
    code = fields.String(load_default=None, validate=CODE_PREFIX, metadata={
        "description": "only courses of schools in this part of the territory"})
    open_for_enrolment = fields.Boolean(load_default=None, metadata={
        "description": "true: open courses whose enrolment window is open now; false: the rest"})


class SessionCreateSchema(Schema):
    venue_id = fields.Integer(required=True, strict=True, validate=ID)
    starts_at = fields.AwareDateTime(required=True, validate=MOMENT)
    ends_at = fields.AwareDateTime(required=True, validate=MOMENT, metadata={
        "description": "after starts_at, at most 24 hours later"})
    topic = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    teacher_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                                metadata={"description": "omitted: the course's teacher"})


class SessionBatchSchema(Schema):
    sessions = fields.List(fields.Nested(SessionCreateSchema), required=True,
                           validate=validate.Length(min=1, max=MAX_SESSIONS_AT_ONCE), metadata={
        "description": f"up to {MAX_SESSIONS_AT_ONCE} sessions, scheduled all or none"})


class SessionUpdateSchema(Schema):
    venue_id = fields.Integer(strict=True, validate=ID)
    starts_at = fields.AwareDateTime(validate=MOMENT)
    ends_at = fields.AwareDateTime(validate=MOMENT)
    topic = fields.String(allow_none=True, validate=validate.Length(max=200))
    teacher_id = fields.Integer(strict=True, validate=ID)


class SessionCancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class VenueViewSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True)


class SessionSchema(Schema):
    id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    course_title = fields.String(required=True)
    org_code = fields.String(required=True)
    venue = fields.Nested(VenueViewSchema, required=True)
    teacher = fields.Nested(TeacherViewSchema, required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    hours = fields.Float(required=True)
    topic = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(SESSION_STATUSES))
    held_at = fields.DateTime(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SessionListQuerySchema(PageRequestSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(SESSION_STATUSES))


CoursePageSchema = page_schema(CourseSchema, "CoursePage")
SessionPageSchema = page_schema(SessionSchema, "SessionPage")
