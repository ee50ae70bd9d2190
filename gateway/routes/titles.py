"""Title routes: nomination, review, public notice, granted or withdrawn; and the honours a
granted title leaves on the holder's record in membership.

Each route names its roles and schemas, then makes one RPC. Nothing else.
"""
from gateway.http import json_response, query_args, read_json, route
from services.assessments.domain.catalogue import TITLE_NOMINATOR_ROLES, TITLE_REVIEWER_ROLES
from services.assessments.schemas.titles import (
    TitleGrantSchema,
    TitleKindListSchema,
    TitleListQuerySchema,
    TitleNominateSchema,
    TitleNoticeListQuerySchema,
    TitleNoticePageSchema,
    TitleObjectionCreateSchema,
    TitleObjectionDecisionSchema,
    TitlePageSchema,
    TitleReviewSchema,
    TitleSchema,
    TitleWithdrawalSchema,
)
from services.membership.schemas.honours import HonourListQuerySchema, HonourPageSchema

TITLES = "/api/v1/titles"
TITLE = TITLES + "/<int:id>"
HONOURS = "/api/v1/honours"
TAG = "titles"


class TitleRoutes:
    @route("GET", TITLES + "/kinds", response=TitleKindListSchema, tag=TAG,
           summary="The title kinds 荣誉称号: who holds each (community, household, resident, "
                   "volunteer, party member), the levels it is awarded at, the notice's days")
    def title_kinds(self, request):
        return self.assessments.titles_kinds()

    @route("GET", TITLES, query=TitleListQuerySchema, response=TitlePageSchema, tag=TAG,
           summary="Titles of holders in your scope (filter by code, kind, level, status, year, "
                   "holder)")
    def list_titles(self, request):
        return self.assessments.titles_list(query_args(request))

    @route("POST", TITLES, roles=TITLE_NOMINATOR_ROLES, body=TitleNominateSchema,
           response=TitleSchema, status=201, tag=TAG,
           summary="Nominate 推荐 a holder in your scope for a title (kind, level, year, "
                   "holder_ref, citation); one live title per holder, kind, level and year (409)")
    def nominate_title(self, request):
        title = self.assessments.titles_nominate(read_json(request))
        return json_response(title, status=201, headers={"Location": f"{TITLES}/{title['id']}"})

    @route("GET", TITLES + "/notices", public=True, query=TitleNoticeListQuerySchema,
           response=TitleNoticePageSchema, tag=TAG,
           summary="Public notices 公示 running today (no sign-in): the title, the holder (a "
                   "community by name, people masked), the citation, the notice's days")
    def title_notices(self, request):
        return self.assessments.titles_public_notices(query_args(request))

    @route("GET", TITLE, response=TitleSchema, tag=TAG,
           summary="One title with its history, objections and the actions allowed today")
    def get_title(self, request, id):
        return self.assessments.titles_get(id)

    @route("POST", TITLE + "/review", roles=TITLE_REVIEWER_ROLES, body=TitleReviewSchema,
           response=TitleSchema, tag=TAG,
           summary="Review a nomination: approve (the public notice starts that day, 7 days) or "
                   "reject (withdrawn, reason); not a nominated title: 409")
    def review_title(self, request, id):
        return self.assessments.titles_review(id, read_json(request))

    @route("POST", TITLE + "/objections", roles=TITLE_NOMINATOR_ROLES,
           body=TitleObjectionCreateSchema, response=TitleSchema, tag=TAG,
           summary="Record an objection 异议 raised during the public notice (409 outside it); "
                   "the title is not granted until it is decided")
    def raise_title_objection(self, request, id):
        return self.assessments.titles_raise_objection(id, read_json(request))

    @route("POST", TITLE + "/objections/<int:objection_id>/decision",
           roles=TITLE_REVIEWER_ROLES, body=TitleObjectionDecisionSchema, response=TitleSchema,
           tag=TAG, summary="Decide an objection: upheld withdraws the title, dismissed lets the "
                            "notice go on (note)")
    def decide_title_objection(self, request, id, objection_id):
        return self.assessments.titles_decide_objection(id, objection_id, read_json(request))

    @route("POST", TITLE + "/grant", roles=TITLE_REVIEWER_ROLES, body=TitleGrantSchema,
           response=TitleSchema, tag=TAG,
           summary="Grant 授予 the title after its public notice ends with no objection waiting "
                   "(409 before); membership shows it on the holder's record")
    def grant_title(self, request, id):
        return self.assessments.titles_grant(id, read_json(request))

    @route("POST", TITLE + "/withdrawal", roles=TITLE_REVIEWER_ROLES,
           body=TitleWithdrawalSchema, response=TitleSchema, tag=TAG,
           summary="Withdraw a live title, or revoke 撤销 a granted one (reason); the honour on "
                   "the holder's record is marked revoked")
    def withdraw_title(self, request, id):
        return self.assessments.titles_withdraw(id, read_json(request))

    @route("GET", HONOURS, query=HonourListQuerySchema, response=HonourPageSchema, tag=TAG,
           summary="The honours 荣誉 on one holder's record (holder_kind, holder_ref), scoped "
                   "like the holder; revoked ones included, marked")
    def list_honours(self, request):
        return self.membership.honours_list(query_args(request))
