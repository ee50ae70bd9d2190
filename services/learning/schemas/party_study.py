"""Party study: RPC payloads and results (the gateway documents them)."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.learning.domain import party_study as rules
from services.learning.domain.catalogue import (
    ATTENDANCE_STATUSES,
    DEFAULT_MIN_STUDY_DAYS,
    DEFAULT_MIN_STUDY_SESSIONS,
    DEFAULT_NOTE_MIN_CHARS,
)
from shared.pagination import PageRequestSchema, page_schema

ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
CODE = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
KIND = validate.OneOf(rules.KINDS)
YEAR = validate.Range(min=2000, max=2100, error="must be a year between 2000 and 2100")
NOTE_MIN = validate.Range(min=rules.MIN_NOTE_FLOOR, max=5000)
MAX_RECORDS = 500  # more than any branch
DAY = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31),
                     error="must be a date from 2000 to 2100")


class _DayRange:
    """``from`` ≤ ``to`` when both are given."""

    @validates_schema
    def ordered(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError(f"{data['to']} is before from {data['from_']}", "to")


def _session_fields(required_topic: bool) -> dict:
    topic = (fields.String(required=True, validate=validate.Length(min=1, max=200))
             if required_topic else
             fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(min=1, max=200),
                           metadata={"description": "default: the kind's name, e.g. 集中学习日"}))
    return {
        "branch_id": fields.Integer(required=True, strict=True, validate=ID, metadata={
            "description": "a party branch 党支部 (membership's party organisation)"}),
        "kind": fields.String(required=True, validate=KIND, metadata={
            "description": "study_day (weekly), branch_meeting, committee_meeting, "
                           "group_meeting (monthly), party_lesson (quarterly)"}),
        "starts_at": fields.Time(load_default=None, allow_none=True),
        "topic": topic,
        "venue": fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=200)),
        "speaker": fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=100)),
        "note_min_chars": fields.Integer(load_default=DEFAULT_NOTE_MIN_CHARS, strict=True,
                                         validate=NOTE_MIN, metadata={
            "description": "the shortest study note for this session, in characters "
                           f"(whitespace not counted; default {DEFAULT_NOTE_MIN_CHARS})"}),
    }


StudySessionCreateSchema = Schema.from_dict({
    **_session_fields(required_topic=True),
    "held_on": fields.Date(required=True, validate=DAY)}, name="StudySessionCreate")


class StudyPlanCreateSchema(_DayRange, Schema.from_dict(_session_fields(required_topic=False))):
    from_ = fields.Date(required=True, data_key="from", validate=DAY)
    to = fields.Date(required=True, validate=DAY,
                     metadata={"description": "at most a year after from (366 days in all)"})
    weekday = fields.String(load_default=rules.DEFAULT_WEEKDAY,
                            validate=validate.OneOf(rules.WEEKDAYS), metadata={
        "description": "the day of the week (default thursday)"})
    nth = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=4),
                         metadata={"description": "monthly and quarterly kinds: the nth weekday "
                                                  "of the month (default the first)"})


class StudySessionUpdateSchema(Schema):
    status = fields.String(validate=validate.OneOf([rules.CANCELLED]), metadata={
        "description": "cancelled (a session not held yet)"})
    cancel_reason = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(max=200))
    topic = fields.String(validate=validate.Length(min=1, max=200))
    starts_at = fields.Time(allow_none=True)
    venue = fields.String(allow_none=True, validate=validate.Length(max=200))
    speaker = fields.String(allow_none=True, validate=validate.Length(max=100))

    @validates_schema
    def something(self, data, **kwargs):
        if not set(data) - {"cancel_reason"}:
            raise ValidationError("give status, topic, starts_at, venue or speaker", "body")


class StudyAttendanceCountsSchema(Schema):
    present = fields.Integer(required=True)
    late = fields.Integer(required=True)
    excused = fields.Integer(required=True)
    absent = fields.Integer(required=True)


class StudySessionSchema(Schema):
    id = fields.Integer(required=True)
    branch_id = fields.Integer(required=True)
    branch_name = fields.String(required=True)
    org_code = fields.String(required=True)
    kind = fields.String(required=True, validate=KIND)
    held_on = fields.Date(required=True)
    starts_at = fields.Time(allow_none=True)
    topic = fields.String(required=True)
    venue = fields.String(allow_none=True)
    speaker = fields.String(allow_none=True)
    note_min_chars = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(rules.STATUSES))
    held_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    attendance = fields.Nested(StudyAttendanceCountsSchema, required=True)
    notes = fields.Integer(required=True, metadata={"description": "study notes written"})
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class StudyPlanResultSchema(Schema):
    branch_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=KIND)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    dates = fields.List(fields.Date(), required=True,
                        metadata={"description": "every date the cadence gives"})
    created = fields.List(fields.Nested(StudySessionSchema), required=True)
    existing = fields.List(fields.Date(), required=True, metadata={
        "description": "dates that already had a session of this kind (left as they were)"})


class StudySessionListQuerySchema(_DayRange, PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE, metadata={
        "description": "sessions of branches at or beneath this territory code"})
    branch_id = fields.Integer(load_default=None, validate=ID)
    kind = fields.String(load_default=None, validate=KIND)
    status = fields.String(load_default=None, validate=validate.OneOf(rules.STATUSES))
    from_ = fields.Date(load_default=None, data_key="from")
    to = fields.Date(load_default=None)


class StudyAttendanceRecordSchema(Schema):
    party_member_id = fields.Integer(required=True, strict=True, validate=ID, metadata={
        "description": "an active member of the session's branch (membership's id)"})
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_STATUSES),
                           metadata={"description": "present / late / excused / absent"})


class StudyAttendanceSheetSchema(Schema):
    records = fields.List(fields.Nested(StudyAttendanceRecordSchema), required=True,
                          validate=validate.Length(min=1, max=MAX_RECORDS), metadata={
                              "description": "one row per member; all are stored or none"})


class StudyAttendanceLineSchema(Schema):
    id = fields.Integer(required=True)
    study_session_id = fields.Integer(required=True)
    party_member_id = fields.Integer(required=True)
    member_name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_STATUSES))
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    updated_at = fields.DateTime()


class StudyAttendanceResultSchema(Schema):
    session = fields.Nested(StudySessionSchema, required=True)
    recorded = fields.Integer(required=True, metadata={"description": "records in this sheet"})
    not_recorded = fields.List(fields.Integer(), required=True, metadata={
        "description": "active members of the branch with no sign-in record yet (sign-in is "
                       "compulsory)"})
    quota_met = fields.List(fields.Integer(), required=True, metadata={
        "description": "members who met the year's quotas with this sheet"})


class StudyAttendanceListQuerySchema(PageRequestSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(ATTENDANCE_STATUSES))


class StudyNoteCreateSchema(Schema):
    party_member_id = fields.Integer(required=True, strict=True, validate=ID)
    text = fields.String(required=True, validate=validate.Length(max=rules.MAX_NOTE_CHARS),
                         metadata={"description": "the study notes 学习笔记: at least the "
                                   "session's note_min_chars characters, whitespace not counted"})
    reflection = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=5000),
                               metadata={"description": "a reflection 心得体会"})


class StudyNoteSchema(Schema):
    id = fields.Integer(required=True)
    study_session_id = fields.Integer(required=True)
    party_member_id = fields.Integer(required=True)
    member_name = fields.String(required=True)
    text = fields.String(required=True)
    length = fields.Integer(required=True)
    reflection = fields.String(allow_none=True)
    written_by = fields.String()
    created_at = fields.DateTime()


class StudyNoteListQuerySchema(PageRequestSchema):
    party_member_id = fields.Integer(load_default=None, validate=ID)


class StudyQuotaQuerySchema(PageRequestSchema):
    branch_id = fields.Integer(load_default=None, validate=ID)
    code = fields.String(load_default=None, validate=CODE, metadata={
        "description": "every branch at or beneath this territory code (instead of branch_id)"})
    year = fields.Integer(load_default=None, validate=YEAR, metadata={"description": "default: "
                                                                       "this year"})
    behind = fields.Boolean(load_default=None, metadata={
        "description": "true: only members behind pro rata; false: only those not behind"})
    min_study_days = fields.Integer(load_default=DEFAULT_MIN_STUDY_DAYS,
                                    validate=validate.Range(min=1, max=366))
    min_sessions = fields.Integer(load_default=DEFAULT_MIN_STUDY_SESSIONS,
                                  validate=validate.Range(min=1, max=1000))

    @validates_schema
    def one_target(self, data, **kwargs):
        if (data.get("branch_id") is None) == (data.get("code") is None):
            raise ValidationError("give exactly one of branch_id and code", "branch_id")


class StudyShortfallSchema(Schema):
    study_days = fields.Integer(required=True)
    sessions = fields.Integer(required=True)


class MemberStudyQuotaSchema(Schema):
    party_member_id = fields.Integer(required=True)
    resident_id = fields.Integer(allow_none=True)
    name = fields.String(required=True)
    branch_id = fields.Integer(required=True)
    org_code = fields.String(required=True)
    stage = fields.String(allow_none=True)
    study_days_attended = fields.Integer(required=True)
    sessions_attended = fields.Integer(required=True)
    notes_written = fields.Integer(required=True)
    met = fields.Boolean(required=True)
    behind = fields.Boolean(required=True, metadata={
        "description": "fewer study days or sessions than the year so far asks for"})
    shortfall = fields.Nested(StudyShortfallSchema, required=True,
                              metadata={"description": "still short of the yearly quota"})


class StudyQuotaSummarySchema(Schema):
    members = fields.Integer(required=True)
    met = fields.Integer(required=True)
    behind = fields.Integer(required=True)


class StudyQuotaReportSchema(Schema):
    year = fields.Integer(required=True)
    as_of = fields.Date(required=True)
    branch_id = fields.Integer(allow_none=True)
    code = fields.String(allow_none=True)
    min_study_days = fields.Integer(required=True)
    min_sessions = fields.Integer(required=True)
    expected_so_far = fields.Nested(StudyShortfallSchema, required=True, metadata={
        "description": "study days and sessions the year so far asks for (pro rata)"})
    summary = fields.Nested(StudyQuotaSummarySchema, required=True,
                            metadata={"description": "over every member (not only this page)"})
    items = fields.List(fields.Nested(MemberStudyQuotaSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


StudySessionPageSchema = page_schema(StudySessionSchema, "StudySessionPage")
StudyAttendancePageSchema = page_schema(StudyAttendanceLineSchema, "StudyAttendancePage")
StudyNotePageSchema = page_schema(StudyNoteSchema, "StudyNotePage")
