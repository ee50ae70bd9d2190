"""Appraisal routes: democratic appraisal, five goods branch ratings, commitment cards, and the
follow-ups membership keeps on a party member rated unqualified.

Each route names its roles and schemas, then makes one RPC. Nothing else.
"""
from gateway.http import json_response, query_args, read_json, route
from services.assessments.domain.catalogue import APPRAISAL_ROLES
from services.assessments.schemas.appraisals import (
    AppraisalCreateSchema,
    AppraisalListQuerySchema,
    AppraisalPageSchema,
    AppraisalResultPageSchema,
    AppraisalResultSchema,
    AppraisalSchema,
    BallotCreateSchema,
    BallotSchema,
    BranchRatingCreateSchema,
    BranchRatingListQuerySchema,
    BranchRatingPageSchema,
    BranchRatingReviseSchema,
    BranchRatingSchema,
    CardAssessSchema,
    CardPublishSchema,
    CardRatingSchema,
    CommitmentCardCreateSchema,
    CommitmentCardListQuerySchema,
    CommitmentCardPageSchema,
    CommitmentCardSchema,
    OverrideSchema,
    ResultListQuerySchema,
)
from services.membership.follow_ups import CLOSER_ROLES
from services.membership.schemas.follow_ups import (
    FollowUpClosureSchema,
    FollowUpListQuerySchema,
    FollowUpPageSchema,
    FollowUpSchema,
)

APPRAISALS = "/api/v1/appraisals"
ROUND = APPRAISALS + "/<int:id>"
RATINGS = APPRAISALS + "/branch-ratings"
CARDS = APPRAISALS + "/commitment-cards"
CARD = CARDS + "/<int:id>"
TAG = "appraisals"
FOLLOW_UP_TAG = "party members"


