"""Petitions 信访: RPC payloads and results (the gateway documents them)."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.security.domain import petitions as rules
from shared.pagination import PageRequestSchema, page_schema

AREA = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
PLACE = validate.Regexp(r"^(\d{12}|\d{15})$",
                        error="must be a community (12 digits) or grid (15 digits) code")
DAY = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31),
                     error="must be a date from 2000 to 2100")
STATUS = validate.OneOf(rules.STATUSES)
CHANNEL = validate.OneOf(tuple(rules.CHANNELS))


class PetitionCreateSchema(Schema):
    org_code = fields.String(required=True, validate=PLACE, metadata={
        "description": "the community 社区 or grid 网格 the petition concerns (its scope)"})
    channel = fields.String(required=True, validate=CHANNEL, metadata={
        "description": "visit 来访 / letter 来信 / phone 来电 / online 网上信访"})
    petitioners = fields.Integer(required=True, strict=True,
                                 validate=validate.Range(min=1, max=100000), metadata={
        "description": f"how many people; {rules.GROUP_PETITION_MIN_PEOPLE} or more is a "
                       "group petition 集体访"})
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    petitioner_name = fields.String(required=True, validate=validate.Length(min=1, max=100),
                                    metadata={"description": "the petitioner (or the group's "
                                                             "representative)"})
    petitioner_phone = fields.String(load_default=None, allow_none=True,
                                     validate=validate.Length(max=20), metadata={
        "description": "stored; shown masked (138****5678)"})
    registered_on = fields.Date(load_default=None, allow_none=True, validate=DAY, metadata={
        "description": "default today; not in the future"})


class PetitionTransitionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(rules.ACTIONS), metadata={
        "description": "accept / decline (reason) / extend (until, reason) / answer (text) / "
                       "request_review / review (text) / close"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    until = fields.Date(load_default=None, allow_none=True, validate=DAY, metadata={
        "description": "extend: the new answer deadline (at most 30 days past the first)"})
    text = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=5000), metadata={
        "description": "answer: the 办理意见; review: the 复查意见"})
    on = fields.Date(load_default=None, allow_none=True, validate=DAY, metadata={
        "description": "the day of the step (default today; not before the last step)"})

    @validates_schema
    def what_the_action_needs(self, data, **kwargs):
        needs = {rules.DECLINE: ("reason",), rules.EXTEND: ("until", "reason"),
                 rules.ANSWER: ("text",), rules.REVIEW: ("text",)}
        for name in needs.get(data.get("action"), ()):
            value = data.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise ValidationError(f"{data['action']} needs {name}", name)


class PetitionListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=AREA, metadata={
        "description": "petitions at or beneath this territory code"})
    status = fields.String(load_default=None, validate=STATUS)
    channel = fields.String(load_default=None, validate=CHANNEL)
    group = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "true: group petitions only; false: the others"})
    overdue = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "true: past the current deadline without the step; false: not"})


class PetitionStatsQuerySchema(Schema):
    area = fields.String(load_default=None, validate=AREA, metadata={
        "description": "default: your scope"})
    from_ = fields.Date(load_default=None, data_key="from", validate=DAY, metadata={
        "description": "registered from (default 1 January of this year)"})
    to = fields.Date(load_default=None, validate=DAY, metadata={
        "description": "registered up to (default today)"})

    @validates_schema
    def ordered(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError(f"{data['to']} is before from {data['from_']}", "to")


class PetitionDeadlinesSchema(Schema):
    accept_by = fields.Date(required=True)
    answer_by = fields.Date(allow_none=True)
    review_request_by = fields.Date(allow_none=True)
    review_by = fields.Date(allow_none=True)
    current = fields.Date(allow_none=True, metadata={
        "description": "the deadline of the step the petition waits for"})
    overdue = fields.Boolean(required=True)


class PetitionStepSchema(Schema):
    id = fields.Integer(required=True)
    step = fields.String(required=True)
    status_from = fields.String(allow_none=True)
    status_to = fields.String(required=True)
    on = fields.Date(required=True)
    note = fields.String(allow_none=True)
    actor = fields.String(required=True)
    created_at = fields.DateTime()


class PetitionSchema(Schema):
    id = fields.Integer(required=True)
    org_code = fields.String(required=True)
    community_code = fields.String(required=True)
    channel = fields.String(required=True, validate=CHANNEL)
    petitioners = fields.Integer(required=True)
    group = fields.Boolean(required=True)
    subject = fields.String(required=True)
    petitioner_name = fields.String(required=True)
    petitioner_phone = fields.String(allow_none=True, metadata={"description": "masked"})
    status = fields.String(required=True, validate=STATUS)
    registered_on = fields.Date(required=True)
    accepted_on = fields.Date(allow_none=True)
    declined_on = fields.Date(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    extended_until = fields.Date(allow_none=True)
    extension_reason = fields.String(allow_none=True)
    answered_on = fields.Date(allow_none=True)
    answer_text = fields.String(allow_none=True)
    answered_on_time = fields.Boolean(allow_none=True)
    review_requested_on = fields.Date(allow_none=True)
    reviewed_on = fields.Date(allow_none=True)
    review_text = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    deadlines = fields.Nested(PetitionDeadlinesSchema, required=True)
    allowed_actions = fields.List(fields.String(), required=True)
    history = fields.List(fields.Nested(PetitionStepSchema), metadata={
        "description": "one petition only (not in lists)"})
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


PetitionPageSchema = page_schema(PetitionSchema, "PetitionPage")


class PetitionStatsSchema(Schema):
    area = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    as_of = fields.Date(required=True)
    registered = fields.Integer(required=True)
    accepted = fields.Integer(required=True)
    declined = fields.Integer(required=True)
    answered_on_time = fields.Integer(required=True)
    answered_late = fields.Integer(required=True)
    overdue_now = fields.Integer(required=True)
    group_petitions = fields.Integer(required=True)
    group_petitions_target = fields.Integer(required=True, metadata={"description": "0"})
    on_time_rate = fields.Float(allow_none=True, metadata={
        "description": "answered on time / answered (none answered: null)"})
