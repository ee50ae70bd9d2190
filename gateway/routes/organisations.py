"""Organisation routes: each names its roles and schemas, then makes one RPC. Nothing else.

Path ids are passed on as given; the service checks them (and every query parameter)."""
from gateway.http import json_response, query_args, read_json, route
from services.membership.domain import organisations as rules
from services.membership.schemas.organisations import (
    AgreementCreateSchema,
    AgreementListQuerySchema,
    AgreementPageSchema,
    AgreementSchema,
    AgreementStatusSchema,
    CivilOrgCreateSchema,
    CivilOrgListQuerySchema,
    CivilOrgPageSchema,
    CivilOrgSchema,
    CivilSummaryQuerySchema,
    CivilSummarySchema,
    CulturalTeamCreateSchema,
    CulturalTeamListQuerySchema,
    CulturalTeamPageSchema,
    CulturalTeamSchema,
    CulturalTeamUpdateSchema,
    FilingChangeSchema,
    PartyChildrenQuerySchema,
    PartyOrgCreateSchema,
    PartyOrgDissolveSchema,
    PartyOrgListQuerySchema,
    PartyOrgPageSchema,
    PartyOrgRenameSchema,
    PartyOrgSchema,
    UnitAgreementsQuerySchema,
    UnitCreateSchema,
    UnitListQuerySchema,
    UnitPageSchema,
    UnitSchema,
)

ORGS = "/api/v1/organisations"
PARTY, CIVIL, UNITS = f"{ORGS}/party", f"{ORGS}/civil", f"{ORGS}/units"
AGREEMENTS, TEAMS = f"{ORGS}/agreements", f"{ORGS}/cultural-teams"
PARTY_EDITORS = rules.PARTY_EDITOR_ROLES
EDITORS = rules.EDITOR_ROLES
TAG = "organisations"


def created(record: dict, base: str):
    return json_response(record, status=201, headers={"Location": f"{base}/{record['id']}"})


