"""Organisation events: the party organisation tree, civil organisations and their filing, units
based in the area and co-building agreements, cultural teams. No personal data travels here
(contact phone numbers stay in membership)."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
PARTY_KIND = validate.OneOf(["street_working_committee", "community_party_committee",
                             "general_branch", "branch", "group"])


@event_type("membership.party_organisation_created",
            "A party organisation (street working committee, community party committee, general "
            "branch, branch or group) was set up on a territory node. Its `id` is stable: party "
            "members belong to branches and groups by it.")
class PartyOrganisationCreated(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=PARTY_KIND)
    name = fields.String(required=True)
    org_code = fields.String(required=True, validate=CODE)
    parent_id = fields.Integer(allow_none=True, load_default=None)
    founded_on = fields.Date(required=True)


@event_type("membership.party_organisation_renamed", "A party organisation was given a new name.")
class PartyOrganisationRenamed(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=PARTY_KIND)
    org_code = fields.String(required=True, validate=CODE)
    old_name = fields.String(required=True)
    new_name = fields.String(required=True)


@event_type("membership.party_organisation_dissolved",
            "A party organisation was dissolved (it stays on record, `status: dissolved`).")
class PartyOrganisationDissolved(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=PARTY_KIND)
    org_code = fields.String(required=True, validate=CODE)
    dissolved_on = fields.Date(required=True)
    reason = fields.String(allow_none=True, load_default=None)


@event_type("membership.civil_organisation_registered",
            "A civil organisation 民间组织 was registered in a community (unfiled).")
class CivilOrganisationRegistered(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    org_code = fields.String(required=True, validate=CODE)
    filing_status = fields.String(required=True)


@event_type("membership.civil_organisation_filing_changed",
            "A civil organisation's filing 备案 moved one step: unfiled → filed (with its date "
            "and number) → revoked (with the reason).")
class CivilOrganisationFilingChanged(Schema):
    id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    old_status = fields.String(required=True, validate=validate.OneOf(["unfiled", "filed"]))
    new_status = fields.String(required=True, validate=validate.OneOf(["filed", "revoked"]))
    on = fields.Date(required=True, metadata={"description": "filing or revocation date"})
    filing_number = fields.String(allow_none=True, load_default=None)
    reason = fields.String(allow_none=True, load_default=None)


@event_type("membership.area_unit_registered",
            "A unit based in the area 驻区单位 (government office, enterprise, school, hospital, "
            "army unit...) was registered in a community.")
class AreaUnitRegistered(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    org_code = fields.String(required=True, validate=CODE)


@event_type("membership.co_building_agreement_signed",
            "A unit based in the area and a community signed a co-building agreement 共建协议.")
class CoBuildingAgreementSigned(Schema):
    id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE,
                             metadata={"description": "the community that signed"})
    signed_on = fields.Date(required=True)
    term_end = fields.Date(required=True)


@event_type("membership.co_building_agreement_ended",
            "A co-building agreement expired or was terminated.")
class CoBuildingAgreementEnded(Schema):
    id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    status = fields.String(required=True, validate=validate.OneOf(["expired", "terminated"]))
    ended_on = fields.Date(required=True)
    reason = fields.String(allow_none=True, load_default=None)


@event_type("membership.cultural_team_created",
            "A cultural team 文艺队伍 (choir, yangge, waist drum, tai chi...) was set up in a "
            "community.")
class CulturalTeamCreated(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    org_code = fields.String(required=True, validate=CODE)
    member_count = fields.Integer(required=True)


@event_type("membership.cultural_team_updated",
            "A cultural team's name, leader or member count changed; `changes` lists the fields.")
class CulturalTeamUpdated(Schema):
    id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    changes = fields.List(fields.String(), required=True)
    name = fields.String(required=True)
    member_count = fields.Integer(required=True)
