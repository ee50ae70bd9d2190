"""Care plan routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.tickets.domain import care as care_rules
from services.tickets.domain import tickets as ticket_rules
from services.tickets.schemas.care import (
    CarePlanListQuerySchema,
    CarePlanPageSchema,
    CarePlanSchema,
    CareVisitCreateSchema,
    CareVisitListQuerySchema,
    CareVisitPageSchema,
    CareVisitResultSchema,
    LifeEventCreateSchema,
    LifeEventResultSchema,
)

WRITERS = care_rules.WRITER_ROLES
CARE_PLANS = "/api/v1/care-plans"
LIFE_EVENTS = "/api/v1/life-events"


class CarePlanRoutes:
    @route("GET", CARE_PLANS, query=CarePlanListQuerySchema, response=CarePlanPageSchema,
           tag="care plans",
           summary="Care plans in your scope (filter by community, flag, status, missed visits)")
    def list_care_plans(self, request):
        return self.tickets.care_plans_list(query_args(request))

    @route("GET", CARE_PLANS + "/<int:id>", response=CarePlanSchema, tag="care plans",
           summary="One care plan with its schedule (next due day and missed visits per kind)")
    def get_care_plan(self, request, id):
        return self.tickets.care_plans_get(id)

    @route("GET", CARE_PLANS + "/<int:id>/visits", query=CareVisitListQuerySchema,
           response=CareVisitPageSchema, tag="care plans",
           summary="A care plan's visits, newest first")
    def list_care_visits(self, request, id):
        return self.tickets.care_plans_visits(id, query_args(request))

    @route("POST", CARE_PLANS + "/<int:id>/visits", roles=WRITERS, body=CareVisitCreateSchema,
           response=CareVisitResultSchema, status=201, tag="care plans",
           summary="Record a home visit, phone call or neighbour visit")
    def record_care_visit(self, request, id):
        return self.tickets.care_plans_record_visit(id, read_json(request))

    @route("POST", LIFE_EVENTS, roles=ticket_rules.CREATOR_ROLES, body=LifeEventCreateSchema,
           response=LifeEventResultSchema, status=201, tag="care plans",
           summary="Record a life event 八到家 (wedding, death, hospital…): opens a visit ticket")
    def record_life_event(self, request):
        result = self.tickets.life_events_record(read_json(request))
        return json_response(result, status=201, headers={
            "Location": f"/api/v1/tickets/{result['ticket']['id']}"})
