"""Ticket categories, tickets, transitions and the callback: RPC payloads and results (the gateway
documents them; engineer C's Open311 surface calls ``tickets_create`` with ``TicketCreateSchema``)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.tickets.domain import categories as category_rules
from services.tickets.domain.tickets import (
    ACTIONS,
    ASSIGNEE_KINDS,
    CHANNELS,
    FEE_CLASSES,
    LEVELS,
    PRIORITIES,
    STATUSES,
)
from shared.events.volunteer_hours import MAX_HOURS, Hours
from shared.pagination import PageRequestSchema, page_schema

CATEGORY_CODE = validate.Regexp(category_rules.CODE_PATTERN,
                                error="must be snake_case: a-z, digits, _ (2 to 40)")
GRID = validate.Regexp(r"^\d{15}$", error="must be a grid code of 15 digits")
CODE = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
SHA256 = validate.Regexp(r"^[0-9a-fA-F]{64}$", error="must be 64 hexadecimal digits")
ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
TEXT = validate.Length(min=1, max=1000)


# --- categories ---------------------------------------------------------------------------------

class TicketAttributeValueSchema(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=50))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class TicketAttributeDefinitionSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z][A-Za-z0-9_]{0,39}$", error="letters, digits and _, up to 40"))
    description = fields.String(required=True, validate=validate.Length(min=1, max=200))
    datatype = fields.String(required=True, validate=validate.OneOf(category_rules.DATATYPES))
    required = fields.Boolean(load_default=False)
    order = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100))
    datatype_description = fields.String(load_default="", validate=validate.Length(max=200))
    values = fields.List(fields.Nested(TicketAttributeValueSchema), load_default=list,
                         validate=validate.Length(max=category_rules.MAX_VALUES))


SLA = validate.Range(min=1, max=24 * 365, error="hours: from 1 to 8760")


class TicketCategoryCreateSchema(Schema):
    code = fields.String(required=True, validate=CATEGORY_CODE,
                         metadata={"description": "the Open311 service_code"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(load_default="", validate=validate.Length(max=500))
    group = fields.String(required=True, validate=validate.Length(min=1, max=40))
    keywords = fields.String(load_default="", validate=validate.Length(max=200))
    sla_hours = fields.Integer(required=True, strict=True, validate=SLA, metadata={
        "description": "due time = submission + this many hours"})
    response_hours = fields.Integer(required=True, strict=True, validate=SLA, metadata={
        "description": "accepted within this many hours counts as responded in time"})
    fee_class = fields.String(load_default="free", validate=validate.OneOf(FEE_CLASSES))
    is_dispute = fields.Boolean(load_default=False, metadata={
        "description": "a ticket here is a dispute: tickets.dispute_reported (mediation)"})
    attributes = fields.List(fields.Nested(TicketAttributeDefinitionSchema), load_default=list,
                             validate=validate.Length(max=category_rules.MAX_ATTRIBUTES))


class TicketCategoryUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    description = fields.String(validate=validate.Length(max=500))
    group = fields.String(validate=validate.Length(min=1, max=40))
    keywords = fields.String(validate=validate.Length(max=200))
    sla_hours = fields.Integer(strict=True, validate=SLA)
    response_hours = fields.Integer(strict=True, validate=SLA)
    fee_class = fields.String(validate=validate.OneOf(FEE_CLASSES))
    is_dispute = fields.Boolean()
    attributes = fields.List(fields.Nested(TicketAttributeDefinitionSchema),
                             validate=validate.Length(max=category_rules.MAX_ATTRIBUTES))
    active = fields.Boolean(metadata={"description": "false: no new tickets in this category"})

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change", "name")


class TicketCategorySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String()
    group = fields.String(required=True)
    keywords = fields.List(fields.String())
    sla_hours = fields.Integer(required=True)
    response_hours = fields.Integer(required=True)
    fee_class = fields.String(required=True)
    is_dispute = fields.Boolean(required=True)
    attributes = fields.List(fields.Dict(), required=True, metadata={
        "description": "Open311 attribute definitions: code, datatype, required, description, "
                       "order, datatype_description, values [{key, name}]"})
    active = fields.Boolean(required=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class TicketCategoryListQuerySchema(PageRequestSchema):
    group = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    active = fields.Boolean(load_default=None)


TicketCategoryPageSchema = page_schema(TicketCategorySchema, "TicketCategoryPage")


# --- tickets ------------------------------------------------------------------------------------

class TicketReporterSchema(Schema):
    resident_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^\+?[0-9][0-9-]{4,19}$", error="must be a phone number (digits, -, up to 20)"))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=200))


class TicketLocationSchema(Schema):
    grid_code = fields.String(required=True, validate=GRID)
    address = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(min=1, max=300))
    lat = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                       validate=validate.Range(min=-90, max=90))
    lon = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                       validate=validate.Range(min=-180, max=180))

    @validates_schema
    def _both_or_neither(self, data, **kwargs):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError("give both lat and lon, or neither", "lat")


class TicketAttachmentInSchema(Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, validate=validate.Length(max=1000))
    sha256 = fields.String(load_default=None, allow_none=True, validate=SHA256)
    media_type = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[\w.+-]+/[\w.+-]+$", error="must be a media type like image/jpeg"))


class TicketCreateSchema(Schema):
    category_code = fields.String(required=True, validate=CATEGORY_CODE)
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))
    fee_class = fields.String(load_default=None, allow_none=True,
                              validate=validate.OneOf(FEE_CLASSES),
                              metadata={"description": "omitted: the category's"})
    anonymous = fields.Boolean(load_default=False)
    reporter = fields.Nested(TicketReporterSchema, load_default=None, allow_none=True)
    location = fields.Nested(TicketLocationSchema, required=True)
    attributes = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=40)),
                             load_default=dict, metadata={
                                 "description": "answers to the category's attribute definitions"})
    attachments = fields.List(fields.Nested(TicketAttachmentInSchema), load_default=list,
                              validate=validate.Length(max=20))

    @validates_schema
    def _anonymous_has_no_reporter(self, data, **kwargs):
        reporter = data.get("reporter")
        if data.get("anonymous") and reporter and any(reporter.values()):
            raise ValidationError("an anonymous ticket names no reporter", "reporter")


class TicketAssigneeSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ASSIGNEE_KINDS))
    ref = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={
        "description": "who: a worker's account, a party-member post, a volunteer id"})


class TicketTransitionRequestSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    comment = fields.String(load_default=None, allow_none=True, validate=TEXT)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=500),
                           metadata={"description": "required to reject or return"})
    assignee = fields.Nested(TicketAssigneeSchema, load_default=None, allow_none=True,
                             metadata={"description": "required to dispatch"})
    extension_until = fields.AwareDateTime(load_default=None, allow_none=True, metadata={
        "description": "request_extension: the new due time asked for"})
    hours = Hours(load_default=None, allow_none=True, allow_nan=False,
                  validate=validate.Range(min=0, min_inclusive=False, max=MAX_HOURS),
                  metadata={"description": "resolve: the volunteer's hours (a volunteer's ticket)"})


class TicketRatingRequestSchema(Schema):
    rating = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(min=1, max=500))


class TicketReporterOutSchema(Schema):
    resident_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked"})
    email = fields.String(allow_none=True, metadata={"description": "masked"})


class TicketLocationOutSchema(Schema):
    grid_code = fields.String(required=True)
    community_code = fields.String(required=True)
    street_code = fields.String(required=True)
    address = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)


class TicketAttachmentSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    sha256 = fields.String(allow_none=True)
    media_type = fields.String(allow_none=True)
    added_by = fields.String()
    added_at = fields.DateTime()


class TicketSchema(Schema):
    id = fields.Integer(required=True)
    token = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    allowed_actions = fields.List(fields.String(), required=True)
    category_code = fields.String(required=True)
    channel = fields.String(required=True)
    description = fields.String(required=True)
    priority = fields.String(required=True)
    fee_class = fields.String(required=True)
    anonymous = fields.Boolean(required=True)
    reporter = fields.Nested(TicketReporterOutSchema, allow_none=True)
    location = fields.Nested(TicketLocationOutSchema, required=True)
    attributes = fields.Dict(required=True)
    attachments = fields.List(fields.Nested(TicketAttachmentSchema), required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    responsible_code = fields.String(required=True)
    accountable_code = fields.String(required=True, metadata={
        "description": "the first unit that received it; never changes"})
    assignee = fields.Nested(TicketAssigneeSchema, allow_none=True)
    due_at = fields.DateTime(required=True)
    overdue = fields.Boolean(required=True)
    accepted_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    sla_breached_at = fields.DateTime(allow_none=True)
    extension_requested_until = fields.DateTime(allow_none=True)
    reopen_count = fields.Integer(required=True)
    escalation_count = fields.Integer(required=True)
    rating = fields.Integer(allow_none=True)
    satisfied = fields.Boolean(allow_none=True)
    rating_comment = fields.String(allow_none=True)
    rated_at = fields.DateTime(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class TicketListQuerySchema(PageRequestSchema):
    status = fields.String(load_default=None, metadata={
        "description": "one status or several, comma-separated (accepted,dispatched)"})
    category = fields.String(load_default=None, validate=CATEGORY_CODE)
    community = fields.String(load_default=None, validate=CODE, metadata={
        "description": "tickets beneath this territory code (street, community or grid)"})
    overdue = fields.Boolean(load_default=None, metadata={
        "description": "true: past due and not resolved, closed or rejected"})
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))

    @validates_schema
    def _statuses(self, data, **kwargs):
        if data.get("status") is not None:
            wanted = [s.strip() for s in data["status"].split(",")]
            bad = [s for s in wanted if s not in STATUSES]
            if bad or not wanted:
                raise ValidationError(f"must be among {', '.join(STATUSES)}", "status")


class TicketTransitionSchema(Schema):
    id = fields.Integer(required=True)
    seq = fields.Integer(required=True)
    action = fields.String(required=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(required=True)
    actor = fields.String(required=True)
    comment = fields.String(allow_none=True)
    details = fields.Dict(required=True)
    at = fields.DateTime(required=True)


TicketPageSchema = page_schema(TicketSchema, "TicketPage")
TicketTransitionPageSchema = page_schema(TicketTransitionSchema, "TicketTransitionPage")
