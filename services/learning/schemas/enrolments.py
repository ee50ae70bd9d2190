"""Enrolments and targeted course offers: RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, fields, validate

from services.learning.domain.catalogue import ENROLMENT_STATUSES
from services.learning.domain.enrolments import OFFER_STATUSES, SOURCES
from shared.pagination import PageRequestSchema, page_schema

ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")


class EnrolmentCreateSchema(Schema):
    resident_id = fields.Integer(required=True, strict=True, validate=ID, metadata={
        "description": "a resident in your scope (membership's id)"})


class EnrolmentSchema(Schema):
    id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    course_title = fields.String(required=True)
    resident_id = fields.Integer(required=True)
    resident_name = fields.String(required=True)
    grid_code = fields.String(required=True, metadata={"description": "the resident's grid"})
    status = fields.String(required=True, validate=validate.OneOf(ENROLMENT_STATUSES))
    queue_no = fields.Integer(required=True, metadata={
        "description": "order of arrival on the course (the waitlist's order)"})
    position = fields.Integer(allow_none=True, metadata={
        "description": "waitlisted: the place in the line, from 1; otherwise null"})
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    offered_at = fields.DateTime(allow_none=True)
    confirm_by = fields.DateTime(allow_none=True, metadata={
        "description": "offered: the seat is held until then"})
    withdrawn_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CourseEnrolmentListQuerySchema(PageRequestSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(ENROLMENT_STATUSES),
                           metadata={"description": "waitlisted: in waitlist order, with "
                                                    "position"})


class EnrolmentListQuerySchema(PageRequestSchema):
    resident_id = fields.Integer(load_default=None, validate=ID,
                                 metadata={"description": "one resident's enrolments"})
    course_id = fields.Integer(load_default=None, validate=ID)
    status = fields.String(load_default=None, validate=validate.OneOf(ENROLMENT_STATUSES))


class EnrolmentResultSchema(Schema):
    enrolment = fields.Nested(EnrolmentSchema, required=True)
    promoted = fields.List(fields.Nested(EnrolmentSchema), required=True, metadata={
        "description": "enrolments offered the seat this change freed (first on the waitlist)"})


class CourseOfferSchema(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    grid_code = fields.String(required=True)
    course_id = fields.Integer(required=True)
    course_title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(OFFER_STATUSES))
    reason = fields.String(required=True, metadata={"description": "the flag: laid_off"})
    enrolment_id = fields.Integer(allow_none=True, metadata={"description": "once accepted"})
    responded_at = fields.DateTime(allow_none=True)
    responded_by = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CourseOfferListQuerySchema(PageRequestSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(OFFER_STATUSES))
    resident_id = fields.Integer(load_default=None, validate=ID)
    course_id = fields.Integer(load_default=None, validate=ID)


class CourseOfferAcceptanceSchema(Schema):
    offer = fields.Nested(CourseOfferSchema, required=True)
    enrolment = fields.Nested(EnrolmentSchema, required=True)


EnrolmentPageSchema = page_schema(EnrolmentSchema, "EnrolmentPage")
CourseOfferPageSchema = page_schema(CourseOfferSchema, "CourseOfferPage")
