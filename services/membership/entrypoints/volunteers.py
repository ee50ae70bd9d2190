"""Volunteer entrypoints: parse, call the use case, return. Nothing else."""
from services.membership import volunteers
from shared.entrypoints import handles, rpc


class VolunteerEntrypoints:
    @rpc
    def volunteers_enrol(self, payload: dict) -> dict:
        return volunteers.enrol_volunteer(self.db, payload)

    @rpc
    def volunteers_get(self, volunteer_id: int) -> dict:
        return volunteers.get_volunteer(self.db, volunteer_id)

    @rpc
    def volunteers_update(self, volunteer_id: int, payload: dict) -> dict:
        return volunteers.update_volunteer(self.db, volunteer_id, payload)

    @rpc
    def volunteers_list(self, query: dict) -> dict:
        return volunteers.list_volunteers(self.db, query)

    @rpc
    def volunteer_teams_create(self, payload: dict) -> dict:
        return volunteers.create_team(self.db, payload)

    @rpc
    def volunteer_teams_get(self, team_id: int) -> dict:
        return volunteers.get_team(self.db, team_id)

    @rpc
    def volunteer_teams_list(self, query: dict) -> dict:
        return volunteers.list_teams(self.db, query)

    @rpc
    def volunteer_teams_join(self, team_id: int, payload: dict) -> dict:
        return volunteers.join_team(self.db, team_id, payload)

    @rpc
    def volunteer_teams_leave(self, team_id: int, volunteer_id: int) -> dict:
        return volunteers.leave_team(self.db, team_id, volunteer_id)

    @rpc
    def volunteer_teams_members(self, team_id: int, query: dict) -> dict:
        return volunteers.list_members(self.db, team_id, query)

    @rpc
    def volunteers_hours(self, volunteer_id: int, query: dict) -> dict:
        return volunteers.hours_ledger(self.db, volunteer_id, query)

    @rpc
    def volunteers_record_hours(self, volunteer_id: int, payload: dict) -> dict:
        return volunteers.record_hours(self.db, volunteer_id, payload)

    # Volunteer work reported by other services (shared/events/volunteer_hours.py): each is
    # credited once, by the inbox (same event) and the ledger's source key (same work).
    @handles("tickets.volunteer_hours_earned")
    def credit_hours_for_ticket(self, event: dict) -> dict:
        return volunteers.credit_from_event(self.db, event)

    @handles("security.volunteer_hours_earned")
    def credit_hours_for_security_work(self, event: dict) -> dict:
        return volunteers.credit_from_event(self.db, event)

    @handles("learning.volunteer_hours_earned")
    def credit_hours_for_teaching(self, event: dict) -> dict:
        return volunteers.credit_from_event(self.db, event)

    # A merged-away community's volunteers and teams move to the surviving community.
    @handles("membership.communities_merged")
    def volunteers_follow_merge(self, event: dict) -> dict:
        return volunteers.follow_merge(self.db, event["data"])

    # A volunteer who completed a course of a community school has learned its category.
    @handles("learning.course_completed")
    def volunteer_skill_from_course(self, event: dict) -> dict:
        return volunteers.record_learned_skill(self.db, event)
