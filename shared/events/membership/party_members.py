"""Party member events: registration, branch/group/category changes and the steps of the
development pipeline. No ID numbers or phone numbers travel here (residents are named by id)."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
CATEGORY = validate.OneOf(["resident", "in_service", "mobile", "retired"])
STAGE = validate.OneOf(["applicant", "activist", "development_target", "probationary", "full"])


@event_type("membership.party_member_registered",
            "A resident's party record was registered: in a branch (and optionally a group), "
            "with a category and the pipeline stage they are at (a new applicant, or an "
            "existing member at any stage) since `stage_since`.")
class PartyMemberRegistered(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    branch_id = fields.Integer(required=True)
    group_id = fields.Integer(allow_none=True, load_default=None)
    org_code = fields.String(required=True, validate=CODE)
    category = fields.String(required=True, validate=CATEGORY)
    stage = fields.String(required=True, validate=STAGE)
    stage_since = fields.Date(required=True)


@event_type("membership.party_member_updated",
            "A party member moved to another branch or group, or changed category; `changes` "
            "names the fields that changed.")
class PartyMemberUpdated(Schema):
    id = fields.Integer(required=True)
    changes = fields.List(fields.String(), required=True)
    branch_id = fields.Integer(required=True)
    group_id = fields.Integer(allow_none=True, load_default=None)
    org_code = fields.String(required=True, validate=CODE)
    category = fields.String(required=True, validate=CATEGORY)


@event_type("membership.party_member_stage_changed",
            "A party member took one step of the development pipeline (applicant → activist → "
            "development_target → probationary) or, at probationary, an outcome: `convert` "
            "(→ full), `extend` (stays probationary) or `reject` (`status: rejected`).")
class PartyMemberStageChanged(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    branch_id = fields.Integer(required=True)
    step = fields.String(required=True, validate=validate.OneOf(
        ["activist", "development_target", "probationary", "convert", "extend", "reject"]))
    from_stage = fields.String(required=True, validate=STAGE)
    to_stage = fields.String(required=True, validate=STAGE)
    status = fields.String(required=True, validate=validate.OneOf(["active", "rejected"]))
    on = fields.Date(required=True)


@event_type("membership.party_member_transferred_out",
            "A party member's relationship was transferred out 组织关系转出: to a community of "
            "the platform (`to_code`, which receives them with a transfer in) or outside it "
            "(`destination`). `org_code` is the branch they leave.")
class PartyMemberTransferredOut(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    from_code = fields.String(required=True, validate=CODE)
    to_code = fields.String(allow_none=True, load_default=None, validate=CODE)
    destination = fields.String(allow_none=True, load_default=None)
    stage = fields.String(required=True, validate=STAGE)
    on = fields.Date(required=True)


@event_type("membership.party_member_transferred_in",
            "A party member was received 组织关系转入 on `on`, from another community of the "
            "platform (`from_code`) or from outside it (`origin`), into a branch. A probationary "
            "member is observed 182 days from `on` before conversion.")
class PartyMemberTransferredIn(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    branch_id = fields.Integer(required=True)
    from_code = fields.String(allow_none=True, load_default=None, validate=CODE)
    origin = fields.String(allow_none=True, load_default=None)
    stage = fields.String(required=True, validate=STAGE)
    on = fields.Date(required=True)


@event_type("membership.party_member_registered_with_community",
            "An in-service member 在职党员 registered 报到 with the community where they live "
            "(`community_code`), naming their workplace.")
class PartyMemberRegisteredWithCommunity(Schema):
    id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    community_code = fields.String(required=True, validate=CODE)
    registered_on = fields.Date(required=True)
    workplace = fields.String(required=True)


@event_type("membership.party_member_post_claimed",
            "A registered in-service member claimed 认岗 one of the eight posts 八大岗 in their "
            "residential community for a year (one a year).")
class PartyMemberPostClaimed(Schema):
    id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    community_code = fields.String(required=True, validate=CODE)
    post = fields.String(required=True, validate=validate.OneOf([
        "youth_education", "neighbour_mutual_aid", "mediation", "culture_publicity",
        "community_service", "poverty_relief", "sanitation_supervision", "security_patrol"]))
    year = fields.Integer(required=True)
    claimed_on = fields.Date(required=True)


@event_type("membership.party_member_quota_recorded",
            "A record toward a member's yearly \"four ones\" 四个一: an activity, an act of care, "
            "a good deed or a suggestion.")
class PartyMemberQuotaRecorded(Schema):
    id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    kind = fields.String(required=True, validate=validate.OneOf(
        ["activity", "care", "good_deed", "suggestion"]))
    year = fields.Integer(required=True)
    on = fields.Date(required=True)


@event_type("membership.party_member_mobile_recorded",
            "A mobile member's line in the ledger 流动党员台账 was recorded: where they are "
            "(`location`), since when, and their one-to-one contact (another party member of the "
            "same community, by id).")
class PartyMemberMobileRecorded(Schema):
    id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    location = fields.String(required=True)
    since = fields.Date(required=True)
    contact_id = fields.Integer(required=True)
