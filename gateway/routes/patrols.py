"""patrols routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.security.domain.catalogue import MANAGER_ROLES, WORKER_ROLES
from services.security.schemas.patrols import (
    PatrolCheckInCreateSchema,
    PatrolCheckInSchema,
    PatrolCompletionSchema,
    PatrolFindingCreateSchema,
    PatrolFindingSchema,
    PatrolPointCreateSchema,
    PatrolPointPageSchema,
    PatrolPointSchema,
    PatrolShiftCreateSchema,
    PatrolShiftDetailSchema,
    PatrolShiftListQuerySchema,
    PatrolShiftPageSchema,
    PatrolTeamCreateSchema,
    PatrolTeamListQuerySchema,
    PatrolTeamMemberAddSchema,
    PatrolTeamMemberPageSchema,
    PatrolTeamMemberSchema,
    PatrolTeamPageSchema,
    PatrolTeamSchema,
)
from shared.pagination import PageRequestSchema

TEAMS = "/api/v1/patrol-teams"
SHIFTS = "/api/v1/patrol-shifts"
TAG = "patrols"


class PatrolRoutes:
    @route("GET", TEAMS, query=PatrolTeamListQuerySchema, response=PatrolTeamPageSchema,
           tag=TAG, summary="Patrol teams in your scope and of the street holding it "
                            "(filter by code, kind)")
    def list_patrol_teams(self, request):
        return self.security.patrol_teams_list(query_args(request))

    @route("POST", TEAMS, roles=MANAGER_ROLES, body=PatrolTeamCreateSchema,
           response=PatrolTeamSchema, status=201, tag=TAG,
           summary="Form a patrol team of a street or community (治安巡逻队, party-member or "
                   "volunteer patrol)")
    def create_patrol_team(self, request):
        team = self.security.patrol_teams_create(read_json(request))
        return json_response(team, status=201, headers={"Location": f"{TEAMS}/{team['id']}"})

    @route("GET", TEAMS + "/<int:id>", response=PatrolTeamSchema, tag=TAG,
           summary="One patrol team, with its member and point counts")
    def get_patrol_team(self, request, id):
        return self.security.patrol_teams_get(id)

    @route("POST", TEAMS + "/<int:id>/members", roles=MANAGER_ROLES,
           body=PatrolTeamMemberAddSchema, response=PatrolTeamMemberSchema, status=201, tag=TAG,
           summary="Put an active volunteer of the team's area on the team")
    def add_patrol_team_member(self, request, id):
        return json_response(self.security.patrol_teams_add_member(id, read_json(request)),
                             status=201)

    @route("GET", TEAMS + "/<int:id>/members", query=PageRequestSchema,
           response=PatrolTeamMemberPageSchema, tag=TAG, summary="A patrol team's members")
    def list_patrol_team_members(self, request, id):
        return self.security.patrol_teams_members(id, query_args(request))

    @route("DELETE", TEAMS + "/<int:id>/members/<int:volunteer_id>", roles=MANAGER_ROLES,
           response=PatrolTeamMemberSchema, tag=TAG,
           summary="Take a volunteer off a patrol team (shifts already planned keep them)")
    def remove_patrol_team_member(self, request, id, volunteer_id):
        return self.security.patrol_teams_remove_member(id, volunteer_id)

    @route("POST", TEAMS + "/<int:id>/points", roles=MANAGER_ROLES, body=PatrolPointCreateSchema,
           response=PatrolPointSchema, status=201, tag=TAG,
           summary="A patrol point of the team, in a grid of its area")
    def add_patrol_point(self, request, id):
        return json_response(self.security.patrol_teams_add_point(id, read_json(request)),
                             status=201)

    @route("GET", TEAMS + "/<int:id>/points", query=PageRequestSchema,
           response=PatrolPointPageSchema, tag=TAG, summary="A patrol team's points")
    def list_patrol_points(self, request, id):
        return self.security.patrol_teams_points(id, query_args(request))

    @route("GET", SHIFTS, query=PatrolShiftListQuerySchema, response=PatrolShiftPageSchema,
           tag=TAG, summary="Patrol shifts in your scope (filter by code, team, status)")
    def list_patrol_shifts(self, request):
        return self.security.patrol_shifts_list(query_args(request))

    @route("POST", SHIFTS, roles=MANAGER_ROLES, body=PatrolShiftCreateSchema,
           response=PatrolShiftDetailSchema, status=201, tag=TAG,
           summary="Plan a shift of a team (at most 12 hours): its route, points and members "
                   "(default every member of the team)")
    def plan_patrol_shift(self, request):
        shift = self.security.patrol_shifts_create(read_json(request))
        return json_response(shift, status=201, headers={"Location": f"{SHIFTS}/{shift['id']}"})

    @route("GET", SHIFTS + "/<int:id>", response=PatrolShiftDetailSchema, tag=TAG,
           summary="One patrol shift with its members, points, check-ins and findings")
    def get_patrol_shift(self, request, id):
        return self.security.patrol_shifts_get(id)

    @route("POST", SHIFTS + "/<int:id>/check-ins", roles=WORKER_ROLES,
           body=PatrolCheckInCreateSchema, response=PatrolCheckInSchema, status=201, tag=TAG,
           summary="Check in at a point of the team, within the shift's time (give or take "
                   "30 minutes)")
    def patrol_check_in(self, request, id):
        return json_response(self.security.patrol_shifts_check_in(id, read_json(request)),
                             status=201)

    @route("POST", SHIFTS + "/<int:id>/findings", roles=WORKER_ROLES,
           body=PatrolFindingCreateSchema, response=PatrolFindingSchema, status=201, tag=TAG,
           summary="Report what the patrol found (at a point or in a grid): it opens an incident "
                   "reported by a patrol")
    def report_patrol_finding(self, request, id):
        return json_response(self.security.patrol_shifts_report_finding(id, read_json(request)),
                             status=201)

    @route("POST", SHIFTS + "/<int:id>/completion", roles=WORKER_ROLES,
           body=PatrolCompletionSchema, response=PatrolShiftDetailSchema, tag=TAG,
           summary="Complete the shift: each member is credited the hours walked (first to last "
                   "check-in, or the planned length) in membership; a second completion is a 409")
    def complete_patrol_shift(self, request, id):
        body = read_json(request) if request.get_data(cache=True) else {}
        return self.security.patrol_shifts_complete(id, body)
