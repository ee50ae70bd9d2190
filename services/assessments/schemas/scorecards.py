"""Scorecards, rankings, manual scores, survey results and corrections: RPC payloads and results
(the gateway documents them)."""
from marshmallow import Schema, fields, validate

from services.assessments.domain.catalogue import ENTRY_SOURCES, SUBJECT_KINDS
from services.assessments.schemas.schemes import INDICATOR_CODE, MAX_POINTS, Hundredths
from shared.pagination import MAX_LIMIT, PageRequestSchema, page_schema

AREA = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
COMMUNITY = validate.Regexp(r"^\d{12}$", error="must be a community code (12 digits)")
SUBJECT_REF = validate.Regexp(r"^\d{1,18}$", error="a territory code (street, community, grid) "
                                                  "or a membership id: digits only")
PERIOD_KEY = validate.Regexp(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$",
                             error="a period key: 2026-11 (month), 2026-Q4 (quarter), 2026 (year)")
ROW_ID = validate.Range(min=1, max=2 ** 31 - 1)
RANKING_GROUPS = ("parent", "within")
RANKING_LIMIT = 100


def _points(**kwargs):
    return Hundredths(allow_nan=False, validate=validate.Range(min=-MAX_POINTS, max=MAX_POINTS),
                      **kwargs)


# --- requests ---------------------------------------------------------------------------------

class ScorecardListQuerySchema(PageRequestSchema):
    scheme_id = fields.Integer(load_default=None, validate=ROW_ID)
    period_key = fields.String(load_default=None, validate=PERIOD_KEY)
    subject_ref = fields.String(load_default=None, validate=SUBJECT_REF)
    within_code = fields.String(load_default=None, validate=AREA, metadata={
        "description": "scorecards of the subjects lying in this area (default: your scope)"})


class EntryListQuerySchema(PageRequestSchema):
    pass


class RankingQuerySchema(PageRequestSchema):
    scheme_id = fields.Integer(required=True, validate=ROW_ID)
    period_key = fields.String(load_default=None, validate=PERIOD_KEY, metadata={
        "description": "default: the scheme's period holding today"})
    within_code = fields.String(load_default=None, validate=AREA, metadata={
        "description": "the subjects lying in this area (default: your scope, within the "
                       "scheme's area)"})
    group = fields.String(load_default="parent", validate=validate.OneOf(RANKING_GROUPS),
                          metadata={"description": "parent: each subject ranked within its "
                                                   "parent (communities within their street); "
                                                   "within: all together"})
    limit = fields.Integer(load_default=RANKING_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))


class RecomputationQuerySchema(Schema):
    scheme_id = fields.Integer(required=True, validate=ROW_ID)


class _SubjectInputSchema(Schema):
    indicator = fields.String(required=True, validate=INDICATOR_CODE, metadata={
        "description": "the indicator's code"})
    subject_ref = fields.String(required=True, validate=SUBJECT_REF, metadata={
        "description": "a street, community or grid code (territory schemes) or the membership "
                       "id of a party member, household or volunteer"})
    community_code = fields.String(load_default=None, validate=COMMUNITY, metadata={
        "description": "person schemes: the community the person is scored in (required)"})
    period_key = fields.String(required=True, validate=PERIOD_KEY, metadata={
        "description": "a key of the scheme's period within its window"})


