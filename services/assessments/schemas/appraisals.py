"""Appraisals: RPC payloads and results (the gateway documents them) — democratic appraisal
rounds, ballots and results, five goods branch ratings, commitment cards."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.assessments.domain import appraisals as rules
from shared.pagination import MAX_ROW_ID, PageRequestSchema, page_schema

AREA = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
YEAR = validate.Range(min=2000, max=2100)
ROW_ID = validate.Range(min=1, max=MAX_ROW_ID)
REF = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$",
                      error="must be a code of 1 to 64 letters, digits and _ . : - (not a name)")
BAND = validate.OneOf(rules.RATINGS)
DAY = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31),
                     error="must be a date from 2000 to 2100")


# --- democratic appraisal ---------------------------------------------------------------------

class AppraisalCreateSchema(Schema):
    branch_id = fields.Integer(required=True, strict=True, validate=ROW_ID, metadata={
        "description": "membership's party branch 党支部; its active members are the roll"})
    year = fields.Integer(required=True, strict=True, validate=YEAR, metadata={
        "description": "the year appraised (one round per branch and year)"})


class BallotCreateSchema(Schema):
    voter_kind = fields.String(required=True, validate=validate.OneOf(tuple(rules.VOTER_KINDS)),
                               metadata={"description": "member 党员 / representative 群众代表"})
    voter_ref = fields.String(required=True, validate=REF, metadata={
        "description": "member: their party member id; representative: the code the branch "
                       "gave them. One ballot per voter per round"})
    ratings = fields.Dict(keys=fields.String(), values=fields.String(validate=BAND),
                          required=True, metadata={
        "description": "party member id → excellent / qualified / basically_qualified / "
                       "unqualified; a member left out is an abstention"})

    @validates_schema
    def some_rating(self, data, **kwargs):
        if not data.get("ratings"):
            raise ValidationError("rate at least one member", "ratings")


class OverrideSchema(Schema):
    band = fields.String(required=True, validate=BAND)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata={
        "description": "the branch committee's reason (recorded)"})


class AppraisalListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=AREA, metadata={
        "description": "rounds of branches at or beneath this territory code"})
    branch_id = fields.Integer(load_default=None, validate=ROW_ID)
    year = fields.Integer(load_default=None, validate=YEAR)
    status = fields.String(load_default=None, validate=validate.OneOf(rules.ROUND_STATUSES))


class ResultListQuerySchema(PageRequestSchema):
    band = fields.String(load_default=None, validate=BAND)


class AppraisalSchema(Schema):
    id = fields.Integer(required=True)
    branch_id = fields.Integer(required=True)
    org_code = fields.String(required=True)
    year = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "open / voting / counted"})
    member_ids = fields.List(fields.Integer(), required=True, metadata={
        "description": "the roll: the branch's active members when the round was opened"})
    ballots = fields.Integer(required=True)
    excellent_cap = fields.Integer(required=True, metadata={
        "description": f"at most this many excellent ({rules.EXCELLENT_SHARE_PERCENT}% of the "
                       "roll, at least one)"})
    bands = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True,
                        metadata={"description": "members per band once counted (one round only; "
                                                  "null in lists)"})
    voting_on = fields.Date(allow_none=True)
    counted_on = fields.Date(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


AppraisalPageSchema = page_schema(AppraisalSchema, "AppraisalPage")


class BallotSchema(Schema):
    id = fields.Integer(required=True)
    round_id = fields.Integer(required=True)
    voter_kind = fields.String(required=True)
    voter_ref = fields.String(required=True)
    ratings = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    created_at = fields.DateTime()


class AppraisalResultSchema(Schema):
    id = fields.Integer(required=True)
    round_id = fields.Integer(required=True)
    party_member_id = fields.Integer(required=True)
    votes = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    counted_band = fields.String(required=True)
    band = fields.String(required=True)
    overridden = fields.Boolean(required=True)
    override_reason = fields.String(allow_none=True)
    overridden_by = fields.String(allow_none=True)
    overridden_at = fields.DateTime(allow_none=True)


AppraisalResultPageSchema = page_schema(AppraisalResultSchema, "AppraisalResultPage")


# --- five goods -------------------------------------------------------------------------------

FiveGoodsScoresSchema = Schema.from_dict(  # one field per criterion
    {name: fields.Integer(required=True, strict=True,
                          validate=validate.Range(min=0, max=rules.CRITERION_MAX),
                          metadata={"description": f"{label} 0-{rules.CRITERION_MAX}"})
     for name, label in rules.CRITERIA.items()}, name="FiveGoodsScores")


class BranchRatingCreateSchema(Schema):
    branch_id = fields.Integer(required=True, strict=True, validate=ROW_ID)
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    scores = fields.Nested(FiveGoodsScoresSchema, required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class BranchRatingReviseSchema(Schema):
    scores = fields.Nested(FiveGoodsScoresSchema, required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class BranchRatingListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=AREA)
    year = fields.Integer(load_default=None, validate=YEAR)
    band = fields.String(load_default=None, validate=validate.OneOf(tuple(rules.BRANCH_BANDS)))


class BranchRatingSchema(Schema):
    id = fields.Integer(required=True)
    branch_id = fields.Integer(required=True)
    org_code = fields.String(required=True)
    year = fields.Integer(required=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    total = fields.Integer(required=True)
    band = fields.String(required=True, metadata={
        "description": "; ".join(f"{k}: {v}" for k, v in rules.BRANCH_BANDS.items())})
    note = fields.String()
    revision = fields.Integer(required=True)
    rated_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


BranchRatingPageSchema = page_schema(BranchRatingSchema, "BranchRatingPage")


# --- commitment cards -------------------------------------------------------------------------

class CommitmentCardCreateSchema(Schema):
    party_member_id = fields.Integer(required=True, strict=True, validate=ROW_ID)
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    items = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                        validate=validate.Length(min=1, max=20), metadata={
        "description": "the pledges 承诺事项, 1 to 20"})
    text = fields.String(load_default="", validate=validate.Length(max=2000))


class CardPublishSchema(Schema):
    on = fields.Date(load_default=None, allow_none=True, validate=DAY,
                     metadata={"description": "default today"})


class CardRatingSchema(Schema):
    rater_ref = fields.String(required=True, validate=REF, metadata={
        "description": "the peer rating (a party member id or a code); one rating each"})
    score = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=rules.PEER_SCORE_MIN, max=rules.PEER_SCORE_MAX))


class CardAssessSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(tuple(rules.CARD_OUTCOMES)),
                            metadata={"description": "fulfilled 已兑现 / partly 部分兑现 / "
                                                     "not_fulfilled 未兑现"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    on = fields.Date(load_default=None, allow_none=True, validate=DAY,
                     metadata={"description": "default today"})


class CommitmentCardListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=AREA)
    party_member_id = fields.Integer(load_default=None, validate=ROW_ID)
    branch_id = fields.Integer(load_default=None, validate=ROW_ID)
    year = fields.Integer(load_default=None, validate=YEAR)
    stage = fields.String(load_default=None, validate=validate.OneOf(rules.CARD_STAGES))


class CommitmentCardSchema(Schema):
    id = fields.Integer(required=True)
    party_member_id = fields.Integer(required=True)
    branch_id = fields.Integer(required=True)
    org_code = fields.String(required=True)
    year = fields.Integer(required=True)
    items = fields.List(fields.String(), required=True)
    text = fields.String()
    stage = fields.String(required=True, metadata={
        "description": "pledged → published → peer_rated → assessed"})
    allowed_steps = fields.List(fields.String(), required=True)
    published_on = fields.Date(allow_none=True)
    peer_average = fields.Float(allow_none=True)
    peer_ratings = fields.Integer(required=True)
    outcome = fields.String(allow_none=True)
    assessment_note = fields.String(allow_none=True)
    assessed_on = fields.Date(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


CommitmentCardPageSchema = page_schema(CommitmentCardSchema, "CommitmentCardPage")
