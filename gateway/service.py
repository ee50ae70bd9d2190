"""The gateway's routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from __future__ import annotations

from kombu import Connection
from marshmallow import Schema, fields
from nameko.dependency_providers import Config

from gateway.http import ANY_ROLE, json_response, query_args, read_json, route
from gateway.openapi import openapi_document
from services.membership.domain import territory as territory_rules
from services.membership.schemas import (
    DescendantsQuerySchema,
    MergeResultSchema,
    MergeSchema,
    NodeCreateSchema,
    NodeListQuerySchema,
    NodePageSchema,
    NodeRenameSchema,
    NodeSchema,
)
from shared.config import SERVICE_NAMES
from shared.context import Caller
from shared.rpc import ServiceRpc


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok or degraded"})
    broker = fields.String(required=True)
    services = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


# The gateway turns away roles that can never edit; the service decides the finer rules.
TERRITORY_EDITORS = territory_rules.GRID_EDITOR_ROLES
TERRITORY_MERGERS = territory_rules.EDITOR_ROLES
NODES = "/api/v1/territory/nodes"


class GatewayService:
    name = "gateway"

    config = Config()
    caller = Caller()
    membership = ServiceRpc("membership")

    @route("GET", "/healthz", public=True, response=HealthSchema, tag="operations",
           also={503: "the broker or a service is down"}, summary="Broker and service health")
    def healthz(self, request):
        report = {"broker": _broker_health(self.config["AMQP_URI"]), "services": {}}
        for service in SERVICE_NAMES:
            try:
                getattr(self, service).health(timeout=2)
                report["services"][service] = "ok"
            except Exception as exc:  # any failure is "down"; the reason is for the operator
                report["services"][service] = f"down: {type(exc).__name__}"
        healthy = report["broker"] == "ok" and all(v == "ok" for v in report["services"].values())
        report["status"] = "ok" if healthy else "degraded"
        return json_response(report, status=200 if healthy else 503)

    @route("GET", "/api/v1/openapi.json", public=True, summary="This API, as OpenAPI 3",
           tag="operations")
    def openapi(self, request):
        return openapi_document()

    @route("GET", "/api/v1/me", roles=ANY_ROLE, summary="Who you are to the platform",
           tag="operations")
    def me(self, request):
        caller = self.caller
        return {"principal": caller.principal, "roles": list(caller.roles), "scope": caller.scope}

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


def _broker_health(amqp_uri: str) -> str:
    try:
        with Connection(amqp_uri, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
        return "ok"
    except Exception as exc:  # reported, not raised: health is a report
        return f"down: {type(exc).__name__}"
