"""security_grids routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.security.domain.catalogue import MANAGER_ROLES
from services.security.schemas.grids import (
    GridWorkerAssignSchema,
    GridWorkerListQuerySchema,
    GridWorkerPageSchema,
    GridWorkerSchema,
    GridWorkerUntilSchema,
)
from services.security.schemas.incidents import IncidentPageSchema, WorkListQuerySchema

GRIDS = "/api/v1/grids"
GRID_WORKERS = "/api/v1/grid-workers"
TAG = "grid workers"


class SecurityGridRoutes:
    @route("GET", GRIDS + "/<code>/workers", query=GridWorkerListQuerySchema,
           response=GridWorkerPageSchema, tag=TAG,
           summary="The grid workers 网格员 of a grid (phones masked); `current` narrows to "
                   "those holding it today or to former ones")
    def list_grid_workers(self, request, code):
        return self.security.grid_workers_list(code, query_args(request))

    @route("POST", GRIDS + "/<code>/workers", roles=MANAGER_ROLES, body=GridWorkerAssignSchema,
           response=GridWorkerSchema, status=201, tag=TAG,
           summary="Assign a worker (their principal, `worker_id`) to a grid from `since`; a "
                   "worker may hold several grids")
    def assign_grid_worker(self, request, code):
        assignment = self.security.grid_workers_assign(code, read_json(request))
        return json_response(assignment, status=201, headers={
            "Location": f"{GRIDS}/{code}/workers/{assignment['id']}"})

    @route("DELETE", GRIDS + "/<code>/workers/<int:assignment_id>", roles=MANAGER_ROLES,
           query=GridWorkerUntilSchema, response=GridWorkerSchema, tag=TAG,
           summary="Unassign a worker from the grid on `until` (default today); the assignment "
                   "is kept as history")
    def unassign_grid_worker(self, request, code, assignment_id):
        return self.security.grid_workers_unassign(code, assignment_id, query_args(request))

    @route("GET", GRID_WORKERS + "/<worker_id>/work-list", query=WorkListQuerySchema,
           response=IncidentPageSchema, tag=TAG,
           summary="A grid worker's work list: the incidents open in the grids they hold")
    def grid_worker_work_list(self, request, worker_id):
        return self.security.grid_workers_work_list(worker_id, query_args(request))
