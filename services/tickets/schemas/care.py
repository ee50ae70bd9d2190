"""Care plans and visits: RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, fields, validate

from services.tickets.domain.care import (
    CARE_FLAGS,
    LIFE_EVENT_KINDS,
    OUTCOMES,
    STATUSES,
    VISIT_KINDS,
)
from services.tickets.schemas.tickets import TicketSchema
from shared.pagination import PageRequestSchema, page_schema

ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
COMMUNITY = validate.Regexp(r"^\d{12}$", error="must be a community code of 12 digits")


class CareScheduleLineSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(VISIT_KINDS))
    every_days = fields.Integer(required=True, metadata={"description": "the cadence"})
    last_visited_on = fields.Date(allow_none=True, metadata={
        "description": "the last visit of this kind that reached the resident"})
    next_due_on = fields.Date(required=True)
    missed = fields.Boolean(required=True, metadata={
        "description": "the due day has passed with no visit of this kind"})
    days_overdue = fields.Integer(required=True)


class CarePlanSchema(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    flag = fields.String(required=True, validate=validate.OneOf(CARE_FLAGS))
    grid_code = fields.String(required=True)
    community_code = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    flagged_on = fields.Date(required=True)
    starts_on = fields.Date(required=True)
    closed_on = fields.Date(allow_none=True)
    close_reason = fields.String(allow_none=True)
    schedule = fields.List(fields.Nested(CareScheduleLineSchema), required=True)
    missed = fields.List(fields.String(), required=True, metadata={
        "description": "the visit kinds whose due day has passed (open plans only)"})
    visit_count = fields.Integer(required=True)
    opened_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CarePlanListQuerySchema(PageRequestSchema):
    community = fields.String(load_default=None, validate=COMMUNITY)
    flag = fields.String(load_default=None, validate=validate.OneOf(CARE_FLAGS))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    resident_id = fields.Integer(load_default=None, validate=ID)
    missed = fields.Boolean(load_default=None, metadata={
        "description": "true: open plans with a missed visit; false: open plans with none"})


class CareVisitCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(VISIT_KINDS))
    visited_on = fields.Date(load_default=None, metadata={"description": "omitted: today"})
    visitor = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={
        "description": "who visited or called (a worker, a volunteer, a neighbour)"})
    outcome = fields.String(load_default="well", validate=validate.OneOf(OUTCOMES), metadata={
        "description": "well / needs_help / not_reached (a visit that did not reach the "
                       "resident is recorded but the visit stays due)"})
    notes = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(max=1000))


class CareVisitSchema(Schema):
    id = fields.Integer(required=True)
    care_plan_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(VISIT_KINDS))
    visited_on = fields.Date(required=True)
    visitor = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    notes = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


class CareVisitResultSchema(Schema):
    visit = fields.Nested(CareVisitSchema, required=True)
    care_plan = fields.Nested(CarePlanSchema, required=True)


class CareVisitListQuerySchema(PageRequestSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(VISIT_KINDS))


CarePlanPageSchema = page_schema(CarePlanSchema, "CarePlanPage")
CareVisitPageSchema = page_schema(CareVisitSchema, "CareVisitPage")


class LifeEventCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(LIFE_EVENT_KINDS), metadata={
        "description": "八到家: wedding, death, hospital, new_resident, released_person, "
                       "hardship, laid_off_placement, family_dispute"})
    resident_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                                 metadata={"description": "the resident concerned, if known"})
    grid_code = fields.String(required=True, validate=validate.Regexp(
        r"^\d{15}$", error="must be a grid code of 15 digits"))
    occurred_on = fields.Date(load_default=None, metadata={"description": "omitted: today"})
    notes = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(max=1000))


class LifeEventSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(LIFE_EVENT_KINDS))
    resident_id = fields.Integer(allow_none=True)
    grid_code = fields.String(required=True)
    community_code = fields.String(required=True)
    occurred_on = fields.Date(required=True)
    ticket_id = fields.Integer(required=True)


class LifeEventResultSchema(Schema):
    life_event = fields.Nested(LifeEventSchema, required=True)
    ticket = fields.Nested(TicketSchema, required=True,
                           metadata={"description": "the visit ticket opened"})
