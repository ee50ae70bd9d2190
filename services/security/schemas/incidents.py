"""Incidents: RPC payloads and results (the gateway documents them)."""
from datetime import date, datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.security.domain import incidents as rules
from services.security.domain.catalogue import (
    INCIDENT_KINDS,
    REPORTER_KINDS,
    RESPONSE_LEVELS,
    SEVERITIES,
)
from shared.pagination import PageRequestSchema, page_schema

GRID = validate.Regexp(r"^\d{15}$", error="must be a grid code of 15 digits")
CODE = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
MOMENT = validate.Range(min=datetime(2000, 1, 1, tzinfo=timezone.utc),
                        max=datetime(2100, 12, 31, tzinfo=timezone.utc),
                        error="must be a time from 2000 to 2100")
DAY = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31),
                     error="must be a date from 2000 to 2100")


class IncidentCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(INCIDENT_KINDS)))
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    level = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(list(RESPONSE_LEVELS)), metadata={
        "description": "response level red (2 h) / yellow (24 h) / blue (72 h); default from "
                       "severity: major/serious → red, general → yellow, minor → blue"})
    grid_code = fields.String(required=True, validate=GRID)
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    reporter_kind = fields.String(required=True, validate=validate.OneOf(REPORTER_KINDS))
    reporter_ref = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=100))
    occurred_at = fields.AwareDateTime(load_default=None, allow_none=True, validate=MOMENT)


class AssigneeSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(rules.ASSIGNEE_KINDS))
    ref = fields.String(required=True, validate=validate.Length(min=1, max=100))


class TransitionRequestSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(rules.ACTIONS))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    assignee = fields.Nested(AssigneeSchema, load_default=None, allow_none=True, metadata={
        "description": "dispatch: the handling unit or department {kind: unit/department, ref}"})
    result = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(min=1, max=2000),
                           metadata={"description": "handled: what was done"})
    rating = fields.Integer(load_default=None, allow_none=True, strict=True,
                            validate=validate.Range(min=1, max=5),
                            metadata={"description": "evaluate: 1–5"})

    @validates_schema
    def needs(self, data, **kwargs):
        action = data.get("action")
        if action == "dispatch" and not data.get("assignee"):
            raise ValidationError("dispatch needs an assignee {kind, ref}", "assignee")
        if action == "handled" and not (data.get("result") or "").strip():
            raise ValidationError("handled needs the result", "result")
        if action == "evaluate" and data.get("rating") is None:
            raise ValidationError("evaluate needs a rating from 1 to 5", "rating")
        if action in rules.REASON_REQUIRED and not (data.get("comment") or "").strip():
            raise ValidationError(f"{action} needs a comment saying why", "comment")


class IncidentListQuerySchema(PageRequestSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(rules.STATUSES))
    kind = fields.String(load_default=None, validate=validate.OneOf(list(INCIDENT_KINDS)))
    severity = fields.String(load_default=None, validate=validate.OneOf(SEVERITIES))
    level = fields.String(load_default=None, validate=validate.OneOf(list(RESPONSE_LEVELS)))
    code = fields.String(load_default=None, validate=CODE,
                         metadata={"description": "territory prefix (street, community, grid)"})
    overdue = fields.Boolean(load_default=None)
    mine = fields.Boolean(load_default=False, metadata={
        "description": "only what is open in the caller's own grids (their work list)"})


class WorkListQuerySchema(PageRequestSchema):
    pass


class IndicatorQuerySchema(Schema):
    area = fields.String(required=True, validate=validate.Regexp(
        r"^\d{6,12}$", error="must be a district, street or community code"))
    from_ = fields.Date(required=True, data_key="from", validate=DAY)
    to = fields.Date(required=True, validate=DAY)

    @validates_schema
    def ordered(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError(f"{data['to']} is before from {data['from_']}", "to")


class TransitionSchema(Schema):
    seq = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    comment = fields.String(allow_none=True)
    details = fields.Dict()
    at = fields.DateTime()


class AssigneeOutSchema(Schema):
    kind = fields.String()
    ref = fields.String()


class IncidentSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    severity = fields.String()
    level = fields.String()
    status = fields.String()
    grid_code = fields.String()
    community_code = fields.String()
    address = fields.String(allow_none=True)
    description = fields.String()
    reporter_kind = fields.String()
    reporter_ref = fields.String(allow_none=True)
    reported_by = fields.String()
    source_type = fields.String(allow_none=True)
    source_id = fields.String(allow_none=True)
    occurred_at = fields.DateTime(allow_none=True)
    reported_at = fields.DateTime()
    due_at = fields.DateTime()
    overdue = fields.Boolean()
    assignee = fields.Nested(AssigneeOutSchema, allow_none=True)
    handled_by = fields.String(allow_none=True)
    handled_at = fields.DateTime(allow_none=True)
    result = fields.String(allow_none=True)
    verified_by = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    dispute_until = fields.DateTime(allow_none=True)
    rating = fields.Integer(allow_none=True)
    escalated_to = fields.String(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    disputed = fields.Boolean()
    allowed_actions = fields.List(fields.String())
    history = fields.List(fields.Nested(TransitionSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CommunityIndicatorSchema(Schema):
    community_code = fields.String()
    mass_incidents = fields.Integer()
    group_petitions = fields.Integer()
    target = fields.Integer()
    met = fields.Boolean()


class IndicatorSchema(Schema):
    area = fields.String()
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    mass_incidents = fields.Integer()
    group_petitions = fields.Integer()
    target = fields.Integer()
    met = fields.Boolean()
    communities = fields.List(fields.Nested(CommunityIndicatorSchema))


IncidentPageSchema = page_schema(IncidentSchema, "IncidentPage")
TransitionPageSchema = page_schema(TransitionSchema, "IncidentTransitionPage")
