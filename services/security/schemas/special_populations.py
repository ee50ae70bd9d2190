"""Special populations: RPC payloads and results (the gateway documents them)."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.security.domain import special_populations as rules
from services.security.domain.catalogue import (
    CLOSURE_REASONS,
    FLOATING_CHECK_RESULTS,
    HELPER_RELATIONS,
    RISK_LEVELS,
    SUPERVISION_CATEGORIES,
    VISIT_OUTCOMES,
)
from shared.pagination import PageRequestSchema, page_schema

ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
CODE = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
DAY = validate.Range(min=date(1950, 1, 1), max=date(2100, 12, 31),
                     error="must be a date from 1950 to 2100")
RECENT_DAY = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31),
                            error="must be a date from 2000 to 2100")
NAME = validate.Length(min=1, max=100)
NOTES = validate.Length(max=2000)
RISK = validate.OneOf(RISK_LEVELS)
CADENCE = validate.Range(min=1, max=366, error="must be between 1 and 366 days")
PHONE = validate.Regexp(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
                        error="a mobile number (11 digits) or a landline like 0595-22881234")


class _DayRange:
    @validates_schema
    def ordered(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError(f"{data['to']} is before from {data['from_']}", "to")


class HelperSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE,
                          metadata={"description": "shown masked: 138****5678"})
    relation = fields.String(required=True, validate=validate.OneOf(HELPER_RELATIONS),
                             metadata={"description": "worker / volunteer / family"})


class SupervisionFileCreateSchema(Schema):
    resident_id = fields.Integer(required=True, strict=True, validate=ID, metadata={
        "description": "membership's resident, in your scope"})
    category = fields.String(required=True, validate=validate.OneOf(list(SUPERVISION_CATEGORIES)),
                             metadata={"description": "released_prisoner 刑释解教 / "
                                                      "community_correction 社区矫正"})
    released_on = fields.Date(required=True, validate=DAY)
    supervision_until = fields.Date(load_default=None, allow_none=True, validate=DAY)
    opened_on = fields.Date(load_default=None, allow_none=True, validate=RECENT_DAY,
                            metadata={"description": "default today"})
    risk_level = fields.String(required=True, validate=RISK)
    helper = fields.Nested(HelperSchema, required=True,
                           metadata={"description": "the one-to-one helper 帮教人"})
    visit_every_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                                      validate=CADENCE, metadata={
        "description": "overrides the risk level's cadence (high 7, medium 14, low 30 days)"})

    @validates_schema
    def ordered(self, data, **kwargs):
        until = data.get("supervision_until")
        if until and data.get("released_on") and until < data["released_on"]:
            raise ValidationError(f"{until} is before released_on", "supervision_until")


class SupervisionFileUpdateSchema(Schema):
    supervision_until = fields.Date(allow_none=True, validate=DAY)
    helper = fields.Nested(HelperSchema)
    visit_every_days = fields.Integer(allow_none=True, strict=True, validate=CADENCE, metadata={
        "description": "null: back to the risk level's cadence"})

    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("give supervision_until, helper or visit_every_days", "body")


class SupervisionVisitCreateSchema(Schema):
    visited_on = fields.Date(required=True, validate=RECENT_DAY)
    visitor = fields.String(required=True, validate=NAME)
    outcome = fields.String(required=True, validate=validate.OneOf(VISIT_OUTCOMES), metadata={
        "description": "stable / needs_help / concern / not_met (not_met does not count as "
                       "the visit due)"})
    notes = fields.String(load_default=None, allow_none=True, validate=NOTES)


class SupervisionScreeningCreateSchema(Schema):
    screened_on = fields.Date(required=True, validate=RECENT_DAY)
    risk_level = fields.String(required=True, validate=RISK)
    notes = fields.String(load_default=None, allow_none=True, validate=NOTES)


class SupervisionClosureSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(CLOSURE_REASONS), metadata={
        "description": "reintegrated 顺利回归 / moved_away / deceased / transferred"})
    closed_on = fields.Date(required=True, validate=RECENT_DAY)


class HelperShownSchema(Schema):
    name = fields.String(required=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked"})
    relation = fields.String(required=True)


class SupervisionFileSchema(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    resident_name = fields.String(required=True, metadata={"description": "as membership gave it"})
    org_code = fields.String(required=True, metadata={"description": "the resident's grid"})
    category = fields.String(required=True)
    released_on = fields.Date(required=True)
    supervision_until = fields.Date(allow_none=True)
    opened_on = fields.Date(required=True)
    risk_level = fields.String(required=True)
    visit_every_days = fields.Integer(required=True)
    visit_every_days_overridden = fields.Boolean(required=True)
    helper = fields.Nested(HelperShownSchema, required=True)
    last_visited_on = fields.Date(allow_none=True)
    next_visit_due = fields.Date(required=True)
    visit_overdue = fields.Boolean(required=True)
    last_screened_on = fields.Date(allow_none=True)
    next_screening_due = fields.Date(required=True)
    screening_overdue = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(rules.STATUSES))
    closure_reason = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SupervisionVisitSchema(Schema):
    id = fields.Integer(required=True)
    supervision_file_id = fields.Integer(required=True)
    visited_on = fields.Date(required=True)
    visitor = fields.String(required=True)
    outcome = fields.String(required=True)
    notes = fields.String(allow_none=True)
    recorded_by = fields.String()
    created_at = fields.DateTime()


class SupervisionScreeningSchema(Schema):
    id = fields.Integer(required=True)
    supervision_file_id = fields.Integer(required=True)
    screened_on = fields.Date(required=True)
    risk_level = fields.String(required=True)
    notes = fields.String(allow_none=True)
    recorded_by = fields.String()
    created_at = fields.DateTime()


class SupervisionVisitResultSchema(Schema):
    visit = fields.Nested(SupervisionVisitSchema, required=True)
    file = fields.Nested(SupervisionFileSchema, required=True)


class SupervisionScreeningResultSchema(Schema):
    screening = fields.Nested(SupervisionScreeningSchema, required=True)
    file = fields.Nested(SupervisionFileSchema, required=True)


class SupervisionFileListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE, metadata={
        "description": "files of residents at or beneath this territory code"})
    status = fields.String(load_default=None, validate=validate.OneOf(rules.STATUSES))
    overdue_visit = fields.Boolean(load_default=None, metadata={
        "description": "true: open files whose visit is overdue; false: the others"})
    overdue_screening = fields.Boolean(load_default=None)
    category = fields.String(load_default=None,
                             validate=validate.OneOf(list(SUPERVISION_CATEGORIES)))
    risk_level = fields.String(load_default=None, validate=RISK)
    resident_id = fields.Integer(load_default=None, validate=ID)


class SupervisionSummaryQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE,
                         metadata={"description": "default: your scope"})


class SupervisionCommunitySchema(Schema):
    community_code = fields.String(required=True)
    open = fields.Integer(required=True)
    overdue = fields.Integer(required=True, metadata={
        "description": "open files with a visit or a re-screening overdue"})
    reintegrated_this_year = fields.Integer(required=True)


class SupervisionSummarySchema(Schema):
    code = fields.String(required=True)
    as_of = fields.Date(required=True)
    items = fields.List(fields.Nested(SupervisionCommunitySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class FloatingCheckCreateSchema(Schema):
    resident_id = fields.Integer(required=True, strict=True, validate=ID, metadata={
        "description": "a floating resident 流动人口 (membership's residence floating)"})
    checked_on = fields.Date(required=True, validate=RECENT_DAY)
    checker = fields.String(required=True, validate=NAME)
    result = fields.String(required=True, validate=validate.OneOf(FLOATING_CHECK_RESULTS),
                           metadata={"description": "registered / unregistered_now_registered "
                                                    "/ not_found / moved_away"})
    notes = fields.String(load_default=None, allow_none=True, validate=NOTES)


class FloatingCheckSchema(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    resident_name = fields.String(required=True)
    org_code = fields.String(required=True)
    checked_on = fields.Date(required=True)
    checker = fields.String(required=True)
    result = fields.String(required=True)
    notes = fields.String(allow_none=True)
    recorded_by = fields.String()
    created_at = fields.DateTime()


class FloatingCheckListQuerySchema(_DayRange, PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE)
    resident_id = fields.Integer(load_default=None, validate=ID)
    result = fields.String(load_default=None, validate=validate.OneOf(FLOATING_CHECK_RESULTS))
    from_ = fields.Date(load_default=None, data_key="from", validate=RECENT_DAY)
    to = fields.Date(load_default=None, validate=RECENT_DAY)


class FloatingRateQuerySchema(_DayRange, PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE,
                         metadata={"description": "default: your scope"})
    from_ = fields.Date(load_default=None, data_key="from", validate=RECENT_DAY,
                        metadata={"description": "default: 1 January of this year"})
    to = fields.Date(load_default=None, validate=RECENT_DAY,
                     metadata={"description": "default: today"})


class FloatingRateSchema(Schema):
    community_code = fields.String(required=True)
    floating_residents = fields.Integer(required=True, metadata={
        "description": "active floating residents now (membership's)"})
    checked = fields.Integer(required=True, metadata={
        "description": "of them, distinct residents checked in the period"})
    rate = fields.Float(allow_none=True, metadata={"description": "null: none to check"})
    target = fields.Float(required=True)
    met = fields.Boolean(required=True)


class FloatingRateReportSchema(Schema):
    code = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    items = fields.List(fields.Nested(FloatingRateSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class SupervisionHistoryQuerySchema(PageRequestSchema):
    pass


SupervisionVisitPageSchema = page_schema(SupervisionVisitSchema, "SupervisionVisitPage")
SupervisionScreeningPageSchema = page_schema(SupervisionScreeningSchema,
                                             "SupervisionScreeningPage")
SupervisionFilePageSchema = page_schema(SupervisionFileSchema, "SupervisionFilePage")
FloatingCheckPageSchema = page_schema(FloatingCheckSchema, "FloatingCheckPage")
