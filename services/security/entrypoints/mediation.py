"""Mediation entrypoints: dispute tickets' events, and the RPCs the gateway calls. Membership is
asked here (the case's grid or community) and the use cases get plain dicts."""
from services.security import mediation
from shared import membership as asked
from shared.entrypoints import handles, rpc


class MediationEntrypoints:
    # A dispute ticket opens its mediation case exactly once (the inbox for a redelivered event,
    # the unique ticket id for a second event of one ticket).
    @handles("tickets.dispute_reported")
    def mediation_case_on_dispute(self, event: dict) -> dict:
        return mediation.open_from_ticket(self.db, event)

    @rpc
    def mediation_cases_create(self, payload: dict) -> dict:
        data = mediation.check_create(self.db, payload)
        community, grid = data["place"]
        if grid:
            node = asked.grid(self.membership, grid, "grid_code")
        else:
            node = asked.area(self.membership, community, "community_code")
        return mediation.create_case(self.db, payload, node)

    @rpc
    def mediation_cases_list(self, query: dict) -> dict:
        return mediation.list_cases(self.db, query)

    @rpc
    def mediation_cases_get(self, case_id: int) -> dict:
        return mediation.get_case(self.db, case_id)

    @rpc
    def mediation_cases_record_session(self, case_id: int, payload: dict) -> dict:
        return mediation.record_session(self.db, case_id, payload)

    @rpc
    def mediation_cases_record_outcome(self, case_id: int, payload: dict) -> dict:
        return mediation.record_outcome(self.db, case_id, payload)
