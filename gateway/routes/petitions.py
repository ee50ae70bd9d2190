"""petitions routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.security.domain.catalogue import MANAGER_ROLES, PETITION_REGISTER_ROLES
from services.security.schemas.petitions import (
    PetitionCreateSchema,
    PetitionListQuerySchema,
    PetitionPageSchema,
    PetitionSchema,
    PetitionStatsQuerySchema,
    PetitionStatsSchema,
    PetitionTransitionSchema,
)

PETITIONS = "/api/v1/petitions"
PETITION_STATS = "/api/v1/petition-stats"
TAG = "petitions"


class PetitionRoutes:
    @route("GET", PETITIONS, query=PetitionListQuerySchema, response=PetitionPageSchema, tag=TAG,
           summary="Petitions 信访 in your scope (filter by code, status, channel, group, "
                   "overdue); phones masked")
    def list_petitions(self, request):
        return self.security.petitions_list(query_args(request))

    @route("POST", PETITIONS, roles=PETITION_REGISTER_ROLES, body=PetitionCreateSchema,
           response=PetitionSchema, status=201, tag=TAG,
           summary="Register 登记 a petition (visit, letter, phone, online); 5 or more people "
                   "make a group petition 集体访; accept or decline within 15 days")
    def register_petition(self, request):
        petition = self.security.petitions_create(read_json(request))
        return json_response(petition, status=201,
                             headers={"Location": f"{PETITIONS}/{petition['id']}"})

    @route("GET", PETITIONS + "/<int:id>", response=PetitionSchema, tag=TAG,
           summary="One petition with its history, deadlines and the actions allowed now")
    def get_petition(self, request, id):
        return self.security.petitions_get(id)

    @route("POST", PETITIONS + "/<int:id>/transitions", roles=MANAGER_ROLES,
           body=PetitionTransitionSchema, response=PetitionSchema, tag=TAG,
           summary="Take a step: accept / decline (reason) / extend (until, reason; once, 30 "
                   "days at most) / answer (text; within 60 days) / request_review (within 30 "
                   "days) / review (text) / close; a step not allowed now is 409")
    def petition_transition(self, request, id):
        return self.security.petitions_transition(id, read_json(request))

    @route("GET", PETITION_STATS, query=PetitionStatsQuerySchema, response=PetitionStatsSchema,
           tag=TAG, summary="Petitions registered in an area from/to: accepted, answered on time "
                            "and late, overdue now, group petitions (target 0), on-time rate")
    def petition_stats(self, request):
        return self.security.petitions_stats(query_args(request))
