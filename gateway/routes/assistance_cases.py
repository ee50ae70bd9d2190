"""Assistance case routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.tickets.domain import assistance as assistance_rules
from services.tickets.schemas.assistance import (
    AssistanceCaseCreateSchema,
    AssistanceCaseDetailSchema,
    AssistanceCaseListQuerySchema,
    AssistanceCasePageSchema,
    AssistanceObjectionCreateSchema,
    AssistanceTransitionSchema,
)

WRITERS = assistance_rules.WRITER_ROLES
CASES = "/api/v1/assistance-cases"


class AssistanceCaseRoutes:
    @route("GET", CASES, query=AssistanceCaseListQuerySchema, response=AssistanceCasePageSchema,
           tag="assistance cases",
           summary="Assistance cases in your scope (filter by stage, kind, community)")
    def list_assistance_cases(self, request):
        return self.tickets.assistance_cases_list(query_args(request))

    @route("POST", CASES, roles=WRITERS, body=AssistanceCaseCreateSchema,
           response=AssistanceCaseDetailSchema, status=201, tag="assistance cases",
           summary="Open an application for minimum allowance or medical aid (one open case "
                   "per resident and kind)")
    def open_assistance_case(self, request):
        case = self.tickets.assistance_cases_open(read_json(request))
        return json_response(case, status=201, headers={"Location": f"{CASES}/{case['id']}"})

    @route("GET", CASES + "/<int:id>", response=AssistanceCaseDetailSchema,
           tag="assistance cases",
           summary="One case with its steps, notice postings and objections")
    def get_assistance_case(self, request, id):
        return self.tickets.assistance_cases_get(id)

    @route("POST", CASES + "/<int:id>/transitions", roles=WRITERS,
           body=AssistanceTransitionSchema, response=AssistanceCaseDetailSchema,
           tag="assistance cases",
           summary="The next step: complete_investigation, complete_review, record_appraisal, "
                   "post_notice, approve or reject (approve and reject: street/district admins)")
    def transition_assistance_case(self, request, id):
        return self.tickets.assistance_cases_transition(id, read_json(request))

    @route("POST", CASES + "/<int:id>/objections", roles=assistance_rules.OBJECTION_ROLES,
           body=AssistanceObjectionCreateSchema, response=AssistanceCaseDetailSchema,
           status=201, tag="assistance cases",
           summary="Lodge an objection during the notice period (the case goes back to review)")
    def object_to_assistance_case(self, request, id):
        return self.tickets.assistance_cases_object(id, read_json(request))
