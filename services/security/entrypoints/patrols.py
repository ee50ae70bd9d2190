"""Patrol entrypoints: the RPCs the gateway calls. Membership is asked here (a volunteer joining
a team, the grid of a point or a finding) and the use cases get plain dicts."""
from services.security import patrols
from shared import membership as asked
from shared.entrypoints import rpc


class PatrolEntrypoints:
    @rpc
    def patrol_teams_create(self, payload: dict) -> dict:
        return patrols.create_team(self.db, payload)

    @rpc
    def patrol_teams_list(self, query: dict) -> dict:
        return patrols.list_teams(self.db, query)

    @rpc
    def patrol_teams_get(self, team_id: int) -> dict:
        return patrols.get_team(self.db, team_id)

    @rpc
    def patrol_teams_add_member(self, team_id: int, payload: dict) -> dict:
        data = patrols.check_member_add(self.db, team_id, payload)
        volunteer = asked.volunteer(self.membership, data["volunteer_id"])
        return patrols.add_member(self.db, team_id, payload, volunteer)

    @rpc
    def patrol_teams_members(self, team_id: int, query: dict) -> dict:
        return patrols.list_members(self.db, team_id, query)

    @rpc
    def patrol_teams_remove_member(self, team_id: int, volunteer_id: int) -> dict:
        return patrols.remove_member(self.db, team_id, volunteer_id)

    @rpc
    def patrol_teams_add_point(self, team_id: int, payload: dict) -> dict:
        data = patrols.check_point_create(self.db, team_id, payload)
        grid = asked.grid(self.membership, data["grid_code"])
        return patrols.add_point(self.db, team_id, payload, grid)

    @rpc
    def patrol_teams_points(self, team_id: int, query: dict) -> dict:
        return patrols.list_points(self.db, team_id, query)

    @rpc
    def patrol_shifts_create(self, payload: dict) -> dict:
        return patrols.plan_shift(self.db, payload)

    @rpc
    def patrol_shifts_list(self, query: dict) -> dict:
        return patrols.list_shifts(self.db, query)

    @rpc
    def patrol_shifts_get(self, shift_id: int) -> dict:
        return patrols.get_shift(self.db, shift_id)

    @rpc
    def patrol_shifts_check_in(self, shift_id: int, payload: dict) -> dict:
        return patrols.check_in(self.db, shift_id, payload)

    @rpc
    def patrol_shifts_report_finding(self, shift_id: int, payload: dict) -> dict:
        data = patrols.check_finding(self.db, shift_id, payload)
        if data["grid_code"] is not None:
            asked.grid(self.membership, data["grid_code"])
        return patrols.report_finding(self.db, shift_id, payload)

    @rpc
    def patrol_shifts_complete(self, shift_id: int, payload: dict) -> dict:
        return patrols.complete_shift(self.db, shift_id, payload)
