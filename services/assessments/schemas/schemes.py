"""Assessment schemes 考核方案: RPC payloads and results (the gateway documents them)."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.assessments.domain.catalogue import (
    CONDITION_OPS,
    DEFAULT_BOTTOM_N,
    INDICATOR_SOURCES,
    PERIODS,
    SCHEME_STATUSES,
    SUBJECT_KINDS,
)
from shared.pagination import PageRequestSchema, page_schema

AREA = validate.Regexp(r"^(\d{6}|\d{9}|\d{12})$",
                       error="must be a district (6 digits), street (9) or community (12) code")
DAY = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31),
                     error="must be a date from 2000 to 2100")
INDICATOR_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$",
                                 error="lower-case letters, digits and _, starting with a letter")
FIELD_PATH = validate.Regexp(r"^[a-z][a-z0-9_]{0,59}(\.[a-z][a-z0-9_]{0,59})?$",
                             error="an event field name (a.b for a nested one)")
EVENT_TYPE = validate.Regexp(r"^[a-z_]{1,40}\.[a-z0-9_]{1,79}$",
                             error="an event type, producer.event_name")
MAX_POINTS = 10000
MAX_STARS = 10


def _hundredths(value: float) -> bool:
    """Points and weights are kept exactly in hundredths."""
    return abs(value * 100 - round(value * 100)) < 1e-6


class Hundredths(fields.Float):
    """A JSON number (not a string, not a boolean) with at most two decimals."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("must be a number")
        number = super()._deserialize(value, attr, data, **kwargs)
        if not _hundredths(number):
            raise ValidationError("at most two decimal places")
        return number


def _points(**kwargs):
    return Hundredths(allow_nan=False, validate=[
        validate.Range(min=-MAX_POINTS, max=MAX_POINTS),
        validate.NoneOf([0], error="must not be 0 (negative: a penalty)")], **kwargs)


def _weight(**kwargs):
    return Hundredths(allow_nan=False, validate=validate.Range(
        min=0, min_inclusive=False, max=100), **kwargs)


def _full_marks(**kwargs):
    return Hundredths(allow_nan=False, allow_none=True, validate=validate.Range(
        min=0, min_inclusive=False, max=MAX_POINTS), **kwargs)


class ConditionSchema(Schema):
    field = fields.String(required=True, validate=FIELD_PATH, metadata={
        "description": "a field of the event's registered payload"})
    op = fields.String(required=True, validate=validate.OneOf(CONDITION_OPS))
    value = fields.Raw(required=True, metadata={
        "description": "true/false, a number or a string as the field is; a list for 'in'"})


class IndicatorCreateSchema(Schema):
    code = fields.String(required=True, validate=INDICATOR_CODE, metadata={
        "description": "unique within the scheme; rules name it"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source = fields.String(required=True, validate=validate.OneOf(INDICATOR_SOURCES), metadata={
        "description": "events (scored by rules) / manual (inspections) / survey"})
    weight = _weight(load_default=1.0, metadata={
        "description": "the scheme's total is Σ weight × points; fixed once active"})
    full_marks = _full_marks(load_default=None, metadata={
        "description": "a survey indicator: what a 100% result is worth"})


class IndicatorUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    weight = _weight()
    full_marks = _full_marks()


class RuleCreateSchema(Schema):
    indicator = fields.String(required=True, validate=INDICATOR_CODE, metadata={
        "description": "the code of an indicator of the scheme scored by events"})
    event_type = fields.String(required=True, validate=EVENT_TYPE, metadata={
        "description": "one of the events assessments listens to"})
    subject_field = fields.String(required=True, validate=FIELD_PATH, metadata={
        "description": "the event field naming the subject: a territory code field "
                       "(community_code, grid_code, org_code, street_code) for territory "
                       "subjects; an id (or a list of ids) for people"})
    conditions = fields.List(fields.Nested(ConditionSchema), load_default=list,
                             validate=validate.Length(max=10), metadata={
        "description": "all must hold"})
    points = _points(required=True, metadata={
        "description": "per matching event (negative: a penalty), two decimals at most"})
    per_field = fields.String(load_default=None, allow_none=True, validate=FIELD_PATH, metadata={
        "description": "a numeric event field: points × its value (e.g. hours)"})
    description = fields.String(load_default="", validate=validate.Length(max=300))


class RuleUpdateSchema(Schema):
    conditions = fields.List(fields.Nested(ConditionSchema), validate=validate.Length(max=10))
    points = _points()
    per_field = fields.String(allow_none=True, validate=FIELD_PATH)
    description = fields.String(validate=validate.Length(max=300))


class _SchemeFieldsSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    department = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "who imposes it (区民政局, the street office...)"})
    period = fields.String(validate=validate.OneOf(PERIODS))
    counts_from = fields.Date(validate=DAY, metadata={
        "description": "events on or after this day count"})
    counts_until = fields.Date(allow_none=True, validate=DAY, metadata={
        "description": "inclusive; none: open-ended"})
    star_thresholds = fields.List(
        Hundredths(allow_nan=False, validate=validate.Range(min=0, max=10 ** 7)),
        validate=validate.Length(max=MAX_STARS), metadata={
            "description": "ascending totals earning 1★, 2★...; at most 10"})
    bottom_n = fields.Integer(strict=True, validate=validate.Range(min=0, max=100), metadata={
        "description": "how many at the bottom of a ranking are flagged"})
    description = fields.String(validate=validate.Length(max=2000))

    @validates_schema
    def window_in_order(self, data, **kwargs):
        if data.get("counts_from") and data.get("counts_until") \
                and data["counts_until"] < data["counts_from"]:
            raise ValidationError(f"{data['counts_until']} is before counts_from "
                                  f"{data['counts_from']}", "counts_until")


