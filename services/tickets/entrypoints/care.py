"""Care plan entrypoints: membership's flag events, and the RPCs the gateway calls."""
from services.tickets import care
from shared.entrypoints import handles, rpc
from shared.errors import Forbidden, InvalidInput, NotFound


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
        try:
            grid = self.membership.territory_get_node(data["grid_code"])
        except (NotFound, Forbidden):
            raise InvalidInput(f"grid_code: no grid has the code {data['grid_code']}",
                               field="grid_code") from None
        resident = None
        if data["resident_id"] is not None:
            try:
                found = self.membership.residents_get(data["resident_id"])
            except (NotFound, Forbidden):
                raise NotFound(f"resident_id: no resident {data['resident_id']} in your scope",
                               field="resident_id") from None
            resident = {"id": found["id"], "grid_code": found["grid_code"],
                        "address": found.get("address")}
        return care.record_life_event(self.db, payload, grid, resident)
