"""Follow-ups 组织处置 of party members: RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, fields, validate

from shared.pagination import PageRequestSchema, page_schema

STATUSES = ("open", "closed")
OUTCOMES = {
    "correction": "限期改正 (to correct within a set time)",
    "persuaded_to_leave": "劝退 (persuaded to leave the party)",
    "removed": "除名 (removed from the party)",
}


class FollowUpListQuerySchema(PageRequestSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class FollowUpClosureSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(tuple(OUTCOMES)), metadata={
        "description": "; ".join(f"{k}: {v}" for k, v in OUTCOMES.items())})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "default today; not before the follow-up was opened, not in the future"})


class FollowUpSchema(Schema):
    id = fields.Integer(required=True)
    party_member_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "democratic_appraisal"})
    source_ref = fields.String(required=True, metadata={
        "description": "the appraisal round's id in assessments"})
    year = fields.Integer(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    opened_on = fields.Date(required=True)
    outcome = fields.String(allow_none=True)
    outcome_note = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    closed_by = fields.String(allow_none=True)
    created_at = fields.DateTime()


FollowUpPageSchema = page_schema(FollowUpSchema, "FollowUpPage")
