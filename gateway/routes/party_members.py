"""Party member routes: each names its roles and schemas, then makes one RPC. Nothing else.

Path ids are passed on as given; the service checks them (and every query parameter)."""
from gateway.http import json_response, query_args, read_json, route
from services.membership.domain import party_members as rules
from services.membership.schemas.party_members import (
    MobileSchema,
    PartyMemberCreateSchema,
    PartyMemberListQuerySchema,
    PartyMemberPageSchema,
    PartyMemberSchema,
    PartyMemberUpdateSchema,
    PostClaimCreateSchema,
    PostClaimListQuerySchema,
    PostClaimPageSchema,
    PostClaimSchema,
    QuotaItemCreateSchema,
    QuotaQuerySchema,
    QuotaReportSchema,
    RegistrationSchema,
    StepSchema,
    TransferSchema,
)

MEMBERS = "/api/v1/party-members"
WRITERS = rules.WRITER_ROLES
TAG = "party members"


class PartyMemberRoutes:
    @route("GET", MEMBERS, query=PartyMemberListQuerySchema, response=PartyMemberPageSchema,
           tag=TAG, summary="Party members in your scope (filter by territory, branch, group, "
                            "stage, category, status)")
    def list_party_members(self, request):
        return self.membership.party_members_list(query_args(request))

    @route("POST", MEMBERS, roles=WRITERS, body=PartyMemberCreateSchema,
           response=PartyMemberSchema, status=201, tag=TAG,
           summary="Register a resident's party record (a new applicant, or a member at any "
                   "stage); once per resident")
    def register_party_member(self, request):
        member = self.membership.party_members_register(read_json(request))
        return json_response(member, status=201,
                             headers={"Location": f"{MEMBERS}/{member['id']}"})

    @route("GET", MEMBERS + "/<id>", response=PartyMemberSchema, tag=TAG,
           summary="One party member, with the history of their steps")
    def get_party_member(self, request, id):
        return self.membership.party_members_get(id)

    @route("PATCH", MEMBERS + "/<id>", roles=WRITERS, body=PartyMemberUpdateSchema,
           response=PartyMemberSchema, tag=TAG,
           summary="Move a party member to another branch or group, or change their category")
    def update_party_member(self, request, id):
        return self.membership.party_members_update(id, read_json(request))

    @route("POST", MEMBERS + "/<id>/stage", roles=WRITERS, body=StepSchema,
           response=PartyMemberSchema, tag=TAG,
           summary="The next step of the development pipeline, or a probationary member's "
                   "outcome (convert, extend, reject)")
    def party_member_step(self, request, id):
        return self.membership.party_members_step(id, read_json(request))

    @route("POST", MEMBERS + "/<id>/transfers", roles=WRITERS, body=TransferSchema,
           response=PartyMemberSchema, tag=TAG,
           summary="Transfer a member out (to a community of the platform, or outside with a "
                   "destination) or in (received on a date, into a branch)")
    def party_member_transfer(self, request, id):
        return self.membership.party_members_transfer(id, read_json(request))

    @route("POST", MEMBERS + "/<id>/registration", roles=WRITERS, body=RegistrationSchema,
           response=PartyMemberSchema, tag=TAG,
           summary="An in-service member registers 报到 with their residential community "
                   "(date, workplace)")
    def party_member_registration(self, request, id):
        return self.membership.party_members_register_with_community(id, read_json(request))

    @route("POST", MEMBERS + "/<id>/post-claims", roles=WRITERS, body=PostClaimCreateSchema,
           response=PostClaimSchema, status=201, tag=TAG,
           summary="A registered in-service member claims one of the eight posts 八大岗 (one a "
                   "year)")
    def claim_party_post(self, request, id):
        return json_response(self.membership.party_members_claim_post(id, read_json(request)),
                             status=201)

    @route("GET", MEMBERS + "/post-claims", query=PostClaimListQuerySchema,
           response=PostClaimPageSchema, tag=TAG,
           summary="Posts claimed in the communities at or beneath `code` (filter by post, "
                   "year)")
    def list_party_post_claims(self, request):
        return self.membership.party_members_list_post_claims(query_args(request))

    @route("GET", MEMBERS + "/<id>/quota", query=QuotaQuerySchema, response=QuotaReportSchema,
           tag=TAG, summary="A member's yearly \"four ones\" 四个一: the records and which of the "
                            "four are met")
    def party_member_quota(self, request, id):
        return self.membership.party_members_quota(id, query_args(request))

    @route("POST", MEMBERS + "/<id>/quota", roles=WRITERS, body=QuotaItemCreateSchema,
           response=QuotaReportSchema, status=201, tag=TAG,
           summary="Record an activity, act of care, good deed or suggestion toward the year's "
                   "\"four ones\"")
    def record_party_quota(self, request, id):
        return json_response(self.membership.party_members_record_quota(id, read_json(request)),
                             status=201)

    @route("PUT", MEMBERS + "/<id>/mobile", roles=WRITERS, body=MobileSchema,
           response=PartyMemberSchema, tag=TAG,
           summary="A mobile member's line in the ledger: where they are, since when, and "
                   "their one-to-one contact (list the ledger with ?category=mobile&code=)")
    def record_party_mobile(self, request, id):
        return self.membership.party_members_record_mobile(id, read_json(request))
