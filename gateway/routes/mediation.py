"""mediation routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.security.domain.catalogue import MANAGER_ROLES, SESSION_ROLES
from services.security.schemas.mediation import (
    MediationCaseCreateSchema,
    MediationCaseListQuerySchema,
    MediationCasePageSchema,
    MediationCaseSchema,
    MediationOutcomeSchema,
    MediationSessionCreateSchema,
    MediationSessionSchema,
)

MEDIATION_CASES = "/api/v1/mediation-cases"
TAG = "mediation"


class MediationRoutes:
    @route("GET", MEDIATION_CASES, query=MediationCaseListQuerySchema,
           response=MediationCasePageSchema, tag=TAG,
           summary="Mediation cases 人民调解 in your scope (filter by code, status, dispute type, "
                   "outcome, ticket)")
    def list_mediation_cases(self, request):
        return self.security.mediation_cases_list(query_args(request))

    @route("POST", MEDIATION_CASES, roles=MANAGER_ROLES, body=MediationCaseCreateSchema,
           response=MediationCaseSchema, status=201, tag=TAG,
           summary="Open a mediation case by hand: place, dispute type, summary, parties "
                   "(an applicant and a respondent at least), mediator")
    def create_mediation_case(self, request):
        case = self.security.mediation_cases_create(read_json(request))
        return json_response(case, status=201,
                             headers={"Location": f"{MEDIATION_CASES}/{case['id']}"})

    @route("GET", MEDIATION_CASES + "/<int:id>", response=MediationCaseSchema, tag=TAG,
           summary="One mediation case: parties (phones masked), sessions, outcome, and the "
                   "dispute ticket it came from")
    def get_mediation_case(self, request, id):
        return self.security.mediation_cases_get(id)

    @route("POST", MEDIATION_CASES + "/<int:id>/sessions", roles=SESSION_ROLES,
           body=MediationSessionCreateSchema, response=MediationSessionSchema, status=201,
           tag=TAG, summary="Record a mediation session of an open case (409 once closed)")
    def record_mediation_session(self, request, id):
        return json_response(self.security.mediation_cases_record_session(id, read_json(request)),
                             status=201)

    @route("POST", MEDIATION_CASES + "/<int:id>/outcome", roles=MANAGER_ROLES,
           body=MediationOutcomeSchema, response=MediationCaseSchema, tag=TAG,
           summary="Record the outcome (agreement with its text, failed, referred_to_court): "
                   "closes the case and tells the originating ticket (409 if already closed)")
    def record_mediation_outcome(self, request, id):
        return self.security.mediation_cases_record_outcome(id, read_json(request))
