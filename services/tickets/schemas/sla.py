"""The SLA clock's dashboard (tickets at risk) and the three rates: RPC queries and results."""
from marshmallow import Schema, fields, validate

from services.tickets.domain.sla import (
    EARLIEST_DAY,
    GROUP_BY,
    LATEST_DAY,
    MAX_WITHIN_HOURS,
    RISKS,
    SATISFACTION_TARGET,
)
from shared.pagination import PageRequestSchema, page_schema

AREA = validate.Regexp(r"^\d{6}(\d{3}){0,3}$", error="must be a territory code (6, 9, 12 or 15 "
                                                     "digits)")
DAY = validate.Range(min=EARLIEST_DAY, max=LATEST_DAY,
                     error=f"must lie between {EARLIEST_DAY} and {LATEST_DAY}")


class AtRiskQuerySchema(PageRequestSchema):
    area = fields.String(load_default=None, validate=AREA, metadata={
        "description": "a territory code (district, street, community or grid); default: your "
                       "scope"})
    within_hours = fields.Integer(load_default=24, validate=validate.Range(
        min=0, max=MAX_WITHIN_HOURS), metadata={
        "description": "tickets due within this many hours from now (and every ticket already "
                       "overdue or breached)"})
    category = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    risk = fields.String(load_default=None, validate=validate.OneOf(RISKS), metadata={
        "description": "breached (marked by the clock), overdue (past due, not marked yet) or "
                       "due_soon"})


class AtRiskTicketSchema(Schema):
    id = fields.Integer(required=True)
    category_code = fields.String(required=True)
    category_name = fields.String(required=True)
    status = fields.String(required=True)
    priority = fields.String(required=True)
    grid_code = fields.String(required=True)
    community_code = fields.String(required=True)
    street_code = fields.String(required=True)
    level = fields.String(required=True)
    responsible_code = fields.String(required=True)
    accountable_code = fields.String(required=True)
    assignee_kind = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True)
    hours_left = fields.Float(required=True, metadata={"description": "negative once past due"})
    risk = fields.String(required=True, validate=validate.OneOf(RISKS))
    sla_breached_at = fields.DateTime(allow_none=True)
    due_soon_reminded_at = fields.DateTime(allow_none=True)


AtRiskPageSchema = page_schema(AtRiskTicketSchema, "TicketsAtRiskPage")


class RatesQuerySchema(PageRequestSchema):
    area = fields.String(load_default=None, validate=AREA, metadata={
        "description": "a territory code; default: your scope"})
    from_ = fields.Date(data_key="from", load_default=None, validate=DAY, metadata={
        "description": "first day (UTC+8) of the period, YYYY-MM-DD; default: the 1st of this "
                       "month"})
    to = fields.Date(load_default=None, validate=DAY, metadata={
        "description": "last day (UTC+8) of the period, included; default: today"})
    group_by = fields.String(load_default=None, validate=validate.OneOf(GROUP_BY), metadata={
        "description": "one row per community or per street of the area (paginated)"})


class FigureSchema(Schema):
    numerator = fields.Integer(required=True)
    denominator = fields.Integer(required=True)
    pending = fields.Integer(required=True, metadata={
        "description": "tickets of the cohort not judgeable yet (left out of the denominator)"})
    rate = fields.Float(required=True, allow_none=True, metadata={
        "description": "numerator ÷ denominator, 0–1, 4 decimals; null when the denominator "
                       "is 0"})


class SatisfactionFigureSchema(FigureSchema):
    target = fields.Float(required=True, metadata={
        "description": f"the district target ({SATISFACTION_TARGET:.0%})"})
    target_met = fields.Boolean(required=True, allow_none=True)


class RatesSchema(Schema):
    code = fields.String(required=True, metadata={"description": "the area, or the community / "
                                                                 "street of the row"})
    response = fields.Nested(FigureSchema, required=True, metadata={
        "description": "响应率: created in the period and responded to within the category's "
                       "response hours"})
    resolution = fields.Nested(FigureSchema, required=True, metadata={
        "description": "按时解决率: due in the period and resolved by the due time"})
    satisfaction = fields.Nested(SatisfactionFigureSchema, required=True, metadata={
        "description": "满意率: rated in the period and satisfied (4 or 5 of 5)"})


class RatesReportSchema(Schema):
    area = fields.String(required=True)
    from_ = fields.Date(data_key="from", required=True)
    to = fields.Date(required=True)
    timezone = fields.String(required=True, metadata={"description": "the days' time zone"})
    as_of = fields.DateTime(required=True, metadata={
        "description": "pending tickets are judged against this moment"})
    group_by = fields.String(required=True, allow_none=True)
    total = fields.Nested(RatesSchema, required=True, metadata={"description": "the whole area"})
    items = fields.List(fields.Nested(RatesSchema), required=True, metadata={
        "description": "one row per community / street with tickets in the period (with "
                       "group_by; else empty), ordered by code"})
    next_cursor = fields.String(required=True, allow_none=True)
