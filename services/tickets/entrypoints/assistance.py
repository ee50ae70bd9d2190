"""Assistance case entrypoints: the RPCs the gateway calls. Nothing else."""
from services.tickets import assistance
from shared import membership as asked
from shared.entrypoints import handles, rpc


class AssistanceEntrypoints:
    def _resident_in_scope(self, resident_id: int) -> dict:
        """The applicant as membership shows them to this caller (who travels with the call)."""
        resident = asked.resident(self.membership, resident_id)
        return {"id": resident["id"], "grid_code": resident["grid_code"],
                "status": resident["status"]}

    @rpc
    def assistance_cases_open(self, payload: dict) -> dict:
        return assistance.open_case(self.db, payload, self._resident_in_scope)

    @rpc
    def assistance_cases_get(self, case_id: int) -> dict:
        return assistance.get_case(self.db, case_id)

    @rpc
    def assistance_cases_list(self, query: dict) -> dict:
        return assistance.list_cases(self.db, query)

    @rpc
    def assistance_cases_transition(self, case_id: int, payload: dict) -> dict:
        return assistance.transition(self.db, case_id, payload)

    @rpc
    def assistance_cases_object(self, case_id: int, payload: dict) -> dict:
        return assistance.lodge_objection(self.db, case_id, payload)

    # A merged-away community's grids got new codes: the cases follow.
    @handles("membership.communities_merged")
    def assistance_cases_follow_merge(self, event: dict) -> dict:
        return assistance.follow_merge(self.db, event["data"])
