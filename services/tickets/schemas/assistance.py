"""Assistance cases: RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, fields, validate

from services.tickets.domain.assistance import (
    ACTIONS,
    DEFAULT_NOTICE_DAYS,
    KINDS,
    MAX_NOTICE_DAYS,
    MIN_NOTICE_DAYS,
    STAGES,
)
from shared.pagination import PageRequestSchema, page_schema

ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
COMMUNITY = validate.Regexp(r"^\d{12}$", error="must be a community code of 12 digits")
VOTES = validate.Range(min=0, max=100000)
TEXT = validate.Length(max=1000)


class AssistanceCaseCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    resident_id = fields.Integer(required=True, strict=True, validate=ID, metadata={
        "description": "the applicant (membership's resident id); the case takes their grid"})
    applied_on = fields.Date(load_default=None, metadata={"description": "omitted: today"})
    notes = fields.String(load_default=None, allow_none=True, validate=TEXT)


class AssistanceTransitionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS), metadata={
        "description": "complete_investigation → complete_review → record_appraisal → "
                       "post_notice (×3) → approve; reject from any open stage"})
    comment = fields.String(load_default=None, allow_none=True, validate=TEXT, metadata={
        "description": "complete_review after an objection: the answer to it"})
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=500),
                           metadata={"description": "reject: required"})
    votes_for = fields.Integer(load_default=None, strict=True, validate=VOTES,
                               metadata={"description": "record_appraisal"})
    votes_against = fields.Integer(load_default=None, strict=True, validate=VOTES,
                                   metadata={"description": "record_appraisal"})
    abstentions = fields.Integer(load_default=0, strict=True, validate=VOTES,
                                 metadata={"description": "record_appraisal"})
    notice_days = fields.Integer(
        load_default=DEFAULT_NOTICE_DAYS, strict=True,
        validate=validate.Range(min=MIN_NOTICE_DAYS, max=MAX_NOTICE_DAYS), metadata={
            "description": f"record_appraisal: the notice period, default {DEFAULT_NOTICE_DAYS} "
                           f"days from the appraisal"})
    location = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=200),
                             metadata={"description": "post_notice: where it was posted"})
    posted_on = fields.Date(load_default=None, metadata={
        "description": "post_notice: omitted, today"})


class AssistanceObjectionCreateSchema(Schema):
    content = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    objector = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=100),
                             metadata={"description": "omitted: anonymous"})


class AssistanceStepSchema(Schema):
    seq = fields.Integer(required=True)
    action = fields.String(required=True)
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String(required=True)
    actor = fields.String(required=True)
    comment = fields.String(allow_none=True)
    details = fields.Dict(required=True)
    on = fields.Date(required=True)
    at = fields.DateTime(required=True)


class AssistancePostingSchema(Schema):
    notice_round = fields.Integer(required=True)
    number = fields.Integer(required=True)
    posted_on = fields.Date(required=True)
    location = fields.String(required=True)
    posted_by = fields.String(required=True)


class AssistanceObjectionSchema(Schema):
    id = fields.Integer(required=True)
    notice_round = fields.Integer(required=True)
    lodged_on = fields.Date(required=True)
    objector = fields.String(allow_none=True)
    content = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["pending", "answered"]))
    answer = fields.String(allow_none=True)
    answered_on = fields.Date(allow_none=True)
    lodged_by = fields.String(required=True)


class AssistanceAppraisalSchema(Schema):
    votes_for = fields.Integer(required=True)
    votes_against = fields.Integer(required=True)
    abstentions = fields.Integer(required=True)
    passed = fields.Boolean(required=True)
    on = fields.Date(required=True)


class AssistanceNoticeSchema(Schema):
    round = fields.Integer(required=True, metadata={"description": "1 for the first notice"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    postings = fields.Integer(required=True, metadata={"description": "of the 3 required"})
    approvable_from = fields.Date(required=True)


class AssistanceCaseSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    resident_id = fields.Integer(required=True)
    grid_code = fields.String(required=True)
    community_code = fields.String(required=True)
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    next_actions = fields.List(fields.String(), required=True)
    applied_on = fields.Date(required=True)
    notes = fields.String(allow_none=True)
    appraisal = fields.Nested(AssistanceAppraisalSchema, allow_none=True)
    notice = fields.Nested(AssistanceNoticeSchema, allow_none=True)
    pending_objections = fields.Integer(required=True)
    decided_on = fields.Date(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AssistanceCaseDetailSchema(AssistanceCaseSchema):
    steps = fields.List(fields.Nested(AssistanceStepSchema), required=True)
    postings = fields.List(fields.Nested(AssistancePostingSchema), required=True)
    objections = fields.List(fields.Nested(AssistanceObjectionSchema), required=True)


class AssistanceCaseListQuerySchema(PageRequestSchema):
    stage = fields.String(load_default=None, validate=validate.OneOf(STAGES))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    community = fields.String(load_default=None, validate=COMMUNITY)
    resident_id = fields.Integer(load_default=None, validate=ID)


AssistanceCasePageSchema = page_schema(AssistanceCaseSchema, "AssistanceCasePage")
