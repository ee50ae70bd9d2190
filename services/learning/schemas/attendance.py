"""Attendance, the roster and certificates: RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.learning.domain.catalogue import ATTENDANCE_STATUSES, ENROLMENT_STATUSES
from shared.pagination import PageRequestSchema, page_schema

ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
MAX_RECORDS = 1000  # a bound before anything is looked up; the course's capacity is the real one


class AttendanceRecordSchema(Schema):
    enrolment_id = fields.Integer(load_default=None, strict=True, validate=ID, metadata={
        "description": "the resident's enrolment on this course (or give resident_id)"})
    resident_id = fields.Integer(load_default=None, strict=True, validate=ID, metadata={
        "description": "the resident (membership's id), when the enrolment id is not at hand"})
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_STATUSES), metadata={
        "description": "present / late / excused / absent"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))

    @validates_schema
    def one_reference(self, data, **kwargs):
        if (data.get("enrolment_id") is None) == (data.get("resident_id") is None):
            raise ValidationError("give exactly one of enrolment_id and resident_id",
                                  field_name="enrolment_id")


class AttendanceSheetSchema(Schema):
    records = fields.List(fields.Nested(AttendanceRecordSchema), required=True,
                          validate=validate.Length(min=1, max=MAX_RECORDS), metadata={
                              "description": "one row per resident; all are stored or none"})


class StatusCountsSchema(Schema):
    present = fields.Integer(required=True)
    late = fields.Integer(required=True)
    excused = fields.Integer(required=True)
    absent = fields.Integer(required=True)


class RosterLineSchema(Schema):
    enrolment_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    resident_name = fields.String(required=True)
    enrolment_status = fields.String(required=True, validate=validate.OneOf(ENROLMENT_STATUSES))
    status = fields.String(allow_none=True, required=True, metadata={
        "description": "this session's status, null while not signed in"})
    note = fields.String(allow_none=True)
    corrections = fields.Integer(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)


class CompletionSchema(Schema):
    enrolment_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    attendance_rate = fields.Float(required=True)
    certificate_number = fields.String(required=True)


class AttendanceResultSchema(Schema):
    session_id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    session_status = fields.String(required=True)
    recorded = fields.Integer(required=True, metadata={"description": "rows posted"})
    corrected = fields.Integer(required=True, metadata={
        "description": "rows that changed an earlier status"})
    counts = fields.Nested(StatusCountsSchema, required=True, metadata={
        "description": "the session's statuses after this sign-in"})
    records = fields.List(fields.Nested(RosterLineSchema), required=True)
    completed = fields.List(fields.Nested(CompletionSchema), required=True, metadata={
        "description": "enrolments this sign-in completed (a certificate issued for each)"})


class RosterQuerySchema(PageRequestSchema):
    pass


class CertificateSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    course_id = fields.Integer(required=True)
    enrolment_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    org_code = fields.String(required=True)
    holder_name = fields.String(required=True)
    course_title = fields.String(required=True)
    school_name = fields.String(required=True)
    hours = fields.Float(required=True)
    attendance_rate = fields.Float(required=True)
    issued_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True)


class CertificateListQuerySchema(PageRequestSchema):
    resident_id = fields.Integer(load_default=None, validate=ID)
    course_id = fields.Integer(load_default=None, validate=ID)


class CertificateVerificationSchema(Schema):
    number = fields.String(required=True)
    valid = fields.Boolean(required=True, metadata={"description": "issued and not revoked"})
    course_title = fields.String(required=True)
    school_name = fields.String(required=True)
    holder_name = fields.String(required=True, metadata={"description": "masked: 张*明"})
    issued_on = fields.Date(required=True)
    revoked_on = fields.Date(allow_none=True)
    attendance_rate = fields.Float(required=True)
    hours = fields.Float(required=True)


RosterPageSchema = page_schema(RosterLineSchema, "AttendanceRosterPage")
CertificatePageSchema = page_schema(CertificateSchema, "CertificatePage")
