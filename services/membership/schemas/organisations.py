"""Marshmallow schemas of the organisations area's RPC payloads and results."""
from marshmallow import Schema, fields, validate

from services.membership.domain import organisations as rules
from shared.pagination import PageRequestSchema, page_schema

CODE = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
NAME = validate.Length(min=1, max=100)
PERSON = validate.Length(min=1, max=50)
REASON = validate.Length(min=1, max=500)
ID = validate.Range(min=1, max=rules.MAX_ID)
PHONE = validate.Regexp(rules.PHONE, error="must be a mobile (11 digits) or landline number")


class ScopedListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE,
                         metadata={"description": "territory code: everything at or beneath it "
                                                  "(default: your scope)"})


# --- party organisations -----------------------------------------------------------------------

PARTY_KIND = validate.OneOf(rules.PARTY_KINDS)


class PartyOrgCreateSchema(Schema):
    kind = fields.String(required=True, validate=PARTY_KIND)
    name = fields.String(required=True, validate=NAME)
    org_code = fields.String(required=True, validate=CODE,
                             metadata={"description": "the territory node it hangs on"})
    parent_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                               metadata={"description": "required except for a street working "
                                                        "committee"})
    secretary_name = fields.String(load_default=None, allow_none=True, validate=PERSON)
    founded_on = fields.Date(required=True)


class PartyOrgRenameSchema(Schema):
    name = fields.String(required=True, validate=NAME)


class PartyOrgDissolveSchema(Schema):
    dissolved_on = fields.Date(load_default=None, allow_none=True,
                               metadata={"description": "default: today"})
    reason = fields.String(load_default=None, allow_none=True, validate=REASON)


class PartyOrgSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=PARTY_KIND)
    name = fields.String(required=True)
    org_code = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True)
    secretary_name = fields.String(allow_none=True)
    founded_on = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["active", "dissolved"]))
    dissolved_on = fields.Date(allow_none=True)
    dissolved_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PartyOrgListQuerySchema(ScopedListQuerySchema):
    kind = fields.String(load_default=None, validate=PARTY_KIND)
    include_dissolved = fields.Boolean(load_default=False)


class PartyChildrenQuerySchema(PageRequestSchema):
    include_dissolved = fields.Boolean(load_default=False)


PartyOrgPageSchema = page_schema(PartyOrgSchema, "PartyOrganisationPage")


# --- civil organisations -----------------------------------------------------------------------

CATEGORY = validate.OneOf(rules.CIVIL_CATEGORIES)
FILING_STATUS = validate.OneOf(rules.FILING_STATUSES)


class CivilOrgCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    category = fields.String(required=True, validate=CATEGORY)
    org_code = fields.String(required=True, validate=CODE,
                             metadata={"description": "the community it belongs to"})
    contact_name = fields.String(required=True, validate=PERSON)
    contact_phone = fields.String(required=True, validate=PHONE)


class FilingChangeSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf([rules.FILED, rules.REVOKED]),
                           metadata={"description": "the next step: unfiled → filed → revoked"})
    filed_on = fields.Date(load_default=None, allow_none=True,
                           metadata={"description": "required to file"})
    filing_number = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(min=1, max=40),
                                  metadata={"description": "required to file"})
    revoked_on = fields.Date(load_default=None, allow_none=True,
                             metadata={"description": "revoking: default today"})
    reason = fields.String(load_default=None, allow_none=True, validate=REASON,
                           metadata={"description": "required to revoke"})


class CivilOrgSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True, validate=CATEGORY)
    org_code = fields.String(required=True)
    contact_name = fields.String(required=True)
    contact_phone = fields.String(required=True,
                                  metadata={"description": "masked (138****5678) in lists, and for "
                                                           "roles that only read"})
    filing_status = fields.String(required=True, validate=FILING_STATUS)
    filed_on = fields.Date(allow_none=True)
    filing_number = fields.String(allow_none=True)
    revoked_on = fields.Date(allow_none=True)
    revoked_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CivilOrgListQuerySchema(ScopedListQuerySchema):
    status = fields.String(load_default=None, validate=FILING_STATUS)
    category = fields.String(load_default=None, validate=CATEGORY)


class CivilSummaryQuerySchema(Schema):
    code = fields.String(load_default=None, validate=CODE,
                         metadata={"description": "a district, street or community "
                                                  "(default: your scope)"})


