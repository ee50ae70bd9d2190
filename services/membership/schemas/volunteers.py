"""Volunteers, teams and the hours ledger: RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.membership.domain.volunteers import (
    MAX_HOURS_PER_ITEM,
    MAX_SKILLS,
    STATUSES,
    TEAM_KINDS,
)
from shared.events.volunteer_hours import Hours
from shared.pagination import PageRequestSchema, page_schema

CODE = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
COMMUNITY = validate.Regexp(r"^\d{12}$", error="must be a community code of 12 digits")
SKILL = fields.String(validate=validate.Length(min=1, max=50))
SKILLS = validate.Length(max=MAX_SKILLS, error=f"at most {MAX_SKILLS} skills")
ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
HOURS = validate.Range(min=0, min_inclusive=False, max=MAX_HOURS_PER_ITEM,
                       error=f"must be more than 0 and at most {MAX_HOURS_PER_ITEM}")
REASON = validate.Length(min=1, max=500)


class VolunteerEnrolSchema(Schema):
    resident_id = fields.Integer(required=True, strict=True, validate=ID)
    community_code = fields.String(load_default=None, validate=COMMUNITY, metadata={
        "description": "the community the volunteer serves; omitted: the resident's own"})
    skills = fields.List(SKILL, load_default=list, validate=SKILLS)


class VolunteerUpdateSchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    add_skills = fields.List(SKILL, load_default=list, validate=SKILLS)
    remove_skills = fields.List(SKILL, load_default=list, validate=SKILLS)

    @validates_schema
    def _something(self, data, **kwargs):
        if "status" not in data and not data["add_skills"] and not data["remove_skills"]:
            raise ValidationError("give status, add_skills or remove_skills", "status")


class VolunteerSchema(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "the resident's name"})
    community_code = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    skills = fields.List(fields.String(), required=True)
    team_ids = fields.List(fields.Integer(), required=True)
    enrolled_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class VolunteerListQuerySchema(PageRequestSchema):
    org_code = fields.String(load_default=None, validate=CODE, metadata={
        "description": "only volunteers of communities beneath this territory code"})
    skill = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    team_id = fields.Integer(load_default=None, validate=ID)
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class VolunteerTeamCreateSchema(Schema):
    community_code = fields.String(required=True, validate=COMMUNITY)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(TEAM_KINDS))
    description = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=500))


class VolunteerTeamSchema(Schema):
    id = fields.Integer(required=True)
    community_code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(TEAM_KINDS))
    description = fields.String(allow_none=True)
    member_count = fields.Integer(required=True)
    created_by = fields.String()
    created_at = fields.DateTime()


class VolunteerTeamListQuerySchema(PageRequestSchema):
    org_code = fields.String(load_default=None, validate=CODE, metadata={
        "description": "only teams of communities beneath this territory code"})
    kind = fields.String(load_default=None, validate=validate.OneOf(TEAM_KINDS))


class VolunteerTeamJoinSchema(Schema):
    volunteer_id = fields.Integer(required=True, strict=True, validate=ID)


class VolunteerTeamMemberSchema(Schema):
    volunteer_id = fields.Integer(required=True)
    name = fields.String(required=True)
    community_code = fields.String(required=True)
    status = fields.String(required=True)
    joined_at = fields.DateTime()


VolunteerPageSchema = page_schema(VolunteerSchema, "VolunteerPage")
VolunteerTeamPageSchema = page_schema(VolunteerTeamSchema, "VolunteerTeamPage")
VolunteerTeamMemberPageSchema = page_schema(VolunteerTeamMemberSchema, "VolunteerTeamMemberPage")


class HoursEntrySchema(Schema):
    """A staff member's entry: credit hours (work not reported by another service), debit
    (hours redeemed for a service), or reverse an earlier transaction."""

    kind = fields.String(required=True, validate=validate.OneOf(["credit", "debit", "reversal"]))
    hours = Hours(allow_nan=False, validate=HOURS,
                         metadata={"description": "credit and debit: more than 0, at most 24"})
    reason = fields.String(required=True, validate=REASON)
    activity_date = fields.Date(load_default=None, metadata={"description": "credit: the day"})
    transaction_id = fields.Integer(strict=True, validate=ID,
                                    metadata={"description": "reversal: the one to reverse"})
    request_id = fields.String(load_default=None, validate=validate.Regexp(
        r"^[A-Za-z0-9._:-]{1,64}$", error="1 to 64 letters, digits or ._:-"), metadata={
        "description": "credit and debit: your key for this entry; sending it again records "
                       "nothing new and answers with the first transaction"})

    @validates_schema
    def _by_kind(self, data, **kwargs):
        if data.get("kind") == "reversal":
            if "transaction_id" not in data:
                raise ValidationError("a reversal names its transaction_id", "transaction_id")
            if "hours" in data:
                raise ValidationError("a reversal takes the hours of its transaction", "hours")
        elif data.get("kind") and "hours" not in data:
            raise ValidationError(f"a {data['kind']} needs hours", "hours")
        elif data.get("kind") and "transaction_id" in data:
            raise ValidationError("only a reversal names a transaction", "transaction_id")


class HoursLineSchema(Schema):
    transaction_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    hours = fields.Float(required=True, metadata={"description": "the change to the balance"})
    source_type = fields.String(required=True)
    source_id = fields.String(required=True)
    event_id = fields.String(allow_none=True, metadata={"description": "the crediting event"})
    org_code = fields.String(required=True)
    activity_date = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True)
    reverses_transaction_id = fields.Integer(allow_none=True)
    reversed_by_transaction_id = fields.Integer(allow_none=True)
    actor = fields.String(required=True)
    created_at = fields.DateTime()


class HoursLedgerSchema(Schema):
    volunteer_id = fields.Integer(required=True)
    balance_hours = fields.Float(required=True)
    items = fields.List(fields.Nested(HoursLineSchema), required=True,
                        metadata={"description": "newest first"})
    next_cursor = fields.String(allow_none=True, required=True)


class HoursEntryResultSchema(Schema):
    transaction = fields.Nested(HoursLineSchema, required=True)
    balance_hours = fields.Float(required=True)
