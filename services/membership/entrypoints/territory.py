"""Territory entrypoints: parse, call the use case, return. Nothing else."""
from services.membership import territory
from shared.entrypoints import rpc


class TerritoryEntrypoints:
    @rpc
    def territory_create_node(self, payload: dict) -> dict:
        return territory.create_node(self.db, payload)

    @rpc
    def territory_get_node(self, code: str) -> dict:
        return territory.get_node(self.db, code)

    @rpc
    def territory_rename_node(self, code: str, payload: dict) -> dict:
        return territory.rename_node(self.db, code, payload)

    @rpc
    def territory_list_nodes(self, query: dict) -> dict:
        return territory.list_nodes(self.db, query)

    @rpc
    def territory_list_children(self, code: str, query: dict) -> dict:
        return territory.list_children(self.db, code, query)

    @rpc
    def territory_list_descendants(self, code: str, query: dict) -> dict:
        return territory.list_descendants(self.db, code, query)

    @rpc
    def territory_merge_communities(self, payload: dict) -> dict:
        return territory.merge_communities(self.db, payload)
