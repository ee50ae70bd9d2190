"""Assessment scheme routes: schemes, indicators, rules, the admission gate 准入.

Each route names its roles and schemas, then makes one RPC. Nothing else.
"""
from gateway.http import json_response, query_args, read_json, route
from services.assessments.domain.catalogue import SCHEME_APPROVER_ROLES, SCHEME_AUTHOR_ROLES
from services.assessments.schemas.schemes import (
    DecisionSchema,
    IndicatorCreateSchema,
    IndicatorUpdateSchema,
    RejectionSchema,
    RuleCreateSchema,
    RuleSchema,
    RuleUpdateSchema,
    SchemeCreateSchema,
    SchemeListQuerySchema,
    SchemePageSchema,
    SchemeSchema,
    SchemeUpdateSchema,
)

SCHEMES = "/api/v1/assessment-schemes"
SCHEME = SCHEMES + "/<int:id>"
TAG = "assessment schemes"


class AssessmentSchemeRoutes:
    @route("GET", SCHEMES, query=SchemeListQuerySchema, response=SchemePageSchema, tag=TAG,
           summary="Assessment schemes 考核方案 bearing on your territory: yours and those of the "
                   "street and district above (filter by status, subject_kind, org_code)")
    def list_assessment_schemes(self, request):
        return self.assessments.schemes_list(query_args(request))

    @route("POST", SCHEMES, roles=SCHEME_AUTHOR_ROLES, body=SchemeCreateSchema,
           response=SchemeSchema, status=201, tag=TAG,
           summary="Draft a scheme: subjects, period, weighted indicators and the rules turning "
                   "events into points (each checked against its event's schema)")
    def create_assessment_scheme(self, request):
        scheme = self.assessments.schemes_create(read_json(request))
        return json_response(scheme, status=201, headers={"Location": f"{SCHEMES}/{scheme['id']}"})

    @route("GET", SCHEME, response=SchemeSchema, tag=TAG,
           summary="One scheme with its indicators, rules and the actions allowed now")
    def get_assessment_scheme(self, request, id):
        return self.assessments.schemes_get(id)

    @route("PATCH", SCHEME, roles=SCHEME_AUTHOR_ROLES, body=SchemeUpdateSchema,
           response=SchemeSchema, tag=TAG,
           summary="Change a draft or rejected scheme (not its subject kind nor its area)")
    def update_assessment_scheme(self, request, id):
        return self.assessments.schemes_update(id, read_json(request))

    @route("POST", SCHEME + "/indicators", roles=SCHEME_AUTHOR_ROLES, body=IndicatorCreateSchema,
           response=SchemeSchema, status=201, tag=TAG,
           summary="Add an indicator to a draft or rejected scheme")
    def add_assessment_indicator(self, request, id):
        return json_response(self.assessments.schemes_add_indicator(id, read_json(request)),
                             status=201)

    @route("PATCH", SCHEME + "/indicators/<int:indicator_id>", roles=SCHEME_AUTHOR_ROLES,
           body=IndicatorUpdateSchema, response=SchemeSchema, tag=TAG,
           summary="Rename an indicator or change its weight (fixed once the scheme is active)")
    def update_assessment_indicator(self, request, id, indicator_id):
        return self.assessments.schemes_update_indicator(id, indicator_id, read_json(request))

    @route("POST", SCHEME + "/rules", roles=SCHEME_AUTHOR_ROLES, body=RuleCreateSchema,
           response=RuleSchema, status=201, tag=TAG,
           summary="Add a scoring rule; on an active scheme the events already received are "
                   "scored by it")
    def add_scoring_rule(self, request, id):
        return json_response(self.assessments.schemes_add_rule(id, read_json(request)),
                             status=201)

    @route("PATCH", SCHEME + "/rules/<int:rule_id>", roles=SCHEME_AUTHOR_ROLES,
           body=RuleUpdateSchema, response=RuleSchema, tag=TAG,
           summary="Change a rule's points, conditions, per_field or description; on an active "
                   "scheme the change is applied back (corrections in the ledger, never edits)")
    def update_scoring_rule(self, request, id, rule_id):
        return self.assessments.schemes_update_rule(id, rule_id, read_json(request))

    @route("DELETE", SCHEME + "/rules/<int:rule_id>", roles=SCHEME_AUTHOR_ROLES,
           response=SchemeSchema, tag=TAG,
           summary="Remove a rule of a draft or rejected scheme")
    def remove_scoring_rule(self, request, id, rule_id):
        return self.assessments.schemes_remove_rule(id, rule_id)

    @route("POST", SCHEME + "/submission", roles=SCHEME_AUTHOR_ROLES, response=SchemeSchema,
           tag=TAG, summary="Submit: a scheme imposed on communities waits for the district's "
                            "approval 准入; a street scheme is active at once")
    def submit_assessment_scheme(self, request, id):
        return self.assessments.schemes_submit(id)

    @route("POST", SCHEME + "/approval", roles=SCHEME_APPROVER_ROLES, body=DecisionSchema,
           response=SchemeSchema, tag=TAG,
           summary="The district approves a pending scheme (note optional): it is active and "
                   "the events already received in its window count")
    def approve_assessment_scheme(self, request, id):
        body = read_json(request) if request.get_data(cache=True) else {}
        return self.assessments.schemes_approve(id, body)

    @route("POST", SCHEME + "/rejection", roles=SCHEME_APPROVER_ROLES, body=RejectionSchema,
           response=SchemeSchema, tag=TAG,
           summary="The district rejects a pending scheme (note required): editable again")
    def reject_assessment_scheme(self, request, id):
        return self.assessments.schemes_reject(id, read_json(request))

    @route("POST", SCHEME + "/retirement", roles=SCHEME_AUTHOR_ROLES, response=SchemeSchema,
           tag=TAG, summary="Retire a scheme: it counts nothing new; its scorecards stay")
    def retire_assessment_scheme(self, request, id):
        return self.assessments.schemes_retire(id)