class OrganisationRoutes:
    # --- the party organisation tree
    @route("GET", PARTY, query=PartyOrgListQuerySchema, response=PartyOrgPageSchema, tag=TAG,
           summary="Party organisations at or beneath a territory node (default: your scope)")
    def list_party_orgs(self, request):
        return self.membership.organisations_list_party_orgs(query_args(request))

    @route("POST", PARTY, roles=PARTY_EDITORS, body=PartyOrgCreateSchema,
           response=PartyOrgSchema, status=201, tag=TAG,
           summary="Set up a street working committee, community party committee, general "
                   "branch, branch or group")
    def create_party_org(self, request):
        return created(self.membership.organisations_create_party_org(read_json(request)), PARTY)

    @route("GET", PARTY + "/<id>", response=PartyOrgSchema, tag=TAG,
           summary="One party organisation")
    def get_party_org(self, request, id):
        return self.membership.organisations_get_party_org(id)

    @route("PATCH", PARTY + "/<id>", roles=PARTY_EDITORS, body=PartyOrgRenameSchema,
           response=PartyOrgSchema, tag=TAG, summary="Rename a party organisation")
    def rename_party_org(self, request, id):
        return self.membership.organisations_rename_party_org(id, read_json(request))

    @route("POST", PARTY + "/<id>/dissolve", roles=PARTY_EDITORS, body=PartyOrgDissolveSchema,
           response=PartyOrgSchema, tag=TAG,
           summary="Dissolve a party organisation (it stays on record)")
    def dissolve_party_org(self, request, id):
        return self.membership.organisations_dissolve_party_org(id, read_json(request))

    @route("GET", PARTY + "/<id>/children", query=PartyChildrenQuerySchema,
           response=PartyOrgPageSchema, tag=TAG,
           summary="The organisations directly under a party organisation")
    def list_party_children(self, request, id):
        return self.membership.organisations_list_party_children(id, query_args(request))

    # --- civil organisations
    @route("GET", CIVIL, query=CivilOrgListQuerySchema, response=CivilOrgPageSchema, tag=TAG,
           summary="Civil organisations (filter by filing status, category); phones masked")
    def list_civil_orgs(self, request):
        return self.membership.organisations_list_civil_orgs(query_args(request))

    @route("POST", CIVIL, roles=EDITORS, body=CivilOrgCreateSchema, response=CivilOrgSchema,
           status=201, tag=TAG, summary="Register a civil organisation (unfiled)")
    def register_civil_org(self, request):
        return created(self.membership.organisations_register_civil_org(read_json(request)),
                       CIVIL)

    @route("GET", CIVIL + "/summary", query=CivilSummaryQuerySchema,
           response=CivilSummarySchema, tag=TAG,
           summary="Civil organisations per filing status, per area, and the district's "
                   "filing target")
    def civil_summary(self, request):
        return self.membership.organisations_civil_summary(query_args(request))

    @route("GET", CIVIL + "/<id>", response=CivilOrgSchema, tag=TAG,
           summary="One civil organisation")
    def get_civil_org(self, request, id):
        return self.membership.organisations_get_civil_org(id)

    @route("POST", CIVIL + "/<id>/filing", roles=EDITORS, body=FilingChangeSchema,
           response=CivilOrgSchema, tag=TAG,
           summary="The next filing step: unfiled → filed → revoked")
    def change_filing(self, request, id):
        return self.membership.organisations_change_filing(id, read_json(request))

    # --- units based in the area and co-building agreements
    @route("GET", UNITS, query=UnitListQuerySchema, response=UnitPageSchema, tag=TAG,
           summary="Units based in the area")
    def list_units(self, request):
        return self.membership.organisations_list_units(query_args(request))

    @route("POST", UNITS, roles=EDITORS, body=UnitCreateSchema, response=UnitSchema,
           status=201, tag=TAG, summary="Register a unit based in the area")
    def register_unit(self, request):
        return created(self.membership.organisations_register_unit(read_json(request)), UNITS)

    @route("GET", UNITS + "/<id>", response=UnitSchema, tag=TAG, summary="One unit")
    def get_unit(self, request, id):
        return self.membership.organisations_get_unit(id)

    @route("GET", UNITS + "/<id>/agreements", query=UnitAgreementsQuerySchema,
           response=AgreementPageSchema, tag=TAG, summary="A unit's co-building agreements")
    def list_unit_agreements(self, request, id):
        return self.membership.organisations_list_unit_agreements(id, query_args(request))

    @route("POST", UNITS + "/<id>/agreements", roles=EDITORS, body=AgreementCreateSchema,
           response=AgreementSchema, status=201, tag=TAG,
           summary="Sign a co-building agreement between the unit and a community")
    def sign_agreement(self, request, id):
        return created(self.membership.organisations_sign_agreement(id, read_json(request)),
                       AGREEMENTS)

    @route("GET", AGREEMENTS, query=AgreementListQuerySchema, response=AgreementPageSchema,
           tag=TAG, summary="Co-building agreements of the communities at or beneath a node")
    def list_agreements(self, request):
        return self.membership.organisations_list_agreements(query_args(request))

    @route("PATCH", AGREEMENTS + "/<id>", roles=EDITORS, body=AgreementStatusSchema,
           response=AgreementSchema, tag=TAG,
           summary="End a co-building agreement (expired or terminated)")
    def end_agreement(self, request, id):
        return self.membership.organisations_end_agreement(id, read_json(request))

    # --- cultural teams
    @route("GET", TEAMS, query=CulturalTeamListQuerySchema, response=CulturalTeamPageSchema, tag=TAG,
           summary="Cultural teams (choir, yangge, waist drum, tai chi...)")
    def list_teams(self, request):
        return self.membership.organisations_list_teams(query_args(request))

    @route("POST", TEAMS, roles=EDITORS, body=CulturalTeamCreateSchema, response=CulturalTeamSchema,
           status=201, tag=TAG, summary="Set up a cultural team")
    def create_team(self, request):
        return created(self.membership.organisations_create_team(read_json(request)), TEAMS)

    @route("GET", TEAMS + "/<id>", response=CulturalTeamSchema, tag=TAG, summary="One cultural team")
    def get_team(self, request, id):
        return self.membership.organisations_get_team(id)

    @route("PATCH", TEAMS + "/<id>", roles=EDITORS, body=CulturalTeamUpdateSchema,
           response=CulturalTeamSchema, tag=TAG,
           summary="Rename a cultural team, change its leader or member count")
    def update_team(self, request, id):
        return self.membership.organisations_update_team(id, read_json(request))
