"""Titles 荣誉称号: RPC payloads and results (the gateway documents them)."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.assessments.domain import titles as rules
from services.assessments.domain.catalogue import (
    TITLE_HOLDER_KINDS,
    TITLE_KINDS,
    TITLE_LEVELS,
    TITLE_NOTICE_DAYS,
    TITLE_STATUSES,
)
from shared.pagination import PageRequestSchema, page_schema

AREA = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
HOLDER_REF = validate.Regexp(r"^\d{1,15}$", error="must be a territory code or an id (digits)")
DAY = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31),
                     error="must be a date from 2000 to 2100")
YEAR = validate.Range(min=2000, max=2100)
KIND = validate.OneOf(tuple(TITLE_KINDS))
LEVEL = validate.OneOf(TITLE_LEVELS)
HOLDER_KIND = validate.OneOf(tuple(TITLE_HOLDER_KINDS))
STATUS = validate.OneOf(TITLE_STATUSES)
STEP_DAY = {"description": "the day of the step (default today; not in the future, not before the "
                           "title's last step)"}


class TitleNominateSchema(Schema):
    kind = fields.String(required=True, validate=KIND, metadata={
        "description": "; ".join(f"{kind} {name} (held by a {holder})"
                                 for kind, (name, holder, _) in TITLE_KINDS.items())})
    level = fields.String(required=True, validate=LEVEL, metadata={
        "description": "district 区级 / city 市级 / province 省级 (each kind names its levels)"})
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    holder_ref = fields.String(required=True, validate=HOLDER_REF, metadata={
        "description": "the community's code, or membership's household / resident / volunteer "
                       "/ party-member id (the kind says which)"})
    citation = fields.String(required=True, validate=validate.Length(min=1, max=5000), metadata={
        "description": "the reasons 推荐理由 / deeds 事迹 (shown in the public notice)"})
    on = fields.Date(load_default=None, validate=DAY, metadata={
        "description": "the day of the nomination (default today; not in the future)"})


class TitleReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(rules.DECISIONS), metadata={
        "description": f"approve: the public notice 公示 starts that day and runs "
                       f"{TITLE_NOTICE_DAYS} days; reject: withdrawn (reason)"})
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=500))
    on = fields.Date(load_default=None, validate=DAY, metadata=STEP_DAY)

    @validates_schema
    def reject_needs_a_reason(self, data, **kwargs):
        if data.get("decision") == rules.REJECT and not (data.get("reason") or "").strip():
            raise ValidationError("reject needs a reason", "reason")


class TitleObjectionCreateSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000), metadata={
        "description": "the objection 异议 as received (no objector's name or phone needed)"})
    on = fields.Date(load_default=None, validate=DAY, metadata={
        "description": "the day it was raised: within the public notice (default today)"})


class TitleObjectionDecisionSchema(Schema):
    upheld = fields.Boolean(required=True, metadata={
        "description": "true: the objection stands and the title is withdrawn; false: dismissed"})
    note = fields.String(required=True, validate=validate.Length(min=1, max=500))
    on = fields.Date(load_default=None, validate=DAY, metadata=STEP_DAY)


class TitleGrantSchema(Schema):
    on = fields.Date(load_default=None, validate=DAY, metadata={
        "description": "the day of granting: after the notice's last day (default today)"})


class TitleWithdrawalSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    on = fields.Date(load_default=None, validate=DAY, metadata=STEP_DAY)


class TitleListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=AREA, metadata={
        "description": "titles of holders at or beneath this territory code"})
    kind = fields.String(load_default=None, validate=KIND)
    level = fields.String(load_default=None, validate=LEVEL)
    status = fields.String(load_default=None, validate=STATUS)
    year = fields.Integer(load_default=None, validate=YEAR)
    holder_kind = fields.String(load_default=None, validate=HOLDER_KIND)
    holder_ref = fields.String(load_default=None, validate=HOLDER_REF, metadata={
        "description": "with holder_kind: one holder's titles"})

    @validates_schema
    def holder_ref_needs_its_kind(self, data, **kwargs):
        if data.get("holder_ref") is not None and data.get("holder_kind") is None:
            raise ValidationError("holder_ref needs holder_kind", "holder_kind")


class TitleNoticeListQuerySchema(PageRequestSchema):
    area = fields.String(load_default=None, validate=AREA, metadata={
        "description": "notices of holders at or beneath this territory code"})


class TitleStepSchema(Schema):
    id = fields.Integer(required=True)
    step = fields.String(required=True, metadata={
        "description": "nominated, noticed, objected, objection_upheld, objection_dismissed, "
                       "granted, withdrawn"})
    status_from = fields.String(allow_none=True)
    status_to = fields.String(required=True)
    on = fields.Date(required=True)
    note = fields.String(allow_none=True)
    actor = fields.String(required=True)
    created_at = fields.DateTime()


class TitleObjectionSchema(Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    raised_on = fields.Date(required=True)
    decision = fields.String(allow_none=True, metadata={"description": "upheld / dismissed / "
                                                                       "null: waiting"})
    decided_on = fields.Date(allow_none=True)
    decision_note = fields.String(allow_none=True)


class TitleSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=KIND)
    kind_name = fields.String(required=True)
    level = fields.String(required=True, validate=LEVEL)
    year = fields.Integer(required=True)
    holder_kind = fields.String(required=True, validate=HOLDER_KIND)
    holder_ref = fields.String(required=True)
    holder_name = fields.String(required=True, metadata={
        "description": "the community's name, the household's representative, the person"})
    org_code = fields.String(required=True)
    citation = fields.String(required=True)
    status = fields.String(required=True, validate=STATUS)
    nominated_on = fields.Date(required=True)
    reviewed_on = fields.Date(allow_none=True)
    notice_from = fields.Date(allow_none=True)
    notice_until = fields.Date(allow_none=True, metadata={"description": "the notice's last day"})
    granted_on = fields.Date(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)
    allowed_actions = fields.List(fields.String(), required=True, metadata={
        "description": "review, object, decide_objection, grant, withdraw: what may be done today"})
    history = fields.List(fields.Nested(TitleStepSchema), metadata={
        "description": "one title only (not in lists)"})
    objections = fields.List(fields.Nested(TitleObjectionSchema), metadata={
        "description": "one title only (not in lists)"})
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class TitleNoticeSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    kind_name = fields.String(required=True)
    level = fields.String(required=True)
    year = fields.Integer(required=True)
    holder_kind = fields.String(required=True)
    holder = fields.String(required=True, metadata={
        "description": "a community by its name; a person masked (张*明); a household as its "
                       "representative's family (王*家庭)"})
    area_code = fields.String(required=True, metadata={"description": "the holder's community"})
    citation = fields.String(required=True)
    notice_from = fields.Date(required=True)
    notice_until = fields.Date(required=True)


class TitleKindSchema(Schema):
    kind = fields.String(required=True)
    name = fields.String(required=True)
    holder_kind = fields.String(required=True)
    levels = fields.List(fields.String(), required=True)


TitlePageSchema = page_schema(TitleSchema, "TitlePage")
TitleNoticePageSchema = page_schema(TitleNoticeSchema, "TitleNoticePage")
TitleKindListSchema = Schema.from_dict(
    {"items": fields.List(fields.Nested(TitleKindSchema), required=True),
     "notice_days": fields.Integer(required=True)}, name="TitleKindList")
