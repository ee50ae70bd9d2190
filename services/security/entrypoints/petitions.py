"""Petition 信访 entrypoints: the RPCs the gateway calls. Membership is asked here (the grid or
community a petition is registered at) and the use case gets a plain dict."""
from services.security import petitions
from shared import membership as asked
from shared.entrypoints import rpc


class PetitionEntrypoints:
    @rpc
    def petitions_create(self, payload: dict) -> dict:
        data = petitions.check_create(self.db, payload)
        place = asked.area(self.membership, data["org_code"])
        return petitions.register(self.db, payload, place)

    @rpc
    def petitions_list(self, query: dict) -> dict:
        return petitions.list_petitions(self.db, query)

    @rpc
    def petitions_get(self, petition_id: int) -> dict:
        return petitions.get_petition(self.db, petition_id)

    @rpc
    def petitions_transition(self, petition_id: int, payload: dict) -> dict:
        return petitions.transition(self.db, petition_id, payload)

    @rpc
    def petitions_stats(self, query: dict) -> dict:
        return petitions.stats(self.db, query)