class AppraisalRoutes:
    # --- democratic appraisal 民主评议党员 ---------------------------------------------------
    @route("GET", APPRAISALS, query=AppraisalListQuerySchema, response=AppraisalPageSchema,
           tag=TAG, summary="Democratic appraisal rounds 民主评议党员 in your scope (filter by "
                            "code, branch, year, status)")
    def list_appraisals(self, request):
        return self.assessments.appraisals_list(query_args(request))

    @route("POST", APPRAISALS, roles=APPRAISAL_ROLES, body=AppraisalCreateSchema,
           response=AppraisalSchema, status=201, tag=TAG,
           summary="Open a branch's democratic appraisal for a year (its active members are "
                   "the roll); one per branch and year")
    def open_appraisal(self, request):
        appraisal = self.assessments.appraisals_open(read_json(request))
        return json_response(appraisal, status=201,
                             headers={"Location": f"{APPRAISALS}/{appraisal['id']}"})

    @route("GET", ROUND, response=AppraisalSchema, tag=TAG,
           summary="One appraisal round, with members per band once counted")
    def get_appraisal(self, request, id):
        return self.assessments.appraisals_get(id)

    @route("POST", ROUND + "/voting", roles=APPRAISAL_ROLES, response=AppraisalSchema, tag=TAG,
           summary="Start voting (open → voting); anything else is 409")
    def start_appraisal_voting(self, request, id):
        return self.assessments.appraisals_start_voting(id)

    @route("POST", ROUND + "/ballots", roles=APPRAISAL_ROLES, body=BallotCreateSchema,
           response=BallotSchema, status=201, tag=TAG,
           summary="Record a voter's ballot (a member or a residents' representative) while "
                   "voting; one per voter, final (a second is 409)")
    def cast_appraisal_ballot(self, request, id):
        return json_response(self.assessments.appraisals_cast_ballot(id, read_json(request)),
                             status=201)

    @route("POST", ROUND + "/count", roles=APPRAISAL_ROLES, response=AppraisalSchema, tag=TAG,
           summary="Count the ballots (voting → counted): a band per member; an unqualified "
                   "member is followed up in membership")
    def count_appraisal(self, request, id):
        return self.assessments.appraisals_count(id)

    @route("GET", ROUND + "/results", query=ResultListQuerySchema,
           response=AppraisalResultPageSchema, tag=TAG,
           summary="Each member's votes and band in a counted round (filter by band)")
    def appraisal_results(self, request, id):
        return self.assessments.appraisals_results(id, query_args(request))

    @route("POST", ROUND + "/results/<int:member_id>/override", roles=APPRAISAL_ROLES,
           body=OverrideSchema, response=AppraisalResultSchema, tag=TAG,
           summary="The branch committee sets a member's band, with a reason (recorded); the "
                   "excellent cap holds")
    def override_appraisal_band(self, request, id, member_id):
        return self.assessments.appraisals_override(id, member_id, read_json(request))

    # --- five goods 五个好 -----------------------------------------------------------------------
    @route("GET", RATINGS, query=BranchRatingListQuerySchema, response=BranchRatingPageSchema,
           tag=TAG, summary="Five goods 五个好 branch ratings in your scope (filter by code, "
                            "year, band)")
    def list_branch_ratings(self, request):
        return self.assessments.branch_ratings_list(query_args(request))

    @route("POST", RATINGS, roles=APPRAISAL_ROLES, body=BranchRatingCreateSchema,
           response=BranchRatingSchema, status=201, tag=TAG,
           summary="Rate a branch on the five goods for a year (each criterion 0-20); once "
                   "per branch and year, then revise it")
    def rate_branch(self, request):
        rating = self.assessments.branch_ratings_create(read_json(request))
        return json_response(rating, status=201,
                             headers={"Location": f"{RATINGS}/{rating['id']}"})

    @route("GET", RATINGS + "/<int:id>", response=BranchRatingSchema, tag=TAG,
           summary="One five goods branch rating")
    def get_branch_rating(self, request, id):
        return self.assessments.branch_ratings_get(id)

    @route("PUT", RATINGS + "/<int:id>", roles=APPRAISAL_ROLES, body=BranchRatingReviseSchema,
           response=BranchRatingSchema, tag=TAG,
           summary="Revise a branch's five goods scores (a new revision, a new event)")
    def revise_branch_rating(self, request, id):
        return self.assessments.branch_ratings_revise(id, read_json(request))

    # --- commitment cards 承诺卡 -----------------------------------------------------------------
    @route("GET", CARDS, query=CommitmentCardListQuerySchema, response=CommitmentCardPageSchema,
           tag=TAG, summary="Commitment cards 承诺卡 in your scope (filter by code, member, "
                            "branch, year, stage)")
    def list_commitment_cards(self, request):
        return self.assessments.commitment_cards_list(query_args(request))

    @route("POST", CARDS, roles=APPRAISAL_ROLES, body=CommitmentCardCreateSchema,
           response=CommitmentCardSchema, status=201, tag=TAG,
           summary="A party member's pledge for a year (stage pledged); one per member and year")
    def create_commitment_card(self, request):
        card = self.assessments.commitment_cards_create(read_json(request))
        return json_response(card, status=201, headers={"Location": f"{CARDS}/{card['id']}"})

    @route("GET", CARD, response=CommitmentCardSchema, tag=TAG,
           summary="One commitment card with the steps it can take now")
    def get_commitment_card(self, request, id):
        return self.assessments.commitment_cards_get(id)

    @route("POST", CARD + "/publication", roles=APPRAISAL_ROLES, body=CardPublishSchema,
           response=CommitmentCardSchema, tag=TAG,
           summary="Publish 公示 a pledged card to the masses (pledged → published)")
    def publish_commitment_card(self, request, id):
        return self.assessments.commitment_cards_publish(id, read_json(request))

    @route("POST", CARD + "/ratings", roles=APPRAISAL_ROLES, body=CardRatingSchema,
           response=CommitmentCardSchema, tag=TAG,
           summary="A peer's rating 1-5 of a published card (→ peer_rated); one per rater")
    def rate_commitment_card(self, request, id):
        return self.assessments.commitment_cards_rate(id, read_json(request))

    @route("POST", CARD + "/assessment", roles=APPRAISAL_ROLES, body=CardAssessSchema,
           response=CommitmentCardSchema, tag=TAG,
           summary="The branch assesses a peer-rated card: fulfilled / partly / not_fulfilled "
                   "(→ assessed)")
    def assess_commitment_card(self, request, id):
        return self.assessments.commitment_cards_assess(id, read_json(request))

    # --- follow-ups 组织处置 (membership) ------------------------------------------------------
    @route("GET", "/api/v1/party-members/<id>/follow-ups", query=FollowUpListQuerySchema,
           response=FollowUpPageSchema, tag=FOLLOW_UP_TAG,
           summary="A party member's follow-ups 组织处置 (e.g. after an unqualified appraisal)")
    def list_party_member_follow_ups(self, request, id):
        return self.membership.follow_ups_list_for_member(id, query_args(request))

    @route("POST", "/api/v1/follow-ups/<int:id>/closure", roles=CLOSER_ROLES,
           body=FollowUpClosureSchema, response=FollowUpSchema, tag=FOLLOW_UP_TAG,
           summary="Close a follow-up with its outcome: 限期改正 correction / 劝退 "
                   "persuaded_to_leave / 除名 removed; a closed one is 409")
    def close_follow_up(self, request, id):
        return self.membership.follow_ups_close(id, read_json(request))