class ManualScoreSchema(_SubjectInputSchema):
    scheme_id = fields.Integer(required=True, strict=True, validate=ROW_ID)
    points = _points(required=True, metadata={"description": "negative: a deduction"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class SurveyResultCreateSchema(_SubjectInputSchema):
    respondents = fields.Integer(required=True, strict=True,
                                 validate=validate.Range(min=1, max=1_000_000))
    satisfied = fields.Integer(required=True, strict=True,
                               validate=validate.Range(min=0, max=1_000_000), metadata={
        "description": "how many respondents are satisfied (0 to respondents)"})
    note = fields.String(load_default="", validate=validate.Length(max=500))


class SurveyResultListQuerySchema(PageRequestSchema):
    period_key = fields.String(load_default=None, validate=PERIOD_KEY)
    subject_ref = fields.String(load_default=None, validate=SUBJECT_REF)


class CorrectionSchema(Schema):
    points = _points(required=True, metadata={"description": "what the entry should be worth"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


# --- results ----------------------------------------------------------------------------------

class ScorecardSchema(Schema):
    id = fields.Integer()
    scheme_id = fields.Integer()
    subject_kind = fields.String(metadata={"enum": list(SUBJECT_KINDS)})
    subject_ref = fields.String()
    org_code = fields.String(metadata={"description": "where the subject lies"})
    parent_code = fields.String(metadata={"description": "what it is ranked within"})
    period_key = fields.String()
    points = fields.Float(metadata={"description": "the total: Σ weight × points"})
    entry_count = fields.Integer()
    stars = fields.Integer()
    updated_at = fields.DateTime()


class ScorecardLineSchema(Schema):
    indicator_id = fields.Integer()
    indicator = fields.String()
    name = fields.String()
    source = fields.String()
    weight = fields.Float()
    points = fields.Float()
    weighted_points = fields.Float()
    entry_count = fields.Integer()


class ScorecardRankSchema(Schema):
    rank = fields.Integer()
    group_code = fields.String()
    group_size = fields.Integer()
    bottom = fields.Boolean(metadata={"description": "among the bottom N of its group"})


class ScorecardDetailSchema(ScorecardSchema):
    scheme_name = fields.String()
    lines = fields.List(fields.Nested(ScorecardLineSchema))
    star_thresholds = fields.List(fields.Float())
    standing = fields.Nested(ScorecardRankSchema, metadata={
        "description": "its rank within its parent (among what you may see of it)"})


class LedgerEntrySchema(Schema):
    id = fields.Integer()
    scheme_id = fields.Integer()
    indicator = fields.String()
    source = fields.String(metadata={"enum": list(ENTRY_SOURCES)})
    subject_kind = fields.String()
    subject_ref = fields.String()
    org_code = fields.String()
    period_key = fields.String()
    points = fields.Float()
    weighted_points = fields.Float()
    rule_id = fields.Integer(allow_none=True)
    event_id = fields.String(allow_none=True)
    event_type = fields.String(allow_none=True)
    revision = fields.Integer()
    corrects_entry_id = fields.Integer(allow_none=True)
    reason = fields.String()
    actor = fields.String()
    occurred_at = fields.DateTime()
    recorded_at = fields.DateTime()


class RankingStandingSchema(Schema):
    subject_kind = fields.String()
    subject_ref = fields.String()
    subject_name = fields.String(allow_none=True, metadata={
        "description": "a street's, community's or grid's name (null for people)"})
    scorecard_id = fields.Integer(allow_none=True, metadata={
        "description": "null: no entries yet (ranks with 0)"})
    group_code = fields.String()
    rank = fields.Integer()
    group_size = fields.Integer()
    points = fields.Float()
    stars = fields.Integer()
    bottom = fields.Boolean()


class RankingSchema(Schema):
    scheme_id = fields.Integer()
    scheme_name = fields.String()
    subject_kind = fields.String()
    period_key = fields.String()
    within_code = fields.String()
    group = fields.String()
    star_thresholds = fields.List(fields.Float())
    bottom_n = fields.Integer()
    items = fields.List(fields.Nested(RankingStandingSchema))
    next_cursor = fields.String(allow_none=True)


class RecomputationDifferenceSchema(Schema):
    scorecard_id = fields.Integer(allow_none=True)
    subject_ref = fields.String()
    period_key = fields.String()
    indicator_id = fields.Integer(allow_none=True, metadata={"description": "null: the total"})
    kept_hundredths = fields.Integer(allow_none=True)
    recomputed_hundredths = fields.Integer(allow_none=True)


class RecomputationSchema(Schema):
    scheme_id = fields.Integer()
    scorecards_compared = fields.Integer()
    entries = fields.Integer()
    differences = fields.List(fields.Nested(RecomputationDifferenceSchema))


class SurveyResultSchema(Schema):
    id = fields.Integer()
    scheme_id = fields.Integer()
    indicator = fields.String()
    subject_ref = fields.String()
    period_key = fields.String()
    respondents = fields.Integer()
    satisfied = fields.Integer()
    satisfaction_rate = fields.Float()
    target = fields.Float()
    meets_target = fields.Boolean()
    points = fields.Float(metadata={"description": "full marks × satisfied ÷ respondents"})
    current = fields.Boolean(metadata={"description": "false: replaced by a later result"})
    ledger_entry_id = fields.Integer()
    note = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


ScorecardPageSchema = page_schema(ScorecardSchema, "ScorecardPage")
LedgerEntryPageSchema = page_schema(LedgerEntrySchema, "LedgerEntryPage")
SurveyResultPageSchema = page_schema(SurveyResultSchema, "SurveyResultPage")
