"""Care plan entrypoints: membership's flag events, and the RPCs the gateway calls."""
from services.tickets import care
from shared import membership as asked
from shared.entrypoints import handles, rpc


class CareEntrypoints:
    # A vulnerable flag set in membership opens the plan of that (resident, flag), exactly once
    # (the inbox for a redelivered event, a unique constraint for two events of one flag).
    @handles("membership.resident_flagged")
    def care_plan_on_flagged(self, event: dict) -> dict:
        return care.open_from_event(self.db, event)

    @handles("membership.resident_unflagged")
    def care_plan_on_unflagged(self, event: dict) -> dict:
        return care.close_from_event(self.db, event)

    # The resident moved: their plans follow them, or close when they left the territory.
    @handles("membership.resident_moved")
    def care_plan_on_resident_moved(self, event: dict) -> dict:
        return care.follow_resident_move(self.db, event)

    # A merged-away community's grids got new codes: the plans follow.
    @handles("membership.communities_merged")
    def care_plans_follow_merge(self, event: dict) -> dict:
        return care.follow_merge(self.db, event["data"])

    @rpc
    def care_plans_list(self, query: dict) -> dict:
        return care.list_plans(self.db, query)

    @rpc
    def care_plans_get(self, plan_id: int) -> dict:
        return care.get_plan(self.db, plan_id)

    @rpc
    def care_plans_record_visit(self, plan_id: int, payload: dict) -> dict:
        return care.record_visit(self.db, plan_id, payload)

    @rpc
    def care_plans_visits(self, plan_id: int, query: dict) -> dict:
        return care.list_visits(self.db, plan_id, query)

    @rpc
    def life_events_record(self, payload: dict) -> dict:
        data = care.check_life_event(self.db, payload)
        grid = asked.grid(self.membership, data["grid_code"])
        resident = None
        if data["resident_id"] is not None:
            found = asked.resident(self.membership, data["resident_id"])
            resident = {"id": found["id"], "grid_code": found["grid_code"],
                        "address": found.get("address")}
        return care.record_life_event(self.db, payload, grid, resident)
