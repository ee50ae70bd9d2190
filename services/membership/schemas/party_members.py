"""Party members: RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.membership.domain import party_members as rules
from shared.pagination import PageRequestSchema, page_schema

CODE = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
NOTE = validate.Length(min=1, max=500)
PLACE = validate.Length(min=1, max=200)
COMMUNITY = validate.Regexp(r"^\d{12}$", error="must be a community code of 12 digits")
CATEGORY = validate.OneOf(rules.CATEGORIES)
STAGE = validate.OneOf(rules.STAGES)


class PartyMemberCreateSchema(Schema):
    resident_id = fields.Integer(required=True, strict=True, validate=ID)
    branch_id = fields.Integer(required=True, strict=True, validate=ID,
                               metadata={"description": "a party organisation of kind branch"})
    group_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                              metadata={"description": "a group of that branch"})
    category = fields.String(required=True, validate=CATEGORY, metadata={
        "description": "resident 居民党员, in_service 在职党员, mobile 流动党员, retired 离退休"})
    stage = fields.String(load_default=rules.APPLICANT, validate=STAGE, metadata={
        "description": "the stage the member is at (default: a new applicant)"})
    stage_since = fields.Date(required=True,
                              metadata={"description": "the date the member reached that stage"})


class PartyMemberUpdateSchema(Schema):
    branch_id = fields.Integer(strict=True, validate=ID)
    group_id = fields.Integer(allow_none=True, strict=True, validate=ID, metadata={
        "description": "null: no group; omitted with a new branch: no group"})
    category = fields.String(validate=CATEGORY)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give branch_id, group_id or category", "body")


class StepSchema(Schema):
    step = fields.String(required=True, validate=validate.OneOf(rules.STEPS), metadata={
        "description": "the next stage (activist, development_target, probationary) or, for a "
                       "probationary member, an outcome (convert → full, extend, reject)"})
    on = fields.Date(load_default=None, allow_none=True,
                     metadata={"description": "the date of the step (default: today)"})
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class StepRecordSchema(Schema):
    step = fields.String(required=True)
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String(required=True)
    on = fields.Date(required=True)
    note = fields.String(allow_none=True)
    recorded_by = fields.String()


class TransferSchema(Schema):
    direction = fields.String(required=True, validate=validate.OneOf(rules.DIRECTIONS))
    on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "the date sent (out) or received (in); default today"})
    to_code = fields.String(load_default=None, allow_none=True, validate=COMMUNITY, metadata={
        "description": "out: the receiving community, when it is on the platform"})
    destination = fields.String(load_default=None, allow_none=True, validate=PLACE, metadata={
        "description": "out: where to, when outside the platform (required without to_code)"})
    origin = fields.String(load_default=None, allow_none=True, validate=PLACE, metadata={
        "description": "in: where from, for a member arriving from outside the platform"})
    branch_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                               metadata={"description": "in: the receiving branch (required "
                                                        "from another community)"})
    group_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)


class TransferRecordSchema(Schema):
    direction = fields.String(required=True)
    on = fields.Date(required=True)
    from_code = fields.String(allow_none=True)
    to_code = fields.String(allow_none=True)
    place = fields.String(allow_none=True, metadata={"description": "destination or origin"})
    stage = fields.String(required=True, metadata={"description": "the stage at the transfer"})
    recorded_by = fields.String()


class PartyMemberSchema(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "the resident's name"})
    id_number = fields.String(required=True, metadata={"description": "masked"})
    branch_id = fields.Integer(required=True)
    group_id = fields.Integer(allow_none=True)
    org_code = fields.String(required=True, metadata={"description": "the branch's territory node"})
    category = fields.String(required=True, validate=CATEGORY)
    stage = fields.String(required=True, validate=STAGE)
    stage_since = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(rules.STATUSES))
    observed_since = fields.Date(allow_none=True, metadata={
        "description": "the last transfer-in date: conversion waits 182 days from it"})
    pending_to_code = fields.String(allow_none=True, metadata={
        "description": "transferred out to this community of the platform, not yet received"})
    history = fields.List(fields.Nested(StepRecordSchema), metadata={
        "description": "every step with its date, oldest first (one member only)"})
    transfers = fields.List(fields.Nested(TransferRecordSchema), metadata={
        "description": "transfers out and in, oldest first (one member only)"})
    mobile = fields.Dict(allow_none=True, metadata={
        "description": "mobile members: the ledger line (location, since, contact_id, "
                       "contact_name), or null"})
    registration = fields.Dict(allow_none=True, metadata={
        "description": "in-service members: the residential community registered with 报到 "
                       "(community_code, registered_on, workplace), or null (one member only)"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PartyMemberListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE, metadata={
        "description": "territory code: members of branches at or beneath it (default: your "
                       "scope)"})
    resident_id = fields.Integer(load_default=None, validate=ID, metadata={
        "description": "one resident's member record (is this resident a party member?)"})
    branch_id = fields.Integer(load_default=None, validate=ID)
    group_id = fields.Integer(load_default=None, validate=ID)
    stage = fields.String(load_default=None, validate=STAGE)
    category = fields.String(load_default=None, validate=CATEGORY)
    status = fields.String(load_default=None, validate=validate.OneOf(rules.STATUSES))
    incoming = fields.Boolean(load_default=False, metadata={
        "description": "members being transferred to communities at or beneath `code`, not yet "
                       "received"})


PartyMemberPageSchema = page_schema(PartyMemberSchema, "PartyMemberPage")


# --- in-service members: registering 报到, posts 认岗, the yearly quota 四个一 ----------------

POST = validate.OneOf(rules.POSTS)
YEAR = validate.Range(min=2000, max=2100, error="must be a year between 2000 and 2100")


class RegistrationSchema(Schema):
    community_code = fields.String(required=True, validate=COMMUNITY, metadata={
        "description": "the residential community the member registers with"})
    registered_on = fields.Date(load_default=None, allow_none=True,
                                metadata={"description": "default: today"})
    workplace = fields.String(required=True, validate=PLACE,
                              metadata={"description": "the unit where the member works"})


class RegistrationRecordSchema(Schema):
    community_code = fields.String(required=True)
    registered_on = fields.Date(required=True)
    workplace = fields.String(required=True)


class PostClaimCreateSchema(Schema):
    post = fields.String(required=True, validate=POST, metadata={
        "description": "one of the eight posts 八大岗"})
    year = fields.Integer(load_default=None, allow_none=True, strict=True, validate=YEAR,
                          metadata={"description": "default: this year; one post a year"})
    claimed_on = fields.Date(load_default=None, allow_none=True,
                             metadata={"description": "default: today"})


class PostClaimSchema(Schema):
    id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "the member's name"})
    community_code = fields.String(required=True)
    post = fields.String(required=True, validate=POST)
    year = fields.Integer(required=True)
    claimed_on = fields.Date(required=True)
    recorded_by = fields.String()
    created_at = fields.DateTime()


class PostClaimListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE, metadata={
        "description": "claims in communities at or beneath this code (default: your scope)"})
    post = fields.String(load_default=None, validate=POST)
    year = fields.Integer(load_default=None, validate=YEAR)


PostClaimPageSchema = page_schema(PostClaimSchema, "PartyPostClaimPage")


class QuotaItemCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(rules.QUOTA_KINDS), metadata={
        "description": "activity 一次活动, care 一次关爱, good_deed 一件好事, suggestion 一条建议"})
    on = fields.Date(load_default=None, allow_none=True,
                     metadata={"description": "default: today; counts toward its year"})
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class QuotaQuerySchema(Schema):
    year = fields.Integer(load_default=None, validate=YEAR,
                          metadata={"description": "default: this year"})


class QuotaItemSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    on = fields.Date(required=True)
    text = fields.String(required=True)
    recorded_by = fields.String()


class QuotaReportSchema(Schema):
    member_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    items = fields.List(fields.Nested(QuotaItemSchema), required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    met = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True, metadata={
        "description": "for each of the four: at least one record this year"})
    all_met = fields.Boolean(required=True)


class MobileSchema(Schema):
    location = fields.String(required=True, validate=PLACE,
                             metadata={"description": "where the member is: city, unit"})
    since = fields.Date(required=True, metadata={"description": "there since"})
    contact_id = fields.Integer(required=True, strict=True, validate=ID, metadata={
        "description": "the one-to-one contact: another party member of the same community"})
