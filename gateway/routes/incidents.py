"""incidents routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.security.incidents import REPORTER_ROLES
from services.security.schemas.incidents import (
    IncidentCreateSchema,
    IncidentListQuerySchema,
    IncidentPageSchema,
    IncidentSchema,
    IndicatorQuerySchema,
    IndicatorSchema,
    TransitionPageSchema,
    TransitionRequestSchema,
)
from shared.pagination import PageRequestSchema

INCIDENTS = "/api/v1/incidents"
INDICATORS = "/api/v1/incident-indicators"
TAG = "incidents"


class IncidentRoutes:
    @route("GET", INCIDENTS, query=IncidentListQuerySchema, response=IncidentPageSchema, tag=TAG,
           summary="Incidents 事件 in your scope (filter by status, kind, severity, level, `code` "
                   "prefix, overdue; `mine=true`: what is open in your own grids)")
    def list_incidents(self, request):
        return self.security.incidents_list(query_args(request))

    @route("POST", INCIDENTS, roles=REPORTER_ROLES, body=IncidentCreateSchema,
           response=IncidentSchema, status=201, tag=TAG,
           summary="Report an incident in a grid; response level red/yellow/blue (2 h / 24 h / "
                   "72 h) defaults from severity; a major one goes to the street at once")
    def report_incident(self, request):
        incident = self.security.incidents_report(read_json(request))
        return json_response(incident, status=201,
                             headers={"Location": f"{INCIDENTS}/{incident['id']}"})

    @route("GET", INCIDENTS + "/<int:id>", response=IncidentSchema, tag=TAG,
           summary="One incident, with the actions allowed now and its history")
    def get_incident(self, request, id):
        return self.security.incidents_get(id)

    @route("GET", INCIDENTS + "/<int:id>/transitions", query=PageRequestSchema,
           response=TransitionPageSchema, tag=TAG, summary="An incident's history of steps")
    def incident_transitions(self, request, id):
        return self.security.incidents_transitions(id, query_args(request))

    @route("POST", INCIDENTS + "/<int:id>/transitions", body=TransitionRequestSchema,
           response=IncidentSchema, tag=TAG,
           summary="One step of the closed loop by `action`: file, dismiss, dispatch, start, "
                   "handled, feedback, verify / reject_verification (not by the handler), close, "
                   "evaluate, dispute (the reporter, within 7 days); an illegal step is 409")
    def step_incident(self, request, id):
        return self.security.incidents_step(id, read_json(request))

    @route("GET", INDICATORS, query=IndicatorQuerySchema, response=IndicatorSchema, tag=TAG,
           summary="Zero targets: mass incidents and group petitions in an area from/to, "
                   "target 0, met, per community")
    def incident_indicators(self, request):
        return self.security.incident_indicators(query_args(request))
