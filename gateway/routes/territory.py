"""Territory routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.membership.domain import territory as territory_rules
from services.membership.schemas.territory import (
    DescendantsQuerySchema,
    MergeResultSchema,
    MergeSchema,
    NodeCreateSchema,
    NodeListQuerySchema,
    NodePageSchema,
    NodeRenameSchema,
    NodeSchema,
)

# The gateway turns away roles that can never edit; the service decides the finer rules.
TERRITORY_EDITORS = territory_rules.GRID_EDITOR_ROLES
TERRITORY_MERGERS = territory_rules.EDITOR_ROLES
NODES = "/api/v1/territory/nodes"


class TerritoryRoutes:
    @route("GET", NODES, query=NodeListQuerySchema, response=NodePageSchema, tag="territory",
           summary="Territory nodes in your scope (filter by level, parent, name)")
    def list_nodes(self, request):
        return self.membership.territory_list_nodes(query_args(request))

    @route("POST", NODES, roles=TERRITORY_EDITORS, body=NodeCreateSchema, response=NodeSchema,
           status=201, tag="territory", summary="Add a street, community or grid (or a district)")
    def create_node(self, request):
        node = self.membership.territory_create_node(read_json(request))
        return json_response(node, status=201, headers={"Location": f"{NODES}/{node['code']}"})

    @route("GET", NODES + "/<code>", response=NodeSchema, tag="territory",
           summary="One node (an old code of a merged-away grid finds the node it became)")
    def get_node(self, request, code):
        return self.membership.territory_get_node(code)

    @route("PATCH", NODES + "/<code>", roles=TERRITORY_EDITORS, body=NodeRenameSchema,
           response=NodeSchema, tag="territory", summary="Rename a node")
    def rename_node(self, request, code):
        return self.membership.territory_rename_node(code, read_json(request))

    @route("GET", NODES + "/<code>/children", query=DescendantsQuerySchema,
           response=NodePageSchema, tag="territory", summary="A node's children")
    def list_children(self, request, code):
        return self.membership.territory_list_children(code, query_args(request))

    @route("GET", NODES + "/<code>/descendants", query=DescendantsQuerySchema,
           response=NodePageSchema, tag="territory", summary="Everything beneath a node")
    def list_descendants(self, request, code):
        return self.membership.territory_list_descendants(code, query_args(request))

    @route("POST", "/api/v1/territory/merges", roles=TERRITORY_MERGERS, body=MergeSchema,
           response=MergeResultSchema, tag="territory",
           summary="Merge one community into another; its grids move and are re-coded")
    def merge_communities(self, request):
        return self.membership.territory_merge_communities(read_json(request))
