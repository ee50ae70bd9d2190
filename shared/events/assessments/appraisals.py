"""Appraisal events: a democratic appraisal counted (a band per member; an unqualified member is
followed up by membership), a branch rated on the "five goods", a commitment card's stages.
They carry ids, codes, years and bands; never a name."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
BAND = validate.OneOf(["excellent", "qualified", "basically_qualified", "unqualified"])


class _RoundSchema(Schema):
    round_id = fields.Integer(required=True)
    branch_id = fields.Integer(required=True, metadata={"description": "membership's branch"})
    org_code = fields.String(required=True, validate=CODE, metadata={
        "description": "the branch's territory node"})
    year = fields.Integer(required=True)


@event_type("assessments.appraisal_counted",
            "A branch's democratic appraisal 民主评议党员 was counted: how many ballots, members "
            "and members in each band.")
class AppraisalCounted(_RoundSchema):
    ballots = fields.Integer(required=True)
    members = fields.Integer(required=True)
    bands = fields.Dict(keys=fields.String(validate=BAND), values=fields.Integer(),
                        required=True)


@event_type("assessments.member_appraised",
            "A party member's band in a democratic appraisal (excellent 优秀 / qualified 合格 / "
            "basically qualified 基本合格 / unqualified 不合格), at the count or when the branch "
            "committee overrode it.")
class MemberAppraised(_RoundSchema):
    party_member_id = fields.Integer(required=True)
    band = fields.String(required=True, validate=BAND)
    overridden = fields.Boolean(required=True)


@event_type("assessments.member_rated_unqualified",
            "A party member was rated unqualified 不合格 in a democratic appraisal; membership "
            "opens a follow-up 组织处置 on them (once per member and round).",
            consumers=("membership",))
class MemberRatedUnqualified(_RoundSchema):
    party_member_id = fields.Integer(required=True)
    unqualified_votes = fields.Integer(required=True)
    ballots = fields.Integer(required=True)
    overridden = fields.Boolean(required=True)


@event_type("assessments.branch_rated",
            "A party branch was rated on the five goods 五个好 for a year (revision 0 first, "
            "then each revision): total 0-100 and band.")
class BranchRated(Schema):
    rating_id = fields.Integer(required=True)
    branch_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    year = fields.Integer(required=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    total = fields.Integer(required=True)
    band = fields.String(required=True, validate=validate.OneOf(
        ["five_goods", "good", "fair", "weak"]))
    revision = fields.Integer(required=True)


class _CardSchema(Schema):
    card_id = fields.Integer(required=True)
    party_member_id = fields.Integer(required=True)
    branch_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    year = fields.Integer(required=True)


@event_type("assessments.commitment_card_published",
            "A party member's commitment card 承诺卡 was published 公示 to the masses; peers "
            "may rate it now.")
class CommitmentCardPublished(_CardSchema):
    on = fields.Date(required=True)


@event_type("assessments.commitment_card_assessed",
            "A commitment card was assessed by the branch: fulfilled 已兑现 / partly 部分兑现 / "
            "not fulfilled 未兑现, with the peers' average (1-5).")
class CommitmentCardAssessed(_CardSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(
        ["fulfilled", "partly", "not_fulfilled"]))
    peer_average = fields.Float(required=True, allow_none=True)
    peer_ratings = fields.Integer(required=True)
    on = fields.Date(required=True)
