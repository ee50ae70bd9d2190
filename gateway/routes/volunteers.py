"""Volunteer routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.membership.domain import volunteers as volunteer_rules
from services.membership.schemas.volunteers import (
    HoursEntryResultSchema,
    HoursEntrySchema,
    HoursLedgerSchema,
    VolunteerEnrolSchema,
    VolunteerListQuerySchema,
    VolunteerPageSchema,
    VolunteerSchema,
    VolunteerTeamCreateSchema,
    VolunteerTeamJoinSchema,
    VolunteerTeamListQuerySchema,
    VolunteerTeamMemberPageSchema,
    VolunteerTeamMemberSchema,
    VolunteerTeamPageSchema,
    VolunteerTeamSchema,
    VolunteerUpdateSchema,
)
from shared.pagination import PageRequestSchema

WRITERS = volunteer_rules.WRITER_ROLES
VOLUNTEERS = "/api/v1/volunteers"
TEAMS = "/api/v1/volunteer-teams"


class VolunteerRoutes:
    @route("GET", VOLUNTEERS, query=VolunteerListQuerySchema, response=VolunteerPageSchema,
           tag="volunteers", summary="Volunteers in your scope (filter by territory, skill, team)")
    def list_volunteers(self, request):
        return self.membership.volunteers_list(query_args(request))

    @route("POST", VOLUNTEERS, roles=WRITERS, body=VolunteerEnrolSchema,
           response=VolunteerSchema, status=201, tag="volunteers",
           summary="Enrol a resident as a volunteer of a community (once per resident)")
    def enrol_volunteer(self, request):
        volunteer = self.membership.volunteers_enrol(read_json(request))
        return json_response(volunteer, status=201,
                             headers={"Location": f"{VOLUNTEERS}/{volunteer['id']}"})

    @route("GET", VOLUNTEERS + "/<int:id>", response=VolunteerSchema, tag="volunteers",
           summary="One volunteer")
    def get_volunteer(self, request, id):
        return self.membership.volunteers_get(id)

    @route("PATCH", VOLUNTEERS + "/<int:id>", roles=WRITERS, body=VolunteerUpdateSchema,
           response=VolunteerSchema, tag="volunteers",
           summary="Add or remove skills, set the status (active / inactive)")
    def update_volunteer(self, request, id):
        return self.membership.volunteers_update(id, read_json(request))

    @route("GET", VOLUNTEERS + "/<int:id>/hours", query=PageRequestSchema,
           response=HoursLedgerSchema, tag="volunteers",
           summary="A volunteer's service-hours ledger (newest first) and balance")
    def volunteer_hours(self, request, id):
        return self.membership.volunteers_hours(id, query_args(request))

    @route("POST", VOLUNTEERS + "/<int:id>/hours", roles=WRITERS, body=HoursEntrySchema,
           response=HoursEntryResultSchema, status=201, tag="volunteers",
           summary="Credit hours, debit redeemed hours (never below zero), or reverse an entry")
    def record_volunteer_hours(self, request, id):
        return self.membership.volunteers_record_hours(id, read_json(request))

    @route("GET", TEAMS, query=VolunteerTeamListQuerySchema, response=VolunteerTeamPageSchema,
           tag="volunteers", summary="Volunteer teams in your scope")
    def list_volunteer_teams(self, request):
        return self.membership.volunteer_teams_list(query_args(request))

    @route("POST", TEAMS, roles=WRITERS, body=VolunteerTeamCreateSchema, response=VolunteerTeamSchema,
           status=201, tag="volunteers", summary="Set up a volunteer team in a community")
    def create_volunteer_team(self, request):
        team = self.membership.volunteer_teams_create(read_json(request))
        return json_response(team, status=201, headers={"Location": f"{TEAMS}/{team['id']}"})

    @route("GET", TEAMS + "/<int:id>", response=VolunteerTeamSchema, tag="volunteers",
           summary="One volunteer team")
    def get_volunteer_team(self, request, id):
        return self.membership.volunteer_teams_get(id)

    @route("GET", TEAMS + "/<int:id>/members", query=PageRequestSchema,
           response=VolunteerTeamMemberPageSchema, tag="volunteers", summary="A team's members")
    def list_volunteer_team_members(self, request, id):
        return self.membership.volunteer_teams_members(id, query_args(request))

    @route("POST", TEAMS + "/<int:id>/members", roles=WRITERS, body=VolunteerTeamJoinSchema,
           response=VolunteerTeamMemberSchema, status=201, tag="volunteers",
           summary="A volunteer of the team's community joins it")
    def join_volunteer_team(self, request, id):
        member = self.membership.volunteer_teams_join(id, read_json(request))
        return json_response(member, status=201, headers={
            "Location": f"{TEAMS}/{id}/members/{member['volunteer_id']}"})

    @route("DELETE", TEAMS + "/<int:id>/members/<int:volunteer_id>", roles=WRITERS,
           response=VolunteerTeamSchema, tag="volunteers", summary="A volunteer leaves the team")
    def leave_volunteer_team(self, request, id, volunteer_id):
        return self.membership.volunteer_teams_leave(id, volunteer_id)