class SchemeCreateSchema(_SchemeFieldsSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    department = fields.String(required=True, validate=validate.Length(min=1, max=100))
    subject_kind = fields.String(required=True, validate=validate.OneOf(tuple(SUBJECT_KINDS)),
                                 metadata={"description": ", ".join(SUBJECT_KINDS)})
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    org_code = fields.String(required=True, validate=AREA, metadata={
        "description": "the area whose subjects it assesses (within your scope)"})
    counts_from = fields.Date(required=True, validate=DAY)
    counts_until = fields.Date(load_default=None, allow_none=True, validate=DAY)
    star_thresholds = fields.List(
        Hundredths(allow_nan=False, validate=validate.Range(min=0, max=10 ** 7)),
        load_default=list, validate=validate.Length(max=MAX_STARS))
    bottom_n = fields.Integer(strict=True, load_default=DEFAULT_BOTTOM_N,
                              validate=validate.Range(min=0, max=100))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    indicators = fields.List(fields.Nested(IndicatorCreateSchema), required=True,
                             validate=validate.Length(min=1, max=30))
    rules = fields.List(fields.Nested(RuleCreateSchema), load_default=list,
                        validate=validate.Length(max=100))


class SchemeUpdateSchema(_SchemeFieldsSchema):
    """While draft or rejected. The subject kind and the area stay (the rules were checked
    against them): make a new scheme instead."""


class DecisionSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class RejectionSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata={
        "description": "why: the authors see it and may resubmit"})


class SchemeListQuerySchema(PageRequestSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(SCHEME_STATUSES))
    subject_kind = fields.String(load_default=None,
                                 validate=validate.OneOf(tuple(SUBJECT_KINDS)))
    org_code = fields.String(load_default=None, validate=validate.Regexp(
        r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits"), metadata={
        "description": "the schemes bearing on this area: those covering it and those within it"})


class SchemeIndicatorSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    source = fields.String(required=True)
    weight = fields.Float(required=True)
    full_marks = fields.Float(allow_none=True)


class RuleSchema(Schema):
    id = fields.Integer(required=True)
    indicator = fields.String(required=True, metadata={"description": "the indicator's code"})
    indicator_id = fields.Integer(required=True)
    event_type = fields.String(required=True)
    subject_field = fields.String(required=True)
    conditions = fields.List(fields.Nested(ConditionSchema), required=True)
    points = fields.Float(required=True)
    per_field = fields.String(allow_none=True)
    description = fields.String(required=True)
    updated_at = fields.DateTime()
    rescored = fields.Dict(allow_none=True, metadata={
        "description": "after a change on an active scheme: what re-scoring appended"})


class SchemeSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    department = fields.String(required=True)
    subject_kind = fields.String(required=True)
    period = fields.String(required=True)
    org_code = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(SCHEME_STATUSES))
    needs_approval = fields.Boolean(required=True, metadata={
        "description": "imposed on communities: counts only once the district approves 准入"})
    counts_from = fields.Date(required=True)
    counts_until = fields.Date(allow_none=True)
    star_thresholds = fields.List(fields.Float(), required=True)
    bottom_n = fields.Integer(required=True)
    description = fields.String(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    indicators = fields.List(fields.Nested(SchemeIndicatorSchema), metadata={
        "description": "one scheme only (not in lists)"})
    rules = fields.List(fields.Nested(RuleSchema), metadata={
        "description": "one scheme only (not in lists)"})
    allowed_actions = fields.List(fields.String(), required=True, metadata={
        "description": "update, edit_indicators, edit_rules, remove_rules, submit, approve, "
                       "reject, retire"})
    rescored = fields.Dict(allow_none=True, metadata={
        "description": "after an approval or a rule change: what re-scoring appended"})
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


SchemePageSchema = page_schema(SchemeSchema, "SchemePage")