class FilingCountsSchema(Schema):
    unfiled = fields.Integer(required=True)
    filed = fields.Integer(required=True)
    revoked = fields.Integer(required=True)
    total = fields.Integer(required=True)


class FilingTargetSchema(Schema):
    target = fields.Integer(required=True, metadata={"description": "filed by year end"})
    year = fields.Integer(required=True)
    filed = fields.Integer(required=True)
    remaining = fields.Integer(required=True)
    progress = fields.Float(required=True, metadata={"description": "filed / target, at most 1"})
    met = fields.Boolean(required=True)


class AreaCountsSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)
    counts = fields.Nested(FilingCountsSchema, required=True)


class CivilSummarySchema(AreaCountsSchema):
    target = fields.Nested(FilingTargetSchema, allow_none=True,
                           metadata={"description": "a district's filing target (null below)"})
    areas = fields.List(fields.Nested(AreaCountsSchema), required=True,
                        metadata={"description": "the counts of each street (of a district) "
                                                 "or community (of a street)"})


CivilOrgPageSchema = page_schema(CivilOrgSchema, "CivilOrganisationPage")


# --- units based in the area and co-building agreements ----------------------------------------

UNIT_KIND = validate.OneOf(rules.UNIT_KINDS)
AGREEMENT_STATUS = validate.OneOf(rules.AGREEMENT_STATUSES)


class UnitCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=UNIT_KIND)
    address = fields.String(required=True, validate=validate.Length(min=1, max=200))
    org_code = fields.String(required=True, validate=CODE,
                             metadata={"description": "the community it is based in"})


class UnitSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=UNIT_KIND)
    address = fields.String(required=True)
    org_code = fields.String(required=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class UnitListQuerySchema(ScopedListQuerySchema):
    kind = fields.String(load_default=None, validate=UNIT_KIND)


class AgreementCreateSchema(Schema):
    org_code = fields.String(load_default=None, allow_none=True, validate=CODE,
                             metadata={"description": "the community signing (default: the "
                                                      "unit's own)"})
    signed_on = fields.Date(required=True)
    term_end = fields.Date(required=True)
    summary = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class AgreementStatusSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["expired", "terminated"]))
    ended_on = fields.Date(load_default=None, allow_none=True,
                           metadata={"description": "default: today"})
    reason = fields.String(load_default=None, allow_none=True, validate=REASON)


class AgreementSchema(Schema):
    id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    org_code = fields.String(required=True)
    signed_on = fields.Date(required=True)
    term_end = fields.Date(required=True)
    summary = fields.String(required=True)
    status = fields.String(required=True, validate=AGREEMENT_STATUS)
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AgreementListQuerySchema(ScopedListQuerySchema):
    status = fields.String(load_default=None, validate=AGREEMENT_STATUS)


class UnitAgreementsQuerySchema(PageRequestSchema):
    status = fields.String(load_default=None, validate=AGREEMENT_STATUS)


UnitPageSchema = page_schema(UnitSchema, "AreaUnitPage")
AgreementPageSchema = page_schema(AgreementSchema, "CoBuildingAgreementPage")


# --- cultural teams ----------------------------------------------------------------------------

TEAM_KIND = validate.OneOf(rules.TEAM_KINDS)
MEMBERS = validate.Range(min=1, max=100_000)


class CulturalTeamCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=TEAM_KIND)
    org_code = fields.String(required=True, validate=CODE,
                             metadata={"description": "the community it belongs to"})
    leader_name = fields.String(required=True, validate=PERSON)
    member_count = fields.Integer(required=True, strict=True, validate=MEMBERS)
    founded_on = fields.Date(required=True)


class CulturalTeamUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    leader_name = fields.String(validate=PERSON)
    member_count = fields.Integer(strict=True, validate=MEMBERS)


class CulturalTeamSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=TEAM_KIND)
    org_code = fields.String(required=True)
    leader_name = fields.String(required=True)
    member_count = fields.Integer(required=True)
    founded_on = fields.Date(required=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CulturalTeamListQuerySchema(ScopedListQuerySchema):
    kind = fields.String(load_default=None, validate=TEAM_KIND)


CulturalTeamPageSchema = page_schema(CulturalTeamSchema, "CulturalTeamPage")
