"""Grid worker entrypoints: the RPCs the gateway calls. Membership is asked here (the grid)."""
from services.security import grids, incidents
from shared import membership as asked
from shared.entrypoints import rpc


class GridEntrypoints:
    @rpc
    def grid_workers_assign(self, grid_code: str, payload: dict) -> dict:
        grids.check_assign(self.db, grid_code, payload)
        grid = asked.grid(self.membership, grid_code)
        return grids.assign(self.db, grid_code, payload, grid)

    @rpc
    def grid_workers_list(self, grid_code: str, query: dict) -> dict:
        return grids.list_workers(self.db, grid_code, query)

    @rpc
    def grid_workers_unassign(self, grid_code: str, assignment_id: int,
                              payload: dict | None = None) -> dict:
        return grids.unassign(self.db, grid_code, assignment_id, payload)

    @rpc
    def grid_workers_work_list(self, worker_id: str, query: dict) -> dict:
        return incidents.work_list(self.db, worker_id, query)
